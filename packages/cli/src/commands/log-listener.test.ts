import type { Logger } from '@kurultai/core';
import { describe, expect, it } from 'vitest';
import { logListener } from './log-listener.js';

/** A logger keeping each line as [level, message, fields]. */
function recording() {
  const lines: [string, string, Readonly<Record<string, unknown>> | undefined][] = [];
  const at = (level: string) => (message: string, fields?: Readonly<Record<string, unknown>>) => void lines.push([level, message, fields]);
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, lines };
}

describe('logListener', () => {
  it('logs a correction that moved a task as the task reassigned, with from, to and who', () => {
    const { logger, lines } = recording();
    logListener(logger).onCorrection?.({ taskId: 't1', from: 'temujin', to: 'jochi', by: 'ada', moved: true, at: new Date() });
    expect(lines).toEqual([['info', 'task reassigned', { taskId: 't1', from: 'temujin', to: 'jochi', by: 'ada' }]]);
  });

  it('logs a correction of a task that stays where it is as recorded only', () => {
    const { logger, lines } = recording();
    logListener(logger).onCorrection?.({ taskId: 't1', from: 'temujin', to: 'jochi', by: 'ada', moved: false, at: new Date() });
    expect(lines[0]?.slice(0, 2)).toEqual(['info', 'correction recorded; the task stays']);
  });

  it('logs a warning with the task and the reason', () => {
    const { logger, lines } = recording();
    logListener(logger).onWarning?.({ stage: 'assignee', taskId: 't1', message: 'the assignee "Batu" is no agent of the council' });
    expect(lines).toEqual([['warn', 'assignee set aside', { taskId: 't1', reason: 'the assignee "Batu" is no agent of the council' }]]);
  });
});
