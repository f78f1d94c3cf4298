import { describe, expect, it } from 'vitest';
import { createJsonLogger } from './json-logger.js';
import { Secrets } from './secrets.js';

function capture(level?: 'debug' | 'info' | 'warn' | 'error') {
  const lines: string[] = [];
  const secrets = new Secrets();
  secrets.add('sk-live-123456');
  const logger = createJsonLogger({ write: (line) => lines.push(line), secrets, level, now: () => new Date('2026-01-02T03:04:05Z') });
  return { logger, lines, parsed: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('createJsonLogger', () => {
  it('writes one JSON object per line with time, level, message and fields', () => {
    const { logger, lines, parsed } = capture();
    logger.info('task completed', { taskId: 't-1' });
    expect(lines[0]?.endsWith('\n')).toBe(true);
    expect(parsed()).toEqual([{ time: '2026-01-02T03:04:05.000Z', level: 'info', msg: 'task completed', taskId: 't-1' }]);
  });

  it('never prints a registered secret, in the message or in a field', () => {
    const { logger, lines } = capture();
    logger.error('auth failed with sk-live-123456', { header: 'Bearer sk-live-123456' });
    expect(lines.join('')).not.toContain('sk-live-123456');
    expect(lines.join('')).toContain('[redacted]');
  });

  it('drops lines below its level', () => {
    const { logger, parsed } = capture('warn');
    logger.info('quiet');
    logger.warn('loud');
    expect(parsed().map((line) => line.msg)).toEqual(['loud']);
  });

  it('gives children the parent fields plus their own', () => {
    const { logger, parsed } = capture();
    logger.child({ plugin: 'notion' }).child({ taskId: 't-9' }).warn('slow');
    expect(parsed()[0]).toMatchObject({ plugin: 'notion', taskId: 't-9', msg: 'slow' });
  });
});
