/** The probe endpoints (/health/live, /health/ready, /health/startup). */
export { HealthModule } from './health.module';
