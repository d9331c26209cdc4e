/** Operator endpoints under /admin (token-guarded): what other folders may use. */
export { AdminController, isAdminPath } from './admin-controller.decorator';
export { adminConfig } from './admin.config';
export { AdminModule } from './admin.module';
