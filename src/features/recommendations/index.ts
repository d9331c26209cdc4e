export { recommendationsConfig } from './recommendations.config';
export { RecommendationsModule } from './recommendations.module';
