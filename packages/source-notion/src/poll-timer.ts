/** The wait between two polls of a follower, which a webhook delivery (or `pollNow`) ends early. */
export class PollTimer {
  #wake: (() => void) | undefined;
  /** A wake-up that came while no one waited: the next wait ends at once, so a delivery is never missed. */
  #woken = false;

  wake(): void {
    this.#woken = true;
    this.#wake?.();
  }

  wait(ms: number, signal: AbortSignal): Promise<void> {
    if (this.#woken || signal.aborted) {
      this.#woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.#wake = undefined;
        this.#woken = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      this.#wake = done;
    });
  }
}
