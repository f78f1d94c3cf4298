import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { projectFolders } from '../project-folders.fixture.js';

// `kurultai run`, `status`, `retry` and `reassign` as users meet them: the built binary, in a project folder, on the built-ins.

const BIN = fileURLToPath(new URL('../../bin/kurultai.js', import.meta.url));

interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A project folder with the given files. */
const project = projectFolders('kurultai-cli-');

function kurultai(folder: string, args: readonly string[], env: Readonly<Record<string, string>> = {}) {
  return watch(spawn(process.execPath, [BIN, ...args], { cwd: folder, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** Collects what a child writes, and resolves with it and its exit code when it ends. */
function watch(child: ChildProcessByStdio<null, Readable, Readable>) {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const finished = new Promise<Finished>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, finished, stdout: () => stdout };
}

const run = (folder: string, args: readonly string[], env?: Readonly<Record<string, string>>) => kurultai(folder, args, env).finished;
const logLines = (stdout: string) => stdout.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>);

const TASKS = `tasks:
  - { id: t-research, title: Research vector databases for semantic search }
  - { id: t-build, title: Implement the OAuth login flow }
  - { id: t-docs, title: Write the API reference for the billing endpoints }
`;
const config = (spawner: string, extra = '') =>
  `source: { use: file, with: { path: tasks.yaml } }\nsink: { use: sqlite, with: { path: ledger.db } }\nspawner: ${spawner}\n${extra}`;

/** An agent that always fails the way a retry may help, and one that fails the way no retry will. */
const UNAVAILABLE = '{ use: process, with: { command: sh, args: ["-c", "echo the backend is restarting >&2; exit 75"] } }';
const GIVES_UP = '{ use: process, with: { command: sh, args: ["-c", "echo the agent gave up >&2; exit 3"], retryableExitCodes: none } }';
// Attempts to spare, so that even a retry whose jitter came out near zero, run again at once, ends up waiting.
const WAIT_AN_HOUR = 'dispatcher: { retries: { maxAttempts: 10, baseDelaySeconds: 3600, maxDelaySeconds: 3600 } }\n';

describe('kurultai run --once', () => {
  it('runs every task of the source, logs JSON lines off a terminal, and exits 0 with a summary', async () => {
    const folder = project({ 'tasks.yaml': TASKS, 'kurultai.config.yaml': config('{ use: echo }') });
    const result = await run(folder, ['run', '--once']);
    expect(result.code, result.stderr).toBe(0);
    const lines = logLines(result.stdout);
    expect(lines.filter((line) => line.msg === 'task completed')).toHaveLength(3);
    expect(lines.at(-1)).toMatchObject({ msg: 'run summary', ingested: 3, completed: 3, failed: 0, ledger: { completed: 3 } });
  });

  it('routes and records without running anything when KURULTAI_AUTO_EXECUTE_TASKS=false', async () => {
    const folder = project({ 'tasks.yaml': TASKS, 'kurultai.config.yaml': config('{ use: echo }') });
    const result = await run(folder, ['run', '--once'], { KURULTAI_AUTO_EXECUTE_TASKS: 'false' });
    expect(result.code, result.stderr).toBe(0);
    const lines = logLines(result.stdout);
    expect(lines.filter((line) => line.msg === 'task assigned')).toHaveLength(3);
    expect(lines.filter((line) => line.msg === 'task started')).toHaveLength(0);
    expect(lines.at(-1)).toMatchObject({ msg: 'run summary', ingested: 3, completed: 0, ledger: { assigned: 3 } });
  });

  it('exits 0 without waiting for retries due later, leaving them retrying and saying when the first is due', async () => {
    const folder = project({ 'tasks.yaml': TASKS, 'kurultai.config.yaml': config(UNAVAILABLE, WAIT_AN_HOUR) });
    const result = await run(folder, ['run', '--once']);
    expect(result.code, result.stderr).toBe(0);
    const summary = logLines(result.stdout).at(-1);
    expect(summary).toMatchObject({ msg: 'run summary', completed: 0, failed: 0, waitingRetries: 3, ledger: { retrying: 3 } });
    expect(Date.parse(String(summary?.nextRetryAt))).toBeGreaterThan(Date.now());
  });

  it('exits 1 when a task failed for good during the run', async () => {
    const folder = project({ 'tasks.yaml': TASKS, 'kurultai.config.yaml': config(GIVES_UP) });
    const result = await run(folder, ['run', '--once']);
    expect(result.code, result.stderr).toBe(1);
    expect(logLines(result.stdout).at(-1)).toMatchObject({ msg: 'run summary', failed: 3, ledger: { failed: 3 } });
  });

  it('exits 0 again on the next run once the failed tasks are behind it', async () => {
    const folder = project({ 'tasks.yaml': TASKS, 'kurultai.config.yaml': config(GIVES_UP) });
    await run(folder, ['run', '--once']);
    const result = await run(folder, ['run', '--once']);
    expect(result.code, result.stderr).toBe(0);
    expect(logLines(result.stdout).at(-1)).toMatchObject({ msg: 'run summary', ingested: 0, failed: 0, ledger: { failed: 3 } });
  });

  it('exits 1 with the problem at its path:line:col, on one line, when the config is invalid', async () => {
    const folder = project({ 'kurultai.config.yaml': 'dispatcher:\n  maxConcurrentTasks: none\n' });
    const result = await run(folder, ['run', '--once']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`kurultai: ${join(folder, 'kurultai.config.yaml')}:2:23: dispatcher.maxConcurrentTasks: Invalid input: expected number, received string\n`);
  });

  it('never prints a secret the config takes from the environment', async () => {
    const folder = project({ 'kurultai.config.yaml': 'source: { use: file, with: { path: "${TASKS_DIR}/tasks.yaml" } }\nsink: { use: sqlite, with: { path: ledger.db } }\n' });
    const result = await run(folder, ['run', '--once'], { TASKS_DIR: '/srv/s3cr3t-t0ken' });
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).not.toContain('s3cr3t-t0ken');
    expect(result.stderr).toContain('[redacted]');
  });

  it('exits 2 on an unknown option', async () => {
    const result = await run(project({}), ['run', '--twice']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^kurultai: .*--twice.*\(see kurultai run --help\)\n$/);
  });
});

describe('kurultai run', () => {
  it('drains on SIGTERM: the running tasks finish, nothing more is claimed, and it exits 0', { timeout: 60_000 }, async () => {
    const slow = '{ use: process, with: { command: sh, args: ["-c", "sleep 1; echo done"] } }';
    const folder = project({ 'tasks.yaml': TASKS, 'kurultai.config.yaml': config(slow, 'dispatcher: { maxConcurrentTasks: 1, pollSeconds: 0.05 }\n') });
    const runner = kurultai(folder, ['run']);
    await expect.poll(() => runner.stdout(), { timeout: 30_000 }).toContain('"task started"');
    runner.child.kill('SIGTERM');
    const result = await runner.finished;
    expect(result.code, result.stderr).toBe(0);
    const messages = logLines(result.stdout).map((line) => line.msg);
    expect(messages.filter((message) => message === 'task started')).toHaveLength(1);
    expect(messages.filter((message) => message === 'task completed')).toHaveLength(1);
    expect(messages).toContain('draining');
  });

  it('stops quietly and exits 0 when the reader of its output goes away, as `kurultai run | head` does', { timeout: 60_000 }, async () => {
    const folder = project({ 'tasks.yaml': TASKS, 'kurultai.config.yaml': config('{ use: echo }', 'dispatcher: { pollSeconds: 0.05 }\n') });
    const runner = kurultai(folder, ['run']);
    await expect.poll(() => runner.stdout(), { timeout: 30_000 }).toContain('"task completed"');
    runner.child.stdout.destroy();
    // A new task makes it write again, into the broken pipe.
    writeFileSync(join(folder, 'tasks.yaml'), `${TASKS}  - { id: t-late, title: Summarise the quarterly report }\n`);
    const result = await runner.finished;
    expect(result).toMatchObject({ code: 0, stderr: '' });
  });

  it('exits at once with 128 + the signal number on a second signal', { timeout: 60_000 }, async () => {
    const stuck = '{ use: process, with: { command: sh, args: ["-c", "sleep 3"] } }';
    const folder = project({ 'tasks.yaml': TASKS, 'kurultai.config.yaml': config(stuck, 'dispatcher: { drainGraceSeconds: 60, pollSeconds: 0.05 }\n') });
    const runner = kurultai(folder, ['run']);
    await expect.poll(() => runner.stdout(), { timeout: 30_000 }).toContain('"task started"');
    runner.child.kill('SIGTERM');
    await expect.poll(() => runner.stdout(), { timeout: 10_000 }).toContain('"draining"');
    runner.child.kill('SIGTERM');
    expect((await runner.finished).code).toBe(143);
  });
});

describe('kurultai run with a fallback policy in the rules', () => {
  /** An orchestrator for the `process` spawner: a choice in a code fence, or (with `garbage`) no JSON at all. */
  const ORCHESTRATOR = `
    for await (const chunk of process.stdin);
    process.stdout.write(process.argv[2] === 'garbage' ? 'Hard to say.' : '\`\`\`json\\n{"agent": "jochi", "rationale": "It is about verifying the page."}\\n\`\`\`');
  `;
  /** Jochi scores "test", Temüjin "build"; Kublai is asked when the rules are below 0.5 sure. */
  const councilFiles = (mode: string) => ({
    'orchestrator.mjs': ORCHESTRATOR,
    'rules/agents.yaml': `version: 1
default_agent: kublai
agents:
  - { id: jochi, name: Jochi, role: testing., instructions: Test. }
  - { id: temujin, name: Temüjin, role: building., instructions: Build. }
  - { id: kublai, name: Kublai, role: the orchestrator., instructions: Plan., spawn: { command: ${JSON.stringify(process.execPath)}, args: [orchestrator.mjs, ${mode}] } }
`,
    'rules/routing.yaml': `version: 1
fallback: { below: 0.5, ask: kublai, timeout_seconds: 30 }
rules:
  - { id: tests, agent: jochi, type: testing, keywords: [test] }
  - { id: build, agent: temujin, type: implementation, keywords: [build] }
`,
    'tasks.yaml': 'tasks:\n  - { id: t-unsure, title: Build and test the login page }\n',
    // Review mode runs no task, so only the orchestrator needs a command.
    'kurultai.config.yaml': config('{ use: process }'),
  });
  const assigned = (lines: readonly Record<string, unknown>[]) => lines.find((line) => line.msg === 'task assigned');

  it("logs the orchestrator's choice and assigns the task with reason orchestrator and its rationale, in review mode too", async () => {
    const result = await run(project(councilFiles('choice')), ['run', '--once'], { KURULTAI_AUTO_EXECUTE_TASKS: 'false' });
    expect(result.code, result.stderr).toBe(0);
    const lines = logLines(result.stdout);
    expect(lines.find((line) => line.msg === 'orchestrator chose the agent')).toMatchObject({ taskId: 't-unsure', ask: 'kublai', agent: 'jochi', rulesAgent: 'temujin', confidence: 0.422 });
    expect(assigned(lines)).toMatchObject({ taskId: 't-unsure', agent: 'jochi', type: 'testing', confidence: 0.422, reason: 'orchestrator', rationale: 'It is about verifying the page.' });
  });

  it("logs why the orchestrator's answer was not used, and assigns the task as the rules decided", async () => {
    const result = await run(project(councilFiles('garbage')), ['run', '--once'], { KURULTAI_AUTO_EXECUTE_TASKS: 'false' });
    expect(result.code, result.stderr).toBe(0);
    const lines = logLines(result.stdout);
    expect(lines.find((line) => line.msg === "orchestrator's answer not used; the rules' decision stands")).toMatchObject({
      level: 'warn',
      taskId: 't-unsure',
      cause: 'invalid-answer',
      error: 'the answer holds no JSON object with an "agent"',
    });
    expect(assigned(lines)).toMatchObject({ taskId: 't-unsure', agent: 'temujin', reason: 'tie-break' });
    expect(assigned(lines)).not.toHaveProperty('rationale');
  });
});

describe('kurultai status and retry', () => {

  it('shows counts by status and agent, and the latest failures with their errors', async () => {
    const folder = project({ 'tasks.yaml': TASKS, 'kurultai.config.yaml': config(GIVES_UP) });
    await run(folder, ['run', '--once']);
    const result = await run(folder, ['status']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Tasks: 3 .* failed 3\n/);
    expect(result.stdout).toMatch(/^temujin +0 +0 +0 +0 +1$/m);
    expect(result.stdout).toContain('Latest failures:');
    expect(result.stdout).toContain('the agent gave up');
  });

  it('says how many retries wait for their time, and when the first is due', async () => {
    const folder = project({ 'tasks.yaml': TASKS, 'kurultai.config.yaml': config(UNAVAILABLE, WAIT_AN_HOUR) });
    await run(folder, ['run', '--once']);
    const result = await run(folder, ['status']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^3 tasks wait for a retry; the first is due at \S+Z \(in \d+s\), for the next `kurultai run`\.$/m);
  });

  it('prints the summary as JSON with --json', async () => {
    const folder = project({ 'tasks.yaml': TASKS, 'kurultai.config.yaml': config('{ use: echo }') });
    await run(folder, ['run', '--once']);
    const result = await run(folder, ['status', '--json']);
    expect(JSON.parse(result.stdout)).toMatchObject({ byStatus: { completed: 3 }, recentFailures: [] });
  });

  it('puts a failed task back in the queue as its next attempt', async () => {
    const folder = project({ 'tasks.yaml': TASKS, 'kurultai.config.yaml': config(GIVES_UP) });
    await run(folder, ['run', '--once']);
    const result = await run(folder, ['retry', 't-build']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('Task t-build is queued again as attempt 2.\n');
    const status = JSON.parse((await run(folder, ['status', '--json'])).stdout) as { byStatus: Record<string, number> };
    expect(status.byStatus).toEqual({ failed: 2, retrying: 1 });
  });

  it('refuses to retry a task that has not failed, saying why', async () => {
    const folder = project({ 'tasks.yaml': TASKS, 'kurultai.config.yaml': config('{ use: echo }') });
    await run(folder, ['run', '--once']);
    const result = await run(folder, ['retry', 't-build']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('kurultai: task t-build: cannot retry: it is completed; only failed tasks can be retried\n');
  });

  it('refuses to retry a task the ledger does not have', async () => {
    const folder = project({ 'kurultai.config.yaml': config('{ use: echo }') });
    const result = await run(folder, ['retry', 'nope']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('kurultai: task nope: cannot retry: no such task in the ledger\n');
  });
});

// Each test starts the binary two or three times (record the tasks, reassign, read the ledger back).
describe('kurultai reassign', { timeout: 30_000 }, () => {
  /** A project whose three tasks are recorded and not started (review mode), as `kurultai run --once` leaves them. */
  async function reviewed(): Promise<string> {
    const folder = project({ 'tasks.yaml': TASKS, 'kurultai.config.yaml': config('{ use: echo }') });
    await run(folder, ['run', '--once'], { KURULTAI_AUTO_EXECUTE_TASKS: 'false' });
    return folder;
  }
  const byAgent = async (folder: string) => (JSON.parse((await run(folder, ['status', '--json'])).stdout) as { byAgent: unknown }).byAgent;

  it('moves a task not yet started to the agent given, and says so in one line', async () => {
    const folder = await reviewed();
    const result = await run(folder, ['reassign', 't-build', 'jochi', '--why', 'it is a security review', '--by', 'ada']);
    expect(result).toMatchObject({ code: 0, stdout: 'Task t-build moves from temujin to jochi; the correction by ada is recorded.\n' });
    expect(await byAgent(folder)).toEqual({ mongke: { assigned: 1 }, jochi: { assigned: 1 }, chagatai: { assigned: 1 } });
  });

  it("takes the agent by its display name, accents and all", async () => {
    const folder = await reviewed();
    const result = await run(folder, ['reassign', 't-docs', 'Ögedei', '--by', 'ada']);
    expect(result).toMatchObject({ code: 0, stdout: 'Task t-docs moves from chagatai to ogedei; the correction by ada is recorded.\n' });
  });

  it('records the correction of a completed task without moving it, and says the task stays', async () => {
    const folder = project({ 'tasks.yaml': TASKS, 'kurultai.config.yaml': config('{ use: echo }') });
    await run(folder, ['run', '--once']);
    const result = await run(folder, ['reassign', 't-build', 'jochi', '--by', 'ada']);
    expect(result).toMatchObject({
      code: 0,
      stdout: 'Task t-build is completed on temujin and stays there; the correction by ada is recorded for routing to learn from.\n',
    });
    expect(await byAgent(folder)).toMatchObject({ temujin: { completed: 1 } });
  });

  it('says how a failed task that moved runs on its new agent', async () => {
    const folder = project({ 'tasks.yaml': TASKS, 'kurultai.config.yaml': config(GIVES_UP) });
    await run(folder, ['run', '--once']);
    const result = await run(folder, ['reassign', 't-build', 'jochi', '--by', 'ada']);
    expect(result.stdout).toBe('Task t-build moves from temujin to jochi; `kurultai retry t-build` runs it there; the correction by ada is recorded.\n');
  });

  it('prints the outcome and the correction as JSON with --json', async () => {
    const folder = await reviewed();
    const result = await run(folder, ['reassign', 't-build', 'jochi', '--why', 'security', '--by', 'ada', '--json']);
    expect(JSON.parse(result.stdout)).toMatchObject({
      outcome: 'moved',
      status: 'assigned',
      correction: { task: { id: 't-build', title: 'Implement the OAuth login flow' }, from: 'temujin', to: 'jochi', by: 'ada', why: 'security' },
    });
  });

  it("names the person by their user name on this machine when --by is not given", async () => {
    const folder = await reviewed();
    const result = await run(folder, ['reassign', 't-build', 'jochi']);
    expect(result.stdout).toBe(`Task t-build moves from temujin to jochi; the correction by ${userInfo().username} is recorded.\n`);
  });

  it('refuses an agent the council does not have, naming those it has, and leaves the task where it is', async () => {
    const folder = await reviewed();
    const result = await run(folder, ['reassign', 't-build', 'batu']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('kurultai: task t-build: cannot reassign: the council has no agent "batu" (it has mongke, temujin, chagatai, jochi, ogedei, kublai)\n');
    expect(await byAgent(folder)).toMatchObject({ temujin: { assigned: 1 } });
  });

  it('refuses a task the ledger does not have', async () => {
    const folder = await reviewed();
    const result = await run(folder, ['reassign', 'nope', 'jochi']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('kurultai: task nope: cannot reassign: no such task in the ledger\n');
  });

  it('exits 2 without both a task id and an agent', async () => {
    const result = await run(project({}), ['reassign', 't-build']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^kurultai: reassign takes a task id and an agent \(see kurultai reassign --help\)\n$/);
  });
});

/** A shell word for `sh -c`. */
const shellWord = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

/**
 * Runs the built binary on a real pseudo-terminal, 100 columns wide, through util-linux's `script` (which passes the
 * exit code on with -e); answers what the terminal showed, with the terminal's CR LF line ends made LF.
 */
async function onTerminal(folder: string, args: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): Promise<Finished> {
  const command = ['stty cols 100 rows 40 && exec', ...[process.execPath, BIN, ...args].map(shellWord)].join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd: folder,
    env: { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const result = await watch(child).finished.catch((error: unknown) => {
    throw new Error(`these tests need \`script\` from util-linux (Debian: bsdutils) to give kurultai a pseudo-terminal: ${String(error)}`);
  });
  return { ...result, stdout: result.stdout.replaceAll('\r\n', '\n') };
}

describe('kurultai run on a terminal', () => {
  it('redraws the live view in place, then prints the summary as sentences instead of JSON log lines', async () => {
    const folder = project({ 'tasks.yaml': TASKS, 'kurultai.config.yaml': config('{ use: echo }') });
    const result = await onTerminal(folder, ['run', '--once']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/\u001b\[\d+F\u001b\[J/);
    expect(result.stdout).toMatch(/tasks +pending 0 +assigned 0 +in_progress 0 +retrying 0 +completed 3 +failed 0\n/);
    expect(result.stdout).toContain('Implement the OAuth login flow → temujin (implementation, score');
    expect(result.stdout).toMatch(/\nRead 3 new task\(s\); completed 3, failed 0, retried 0 in \d+\.\ds \(\d+ tasks\/s\)\.\nLedger: completed 3\.\n$/);
    expect(result.stdout).not.toMatch(/^\{/m);
  });

  it('says how many retries wait and when the first is due, and exits 0', async () => {
    const folder = project({ 'tasks.yaml': TASKS, 'kurultai.config.yaml': config(UNAVAILABLE, WAIT_AN_HOUR) });
    const result = await onTerminal(folder, ['run', '--once']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/\nLedger: retrying 3\.\n3 tasks wait for a retry; the first is due at \S+Z \(in \d+s\), for the next `kurultai run`\.\n$/);
  });

  it('exits 1 when a task failed for good, as it does off a terminal', async () => {
    const folder = project({ 'tasks.yaml': TASKS, 'kurultai.config.yaml': config(GIVES_UP) });
    const result = await onTerminal(folder, ['run', '--once']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('completed 0, failed 3');
  });

  it('draws in bold on a terminal, and in plain text when NO_COLOR is set', async () => {
    const folder = project({ 'tasks.yaml': TASKS, 'kurultai.config.yaml': config('{ use: echo }') });
    expect((await onTerminal(folder, ['run', '--once'])).stdout).toContain('\u001b[1mKurultai\u001b[22m');
    const plain = await onTerminal(folder, ['run', '--once'], { NO_COLOR: '1' });
    expect(plain.stdout).toContain('Kurultai\n');
    expect(plain.stdout).not.toContain('\u001b[1m');
  });
});

describe('kurultai fit --from-ledger', () => {
  const HAND_RULES = fileURLToPath(new URL('../../../../bench/hand-rules/', import.meta.url));
  const KEY_ROTATIONS = `tasks:
  - { id: k1, title: Rotate the signing keys of the billing service }
  - { id: k2, title: Rotate the signing keys of the search service }
  - { id: k3, title: Rotate the signing keys of the mail relay }
`;
  const LABELLED = ['field\texpect\ttitle', 'web\tjochi\tflaky checkout spec', 'web\tchagatai\treadme for the widget', 'web\tjochi\tflaky login spec',
    'games\tjochi\tflaky physics spec', 'games\tchagatai\treadme for the modding kit', 'games\tchagatai\treadme for the save system',
    'lab\tjochi\tflaky pipeline spec', 'lab\tchagatai\treadme for the lab server', 'lab\tkublai\tplan the grant milestone',
    'ops\tkublai\tplan the migration milestone', 'ops\tkublai\tplan the alpha milestone'].join('\n');

  it("learns from the ledger's corrections: tasks a person moved teach their words to the agent they moved them to", async () => {
    const folder = project({ 'tasks.yaml': KEY_ROTATIONS, 'kurultai.config.yaml': config('{ use: echo }'), 'labelled.tsv': `${LABELLED}\n` });
    cpSync(HAND_RULES, join(folder, 'rules'), { recursive: true });
    await run(folder, ['run', '--once'], { KURULTAI_AUTO_EXECUTE_TASKS: 'false' });
    for (const id of ['k1', 'k2', 'k3']) expect((await run(folder, ['reassign', id, 'ogedei', '--by', 'ada'])).code).toBe(0);
    const result = await run(folder, ['fit', '--from-ledger', 'labelled.tsv']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^learned from 14 examples: \d+ weighted words and phrases$/m);
    const fitted = readFileSync(join(folder, 'rules', 'fitted.yaml'), 'utf8');
    expect(fitted).toContain('3 corrections in the ledger');
    expect(fitted.slice(fitted.indexOf('- id: fitted-ogedei'))).toMatch(/^ {6}signing keys: \d\.\d\d$/m);
    const decision = JSON.parse((await run(folder, ['route', '--json', 'Rotate the signing keys of the VPN'])).stdout) as { agent: string };
    expect(decision.agent).toBe('ogedei');
  });

  it('needs a correction or a labelled file to learn from', async () => {
    const folder = project({ 'tasks.yaml': KEY_ROTATIONS, 'kurultai.config.yaml': config('{ use: echo }') });
    cpSync(HAND_RULES, join(folder, 'rules'), { recursive: true });
    const result = await run(folder, ['fit', '--from-ledger']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('nothing to learn from: the ledger holds no correction');
  });
});
