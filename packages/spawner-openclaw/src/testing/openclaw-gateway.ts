import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAKE_MODEL_ID } from './fake-model-server.js';

/** The OpenClaw release the tests and benchmarks run against: `kurultai.openclawVersion` in this package's package.json,
 * which `scripts/install-gateway.sh` installs. */
export const PINNED_OPENCLAW_VERSION: string = readPinnedVersion();

function readPinnedVersion(): string {
  // The same relative path from src/testing and dist/testing.
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { kurultai: { openclawVersion: string } };
  return manifest.kurultai.openclawVersion;
}

/** Where `scripts/install-gateway.sh` put the pinned `openclaw` package: `$KURULTAI_CACHE/openclaw-<version>`. */
export function openClawInstallDir(env: NodeJS.ProcessEnv = process.env): string {
  const cache = env.KURULTAI_CACHE ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'kurultai');
  return join(cache, `openclaw-${PINNED_OPENCLAW_VERSION}`);
}

export interface OpenClawGatewayOptions {
  /** The fake model server's base URL (`http://127.0.0.1:<port>/v1`). */
  readonly modelBaseUrl: string;
  /** The OpenClaw agents to configure; with more than one, every call must name its agent. */
  readonly agentIds: readonly string[];
  /** `agents.defaults.maxConcurrent`: how many runs the gateway executes at once. */
  readonly maxConcurrent?: number;
  /**
   * Per agent id: how many times the gateway retries a rate-limited or overloaded model call before the run fails (the
   * agent's `retry.provider.maxRetries` setting). Unset, the gateway retries a rate limit 9 times with waits of up to
   * 30 s, minutes before a test would see the failure.
   */
  readonly modelRetries?: Readonly<Record<string, number>>;
  /** How long to wait for `/readyz` before failing; the gateway needs 11-13 s on 2 cores. */
  readonly readyTimeoutMs?: number;
}

/** A real OpenClaw gateway process, started for a test and owned by it. */
export interface OpenClawGateway {
  /** `ws://127.0.0.1:<port>`; the port stays the same across restarts. */
  readonly url: string;
  readonly token: string;
  /** The process id of the current gateway process. */
  readonly pid: number | undefined;
  /** Kills the process at once (SIGKILL): a crash, with no shutdown event and no cleanup. */
  kill(): Promise<void>;
  /** Starts the gateway again on the same port, config and state, and waits until it is ready. */
  restart(): Promise<void>;
  /** Stops the gateway (SIGTERM) and removes its temporary folders. */
  stop(): Promise<void>;
  /** The tail of the gateway's output, for failure messages. */
  logTail(): string;
}

/**
 * Starts a real OpenClaw gateway on loopback, fully offline, in temporary config and state folders, with token auth and
 * the given agents on the fake model provider. Throws with the reason and the gateway's last output if it cannot start:
 * tests that need it fail loudly rather than skip.
 */
export async function startOpenClawGateway(options: OpenClawGatewayOptions): Promise<OpenClawGateway> {
  const entry = join(openClawInstallDir(), 'node_modules', 'openclaw', 'openclaw.mjs');
  if (!existsSync(entry)) {
    throw new Error(
      `OpenClaw ${PINNED_OPENCLAW_VERSION} is not installed at ${entry}; run \`pnpm --filter @kurultai/spawner-openclaw test:prepare\` (scripts/test does)`,
    );
  }
  const home = await mkdtemp(join(tmpdir(), 'kurultai-openclaw-'));
  const token = randomBytes(24).toString('hex');
  const port = await freePort();
  const configPath = join(home, 'openclaw.json');
  await writeFile(configPath, JSON.stringify(gatewayConfig(options, home, token), null, 2));
  for (const agentId of options.agentIds) await mkdir(join(home, 'workspaces', agentId), { recursive: true });
  for (const [agentId, maxRetries] of Object.entries(options.modelRetries ?? {})) await writeAgentSettings(home, agentId, { retry: { provider: { maxRetries } } });
  const logPath = join(home, 'gateway-output.log');
  const process = new GatewayProcess(entry, port, logPath, gatewayEnvironment(home, configPath, token));
  await process.start(options.readyTimeoutMs ?? 90_000);
  return {
    url: `ws://127.0.0.1:${port}`,
    token,
    get pid() {
      return process.pid;
    },
    kill: () => process.signal('SIGKILL'),
    restart: () => process.start(options.readyTimeoutMs ?? 90_000),
    logTail: () => process.output.slice(-4000),
    async stop() {
      await process.signal('SIGTERM', 20_000);
      await rm(home, { recursive: true, force: true });
    },
  };
}

/**
 * Each agent gets a provider of its own on the same fake server: OpenClaw keeps failure and cooldown state per provider
 * profile, so an agent the tests make fail or hang (aborted model streams count as failures) never cools down another.
 */
function gatewayConfig(options: OpenClawGatewayOptions, home: string, token: string): Record<string, unknown> {
  const providerOf = (agentId: string) => `fake-${agentId}`;
  const provider = {
    baseUrl: options.modelBaseUrl,
    apiKey: 'fake-model-key',
    api: 'openai-completions',
    models: [
      {
        id: FAKE_MODEL_ID,
        name: 'Kurultai fake model',
        reasoning: false,
        input: ['text'],
        cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
        contextWindow: 128_000,
        maxTokens: 4096,
      },
    ],
  };
  return {
    gateway: { mode: 'local', bind: 'loopback', auth: { mode: 'token', token } },
    update: { checkOnStart: false },
    logging: { file: join(home, 'openclaw.log') },
    // In the default mode (enforce) the gateway plans session maintenance in a worker that holds its state lock for
    // seconds under load; an agent database closing meanwhile times out on that lock, and 2026.9.6 then fails every run
    // of that agent, and of agents opening behind it, with "Agent database cleanup failed" until it restarts.
    session: { maintenance: { mode: 'warn' } },
    models: {
      mode: 'replace',
      catalogRefresh: { enabled: false },
      providers: Object.fromEntries(options.agentIds.map((id) => [providerOf(id), provider])),
    },
    agents: {
      ownership: 'explicit',
      defaults: { model: { primary: `${providerOf(options.agentIds[0] ?? 'default')}/${FAKE_MODEL_ID}` }, maxConcurrent: options.maxConcurrent ?? 4 },
      entries: Object.fromEntries(
        options.agentIds.map((id) => [id, { workspace: join(home, 'workspaces', id), model: `${providerOf(id)}/${FAKE_MODEL_ID}` }]),
      ),
    },
  };
}

/** The embedded agent runtime reads its settings from `.openclaw/settings.json` in the agent's workspace. */
async function writeAgentSettings(home: string, agentId: string, settings: Record<string, unknown>): Promise<void> {
  const folder = join(home, 'workspaces', agentId, '.openclaw');
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'settings.json'), JSON.stringify(settings));
}

function gatewayEnvironment(home: string, configPath: string, token: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    TMPDIR: join(home, 'tmp'),
    OPENCLAW_CONFIG_PATH: configPath,
    OPENCLAW_STATE_DIR: join(home, 'state'),
    OPENCLAW_GATEWAY_TOKEN: token,
    OPENCLAW_DISABLE_BONJOUR: '1',
    OPENCLAW_SKIP_CHANNELS: '1',
    OPENCLAW_NO_RESPAWN: '1',
    OPENCLAW_NO_AUTO_UPDATE: '1',
    OPENCLAW_EXEC_SHELL_SNAPSHOT: '0',
  };
}

/** One gateway child process at a time, restartable on the same port. */
class GatewayProcess {
  output = '';
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    private readonly entry: string,
    private readonly port: number,
    private readonly logPath: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(readyTimeoutMs: number): Promise<void> {
    await mkdir(this.env.TMPDIR as string, { recursive: true });
    const child = spawn(process.execPath, [this.entry, 'gateway', 'run', '--port', String(this.port)], {
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const append = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString('utf8')).slice(-64_000);
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    let exitReason: string | undefined;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        exitReason = `exited with ${signal ?? `code ${code}`}`;
        resolve();
      });
    });
    try {
      await waitReady(this.port, readyTimeoutMs, () => exitReason);
    } catch (error) {
      await this.signal('SIGKILL');
      await writeFile(this.logPath, this.output);
      throw new Error(`the OpenClaw gateway did not start: ${(error as Error).message}\n--- gateway output (tail) ---\n${this.output.slice(-4000)}`);
    }
  }

  /** Sends `signal` and waits for the process to exit, escalating to SIGKILL after `graceMs`. */
  async signal(signal: NodeJS.Signals, graceMs = 0): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    if (graceMs > 0) {
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    } else {
      await this.exited;
    }
  }
}

async function waitReady(port: number, timeoutMs: number, exitReason: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    const exited = exitReason();
    if (exited !== undefined) throw new Error(`the gateway process ${exited} before it was ready`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
      last = `/readyz answered ${response.status}: ${(await response.text()).slice(0, 300)}`;
    } catch (error) {
      last = `/readyz: ${(error as Error).message}`;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`not ready after ${timeoutMs} ms (${last})`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
