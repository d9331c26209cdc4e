import { join } from 'node:path';
import type { AppProcess } from './support/app-process';
import { spawnAppWithModules } from './support/feature-app-process';
import { dropIsolation } from './support/test-app';

const MODULES = join(__dirname, 'support', 'miswired-feature.module.ts');

/**
 * A wiring mistake stops the boot before the app listens: exit 1 and one message on stderr naming
 * each problem and its fix, without a stack. The app runs in its own process with one wrongly
 * wired test-only module (test/support/miswired-feature.module.ts); that the real app still boots
 * is what every other e2e file starts with.
 */
describe('wiring checked at boot (e2e)', () => {
  let app: AppProcess | undefined;

  afterEach(async () => {
    if (app && app.child.exitCode === null && app.child.signalCode === null) {
      app.child.kill('SIGKILL');
      await app.exited;
    }
    if (app) await dropIsolation(app.schema, app.keyPrefix);
    app = undefined;
  });

  /** Starts the app with module `name` and returns what it printed once it exited with 1. */
  async function refusedWith(name: string): Promise<string> {
    app = await spawnAppWithModules([[MODULES, name]]);
    // A boot that goes through would listen until killed: fail in seconds rather than at the test timeout.
    const timeout = new Promise<string>((resolve) => setTimeout(() => resolve('still running after 20 s'), 20_000).unref());
    expect(await Promise.race([app.exited, timeout])).toBe(1);
    const out = app.output();
    expect(out).not.toMatch(/\n\s+at /);
    expect(out).not.toContain('listening on');
    return out;
  }

  it('lists every route behind an undeclared switch or an unregistered policy in one error', async () => {
    const out = await refusedWith('MiswiredRoutesModule');
    expect(out).toContain('Invalid wiring (3 problems):');
    expect(out).toContain(
      '  - MiswiredController.list (GET /miswired) is @Degradable(\'miswired-typo\'), but no module declares the switch "miswired-typo" (declared: miswired, recommendations, reviews): ' +
        "import DegradationModule.forFeature({ feature: 'miswired-typo' }) in the feature's module",
    );
    expect(out).toContain(
      '  - MiswiredController.save (POST /miswired/:id) uses @UseResilience(\'miswired-missing\'), but no resilience policy "miswired-missing" is registered (registered: miswired, product-events-webhook, recommender): ' +
        "import ResilienceModule.forFeature({ name: 'miswired-missing', … }) in the feature's module",
    );
    expect(out).toContain("  - MiswiredClassController (every route) uses @UseResilience('miswired-class-missing')");
    expect(out).not.toContain('MiswiredController.fine');
  });

  it('names the class and the forFeature to import for an @InjectPolicy() its module cannot see', async () => {
    const out = await refusedWith('UnimportedPolicyModule');
    expect(out).toContain(
      "Invalid wiring (1 problem):\n  - PolicyClient (in UnimportedPolicyModule) injects @InjectPolicy('miswired-policy') (constructor argument 1), " +
        "but UnimportedPolicyModule does not import ResilienceModule.forFeature({ name: 'miswired-policy' })",
    );
  });

  it('names the class and the entity for an @InjectWriteBehind() of an entity nobody registered', async () => {
    const out = await refusedWith('UnregisteredEntityModule');
    expect(out).toContain(
      "Invalid wiring (1 problem):\n  - EntityWriter (in UnregisteredEntityModule) injects @InjectWriteBehind('miswired-entity') (constructor argument 1), " +
        'but UnregisteredEntityModule does not import the write-behind entity "miswired-entity"',
    );
  });

  it('names the store and what it lacks when a write-behind feature cannot be built', async () => {
    const out = await refusedWith('UnbuildableStoreModule');
    expect(out).toContain(
      'Invalid wiring (1 problem):\n  - LedgerStore of a WriteBehindModule.forFeature() cannot be built: its constructor argument 1, LedgerRepository, is not available there',
    );
  });

  it('names the entity of a write-behind feature registered without a store', async () => {
    const out = await refusedWith('StorelessEntityModule');
    expect(out).toContain("Invalid wiring (1 problem):\n  - WriteBehindModule.forFeature({ entity: 'miswired-storeless' }) has no store (it is undefined)");
  });
});
