/**
 * Thrown at boot when modules are wired wrongly (a route behind an undeclared switch, a policy or
 * write-behind entity nobody registered where it is used, …). The message lists every problem
 * found, one per line, each naming where it is and how to fix it; `main.ts` prints it alone,
 * without a stack (the stack would point into the kit, not at the mistake).
 */
export class WiringError extends Error {
  readonly code = 'E_WIRING_INVALID';

  constructor(readonly problems: readonly string[]) {
    super(`Invalid wiring (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  - ${problems.join('\n  - ')}`);
    this.name = 'WiringError';
  }
}
