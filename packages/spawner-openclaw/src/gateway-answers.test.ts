import { describe, expect, it } from 'vitest';
import { failureFromGatewayError, readAgentAnswer, readWaitAnswer } from './gateway-answers.js';

describe('readAgentAnswer', () => {
  it("joins an ok run's text payloads, leaving out error payloads", () => {
    const payload = { runId: 'T-1:1', status: 'ok', result: { payloads: [{ text: 'first' }, { text: 'oops', isError: true }, { text: 'second' }] } };
    expect(readAgentAnswer(payload, 'T-1:1')).toEqual({ kind: 'settled', outcome: { ok: true, output: 'first\n\nsecond', runId: 'T-1:1' } });
  });

  it('reads a run still going under the key as in flight', () => {
    expect(readAgentAnswer({ runId: 'T-1:1', status: 'in_flight' }, 'T-1:1')).toEqual({ kind: 'in_flight', runId: 'T-1:1' });
  });

  it("reads the gateway's own timeout as a retryable timeout", () => {
    const answer = readAgentAnswer({ status: 'timeout', summary: 'aborted' }, 'T-1:1');
    expect(answer).toEqual({ kind: 'settled', outcome: { ok: false, error: expect.objectContaining({ code: 'timeout', retryable: true }) } });
  });

  it("reads a run's error as an agent error that names the reason", () => {
    const answer = readAgentAnswer({ status: 'error', error: { message: 'the tool crashed' } }, 'T-1:1');
    expect(answer).toEqual({
      kind: 'settled',
      outcome: { ok: false, error: { code: 'agent_error', message: "the agent's run failed: the tool crashed", retryable: false } },
    });
  });

  it('throws on an answer without a known status', () => {
    expect(() => readAgentAnswer({ status: 'exploded' }, 'T-1:1')).toThrow();
  });
});

describe('readWaitAnswer', () => {
  it("takes a finished run's terminal reply as its output", () => {
    expect(readWaitAnswer({ status: 'ok', terminalReply: { text: 'done' } }, 'R')).toEqual({ ok: true, output: 'done', runId: 'R' });
  });

  it('answers nothing while the run is pending or the wait expired', () => {
    expect(readWaitAnswer({ status: 'pending' }, 'R')).toBeUndefined();
    expect(readWaitAnswer({ status: 'timeout' }, 'R')).toBeUndefined();
  });
});

describe('failureFromGatewayError', () => {
  it('maps INVALID_REQUEST to an invalid request a retry will not help', () => {
    const failure = failureFromGatewayError({ gatewayCode: 'INVALID_REQUEST', message: 'unknown agent id "ghost"', retryable: false }, false);
    expect(failure).toEqual({ code: 'invalid_request', message: 'the gateway refused the run: unknown agent id "ghost"', retryable: false });
  });

  it("maps UNAVAILABLE before acceptance to unavailable, keeping the gateway's retry hint", () => {
    const failure = failureFromGatewayError({ gatewayCode: 'UNAVAILABLE', message: 'draining', retryable: true, retryAfterMs: 2000 }, false);
    expect(failure).toMatchObject({ code: 'unavailable', retryable: true, retryAfterMs: 2000 });
  });

  it("maps UNAVAILABLE after acceptance to the agent's failure", () => {
    const failure = failureFromGatewayError({ gatewayCode: 'UNAVAILABLE', message: 'provider rejected the request', retryable: false }, true);
    expect(failure).toMatchObject({ code: 'agent_error', retryable: false });
  });

  it('maps FORBIDDEN to an invalid request: the client is not allowed, and retrying will not change that', () => {
    expect(failureFromGatewayError({ gatewayCode: 'FORBIDDEN', message: 'missing scope', retryable: false }, false)).toMatchObject({
      code: 'invalid_request',
      retryable: false,
    });
  });

  it('maps codes it does not know to an internal failure', () => {
    expect(failureFromGatewayError({ gatewayCode: 'NEW_CODE', message: 'something', retryable: true }, false)).toMatchObject({
      code: 'internal',
      retryable: true,
    });
  });
});
