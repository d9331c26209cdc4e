export { adminConfig } from './admin.config';
export { AdminModule } from './admin.module';
