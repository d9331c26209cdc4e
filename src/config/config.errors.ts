/**
 * Thrown at boot when one or more environment variables are invalid. The
 * message lists every problem, one per line, so a single start shows them all.
 */
export class ConfigValidationError extends Error {
  readonly code = 'E_CONFIG_INVALID';

  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigValidationError';
  }
}
