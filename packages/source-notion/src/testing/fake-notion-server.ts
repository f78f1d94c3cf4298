import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { text as readBody } from 'node:stream/consumers';
import { FakeNotionError } from './fake-notion-error.js';
import { queryPages } from './fake-notion-query.js';
import { FakeRateLimiter, NOTION_RATE_LIMIT, type FakeRateLimit } from './fake-rate-limiter.js';
import { FakeNotionWorkspace, type FakeNotionWorkspaceOptions } from './fake-notion-workspace.js';

/** The API version the fake speaks, the one `@notionhq/client` v5 sends by default. */
export const FAKE_NOTION_VERSION = '2025-09-03';

/** The endpoints the fake serves, named like the client's methods. */
export type FakeEndpoint =
  | 'databases.retrieve'
  | 'dataSources.retrieve'
  | 'dataSources.query'
  | 'pages.retrieve'
  | 'pages.update'
  | 'pages.properties.retrieve'
  | 'comments.create'
  | 'comments.list'
  | 'users.me';

/** A fault a test programs: the next matching requests get this answer instead of the real one. */
export type FakeFault =
  /** 429 `rate_limited` with a `Retry-After` header in seconds. */
  | { readonly type: 'rate_limited'; readonly retryAfterSeconds: number }
  /** 500, 503 and 504 answer Notion's error JSON; 502 answers HTML, as the load balancer in front of Notion does. */
  | { readonly type: 'server_error'; readonly status: 500 | 502 | 503 | 504 }
  /** 409 `conflict_error`: a concurrent edit of the same page. */
  | { readonly type: 'conflict' }
  /** 404 `object_not_found`: what was asked for was deleted or unshared since the client learned of it. */
  | { readonly type: 'not_found' }
  /** The request is handled normally, after a delay. A client that gives up earlier still has its request applied. */
  | { readonly type: 'slow'; readonly delayMs: number };

export interface FakeFaultTarget {
  /** Only requests to this endpoint; any endpoint when absent. */
  readonly endpoint?: FakeEndpoint;
  /** How many matching requests get the fault (default 1). */
  readonly times?: number;
}

/** One request the fake received, and what it answered. */
export interface FakeRequest {
  readonly method: string;
  readonly path: string;
  readonly endpoint: FakeEndpoint | undefined;
  /** The parsed JSON body, for POST and PATCH. */
  readonly body: unknown;
  readonly status: number;
  /** `performance.now()` when the request arrived. */
  readonly at: number;
  /** Why it failed: the error code answered, `throttled` when the fake's own rate limiter refused it. */
  readonly error?: string;
}

export interface FakeNotionServerOptions extends FakeNotionWorkspaceOptions {
  /** The integration token the fake accepts (`Authorization: Bearer ...`). A random one when absent. */
  readonly token?: string;
  /** Notion's rate limiter; `false` turns it off. Default: 3 requests per second, bursts of 10. */
  readonly rateLimit?: FakeRateLimit | false;
}

/** A fake Notion API on loopback, for the real `@notionhq/client` through its `baseUrl` option. */
export interface FakeNotionServer {
  /** For the client's `baseUrl`: the client appends `/v1/...`. */
  readonly url: string;
  readonly token: string;
  readonly workspace: FakeNotionWorkspace;
  /** Every request so far, oldest first. */
  readonly requests: readonly FakeRequest[];
  /** Programs a fault for the next matching requests. */
  inject(fault: FakeFault, target?: FakeFaultTarget): void;
  /** How many requests arrived, for one endpoint or all. */
  count(endpoint?: FakeEndpoint): number;
  /** How many requests the fake's rate limiter refused with 429. */
  readonly throttled: number;
  /** Forgets the request log (the workspace stays). */
  clearRequests(): void;
  close(): Promise<void>;
}

interface ProgrammedFault {
  readonly fault: FakeFault;
  readonly endpoint: FakeEndpoint | undefined;
  remaining: number;
}

interface Route {
  readonly endpoint: FakeEndpoint;
  /** `id` and `subId` are the path's ids: `/v1/pages/:id/properties/:subId`. */
  handle(id: string, body: Readonly<Record<string, unknown>>, query: URLSearchParams, subId: string): unknown;
}

function routeOf(workspace: FakeNotionWorkspace, method: string, path: string): Route | undefined {
  const [, v1, collection, id = '', action, subId, extra] = path.split('/');
  if (v1 !== 'v1' || extra !== undefined) return undefined;
  const key = `${method} ${collection ?? ''}${id === '' ? '' : '/:id'}${action === undefined ? '' : `/${action}`}${subId === undefined ? '' : '/:id'}`;
  const routes: Readonly<Record<string, Route>> = {
    'GET databases/:id': { endpoint: 'databases.retrieve', handle: (dbId) => workspace.retrieveDatabase(dbId) },
    'GET data_sources/:id': { endpoint: 'dataSources.retrieve', handle: (dsId) => workspace.retrieveDataSource(dsId) },
    'POST data_sources/:id/query': {
      endpoint: 'dataSources.query',
      handle: (dsId, body) => queryPages(workspace.retrieveDataSource(dsId), workspace.livePagesOf(dsId), body),
    },
    'GET pages/:id': { endpoint: 'pages.retrieve', handle: (pageId) => workspace.retrievePage(pageId) },
    'GET pages/:id/properties/:id': {
      endpoint: 'pages.properties.retrieve',
      handle: (pageId, _body, query, propertyId) => workspace.retrievePageProperty(pageId, propertyId, query),
    },
    'PATCH pages/:id': { endpoint: 'pages.update', handle: (pageId, body) => workspace.updatePage(pageId, body) },
    'POST comments': { endpoint: 'comments.create', handle: (_, body) => workspace.createComment(body) },
    'GET comments': { endpoint: 'comments.list', handle: (_, _body, query) => workspace.listComments(query) },
    'GET users/:id': { endpoint: 'users.me', handle: (userId) => (userId === 'me' ? workspace.me() : undefined) },
  };
  return routes[key];
}

function sendJson(
  response: ServerResponse,
  status: number,
  payload: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  response.end(JSON.stringify(payload));
}

function sendError(response: ServerResponse, error: FakeNotionError, headers: Readonly<Record<string, string>> = {}): void {
  sendJson(
    response,
    error.status,
    { object: 'error', status: error.status, code: error.code, message: error.message, request_id: randomUUID() },
    headers,
  );
}

/** Answers an injected fault; returns the error code it sent. */
function answerFault(response: ServerResponse, fault: Exclude<FakeFault, { type: 'slow' }>): string {
  switch (fault.type) {
    case 'rate_limited':
      sendError(
        response,
        new FakeNotionError(429, 'rate_limited', 'You have been rate limited. Please try again in a few minutes.'),
        {
          'retry-after': String(fault.retryAfterSeconds),
        },
      );
      return 'rate_limited';
    case 'conflict':
      sendError(response, new FakeNotionError(409, 'conflict_error', 'Conflict occurred while saving. Please try again.'));
      return 'conflict_error';
    case 'not_found':
      sendError(response, new FakeNotionError(404, 'object_not_found', 'Could not find the object; it was deleted or unshared.'));
      return 'object_not_found';
    case 'server_error':
      if (fault.status === 502) {
        response.writeHead(502, { 'content-type': 'text/html' });
        response.end(
          '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>',
        );
        return 'bad_gateway';
      }
      {
        const codes = { 500: 'internal_server_error', 503: 'service_unavailable', 504: 'gateway_timeout' } as const;
        const code = codes[fault.status];
        sendError(response, new FakeNotionError(fault.status, code, `Injected ${code}.`));
        return code;
      }
  }
}

/**
 * Starts a fake Notion API on `127.0.0.1` (a free port): databases, data sources, data source queries, pages, comments
 * and `users.me`, with Notion's error JSON, its header checks, its rate limiter and programmable faults.
 */
export async function startFakeNotionServer(options: FakeNotionServerOptions = {}): Promise<FakeNotionServer> {
  const token = options.token ?? `ntn_fake_${randomUUID().replaceAll('-', '')}`;
  const workspace = new FakeNotionWorkspace(options);
  const limiter = options.rateLimit === false ? undefined : new FakeRateLimiter(options.rateLimit ?? NOTION_RATE_LIMIT);
  const faults: ProgrammedFault[] = [];
  let requests: FakeRequest[] = [];
  let throttled = 0;
  const timers = new Set<NodeJS.Timeout>();

  const takeFault = (endpoint: FakeEndpoint | undefined): FakeFault | undefined => {
    const programmed = faults.find((f) => f.remaining > 0 && (f.endpoint === undefined || f.endpoint === endpoint));
    if (programmed === undefined) return undefined;
    programmed.remaining -= 1;
    return programmed.fault;
  };

  const delay = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const at = performance.now();
    const method = request.method ?? 'GET';
    const { pathname: path, searchParams: query } = new URL(request.url ?? '/', 'http://fake');
    const route = routeOf(workspace, method, path);
    const rawBody = await readBody(request);
    let body: unknown;
    const log = (status: number, error?: string) => {
      requests.push({ method, path, endpoint: route?.endpoint, body, status, at, ...(error === undefined ? {} : { error }) });
    };
    const fail = (error: FakeNotionError, headers: Readonly<Record<string, string>> = {}) => {
      log(error.status, error.code);
      sendError(response, error, headers);
    };

    if (request.headers.authorization !== `Bearer ${token}`) {
      return fail(new FakeNotionError(401, 'unauthorized', 'API token is invalid.'));
    }
    const version = request.headers['notion-version'];
    if (version === undefined) {
      return fail(
        new FakeNotionError(
          400,
          'missing_version',
          'Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.',
        ),
      );
    }
    if (version !== FAKE_NOTION_VERSION) {
      return fail(
        new FakeNotionError(
          400,
          'validation_error',
          `Notion-Version ${String(version)} is not served by this fake; it speaks ${FAKE_NOTION_VERSION}.`,
        ),
      );
    }
    const allowance = limiter?.take(at);
    if (allowance !== undefined && !allowance.allowed) {
      throttled += 1;
      log(429, 'throttled');
      sendError(
        response,
        new FakeNotionError(429, 'rate_limited', 'You have been rate limited. Please try again in a few minutes.'),
        {
          'retry-after': String(allowance.retryAfterSeconds),
        },
      );
      return;
    }
    const fault = takeFault(route?.endpoint);
    if (fault !== undefined && fault.type !== 'slow') {
      const statuses = { conflict: 409, not_found: 404, rate_limited: 429 } as const;
      log(fault.type === 'server_error' ? fault.status : statuses[fault.type], answerFault(response, fault));
      return;
    }
    if (fault?.type === 'slow') await delay(fault.delayMs);
    if (route === undefined) return fail(new FakeNotionError(400, 'invalid_request_url', 'Invalid request URL.'));
    if (rawBody !== '') {
      try {
        body = JSON.parse(rawBody);
      } catch {
        return fail(new FakeNotionError(400, 'invalid_json', 'Error parsing JSON body.'));
      }
    }
    try {
      const segments = path.split('/').map((segment) => decodeURIComponent(segment));
      const payload = route.handle(
        segments[3] ?? '',
        typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {},
        query,
        segments[5] ?? '',
      );
      if (payload === undefined) return fail(new FakeNotionError(400, 'invalid_request_url', 'Invalid request URL.'));
      log(200);
      sendJson(response, 200, payload);
    } catch (error) {
      if (!(error instanceof FakeNotionError)) throw error;
      fail(error);
    }
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      sendError(response, new FakeNotionError(500, 'internal_server_error', `The fake failed: ${String(error)}`));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    token,
    workspace,
    get requests() {
      return requests;
    },
    get throttled() {
      return throttled;
    },
    inject(fault, target = {}) {
      faults.push({ fault, endpoint: target.endpoint, remaining: target.times ?? 1 });
    },
    count(endpoint) {
      return endpoint === undefined ? requests.length : requests.filter((r) => r.endpoint === endpoint).length;
    },
    clearRequests() {
      requests = [];
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error === undefined ? resolve() : reject(error))));
    },
  };
}
