/** The error codes the fake answers with; the same strings Notion sends in its error JSON. */
export type FakeNotionErrorCode =
  | 'unauthorized'
  | 'missing_version'
  | 'invalid_request_url'
  | 'invalid_json'
  | 'validation_error'
  | 'object_not_found'
  | 'restricted_resource'
  | 'conflict_error'
  | 'rate_limited'
  | 'internal_server_error'
  | 'service_unavailable'
  | 'gateway_timeout';

/** An answer the fake gives as Notion's error JSON (`{object: "error", status, code, message}`). */
export class FakeNotionError extends Error {
  override readonly name = 'FakeNotionError';

  constructor(
    readonly status: number,
    readonly code: FakeNotionErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function validationError(message: string): FakeNotionError {
  return new FakeNotionError(400, 'validation_error', message);
}

export function notFound(kind: 'database' | 'data_source' | 'page' | 'block' | 'property', id: string): FakeNotionError {
  return new FakeNotionError(
    404,
    'object_not_found',
    `Could not find ${kind} with ID: ${id}. Make sure the relevant pages and databases are shared with your integration.`,
  );
}
