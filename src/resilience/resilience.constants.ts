/** Metadata key of `@UseResilience()`: the policy name of a handler or controller. */
export const USE_RESILIENCE = 'bulwark:use-resilience';

/** Where the interceptor leaves the attempt's AbortSignal on the request, for `@PolicySignal()`. */
export const POLICY_SIGNAL = Symbol('bulwark:policy-signal');

/** DI token of policy `name`, provided by `ResilienceModule.forFeature({ name })`. */
export function getPolicyToken(name: string): string {
  return `bulwark:resilience-policy:${name}`;
}
