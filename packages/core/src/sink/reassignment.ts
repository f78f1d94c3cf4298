import type { TaskStatus } from '../task.js';
import type { Correction } from './contract.js';

/** The statuses in which a correction moves a task (`Sink.reassign`): it is not running, and not done. */
export const REASSIGNABLE_STATUSES: readonly TaskStatus[] = ['pending', 'assigned', 'retrying', 'failed'];

/** The reason of the history entry that records a task moved by a correction, the same in every sink. */
export function reassignmentReason(correction: Pick<Correction, 'from' | 'to' | 'by'>): string {
  return `reassigned from ${correction.from} to ${correction.to} by ${correction.by}`;
}
