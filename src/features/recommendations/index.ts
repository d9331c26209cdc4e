/** The recommendations feature (non-essential, degradable). */
export { recommendationsConfig } from './recommendations.config';
export { RecommendationsModule } from './recommendations.module';
