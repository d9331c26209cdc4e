import { Module } from '@nestjs/common';
import { AdminAuthGuard } from './admin-auth.guard';
import { AdminTokenVerifier } from './admin-token.verifier';
import { BreakersAdminController } from './breakers-admin.controller';
import { CacheAdminController } from './cache-admin.controller';
import { DeadLettersAdminController } from './dead-letters-admin.controller';
import { OverloadAdminController } from './overload-admin.controller';
import { SchedulesAdminController } from './schedules-admin.controller';
import { SwitchAdminService } from './switch-admin.service';
import { SwitchesAdminController } from './switches-admin.controller';

/**
 * The operator API under `/admin/`, behind a bearer token (ADMIN_TOKEN; none configured = every
 * admin route answers 404). To add endpoints, write a controller with `@AdminController('<path>')`
 * and list it here. Needs `DegradationModule`, `ResilienceModule`, `JobsModule`, `WriteBehindModule`, `CacheModule`, `OverloadModule` and `SchedulesModule` (all global).
 */
@Module({
  controllers: [
    SwitchesAdminController,
    BreakersAdminController,
    DeadLettersAdminController,
    CacheAdminController,
    OverloadAdminController,
    SchedulesAdminController,
  ],
  providers: [AdminTokenVerifier, AdminAuthGuard, SwitchAdminService],
  exports: [AdminTokenVerifier, AdminAuthGuard],
})
export class AdminModule {}
