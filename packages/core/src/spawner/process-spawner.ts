import { spawn as spawnChild, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { z } from 'zod';
import { defineSpawner, type SpawnFailure, type SpawnOutcome, type SpawnRequest, type Spawner } from './contract.js';
import { startSpawnDeadline } from './spawn-deadline.js';

const commandLine = {
  command: z.string().min(1).describe('The program to run, found on PATH or as a path. Never run through a shell.'),
  args: z.array(z.string()).describe('Its arguments, as a list. The task is never put here: it arrives on standard input.'),
};

/** The `process` spawner's options (`spawner.with` in `kurultai.config.yaml`). */
export const processSpawnerOptions = z.strictObject({
  command: commandLine.command.optional().describe("The default program; an agent's `spawn: {command, args}` overrides it."),
  args: commandLine.args.default([]),
  cwd: z.string().optional().describe("The command's working folder, relative to the config file's folder."),
  passEnv: z
    .array(z.string().min(1))
    .default(['PATH', 'HOME', 'USER', 'LANG', 'LC_ALL', 'TERM', 'TMPDIR', 'TZ'])
    .describe("The variables of Kurultai's own environment the command sees; no other (Kurultai's secrets stay out)."),
  env: z.record(z.string(), z.string()).default({}).describe('Variables set for the command, e.g. its API key as ${NAME}.'),
  retryableExitCodes: z
    .union([z.enum(['any', 'none']), z.array(z.number().int().min(1).max(255))])
    .default('any')
    .describe('Which non-zero exit codes a retry may help: `any`, `none`, or a list.'),
  killGraceMs: z.number().int().min(0).default(2000).describe('After SIGTERM on timeout or abort, how long before SIGKILL.'),
  maxOutputBytes: z.number().int().min(1).default(1_048_576).describe('The most standard output kept as the answer.'),
});

export type ProcessSpawnerOptions = z.output<typeof processSpawnerOptions>;

/** What an agent's `spawn:` settings may say to the process spawner. */
const processAgentSettings = z.object({ command: commandLine.command.optional(), args: commandLine.args.optional() });

const STDERR_TAIL_BYTES = 2048;

/** Where a finished child ended: by itself (exit code or signal), or by our deadline. */
type ChildEnd =
  | { readonly kind: 'exited'; readonly code: number | null; readonly signal: NodeJS.Signals | null }
  | { readonly kind: 'not-started'; readonly error: Error };

/**
 * Runs a local command per task, so that any agent CLI can sit on the council: the prompt goes to its standard input, its
 * standard output is the answer. The command runs in a process group of its own, so a timeout or an abort stops it and
 * everything it started. Its environment holds only the variables `passEnv` names and those `env` sets, and also `KURULTAI_TASK_ID`, `KURULTAI_ATTEMPT`,
 * `KURULTAI_AGENT_ID`, `KURULTAI_IDEMPOTENCY_KEY` and `KURULTAI_PURPOSE` (`task`, or `route` when the orchestrator is
 * asked to choose the task's agent).
 */
export function createProcessSpawner(options: ProcessSpawnerOptions): Spawner {
  return { spawn: (request) => runProcess(options, request) };
}

async function runProcess(options: ProcessSpawnerOptions, request: SpawnRequest): Promise<SpawnOutcome> {
  const parsed = processAgentSettings.safeParse(request.agent.spawn);
  const command = parsed.success ? (parsed.data.command ?? options.command) : undefined;
  if (!parsed.success || command === undefined) {
    const why = parsed.success
      ? "no command: set `command` in the spawner options or the agent's `spawn:`"
      : parsed.error.message;
    return failed({ code: 'invalid_request', message: `agent ${request.agent.id}: ${why}`, retryable: false });
  }
  const args = parsed.data.command === undefined ? options.args : (parsed.data.args ?? []);
  const deadline = startSpawnDeadline(request);
  if (deadline.signal.aborted) return failed(deadline.failure());
  try {
    const child = spawnChild(command, args, {
      cwd: options.cwd,
      env: {
        ...passedEnvironment(options.passEnv),
        ...options.env,
        KURULTAI_TASK_ID: request.taskId,
        KURULTAI_ATTEMPT: String(request.attempt),
        KURULTAI_AGENT_ID: request.agent.id,
        KURULTAI_IDEMPOTENCY_KEY: request.idempotencyKey,
        KURULTAI_PURPOSE: request.purpose ?? 'task',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    child.once('spawn', () => request.onEvent?.({ type: 'lifecycle', phase: 'start', runId: String(child.pid) }));
    const output = collectOutput(child, options.maxOutputBytes, request);
    const stopOnDeadline = (): void => stopGroup(child, options.killGraceMs);
    deadline.signal.addEventListener('abort', stopOnDeadline, { once: true });
    child.stdin?.on('error', () => undefined); // a command that ignores its input closes the pipe early
    child.stdin?.end(request.prompt);
    const end = await childEnd(child);
    deadline.signal.removeEventListener('abort', stopOnDeadline);
    if (end.kind === 'exited') request.onEvent?.({ type: 'lifecycle', phase: 'end', runId: String(child.pid) });
    if (end.kind === 'not-started') {
      return failed({ code: 'invalid_request', message: `cannot start ${command}: ${end.error.message}`, retryable: false });
    }
    const ended = deadline.failure();
    if (ended !== undefined) return failed(ended);
    if (end.code === 0) {
      if (output.truncated) {
        const message = `the answer exceeded ${options.maxOutputBytes} bytes`;
        return failed({ code: 'agent_error', message, retryable: false });
      }
      return { ok: true, output: output.stdout().trimEnd(), runId: String(child.pid) };
    }
    return failed(exitFailure(command, end, output.stderrTail(), options.retryableExitCodes));
  } finally {
    deadline.dispose();
  }
}

/**
 * Only the variables the options name: the command reads untrusted task text, so it must not be able to echo Kurultai's
 * own secrets (a Notion token, a gateway password) back into an answer.
 */
function passedEnvironment(names: readonly string[]): Record<string, string> {
  const passed: Record<string, string> = {};
  for (const name of names) {
    const value = process.env[name];
    if (value !== undefined) passed[name] = value;
  }
  return passed;
}

function failed(error: SpawnFailure | undefined): SpawnOutcome {
  return { ok: false, error: error ?? { code: 'internal', message: 'the run ended without a cause', retryable: true } };
}

function exitFailure(
  command: string,
  end: Extract<ChildEnd, { kind: 'exited' }>,
  stderrTail: string,
  retryableExitCodes: ProcessSpawnerOptions['retryableExitCodes'],
): SpawnFailure {
  const how = end.code === null ? `was killed by ${end.signal ?? 'a signal'}` : `exited with code ${end.code}`;
  const retryable =
    end.code === null ||
    retryableExitCodes === 'any' ||
    (Array.isArray(retryableExitCodes) && retryableExitCodes.includes(end.code));
  const tail = stderrTail.trim();
  return { code: 'agent_error', message: tail === '' ? `${command} ${how}` : `${command} ${how}: ${tail}`, retryable };
}

/** Keeps standard output up to the cap, streams it to the listener, and keeps only the tail of standard error. */
function collectOutput(child: ChildProcess, maxBytes: number, request: SpawnRequest) {
  const stdout: Buffer[] = [];
  let stdoutBytes = 0;
  let truncated = false;
  let stderr = Buffer.alloc(0);
  child.stdout?.on('data', (chunk: Buffer) => {
    if (stdoutBytes + chunk.length > maxBytes) truncated = true;
    const kept = chunk.subarray(0, Math.max(0, maxBytes - stdoutBytes));
    stdoutBytes += kept.length;
    if (kept.length > 0) stdout.push(kept);
    request.onEvent?.({ type: 'delta', text: kept.toString('utf8') });
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    const joined = Buffer.concat([stderr, chunk]);
    stderr = joined.subarray(Math.max(0, joined.length - STDERR_TAIL_BYTES));
  });
  return {
    get truncated() {
      return truncated;
    },
    stdout: () => Buffer.concat(stdout).toString('utf8'),
    stderrTail: () => stderr.toString('utf8'),
  };
}

/** Resolves once the child has exited and its pipes are closed, or failed to start at all. */
function childEnd(child: ChildProcess): Promise<ChildEnd> {
  return new Promise((resolvePromise) => {
    child.on('error', (error) => {
      if (child.pid === undefined) resolvePromise({ kind: 'not-started', error });
    });
    child.once('close', (code, signal) => resolvePromise({ kind: 'exited', code, signal }));
  });
}

/** SIGTERM to the child's whole process group, then SIGKILL if it is still there after the grace period. */
function stopGroup(child: ChildProcess, graceMs: number): void {
  const pid = child.pid;
  if (pid === undefined) return;
  signalGroup(pid, 'SIGTERM');
  const killer = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs);
  child.once('close', () => {
    clearTimeout(killer);
    // Grandchildren may outlive the leader's exit: the group gets the final word too.
    signalGroup(pid, 'SIGKILL');
  });
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** The built-in `process` spawner. A relative `cwd` is resolved against the config file's folder. */
export const processSpawner = defineSpawner({
  name: 'process',
  options: processSpawnerOptions,
  create: (options, context) =>
    createProcessSpawner({
      ...options,
      cwd: options.cwd === undefined ? context.baseDir : resolve(context.baseDir, options.cwd),
    }),
});
