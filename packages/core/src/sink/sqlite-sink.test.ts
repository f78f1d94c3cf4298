import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeSinkConformance } from '../testing/index.js';
import { createSqliteSink } from './sqlite-sink.js';

for (const batchWrites of [true, false]) {
  describeSinkConformance(`sqlite (${batchWrites ? 'group commit' : 'one transaction per write'})`, {
    createStore: async () => {
      const folder = await mkdtemp(join(tmpdir(), 'kurultai-sqlite-'));
      const path = join(folder, 'ledger.sqlite');
      return {
        openSink: async () => createSqliteSink({ path, busyTimeoutMs: 5000, batchWrites, synchronous: 'normal' }),
        dispose: () => rm(folder, { recursive: true, force: true }),
      };
    },
  });
}
