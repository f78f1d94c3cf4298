import type { WaitingRetries } from '@kurultai/core';

/** The retries still waiting for their time, and when the first comes due: what `run --once` leaves for a later run. */
export function describeWaitingRetries({ count, nextDueAt }: WaitingRetries): string {
  const tasks = count === 1 ? '1 task waits' : `${count} tasks wait`;
  const seconds = Math.max(0, Math.ceil((nextDueAt.getTime() - Date.now()) / 1000));
  return `${tasks} for a retry; the first is due at ${nextDueAt.toISOString()} (in ${seconds}s), for the next \`kurultai run\`.`;
}
