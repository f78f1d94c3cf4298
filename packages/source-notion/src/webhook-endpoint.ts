import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@kurultai/core';
import { verifyWebhookSignature } from '@notionhq/client';

/** Webhook bodies are small JSON envelopes; anything larger is refused unread. */
const BODY_LIMIT_BYTES = 1 << 20;

export interface WebhookEndpointOptions {
  readonly host: string;
  readonly port: number;
  readonly path: string;
  /** The subscription's verification token; without one, every signed delivery is refused. */
  readonly verificationToken: string | undefined;
  /** Called for each delivery whose signature is valid. */
  readonly onDelivery: (eventType: string | undefined) => void;
  readonly logger: Logger;
}

export interface WebhookEndpoint {
  readonly url: string;
  close(): Promise<void>;
}

async function readLimited(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function eventTypeOf(body: Buffer): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    const type = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>)['type'] : undefined;
    return typeof type === 'string' ? type : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An HTTP endpoint for Notion's webhooks. A delivery counts only if `X-Notion-Signature` is the HMAC-SHA256 of the raw body
 * with the verification token; it then triggers a poll, because events arrive late, merged or out of order and carry no
 * property values: polling stays the source of truth.
 */
export async function startWebhookEndpoint(options: WebhookEndpointOptions): Promise<WebhookEndpoint> {
  const { logger } = options;
  const server = createServer((request, response) => {
    const answer = (status: number) => {
      response.writeHead(status).end();
    };
    if (request.method !== 'POST' || new URL(request.url ?? '/', 'http://webhook').pathname !== options.path) return answer(404);
    readLimited(request)
      .then(async (body) => {
        if (body === undefined) return answer(413);
        const signature = request.headers['x-notion-signature'];
        if (signature === undefined && body.includes('"verification_token"')) {
          // Notion's one-time handshake: the token it carries is a secret, so it is not logged; the user copies it from Notion.
          logger.info(
            'Notion sent the webhook verification request; set the verification token shown in Notion in the environment',
          );
          return answer(200);
        }
        const valid =
          options.verificationToken !== undefined &&
          typeof signature === 'string' &&
          (await verifyWebhookSignature({ body, signature, verificationToken: options.verificationToken }));
        if (!valid) {
          logger.warn('refused a Notion webhook delivery with a missing or wrong signature', {
            remote: request.socket.remoteAddress,
          });
          return answer(401);
        }
        answer(200);
        options.onDelivery(eventTypeOf(body));
      })
      .catch((error: unknown) => {
        logger.warn('a Notion webhook delivery could not be read', { error: String(error) });
        answer(400);
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}${options.path}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}
