import { Client } from '@notionhq/client';
import { afterEach, describe, expect, it } from 'vitest';
import { recordingLogger } from './notion-source.fixture.js';
import { judgeFailure, RequestScheduler } from './request-scheduler.js';
import { startFakeNotionServer, type FakeNotionServer } from './testing/index.js';

let fake: FakeNotionServer | undefined;
afterEach(async () => {
  await fake?.close();
});

async function setUp(requestsPerSecond: number) {
  fake = await startFakeNotionServer({ rateLimit: false });
  const client = new Client({ auth: fake.token, baseUrl: fake.url, retry: false, logger: () => {} });
  const scheduler = new RequestScheduler({
    requestsPerSecond,
    maxAttempts: 3,
    initialBackoffMs: 10,
    logger: recordingLogger().logger,
  });
  return { fake, client, scheduler };
}

describe('the request scheduler', () => {
  it('starts requests no faster than the configured rate, however many are waiting', async () => {
    const { fake, client, scheduler } = await setUp(20);
    const starts: number[] = [];
    const request = () => {
      starts.push(performance.now());
      return client.users.me({});
    };
    await Promise.all(Array.from({ length: 11 }, () => scheduler.run('users.me', request)));
    // Ten gaps of 50 ms; a timer may fire a millisecond early.
    const seconds = ((starts.at(-1) ?? 0) - (starts[0] ?? 0)) / 1000;
    expect({ tenGapsOf50ms: seconds >= 0.495, answered: fake.count() }).toEqual({ tenGapsOf50ms: true, answered: 11 });
  });

  it('holds back every request during a Retry-After, not only the one Notion refused', async () => {
    const { fake, client, scheduler } = await setUp(100);
    fake.inject({ type: 'rate_limited', retryAfterSeconds: 1 });
    const refused = scheduler.run('users.me', () => client.users.me({}));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await Promise.all([refused, scheduler.run('databases.retrieve', () => client.users.me({}))]);
    const [first, ...later] = fake.requests.map((request) => request.at);
    expect(later.map((at) => at - (first ?? 0) >= 990)).toEqual([true, true]);
  });

  it('gives up on a failure no retry can mend at once', async () => {
    const { fake, client, scheduler } = await setUp(100);
    const failure = await scheduler
      .run('pages.retrieve', () => client.pages.retrieve({ page_id: '00000000-0000-4000-8000-000000000000' }))
      .catch((e: unknown) => e);
    expect([judgeFailure(failure).kind, fake.count()]).toEqual(['permanent', 1]);
  });

  it('lets the caller see the error once its attempts are spent', async () => {
    const { fake, client, scheduler } = await setUp(100);
    fake.inject({ type: 'server_error', status: 500 }, { times: 3 });
    const failure = await scheduler.run('users.me', () => client.users.me({})).catch((e: unknown) => e);
    expect([judgeFailure(failure), fake.count(), scheduler.stats.retried]).toEqual([
      { kind: 'transient', reason: 'internal_server_error' },
      3,
      2,
    ]);
  });

  it('stops waiting when its signal aborts', async () => {
    const { fake, client, scheduler } = await setUp(100);
    fake.inject({ type: 'rate_limited', retryAfterSeconds: 30 });
    const controller = new AbortController();
    const waiting = scheduler.run('users.me', () => client.users.me({}), controller.signal).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 100));
    controller.abort();
    expect([(await waiting) instanceof Error && ((await waiting) as Error).name, fake.count()]).toEqual(['AbortError', 1]);
  });
});
