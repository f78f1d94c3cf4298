import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger, SpawnOutcome } from '@kurultai/core';
import { isGatewayProtocolResponseError } from '@openclaw/gateway-client';
import { failureFromGatewayError, isMalformedAnswer, readAgentAnswer, readSessionState, readWaitAnswer } from './gateway-answers.js';
import type { GatewayConnection, GatewayRequester } from './gateway-connection.js';

/** One task attempt as the gateway's `agent` method takes it. */
export interface AgentRunParams {
  readonly message: string;
  readonly agentId: string;
  readonly sessionKey: string;
  /** The spawn request's idempotency key; the gateway also makes it the run id. */
  readonly idempotencyKey: string;
  /** Seconds; the gateway's own backstop should this client be gone when the run overruns. */
  readonly timeout: number;
  readonly label: string;
}

export interface GatewayRunContext {
  readonly connection: GatewayConnection;
  /** Aborts on the request's signal and on its timeout; `stopReason` says which. */
  readonly signal: AbortSignal;
  readonly stopReason: () => 'timeout' | 'aborted';
  readonly logger: Logger;
  readonly onAccepted: () => void;
  /** What every run id of this task's attempts starts with (`<taskId>:`): runs the gateway did not start on its own. */
  readonly attemptRunPrefix: string;
}

/** How often a run re-asks `agent.wait`: long enough to be cheap, short enough to notice a lost connection. */
const WAIT_SLICE_MS = 30_000;
/** How long a run waits after its connection dropped before it sends its key again. */
const REATTACH_PAUSE_MS = 250;
/** How often the session is looked at while the gateway's restart recovery finishes an interrupted turn. */
const RECOVERY_POLL_MS = 500;

/**
 * Runs one attempt on the gateway until it settles. The same idempotency key is sent again after every lost connection
 * or retryable refusal, so the gateway answers with the run already going (`in_flight`) or its cached result and never
 * starts a second run. Stopping (timeout, abort) aborts the run on the gateway with `sessions.abort`.
 */
export async function runOnGateway(params: AgentRunParams, context: GatewayRunContext): Promise<SpawnOutcome> {
  const { connection, signal } = context;
  let accepted = false;
  let interrupted = false;
  for (;;) {
    let client: GatewayRequester;
    try {
      client = await connection.ready(signal);
    } catch {
      // Stopped while no connection was up: the gateway cannot be told, and its own timeout ends the run there.
      return stopped(context);
    }
    try {
      const payload = await client.request('agent', params, {
        expectFinal: true,
        timeoutMs: null,
        signal,
        onAccepted: () => {
          if (!accepted) context.onAccepted();
          accepted = true;
        },
      });
      const answer = readAgentAnswer(payload, params.idempotencyKey);
      if (answer.kind === 'settled') return answer.outcome;
      return await waitForRun(client, answer.runId, signal);
    } catch (error) {
      // After a lost connection the session's turn may be one the gateway's restart recovery resumed under its own run id.
      if (signal.aborted) return await abortOnGateway(client, params, context, interrupted ? { kind: 'session' } : undefined);
      if (isGatewayProtocolResponseError(error)) {
        if (error.gatewayCode === 'UNAVAILABLE' && error.retryable) {
          await pause(error.retryAfterMs ?? 1000, signal).catch(() => undefined);
          continue;
        }
        // A turn cut by a gateway crash is resumed by the gateway's restart recovery under a run id of its own, and
        // our key then answers with a non-retryable UNAVAILABLE. The recovered turn's answer is this attempt's answer.
        if (error.gatewayCode === 'UNAVAILABLE') {
          const recovered = await recoverFromSession(client, params, context);
          if (recovered !== undefined) return recovered;
          if (signal.aborted) return stopped(context);
        }
        const failure = failureFromGatewayError(error, accepted);
        // A run cut by a crash that the gateway did not recover is the gateway's failure, not the agent's; a rate
        // limit or a stuck database keeps its own code.
        return { ok: false, error: interrupted && failure.code === 'agent_error' ? { ...failure, code: 'unavailable', retryable: true } : failure };
      }
      if (isMalformedAnswer(error)) {
        return { ok: false, error: { code: 'internal', message: `the gateway's answer was not understood: ${(error as Error).message}`, retryable: false } };
      }
      // The connection dropped under the request: send the same key again once the gateway is back.
      interrupted = true;
      context.logger.warn('the gateway connection dropped during a run; re-attaching', { runId: params.idempotencyKey, reason: String(error) });
      // Until the connection's close handling has run, the old client still looks ready and fails every request at
      // once: re-sending without leaving the event loop a turn would spin on the closed socket and starve that handling.
      await pause(REATTACH_PAUSE_MS, signal).catch(() => undefined);
    }
  }
}

async function waitForRun(client: GatewayRequester, runId: string, signal: AbortSignal): Promise<SpawnOutcome> {
  for (;;) {
    const payload = await client.request('agent.wait', { runId, timeoutMs: WAIT_SLICE_MS }, { timeoutMs: WAIT_SLICE_MS + 10_000, signal });
    const outcome = readWaitAnswer(payload, runId);
    if (outcome !== undefined) return outcome;
  }
}

/**
 * Waits for the session's recovered turn to finish and takes its answer; `undefined` if the gateway recovered nothing.
 * Only a run the gateway started itself counts: the session is per task, so no attempt's run is taken for another's.
 * Stopped meanwhile, it aborts the recovered turn, which runs under the gateway's run id rather than the attempt's key.
 */
async function recoverFromSession(client: GatewayRequester, params: AgentRunParams, context: GatewayRunContext): Promise<SpawnOutcome | undefined> {
  const { signal } = context;
  let recovered: RunOnGateway = { kind: 'session' };
  try {
    for (;;) {
      const session = readSessionState(await client.request('chat.history', { sessionKey: params.sessionKey, limit: 1 }, { signal }));
      const theirs = session.lastRunId !== undefined && !session.lastRunId.startsWith(context.attemptRunPrefix) ? session.lastRunId : undefined;
      if (theirs !== undefined) recovered = { kind: 'run', runId: theirs };
      if (!session.running) return theirs === undefined ? undefined : await waitForRun(client, theirs, signal);
      await pause(RECOVERY_POLL_MS, signal);
    }
  } catch {
    return signal.aborted ? await abortOnGateway(client, params, context, recovered) : undefined;
  }
}

/**
 * What to abort: one run, or whatever runs in the task's session (a recovered turn whose run id the session has not
 * shown yet; the session belongs to this task, so nothing else is stopped).
 */
type RunOnGateway = { readonly kind: 'run'; readonly runId: string } | { readonly kind: 'session' };

async function abortOnGateway(
  client: GatewayRequester,
  params: AgentRunParams,
  context: GatewayRunContext,
  target: RunOnGateway = { kind: 'run', runId: params.idempotencyKey },
): Promise<SpawnOutcome> {
  try {
    const scope = target.kind === 'run' ? { runId: target.runId } : {};
    await client.request('sessions.abort', { key: params.sessionKey, ...scope }, { timeoutMs: 5000 });
  } catch (error) {
    context.logger.warn('could not abort the run on the gateway', { runId: params.idempotencyKey, reason: String(error) });
  }
  return stopped(context);
}

function stopped(context: GatewayRunContext): SpawnOutcome {
  return context.stopReason() === 'timeout'
    ? { ok: false, error: { code: 'timeout', message: 'the run took longer than its timeout and was aborted', retryable: true } }
    : { ok: false, error: { code: 'aborted', message: 'the run was aborted', retryable: true } };
}

/** Waits `ms`; rejects as soon as `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return sleep(ms, undefined, { signal });
}
