import { Controller, Get, Injectable, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { UnknownDependenciesException } from '@nestjs/core/errors/exceptions/unknown-dependencies.exception';
import { Test } from '@nestjs/testing';
import { bootFailureMessage } from '../app.factory';
import { ConfigValidationError } from '../config';
import { Degradable, degradationConfig, FeatureSwitches } from '../degradation';
import { InjectPolicy, ResilienceModule, ResilienceRegistry, UseResilience } from '../resilience';
import { InjectWriteBehind } from '../write-behind';
import { WiringCheck } from './wiring.check';
import { WiringError } from '../lifecycle';
import { WiringModule } from './wiring.module';
import { resolutionProblem, routeName, undeclaredSwitchProblems, unregisteredPolicyProblems } from './wiring.problems';

describe('WiringError', () => {
  it('lists every problem, one per line, and is printed at boot without a stack', () => {
    const error = new WiringError(['first', 'second']);
    expect(error.message).toBe('Invalid wiring (2 problems):\n  - first\n  - second');
    expect(new WiringError(['only']).message).toBe('Invalid wiring (1 problem):\n  - only');
    expect(bootFailureMessage(error)).toBe(error.message);
    expect(bootFailureMessage(new ConfigValidationError(['PORT: bad']))).not.toMatch(/\n\s+at /);
    expect(bootFailureMessage(new Error('other'))).toMatch(/^Error: other\n\s+at /);
  });
});

describe('routeName', () => {
  it('names the controller, the handler and, for a route, its method and path', () => {
    expect(routeName({ controller: 'RecsController', handler: 'list', method: 'GET', path: '/products/:id/recs' })).toBe(
      'RecsController.list (GET /products/:id/recs)',
    );
    expect(routeName({ controller: 'RecsController', handler: 'helper', path: '/products' })).toBe('RecsController.helper');
  });
});

describe('undeclaredSwitchProblems', () => {
  it('reports each route whose switch is not declared, with the declared ones and the fix', () => {
    const problems = undeclaredSwitchProblems(
      [
        { where: 'A.a (GET /a)', name: 'recs' },
        { where: 'A.b (GET /b)', name: 'recomendations' },
      ],
      ['recs', 'catalog'],
    );
    expect(problems).toEqual([
      'A.b (GET /b) is @Degradable(\'recomendations\'), but no module declares the switch "recomendations" (declared: catalog, recs): ' +
        "import DegradationModule.forFeature({ feature: 'recomendations' }) in the feature's module, or fix the name " +
        '(DEGRADATION_SWITCHES and the switches file only set the state of a declared switch).',
    ]);
    expect(undeclaredSwitchProblems([{ where: 'A.a', name: 'x' }], [])[0]).toContain('(declared: none)');
  });
});

describe('unregisteredPolicyProblems', () => {
  it('reports each use whose policy is not registered, with the registered ones and the fix', () => {
    const problems = unregisteredPolicyProblems(
      [
        { where: 'A.a (GET /a)', name: 'pricing' },
        { where: 'B (every route)', name: 'stock' },
      ],
      ['pricing'],
    );
    expect(problems).toEqual([
      'B (every route) uses @UseResilience(\'stock\'), but no resilience policy "stock" is registered (registered: pricing): ' +
        "import ResilienceModule.forFeature({ name: 'stock', … }) in the feature's module, or fix the name.",
    ]);
  });
});

describe('resolutionProblem', () => {
  /** Nest's error for a container that cannot be built (the message format is Nest's, so it is built by Nest). */
  async function bootError(module: object): Promise<unknown> {
    return NestFactory.createApplicationContext(module as never, { abortOnError: false, logger: false }).then(
      () => undefined,
      (error: unknown) => error,
    );
  }

  it('names the class, the module and the forFeature to import for an @InjectPolicy() that cannot be resolved', async () => {
    @Injectable()
    class PricingClient {
      constructor(@InjectPolicy('pricing') readonly policy: unknown) {}
    }
    @Module({ imports: [ResilienceModule.forRoot({}), ResilienceModule.forFeature({ name: 'stock' })], providers: [PricingClient] })
    class PricingModule {}
    expect(resolutionProblem(await bootError(PricingModule))).toBe(
      "PricingClient (in PricingModule) injects @InjectPolicy('pricing') (constructor argument 1), but PricingModule does not import ResilienceModule.forFeature({ name: 'pricing' }): " +
        'add it to the imports of PricingModule (a policy is injectable where its forFeature is imported), or fix the name.',
    );
  });

  it('names the class, the module and the entity for an @InjectWriteBehind() that cannot be resolved', async () => {
    @Injectable()
    class OrdersService {
      constructor(@InjectWriteBehind('orders') readonly writes: unknown) {}
    }
    @Module({ providers: [OrdersService] })
    class OrdersModule {}
    expect(resolutionProblem(await bootError(OrdersModule))).toBe(
      'OrdersService (in OrdersModule) injects @InjectWriteBehind(\'orders\') (constructor argument 1), but OrdersModule does not import the write-behind entity "orders": ' +
        "register it with WriteBehindModule.forFeature({ entity: 'orders', store }) and add that module (or a module exporting it) to the imports of OrdersModule, or fix the name.",
    );
  });

  it('names the store and the missing dependency when a write-behind feature cannot be built', () => {
    class OrdersRepository {}
    const error = new UnknownDependenciesException('OrderStore', { index: 0, dependencies: [OrdersRepository] }, {
      metatype: { name: 'WriteBehindFeatureModule' },
    } as never);
    expect(resolutionProblem(error)).toBe(
      'OrderStore of a WriteBehindModule.forFeature() cannot be built: its constructor argument 1, OrdersRepository, is not available there: ' +
        "add the module that exports it to that forFeature's imports (WriteBehindModule.forFeature({ entity, store, imports: [...] })); global modules need none.",
    );
  });

  it('leaves other errors as they are', async () => {
    class Missing {}
    @Injectable()
    class Needy {
      constructor(readonly missing: Missing) {}
    }
    @Module({ providers: [Needy] })
    class OtherModule {}
    const error = await bootError(OtherModule);
    expect(error).toBeInstanceOf(UnknownDependenciesException);
    expect(resolutionProblem(error)).toBeUndefined();
    expect(resolutionProblem(new Error('boom'))).toBeUndefined();
  });
});

describe('WiringCheck', () => {
  @Controller('shop')
  class ShopController {
    @Get('recs')
    @Degradable('recs')
    recs(): void {}

    @Post('basket')
    @Degradable('baskets')
    @UseResilience('payments')
    basket(): void {}
  }

  @Controller('stock')
  @UseResilience('stock')
  class StockController {
    @Get()
    list(): void {}

    @Get(':id')
    @UseResilience('pricing')
    one(): void {}
  }

  async function check(switches: string[], policies: string[]): Promise<void> {
    const registry = new ResilienceRegistry();
    for (const name of policies) registry.register(name);
    // What DegradationModule and ResilienceModule provide globally in the app.
    const kit = {
      module: class KitStubs {},
      global: true,
      providers: [
        { provide: FeatureSwitches, useValue: { list: () => switches.map((feature) => ({ feature })) } },
        { provide: ResilienceRegistry, useValue: registry },
        // For @Degradable()'s interceptor, built with the controller (never called here).
        { provide: degradationConfig.token, useValue: {} },
      ],
      exports: [FeatureSwitches, ResilienceRegistry, degradationConfig.token],
    };
    const module = await Test.createTestingModule({ imports: [kit, WiringModule], controllers: [ShopController, StockController] }).compile();
    module.get(WiringCheck).assert();
  }

  it('passes when every switch is declared and every policy registered', async () => {
    await expect(check(['recs', 'baskets'], ['payments', 'stock', 'pricing'])).resolves.toBeUndefined();
  });

  it('lists every undeclared switch and unregistered policy in one error, naming the route', async () => {
    const error = (await check(['recs'], ['pricing']).catch((e: unknown) => e)) as WiringError;
    expect(error).toBeInstanceOf(WiringError);
    expect(error.problems).toHaveLength(3);
    expect(error.problems[0]).toMatch(
      /^ShopController\.basket \(POST \/shop\/basket\) is @Degradable\('baskets'\), but no module declares the switch "baskets" \(declared: recs\)/,
    );
    expect(error.problems[1]).toMatch(
      /^ShopController\.basket \(POST \/shop\/basket\) uses @UseResilience\('payments'\), but no resilience policy "payments" is registered \(registered: pricing\)/,
    );
    expect(error.problems[2]).toMatch(/^StockController \(every route\) uses @UseResilience\('stock'\)/);
  });
});
