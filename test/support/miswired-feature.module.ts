import { Controller, Get, Injectable, Module, Post } from '@nestjs/common';
import { Degradable } from '../../src/degradation/degradable.decorator';
import { DegradationModule } from '../../src/degradation/degradation.module';
import { InjectPolicy, ResilienceModule } from '../../src/resilience/resilience.module';
import { UseResilience } from '../../src/resilience/use-resilience.decorator';
import { InjectWriteBehind, WriteBehindModule } from '../../src/write-behind/write-behind.module';
import type { WriteBehindStore } from '../../src/write-behind/write-behind.types';

/**
 * Test-only feature modules wired wrongly, one mistake kind each, for the e2e tests that the app
 * refuses to start (test/wiring.e2e-spec.ts). Each is loaded alone into the real app.
 */

/** Routes naming a switch and policies nobody declared, beside correctly wired ones. */
@Controller('miswired')
class MiswiredController {
  @Get()
  @Degradable('miswired-typo')
  list(): unknown {
    return [];
  }

  @Post(':id')
  @Degradable('miswired')
  @UseResilience('miswired-missing')
  save(): unknown {
    return {};
  }

  @Get('fine')
  @Degradable('miswired')
  @UseResilience('miswired')
  fine(): unknown {
    return {};
  }
}

@Controller('miswired-all')
@UseResilience('miswired-class-missing')
class MiswiredClassController {
  @Get()
  list(): unknown {
    return [];
  }
}

@Module({
  imports: [DegradationModule.forFeature({ feature: 'miswired' }), ResilienceModule.forFeature({ name: 'miswired' })],
  controllers: [MiswiredController, MiswiredClassController],
})
export class MiswiredRoutesModule {}

/** Injects a policy its module does not import (it is registered elsewhere, or nowhere). */
@Injectable()
class PolicyClient {
  constructor(@InjectPolicy('miswired-policy') readonly policy: unknown) {}
}

@Module({ providers: [PolicyClient] })
export class UnimportedPolicyModule {}

/** Injects a write-behind entity nobody registered. */
@Injectable()
class EntityWriter {
  constructor(@InjectWriteBehind('miswired-entity') readonly writes: unknown) {}
}

@Module({ providers: [EntityWriter] })
export class UnregisteredEntityModule {}

/** A store needing a provider its forFeature does not import. */
class LedgerRepository {}

@Injectable()
class LedgerStore {
  constructor(readonly repository: LedgerRepository) {}
}

@Module({ imports: [WriteBehindModule.forFeature({ entity: 'miswired-ledger', store: LedgerStore as unknown as new () => WriteBehindStore<never> })] })
export class UnbuildableStoreModule {}

/** A forFeature whose store is undefined (what an import cycle leaves). */
@Module({ imports: [WriteBehindModule.forFeature({ entity: 'miswired-storeless', store: undefined as never })] })
export class StorelessEntityModule {}
