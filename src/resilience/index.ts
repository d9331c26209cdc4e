/** Resilience policies (timeout, retry with budget, circuit breaker) and the one backoff formula. */
export { backoffMs, equalJitterDelayMs } from './backoff';
export { CircuitBreaker } from './circuit-breaker';
export { USE_RESILIENCE, getPolicyToken } from './resilience.constants';
export { ResilienceInterceptor } from './resilience.interceptor';
export { InjectPolicy, ResilienceModule } from './resilience.module';
export type { PolicyOptions } from './resilience.options';
export { BreakerOpenError } from './resilience.errors';
export { ResiliencePolicy } from './resilience.policy';
export { ResilienceRegistry } from './resilience.registry';
export { RetryBudget } from './retry-budget';
export type { PolicySummary } from './resilience.registry';
export { CALL_OUTCOMES } from './resilience.types';
export type { BreakerState, ForcedBreakerState, PolicyStats } from './resilience.types';
export { SlidingWindow } from './sliding-window';
export { PolicySignal, UseResilience } from './use-resilience.decorator';
