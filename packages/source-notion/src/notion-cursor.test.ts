import { describe, expect, it } from 'vitest';
import { recordingLogger } from './notion-source.fixture.js';
import { SyncState } from './notion-cursor.js';

const OVERLAP = 120_000;

describe('the Notion cursor', () => {
  it('reads from the overlap window before the newest edit it has seen', () => {
    const state = SyncState.resume(undefined, recordingLogger().logger);
    state.observe({ pageId: 'a', lastEditedTime: '2026-11-24T10:05:00.000Z', status: 'Not started' });
    expect(state.readFrom(OVERLAP)).toBe('2026-11-24T10:03:00.000Z');
  });

  it('counts a page as new again when its edit time or status changes', () => {
    const state = SyncState.resume(undefined, recordingLogger().logger);
    const version = { pageId: 'a', lastEditedTime: '2026-11-24T10:05:00.000Z', status: 'Not started' };
    expect([
      state.observe(version),
      state.observe(version),
      state.observe({ ...version, status: 'Blocked' }),
      state.observe({ ...version, status: 'Blocked', lastEditedTime: '2026-11-24T10:06:00.000Z' }),
    ]).toEqual([true, false, true, true]);
  });

  it('keeps only the pages inside the overlap window, so it does not grow with the database', () => {
    const state = SyncState.resume(undefined, recordingLogger().logger);
    for (let minute = 0; minute < 60; minute += 1) {
      state.observe({
        pageId: `page-${minute}`,
        lastEditedTime: new Date(Date.UTC(2026, 10, 24, 10, minute)).toISOString(),
        status: 'Not started',
      });
    }
    state.prune(OVERLAP);
    expect(Object.keys((JSON.parse(state.serialize()) as { seen: object }).seen)).toEqual(['page-57', 'page-58', 'page-59']);
  });

  it('survives being stored and resumed', () => {
    const { logger } = recordingLogger();
    const state = SyncState.resume(undefined, logger);
    const version = { pageId: 'a', lastEditedTime: '2026-11-24T10:05:00.000Z', status: 'Not started' };
    state.observe(version);
    const resumed = SyncState.resume(state.serialize(), logger);
    expect([resumed.observe(version), resumed.readFrom(OVERLAP)]).toEqual([false, '2026-11-24T10:03:00.000Z']);
  });
});
