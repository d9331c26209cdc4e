/**
 * Runs at most one `work()` per key at a time in this process: callers that
 * arrive while it runs share its promise. This is what turns 500 concurrent
 * misses of one key into one load.
 */
export class SingleFlight<T> {
  private readonly inFlight = new Map<string, Promise<T>>();

  run(key: string, work: () => Promise<T>): Promise<T> {
    const running = this.inFlight.get(key);
    if (running) return running;
    const started = work().finally(() => {
      // A forgotten flight must not remove the one that replaced it.
      if (this.inFlight.get(key) === started) this.inFlight.delete(key);
    });
    this.inFlight.set(key, started);
    return started;
  }

  /**
   * Callers from now on start a new flight for `key` instead of joining the
   * running one (a write overtook it: its result may be older than the
   * write). The running flight goes on for the callers it already has.
   */
  forget(key: string): void {
    this.inFlight.delete(key);
  }

  /** {@link forget} for every key. */
  forgetAll(): void {
    this.inFlight.clear();
  }

  /** True while a flight for `key` runs. */
  has(key: string): boolean {
    return this.inFlight.has(key);
  }

  get size(): number {
    return this.inFlight.size;
  }
}
