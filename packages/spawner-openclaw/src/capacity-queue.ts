/**
 * Admits at most `capacity` runs at once; the rest wait in arrival order. A waiter whose signal aborts leaves the queue
 * without ever taking a slot, so a task that timed out while queued never reaches the gateway.
 */
export class CapacityQueue {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly capacity: number) {}

  /**
   * Waits for a slot; returns the function that gives it back. Calls `onQueued` if it has to wait. Rejects with the
   * signal's reason if it aborts first.
   */
  async acquire(signal: AbortSignal, onQueued: () => void = () => {}): Promise<() => void> {
    signal.throwIfAborted();
    if (this.running < this.capacity) {
      this.running += 1;
      return this.releaser();
    }
    onQueued();
    await new Promise<void>((resolve, reject) => {
      const admit = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        this.waiting.splice(this.waiting.indexOf(admit), 1);
        reject(signal.reason);
      };
      this.waiting.push(admit);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    return this.releaser();
  }

  /** Runs waiting for a slot right now. */
  get queued(): number {
    return this.waiting.length;
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      // A freed slot passes straight to the next waiter, so `running` only drops when nobody waits.
      if (next === undefined) this.running -= 1;
      else next();
    };
  }
}
