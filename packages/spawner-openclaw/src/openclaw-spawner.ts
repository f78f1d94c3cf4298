import { createHash } from 'node:crypto';
import { KurultaiError, type Logger, type PluginContext, type SpawnEvent, type SpawnOutcome, type SpawnRequest, type Spawner } from '@kurultai/core';
import type { EventFrame } from '@openclaw/gateway-protocol/frame-guards';
import { CapacityQueue } from './capacity-queue.js';
import { GatewayConnection } from './gateway-connection.js';
import { runOnGateway, type AgentRunParams } from './gateway-run.js';
import { openClawSpawnerOptions, type OpenClawSpawnerInput } from './options.js';

/** The plugin's name in `spawner.use`, logs and error places. */
export const PLUGIN_NAME = 'openclaw';
/** The environment variable the gateway token is read from. */
export const TOKEN_VARIABLE = 'OPENCLAW_GATEWAY_TOKEN';
const CLIENT_VERSION = '0.1.0';

/** A spawner on one OpenClaw gateway, with one connection shared by all its runs. */
export interface OpenClawSpawner extends Spawner {
  close(): Promise<void>;
  /** Spawns waiting for a free slot right now (see the `capacity` option). */
  readonly queued: number;
}

/**
 * Creates a spawner that runs each task on an OpenClaw agent through the gateway's WebSocket protocol.
 *
 * The persona's `spawn.agentId` names the OpenClaw agent (default: the Kurultai agent's id). Each task gets its own
 * agent-scoped session (`agent:<agentId>:<sessionPrefix>:<taskId>`), and asking the orchestrator to choose its agent
 * another (`...:<taskId>:route`), so the task's run never sees the routing exchange. The request's idempotency key
 * becomes the gateway's run id, so re-sending an attempt never starts a second run. The timeout counts from the call,
 * including any wait for a free slot.
 *
 * @throws KurultaiError `invalid_options` for bad options, `missing_secret` when `OPENCLAW_GATEWAY_TOKEN` is not set.
 */
export function createOpenClawSpawner(input: OpenClawSpawnerInput, context: Partial<Pick<PluginContext, 'logger' | 'env'>> = {}): OpenClawSpawner {
  const parsed = openClawSpawnerOptions.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => ({
      place: { plugin: PLUGIN_NAME },
      message: `${issue.path.length === 0 ? 'options' : issue.path.join('.')}: ${issue.message}`,
    }));
    throw new KurultaiError('invalid_options', problems.map((problem) => problem.message).join('; '), { place: { plugin: PLUGIN_NAME }, problems });
  }
  const options = parsed.data;
  const env = context.env ?? process.env;
  const token = env[TOKEN_VARIABLE];
  if (token === undefined || token === '') {
    throw new KurultaiError('missing_secret', `${TOKEN_VARIABLE} is not set; the gateway token is read from the environment`, {
      place: { plugin: PLUGIN_NAME },
    });
  }
  const logger = context.logger ?? silentLogger;
  const connection = new GatewayConnection({ url: options.gatewayUrl, token, reconnect: options.reconnect, logger, clientVersion: CLIENT_VERSION });
  const queue = new CapacityQueue(options.capacity);

  async function spawn(request: SpawnRequest): Promise<SpawnOutcome> {
    const agentId = readAgentId(request);
    if (typeof agentId !== 'string') return { ok: false, error: agentId };
    const timeout = AbortSignal.timeout(request.timeoutMs);
    const signal = AbortSignal.any([request.signal, timeout]);
    const stopReason = () => (timeout.aborted || isTimeout(request.signal.reason) ? 'timeout' : 'aborted');
    const emit = eventForwarder(request);
    let release: () => void;
    try {
      release = await queue.acquire(signal, () => emit({ type: 'lifecycle', phase: 'queued' }));
    } catch {
      return stopReason() === 'timeout'
        ? { ok: false, error: { code: 'timeout', message: 'the run waited for a free slot longer than its timeout', retryable: true } }
        : { ok: false, error: { code: 'aborted', message: 'the run was aborted before it started', retryable: true } };
    }
    const params: AgentRunParams = {
      message: request.prompt,
      agentId,
      sessionKey: sessionKey(agentId, options.sessionPrefix, request),
      idempotencyKey: request.idempotencyKey,
      timeout: Math.ceil(request.timeoutMs / 1000) + 1,
      label: `kurultai ${request.taskId}`,
    };
    const stopListening = connection.onEvent((frame) => forwardRunEvent(frame, request.idempotencyKey, emit));
    try {
      return await runOnGateway(params, {
        connection,
        signal,
        stopReason,
        logger,
        attemptRunPrefix: `${request.taskId}:`,
        onAccepted: () => emit({ type: 'lifecycle', phase: 'accepted', runId: request.idempotencyKey }),
      });
    } catch (error) {
      return { ok: false, error: { code: 'internal', message: `the OpenClaw spawner failed: ${String(error)}`, retryable: true } };
    } finally {
      stopListening();
      release();
    }
  }

  return {
    spawn,
    close: () => connection.close(),
    get queued() {
      return queue.queued;
    },
  };
}

/** `spawn.agentId` if the persona sets it, else the Kurultai agent's id; a failure if it is not a usable id. */
function readAgentId(request: SpawnRequest): string | { code: 'invalid_request'; message: string; retryable: false } {
  const configured = request.agent.spawn.agentId;
  const agentId = configured ?? request.agent.id;
  if (typeof agentId === 'string' && /^[a-z0-9][a-z0-9_-]{0,63}$/i.test(agentId)) return agentId.toLowerCase();
  return {
    code: 'invalid_request',
    message: `task ${request.taskId}: agent ${request.agent.id}: spawn.agentId must be an OpenClaw agent id (letters, digits, - and _), got ${JSON.stringify(agentId)}`,
    retryable: false,
  };
}

/** The task's session on the agent; a routing consultation's is apart from it (a slug never holds `:`). */
function sessionKey(agentId: string, prefix: string, request: SpawnRequest): string {
  const session = `agent:${agentId}:${prefix}:${sessionSlug(request.taskId)}`;
  return request.purpose === 'route' ? `${session}:route` : session;
}

/**
 * Task ids come from the source and may hold any character; session keys are lowercase. Ids that need changing get a
 * short hash of the original, so two ids that differ only in case or punctuation never share a session.
 */
function sessionSlug(taskId: string): string {
  const slug = taskId.toLowerCase().replace(/[^a-z0-9._-]/g, '-').slice(0, 80);
  return slug === taskId ? slug : `${slug}-${createHash('sha256').update(taskId).digest('hex').slice(0, 8)}`;
}

function eventForwarder(request: SpawnRequest): (event: SpawnEvent) => void {
  return (event) => {
    try {
      request.onEvent?.(event);
    } catch {
      // A listener's failure must not fail the run; the dispatcher owns its listeners' errors.
    }
  };
}

/** Forwards the gateway's `agent` events for this run: lifecycle phases and streamed assistant text. */
function forwardRunEvent(frame: EventFrame, runId: string, emit: (event: SpawnEvent) => void): void {
  if (frame.event !== 'agent' || typeof frame.payload !== 'object' || frame.payload === null) return;
  const payload = frame.payload as { runId?: unknown; stream?: unknown; data?: { phase?: unknown; delta?: unknown } };
  if (payload.runId !== runId) return;
  if (payload.stream === 'lifecycle' && typeof payload.data?.phase === 'string') emit({ type: 'lifecycle', phase: payload.data.phase, runId });
  if (payload.stream === 'assistant' && typeof payload.data?.delta === 'string' && payload.data.delta !== '') emit({ type: 'delta', text: payload.data.delta });
}

function isTimeout(reason: unknown): boolean {
  return reason instanceof DOMException && reason.name === 'TimeoutError';
}

const silentLogger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
