import type { WriteBack } from '@kurultai/core';
import { describeSourceConformance } from '@kurultai/core/testing';
import { recordingLogger } from './notion-source.fixture.js';
import { createNotionSource } from './notion-source.js';
import { createTaskBoard, startFakeNotionServer } from './testing/index.js';

const KIND_OF_STATUS: Readonly<Record<string, WriteBack['kind']>> = {
  'In Progress': 'in_progress',
  Done: 'completed',
  Blocked: 'failed',
};
const PRIORITY_NAMES = { critical: 'Urgent', high: 'High', normal: 'Medium', low: 'Low' } as const;

describeSourceConformance('notion', {
  redelivery: 'never',
  followDeadlineMs: 5_000,
  async createSource() {
    const fake = await startFakeNotionServer({ rateLimit: false });
    const { databaseId, dataSourceId } = createTaskBoard(fake.workspace);
    const source = await createNotionSource(
      {
        database: databaseId,
        baseUrl: fake.url,
        requestsPerSecond: 100,
        pollIntervalMs: 50,
        properties: { description: 'Description', priority: 'Priority', tags: 'Tags' },
      },
      { logger: recordingLogger().logger, env: { NOTION_TOKEN: fake.token }, baseDir: process.cwd() },
    );
    return {
      source,
      async addTasks(tasks) {
        return tasks.map((task) =>
          fake.workspace.createPage(dataSourceId, {
            Name: task.title,
            Description: task.description,
            Priority: PRIORITY_NAMES[task.priority],
            Tags: task.tags,
            Status: 'Not started',
          }),
        );
      },
      async writtenBack(taskId) {
        const status = fake.workspace.page(taskId).properties['Status'];
        const name = status?.type === 'status' ? status.status?.name : undefined;
        return name === undefined ? undefined : KIND_OF_STATUS[name];
      },
      async dispose() {
        await source.close();
        await fake.close();
      },
    };
  },
});
