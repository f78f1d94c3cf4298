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
      return { kind: 'settled', outcome: agentFailed(describe(answer.error) ?? answer.summary) };
  }
}

/** Reads an `agent.wait` answer; `undefined` while the run is still going. */
export function readWaitAnswer(payload: unknown, runId: string): SpawnOutcome | undefined {
  const answer = agentWaitAnswer.parse(payload);
  switch (answer.status) {
    case 'ok':
      return { ok: true, output: answer.terminalReply?.text ?? '', runId };
    case 'error':
      return agentFailed(describe(answer.error) ?? answer.stopReason);
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
      return accepted
        ? { code: 'agent_error', message: `the run failed on the gateway: ${error.message}`, retryable: error.retryable, ...hint }
        : { code: 'unavailable', message: `the gateway is unavailable: ${error.message}`, retryable: error.retryable, ...hint };
    default:
      return { code: 'internal', message: `the gateway answered ${error.gatewayCode}: ${error.message}`, retryable: error.retryable, ...hint };
  }
}

function timedOutOnGateway(detail: string | undefined): SpawnOutcome {
  const suffix = detail === undefined ? '' : ` (${detail})`;
  return { ok: false, error: { code: 'timeout', message: `the run timed out on the gateway${suffix}`, retryable: true } };
}

function agentFailed(detail: string | undefined): SpawnOutcome {
  return { ok: false, error: { code: 'agent_error', message: `the agent's run failed: ${detail ?? 'no reason given'}`, retryable: false } };
}

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
