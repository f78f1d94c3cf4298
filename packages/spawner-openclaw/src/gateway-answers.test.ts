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

  it('reads a run that ended rate-limited as rate_limited, keeping the Retry-After the gateway passed on', () => {
    const payload = { runId: 'R', status: 'error', error: '⚠️ Too many requests; Retry-After: 2 seconds' };
    expect(readWaitAnswer(payload, 'R')).toEqual({ ok: false, error: expect.objectContaining({ code: 'rate_limited', retryable: true, retryAfterMs: 2000 }) });
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

  // The exact error the gateway answered after its own retries of a provider's 429 ran out (openclaw 2026.9.6).
  it("maps a provider's rate limit the gateway gave up retrying to a retryable rate_limited failure with the provider's Retry-After", () => {
    const error = { gatewayCode: 'UNAVAILABLE', message: '⚠️ Rate limit reached for requests; Retry-After: 1 seconds', retryable: false };
    expect(failureFromGatewayError(error, true)).toEqual({
      code: 'rate_limited',
      message: expect.stringContaining('Rate limit reached for requests'),
      retryable: true,
      retryAfterMs: 1000,
    });
  });

  it('maps a rate limit without a Retry-After to rate_limited with no retry hint', () => {
    const error = { gatewayCode: 'UNAVAILABLE', message: 'The AI service is temporarily rate-limited. Please try again in a moment.', retryable: false };
    expect(failureFromGatewayError(error, true)).toEqual({ code: 'rate_limited', message: expect.any(String), retryable: true });
  });

  // The exact error every run of an agent got once the gateway failed to close that agent's database (openclaw 2026.9.6).
  it("maps the gateway's stuck agent database to a retryable unavailable that says the gateway must restart", () => {
    const failure = failureFromGatewayError({ gatewayCode: 'UNAVAILABLE', message: 'Agent database cleanup failed', retryable: false }, true);
    expect(failure).toMatchObject({ code: 'unavailable', retryable: true });
    expect(failure.message).toContain('until it restarts');
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
