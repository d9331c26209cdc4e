import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { PolicyOptions } from './resilience.options';

/** Options of `ResilienceModule.forRoot()`: the module layer of every policy. */
export interface ResilienceModuleOptions {
  /** Defaults of every policy, over the built-in ones (`DEFAULT_POLICY_OPTIONS`). @default {} */
  readonly defaults?: PolicyOptions;
}

/** `forRoot` / `forRootAsync` of the resilience module, global. */
export const { ConfigurableModuleClass: ResilienceModuleBase, MODULE_OPTIONS_TOKEN: RESILIENCE_MODULE_OPTIONS } =
  new ConfigurableModuleBuilder<ResilienceModuleOptions>()
    .setClassMethodName('forRoot')
    .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
    .build();
