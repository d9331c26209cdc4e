import { Inject, Module, type DynamicModule, type FactoryProvider, type InjectionToken, type ModuleMetadata } from '@nestjs/common';
import { getPolicyToken } from './resilience.constants';
import { ResilienceInterceptor } from './resilience.interceptor';
import { ResilienceModuleBase } from './resilience.module-definition';
import type { PolicyOptions } from './resilience.options';
import { ResilienceRegistry } from './resilience.registry';

/** `forFeature` with static options: the policy's name and its feature layer. */
export interface PolicyRegistration extends PolicyOptions {
  readonly name: string;
}

/** `forFeature` with options built from injected providers, e.g. the feature's config. */
export interface AsyncPolicyRegistration {
  readonly name: string;
  /** Modules exporting what `inject` names (global providers, like configs, need none). @default [] */
  readonly imports?: ModuleMetadata['imports'];
  readonly inject?: InjectionToken[];
  readonly useFactory: (...args: never[]) => PolicyOptions;
}

/**
 * The resilience kit module. `ResilienceModule.forRoot({ defaults })` once in
 * `AppModule` (global: `ResilienceRegistry` and the interceptor); each feature
 * imports `ResilienceModule.forFeature({ name, ...options })` (or
 * `{ name, inject, useFactory }`) and injects its policy with
 * `@InjectPolicy(name)`, or uses `@UseResilience(name)` on routes.
 */
@Module({ providers: [ResilienceRegistry, ResilienceInterceptor], exports: [ResilienceRegistry, ResilienceInterceptor] })
export class ResilienceModule extends ResilienceModuleBase {
  static forFeature(registration: PolicyRegistration | AsyncPolicyRegistration): DynamicModule {
    const provider: FactoryProvider =
      'useFactory' in registration
        ? {
            provide: getPolicyToken(registration.name),
            inject: [ResilienceRegistry, ...(registration.inject ?? [])],
            useFactory: (registry: ResilienceRegistry, ...args: never[]) => registry.register(registration.name, registration.useFactory(...args)),
          }
        : {
            provide: getPolicyToken(registration.name),
            inject: [ResilienceRegistry],
            useFactory: (registry: ResilienceRegistry) => {
              const { name, ...options } = registration;
              return registry.register(name, options);
            },
          };
    const imports = 'useFactory' in registration ? (registration.imports ?? []) : [];
    return { module: ResilienceFeatureModule, imports, providers: [provider], exports: [provider.provide] };
  }
}

/** Holds the policies registered by `forFeature` (one dynamic instance per feature). */
@Module({})
class ResilienceFeatureModule {}

/** Injects policy `name` (registered by `ResilienceModule.forFeature({ name })` in the same feature). */
export function InjectPolicy(name: string): ParameterDecorator & PropertyDecorator {
  return Inject(getPolicyToken(name));
}
