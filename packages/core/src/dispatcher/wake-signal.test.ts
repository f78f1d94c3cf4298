import { describe, expect, it } from 'vitest';
import { WakeSignal } from './wake-signal.js';

describe('WakeSignal', () => {
  it('ends a sleep early when woken', async () => {
    const signal = new WakeSignal();
    const started = Date.now();
    const sleeping = signal.sleep(10_000);
    signal.wake();
    await sleeping;
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('keeps a wake-up that came while nobody slept for the next sleep', async () => {
    const signal = new WakeSignal();
    signal.wake();
    const started = Date.now();
    await signal.sleep(10_000);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('sleeps the whole interval when nothing wakes it', async () => {
    const signal = new WakeSignal();
    const started = Date.now();
    await signal.sleep(30);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });
});
