import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { text as readBody } from 'node:stream/consumers';

/** The one model the fake serves. */
export const FAKE_MODEL_ID = 'kurultai-fake-1';

/**
 * Directives a prompt may carry to make the fake misbehave, so tests program it through the task text alone (the
 * gateway sits between the test and the fake, and the text is the only thing that crosses it unchanged):
 * - `[[fake:delay=<ms>]]` waits that long before answering (the answer streams once the delay is over);
 * - `[[fake:fail=<http status>]]` answers every call with that HTTP error instead;
 * - `[[fake:retry-after=<seconds>]]` adds a `Retry-After` header to that error, as a rate-limiting provider does;
 * - `[[fake:together=<n>]]` holds the call until `n` calls carrying the same directive are held at once, then answers
 *   them all: a test that needs runs to overlap fails (the held calls time out) unless the gateway runs them in parallel.
 */
const DIRECTIVE = /\[\[fake:(delay|fail|retry-after|together)=(\d+)\]\]/g;
/** How long `together` holds a call before giving up on the others and failing it. */
const TOGETHER_TIMEOUT_MS = 60_000;

/** One chat completion call the fake received. */
export interface FakeModelCall {
  /** The task text the fake found in the messages (see `findTaskText`). */
  readonly taskText: string;
  readonly answered: 'pending' | 'stream' | 'failure' | 'cancelled';
  /** `performance.now()` when the call arrived and when it was answered (or cancelled). */
  readonly receivedAt: number;
  readonly answeredAt: number | undefined;
}

export interface FakeModelServer {
  /** `http://127.0.0.1:<port>/v1`, the base URL an OpenAI-compatible provider is configured with. */
  readonly baseUrl: string;
  /** Every chat completion call so far, in arrival order. */
  readonly calls: readonly FakeModelCall[];
  /** How many completion calls carried a task text containing `marker`. */
  callsMentioning(marker: string): number;
  /**
   * From now on, answers calls whose task text contains `marker` with `answer` as written, instead of `fakeAnswerFor`
   * (the directives still apply): what a test needs when the answer must have a form, such as the orchestrator's choice.
   */
  answerWith(marker: string, answer: string): void;
  close(): Promise<void>;
}

/**
 * The answer the fake gives for a task text: deterministic, so a test can predict the agent's output exactly.
 * Directives are stripped so the answer names the task, not its test programming.
 */
export function fakeAnswerFor(taskText: string): string {
  const plain = taskText.replace(DIRECTIVE, '').replace(/\s+/g, ' ').trim();
  return `Kurultai fake model answers: ${plain}`;
}

/**
 * Starts an OpenAI-compatible model server on loopback: `GET /v1/models` and `POST /v1/chat/completions`, streaming
 * (SSE chunks ending in `data: [DONE]`) or not. It stands in for a model provider at the process boundary only; the
 * gateway in front of it is real.
 */
export async function startFakeModelServer(): Promise<FakeModelServer> {
  const calls: FakeModelCall[] = [];
  const rendezvous = new Rendezvous();
  const scripted = new Map<string, string>();
  const answerFor = (taskText: string) => [...scripted].find(([marker]) => taskText.includes(marker))?.[1] ?? fakeAnswerFor(taskText);
  const server = createServer((request, response) => {
    handle(request, response, { calls, rendezvous, answerFor }).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: String(error), type: 'server_error' } }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    calls,
    callsMentioning: (marker) => calls.filter((call) => call.taskText.includes(marker)).length,
    answerWith: (marker, answer) => void scripted.set(marker, answer),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What every call to the fake shares: the calls so far, the calls held together, and how a task text is answered. */
interface FakeModelState {
  readonly calls: FakeModelCall[];
  readonly rendezvous: Rendezvous;
  readonly answerFor: (taskText: string) => string;
}

async function handle(request: IncomingMessage, response: ServerResponse, { calls, rendezvous, answerFor }: FakeModelState): Promise<void> {
  const path = (request.url ?? '').split('?')[0];
  if (request.method === 'GET' && path === '/v1/models') {
    sendJson(response, 200, { object: 'list', data: [{ id: FAKE_MODEL_ID, object: 'model', created: 0, owned_by: 'kurultai' }] });
    return;
  }
  if (request.method !== 'POST' || path !== '/v1/chat/completions') {
    sendJson(response, 404, { error: { message: `no route ${request.method} ${path}`, type: 'invalid_request_error' } });
    return;
  }
  const body = JSON.parse(await readBody(request)) as ChatCompletionRequest;
  const taskText = findTaskText(body.messages);
  const directives = readDirectives(taskText);
  const call: Mutable<FakeModelCall> = { taskText, answered: 'pending', receivedAt: performance.now(), answeredAt: undefined };
  calls.push(call);
  const settle = (answered: FakeModelCall['answered']) => {
    call.answered = answered;
    call.answeredAt = performance.now();
  };
  const together = directives.together === undefined || (await rendezvous.join(directives.together));
  if (directives.fail !== undefined || !together) {
    settle('failure');
    const status = directives.fail ?? 400;
    const retryAfter = directives['retry-after'];
    sendJson(response, status, together ? failureBody(status) : missedRendezvousBody, retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) });
    return;
  }
  const cancelled = await waitUnlessClosed(request, response, directives.delay ?? 0);
  if (cancelled) {
    settle('cancelled');
    return;
  }
  settle('stream');
  const answer = answerFor(taskText);
  if (body.stream === true) streamAnswer(response, answer, body.model);
  else sendJson(response, 200, completion(answer, body.model));
}

/** The error body of a told-to-fail call; a 429 reads as OpenAI's does, since gateways classify provider errors by it. */
function failureBody(status: number): unknown {
  return status === 429
    ? { error: { message: `Rate limit reached for ${FAKE_MODEL_ID} on requests per min (RPM): Limit 1, Used 1, Requested 1.`, type: 'requests', code: 'rate_limit_exceeded' } }
    : { error: { message: 'the fake model was told to fail', type: 'invalid_request_error' } };
}

const missedRendezvousBody = { error: { message: 'the other calls this one was to run together with never came', type: 'invalid_request_error' } };

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface ChatCompletionRequest {
  readonly model: string;
  readonly stream?: boolean;
  readonly messages: readonly ChatMessage[];
}

interface ChatMessage {
  readonly role: string;
  readonly content: string | readonly { readonly type: string; readonly text?: string }[] | null;
}

/**
 * The gateway sends a large system prompt, tools, and the task inside a user message that is not always the last one
 * (it appends its own context turns). The task is the longest user text: the gateway's own turns are short notes. The
 * gateway wraps it in an envelope (a `[date]` prefix, a `Runtime: ...` line after it), which is not part of the task.
 */
function findTaskText(messages: readonly ChatMessage[]): string {
  const userTexts = messages.filter((message) => message.role === 'user').map((message) => messageText(message));
  const longest = userTexts.reduce((found, text) => (text.length > found.length ? text : found), '');
  return longest.replace(GATEWAY_ENVELOPE, '');
}

const GATEWAY_ENVELOPE = /^\[[^\]\n]*\] |\n\nRuntime: [^\n]*$/g;

function messageText(message: ChatMessage): string {
  if (typeof message.content === 'string') return message.content;
  if (message.content === null) return '';
  return message.content.map((part) => part.text ?? '').join('');
}

interface Directives {
  delay?: number;
  fail?: number;
  'retry-after'?: number;
  together?: number;
}

function readDirectives(text: string): Directives {
  const directives: Directives = {};
  for (const [, name, value] of text.matchAll(DIRECTIVE)) {
    if (name === 'delay' || name === 'fail' || name === 'retry-after' || name === 'together') directives[name] = Number(value);
  }
  return directives;
}

/** Calls held by `together`, by group size. */
class Rendezvous {
  private readonly held = new Map<number, (() => void)[]>();

  /** Resolves `true` once `size` calls wait here together, `false` if they never do within the timeout. */
  join(size: number): Promise<boolean> {
    return new Promise((resolve) => {
      const group = this.held.get(size) ?? [];
      this.held.set(size, group);
      const timer = setTimeout(() => {
        group.splice(group.indexOf(release), 1);
        resolve(false);
      }, TOGETHER_TIMEOUT_MS);
      const release = () => {
        clearTimeout(timer);
        resolve(true);
      };
      group.push(release);
      if (group.length >= size) {
        this.held.delete(size);
        for (const waiting of group) waiting();
      }
    });
  }
}

/** Waits `ms`, but gives up early when the gateway hangs up (an aborted run closes its model request). */
function waitUnlessClosed(request: IncomingMessage, response: ServerResponse, ms: number): Promise<boolean> {
  if (ms === 0) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      response.off('close', onClose);
      resolve(false);
    }, ms);
    const onClose = () => {
      clearTimeout(timer);
      resolve(true);
    };
    response.once('close', onClose);
    request.resume();
  });
}

function streamAnswer(response: ServerResponse, answer: string, model: string): void {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const id = `chatcmpl-${Date.now()}`;
  const chunk = (delta: Record<string, unknown>, finishReason: string | null) =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 0, model, choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`;
  // Two content chunks, so the gateway streams deltas rather than one final block.
  const middle = Math.ceil(answer.length / 2);
  response.write(chunk({ role: 'assistant', content: answer.slice(0, middle) }, null));
  response.write(chunk({ content: answer.slice(middle) }, null));
  response.write(chunk({}, 'stop'));
  response.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 0, model, choices: [], usage: usage(answer) })}\n\n`);
  response.end('data: [DONE]\n\n');
}

function completion(answer: string, model: string): Record<string, unknown> {
  return {
    id: `chatcmpl-${Date.now()}`,
    object: 'chat.completion',
    created: 0,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }],
    usage: usage(answer),
  };
}

function usage(answer: string): Record<string, number> {
  const tokens = Math.ceil(answer.length / 4);
  return { prompt_tokens: 1, completion_tokens: tokens, total_tokens: tokens + 1 };
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

