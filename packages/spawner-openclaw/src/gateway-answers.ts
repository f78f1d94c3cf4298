import type { SpawnFailure, SpawnOutcome } from '@kurultai/core';
import { z } from 'zod';

/**
 * The parts of the gateway's answers the spawner reads, checked at the boundary (the gateway is another process and
 * another release train). Unknown fields pass through untouched.
 */
const agentFinal = z.looseObject({
  runId: z.string().optional(),
  status: z.enum(['accepted', 'in_flight', 'ok', 'timeout', 'error']),
  summary: z.string().optional(),
  stopReason: z.string().optional(),
  error: z.unknown().optional(),
  result: z
    .looseObject({ payloads: z.array(z.looseObject({ text: z.string().nullish(), isError: z.boolean().optional() })).default([]) })
    .optional(),
});

const agentWaitAnswer = z.looseObject({
  runId: z.string().optional(),
  status: z.enum(['ok', 'timeout', 'error', 'pending']),
  stopReason: z.string().optional(),
  error: z.unknown().optional(),
  terminalReply: z.looseObject({ text: z.string().nullish() }).optional(),
});

const sessionHistory = z.looseObject({
  sessionInfo: z.looseObject({ status: z.string().optional(), lastRunId: z.string().optional() }).optional(),
});

/** What one `agent` call told us: a finished run, or a run still going under our key. */
export type AgentAnswer = { readonly kind: 'settled'; readonly outcome: SpawnOutcome } | { readonly kind: 'in_flight'; readonly runId: string };

/** Reads the final answer to `agent` (the second response to the same request id). */
export function readAgentAnswer(payload: unknown, runId: string): AgentAnswer {
  const answer = agentFinal.parse(payload);
  switch (answer.status) {
    case 'accepted':
    case 'in_flight':
      return { kind: 'in_flight', runId: answer.runId ?? runId };
    case 'ok':
      return { kind: 'settled', outcome: { ok: true, output: payloadText(answer.result?.payloads ?? []), runId: answer.runId ?? runId } };
    case 'timeout':
      return { kind: 'settled', outcome: timedOutOnGateway(answer.summary ?? answer.stopReason) };
    case 'error':
      return { kind: 'settled', outcome: { ok: false, error: runFailure(describe(answer.error) ?? answer.summary, false) } };
  }
}

/** Reads an `agent.wait` answer; `undefined` while the run is still going. */
export function readWaitAnswer(payload: unknown, runId: string): SpawnOutcome | undefined {
  const answer = agentWaitAnswer.parse(payload);
  switch (answer.status) {
    case 'ok':
      return { ok: true, output: answer.terminalReply?.text ?? '', runId };
    case 'error':
      return { ok: false, error: runFailure(describe(answer.error) ?? answer.stopReason, false) };
    case 'timeout':
    case 'pending':
      return undefined;
  }
}

/** The session's state from `chat.history`: whether a run is going and which one ran last. */
export function readSessionState(payload: unknown): { readonly running: boolean; readonly lastRunId: string | undefined } {
  const info = sessionHistory.parse(payload).sessionInfo;
  return { running: info?.status === 'running', lastRunId: info?.lastRunId };
}

/** Whether `error` is a gateway answer that did not have the shape this spawner reads. */
export function isMalformedAnswer(error: unknown): boolean {
  return error instanceof z.ZodError;
}

/** The error a gateway response carried, as the reference client hands it over. */
export interface GatewayErrorAnswer {
  readonly gatewayCode: string;
  readonly message: string;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
}

/**
 * Maps a gateway error to a failure. `accepted` says whether the gateway had already accepted the run: an error after
 * acceptance is the run's own failure (the model or the agent failed), one before it is about the request or the gateway.
 */
export function failureFromGatewayError(error: GatewayErrorAnswer, accepted: boolean): SpawnFailure {
  const hint = error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs };
  switch (error.gatewayCode) {
    case 'INVALID_REQUEST':
      return { code: 'invalid_request', message: `the gateway refused the run: ${error.message}`, retryable: false };
    case 'FORBIDDEN':
    case 'NOT_PAIRED':
      return { code: 'invalid_request', message: `the gateway does not let this client run agents: ${error.message}`, retryable: false };
    case 'UNAVAILABLE':
      if (accepted || STUCK_AGENT_DATABASE.test(error.message)) return { ...hint, ...runFailure(error.message, error.retryable) };
      return { code: 'unavailable', message: `the gateway is unavailable: ${error.message}`, retryable: error.retryable, ...hint };
    default:
      return { code: 'internal', message: `the gateway answered ${error.gatewayCode}: ${error.message}`, retryable: error.retryable, ...hint };
  }
}

function timedOutOnGateway(detail: string | undefined): SpawnOutcome {
  const suffix = detail === undefined ? '' : ` (${detail})`;
  return { ok: false, error: { code: 'timeout', message: `the run timed out on the gateway${suffix}`, retryable: true } };
}

/**
 * The gateway reports a failed run in words only: its errors carry the message, while the reason it classified (rate
 * limit, overload, ...) stays in its own logs. The failures a dispatcher must treat differently are recognised here.
 */
function runFailure(detail: string | undefined, gatewayRetryable: boolean): SpawnFailure {
  const reason = detail ?? 'no reason given';
  if (STUCK_AGENT_DATABASE.test(reason)) {
    return {
      code: 'unavailable',
      message: `the gateway cannot use the agent's database until it restarts (${reason}); session.maintenance.mode: warn in its config avoids this`,
      retryable: true,
    };
  }
  if (RATE_LIMIT.test(reason)) {
    const retryAfterSeconds = RETRY_AFTER.exec(reason)?.[1];
    return {
      code: 'rate_limited',
      message: `the model provider rate-limited the agent's run, and the gateway's own retries did not get through: ${reason}`,
      retryable: true,
      ...(retryAfterSeconds === undefined ? {} : { retryAfterMs: Number(retryAfterSeconds) * 1000 }),
    };
  }
  return { code: 'agent_error', message: `the agent's run failed: ${reason}`, retryable: gatewayRetryable };
}

/**
 * OpenClaw 2026.9 keeps a failed idle close of an agent's database and fails every later run of that agent with it
 * until the gateway restarts. Restarted, the same attempt runs; so it is the gateway that is unavailable, not the task
 * that failed.
 */
const STUCK_AGENT_DATABASE = /Agent database cleanup failed/;
/** A provider's rate limit as the gateway passes it on: the provider's own words, or the gateway's when it gave up. */
const RATE_LIMIT = /rate[ -]?limit|too many requests|\b429\b/i;
/** The gateway appends the provider's `Retry-After` header to the message: `...; Retry-After: 20 seconds`. */
const RETRY_AFTER = /Retry-After: (\d+) seconds?/;

function payloadText(payloads: readonly { text?: string | null; isError?: boolean }[]): string {
  return payloads
    .filter((payload) => payload.isError !== true)
    .map((payload) => payload.text ?? '')
    .filter((text) => text !== '')
    .join('\n\n');
}

function describe(error: unknown): string | undefined {
  if (error === undefined || error === null) return undefined;
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && 'message' in error && typeof error.message === 'string') return error.message;
  return JSON.stringify(error);
}
