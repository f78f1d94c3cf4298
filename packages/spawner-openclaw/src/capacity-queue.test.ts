import { describe, expect, it } from 'vitest';
import { CapacityQueue } from './capacity-queue.js';

describe('CapacityQueue', () => {
  it('admits up to its capacity at once without waiting', async () => {
    const queue = new CapacityQueue(2);
    await queue.acquire(new AbortController().signal);
    await queue.acquire(new AbortController().signal);
    expect(queue.queued).toBe(0);
  });

  it('makes the next caller wait until a slot is given back, and says it is queued', async () => {
    const queue = new CapacityQueue(1);
    const release = await queue.acquire(new AbortController().signal);
    let queuedCalls = 0;
    let admitted = false;
    const waiting = queue.acquire(new AbortController().signal, () => (queuedCalls += 1)).then(() => (admitted = true));
    await Promise.resolve();
    expect({ admitted, queued: queue.queued, queuedCalls }).toEqual({ admitted: false, queued: 1, queuedCalls: 1 });
    release();
    await waiting;
    expect(admitted).toBe(true);
  });

  it('admits waiters in arrival order', async () => {
    const queue = new CapacityQueue(1);
    const release = await queue.acquire(new AbortController().signal);
    const order: string[] = [];
    const first = queue.acquire(new AbortController().signal).then((done) => (order.push('first'), done));
    const second = queue.acquire(new AbortController().signal).then((done) => (order.push('second'), done));
    release();
    (await first)();
    (await second)();
    expect(order).toEqual(['first', 'second']);
  });

  it('drops a waiter whose signal aborts, rejecting with its reason, without taking a slot', async () => {
    const queue = new CapacityQueue(1);
    const release = await queue.acquire(new AbortController().signal);
    const controller = new AbortController();
    const waiting = queue.acquire(controller.signal);
    controller.abort(new Error('gave up'));
    await expect(waiting).rejects.toThrow('gave up');
    expect(queue.queued).toBe(0);
    release();
    await queue.acquire(new AbortController().signal);
  });

  it('ignores a slot given back twice', async () => {
    const queue = new CapacityQueue(1);
    const release = await queue.acquire(new AbortController().signal);
    release();
    release();
    await queue.acquire(new AbortController().signal);
    let admitted = false;
    void queue.acquire(new AbortController().signal).then(() => (admitted = true));
    await Promise.resolve();
    expect(admitted).toBe(false);
  });
});
