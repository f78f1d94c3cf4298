import type { Logger } from '@kurultai/core';
import { GatewayClient, isGatewayProtocolResponseError } from '@openclaw/gateway-client';
import type { EventFrame } from '@openclaw/gateway-protocol/frame-guards';

/** The wire protocol version this spawner speaks; the pinned gateway and client packages speak it too. */
export const PROTOCOL_VERSION = 4;

export interface GatewayConnectionOptions {
  readonly url: string;
  readonly token: string | undefined;
  readonly reconnect: { readonly initialDelayMs: number; readonly maxDelayMs: number };
  readonly logger: Logger;
  readonly clientVersion: string;
}

/** The part of the gateway client a run needs: requests, nothing about the connection's life. */
export type GatewayRequester = Pick<GatewayClient, 'request'>;

type ConnectionState =
  | { readonly kind: 'connecting'; readonly client: GatewayClient }
  | { readonly kind: 'waiting'; readonly timer: NodeJS.Timeout }
  | { readonly kind: 'ready'; readonly client: GatewayClient }
  | { readonly kind: 'closed' };

/**
 * One WebSocket connection to the gateway, kept open for every run. It reconnects by itself with its own backoff
 * (doubling, capped, reset on success) and takes the gateway's `retryAfterMs` over its own delay while the gateway
 * starts up. The reference client reconnects too, but with fixed delays up to 30 s; owning the loop makes the backoff
 * configurable and lets a run learn that the connection it started on is gone.
 */
export class GatewayConnection {
  private state: ConnectionState;
  private failedAttempts = 0;
  /** How many times the connection has come up, for the logs. */
  private generation = 0;
  private retryAfterMs: number | undefined;
  private readonly waiters = new Set<() => void>();
  private readonly eventListeners = new Set<(event: EventFrame) => void>();

  constructor(private readonly options: GatewayConnectionOptions) {
    this.state = { kind: 'connecting', client: this.openClient() };
  }

  /** Resolves with a connected client once the handshake is done; rejects when `signal` aborts or the connection closes. */
  async ready(signal: AbortSignal): Promise<GatewayRequester> {
    for (;;) {
      signal.throwIfAborted();
      if (this.state.kind === 'ready') return this.state.client;
      if (this.state.kind === 'closed') throw new Error('the OpenClaw spawner is closed');
      await new Promise<void>((resolve, reject) => {
        const wake = () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          this.waiters.delete(wake);
          reject(signal.reason);
        };
        this.waiters.add(wake);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    }
  }

  /** Listens to every event frame; returns the function that stops listening. */
  onEvent(listener: (event: EventFrame) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  async close(): Promise<void> {
    const state = this.state;
    this.state = { kind: 'closed' };
    this.wakeWaiters();
    if (state.kind === 'waiting') clearTimeout(state.timer);
    if (state.kind === 'connecting' || state.kind === 'ready') await state.client.stopAndWait({ timeoutMs: 2000 }).catch(() => undefined);
  }

  private openClient(): GatewayClient {
    const client: GatewayClient = new GatewayClient({
      url: this.options.url,
      token: this.options.token,
      clientName: 'gateway-client',
      clientDisplayName: 'Kurultai spawner',
      clientVersion: this.options.clientVersion,
      mode: 'backend',
      role: 'operator',
      scopes: ['operator.read', 'operator.write'],
      minProtocol: PROTOCOL_VERSION,
      maxProtocol: PROTOCOL_VERSION,
      onHelloOk: () => this.connected(client),
      onConnectError: (error) => this.connectFailed(error),
      onClose: (code, reason) => this.disconnected(client, code, reason),
      onEvent: (event) => {
        for (const listener of this.eventListeners) listener(event);
      },
    });
    client.start();
    return client;
  }

  private connected(client: GatewayClient): void {
    if (this.state.kind !== 'connecting' || this.state.client !== client) return;
    this.state = { kind: 'ready', client };
    this.generation += 1;
    this.failedAttempts = 0;
    this.retryAfterMs = undefined;
    this.options.logger.info('connected to the OpenClaw gateway', { url: this.options.url, generation: this.generation });
    this.wakeWaiters();
  }

  private connectFailed(error: Error): void {
    // During start-up the gateway refuses `connect` with a retryable UNAVAILABLE and says when to come back.
    if (isGatewayProtocolResponseError(error) && error.retryable && error.retryAfterMs !== undefined) this.retryAfterMs = error.retryAfterMs;
    this.options.logger.debug('could not connect to the OpenClaw gateway', { url: this.options.url, reason: error.message });
  }

  private disconnected(client: GatewayClient, code: number, reason: string): void {
    const current = this.state;
    if (current.kind === 'closed' || current.kind === 'waiting' || current.client !== client) return;
    // Stopping the reference client inside its close callback cancels its own reconnect; ours takes over.
    client.stop();
    if (current.kind === 'ready') this.options.logger.warn('lost the OpenClaw gateway connection', { url: this.options.url, code, reason });
    const delayMs = this.retryAfterMs ?? Math.min(this.options.reconnect.initialDelayMs * 2 ** this.failedAttempts, this.options.reconnect.maxDelayMs);
    this.failedAttempts += 1;
    this.retryAfterMs = undefined;
    const timer = setTimeout(() => {
      if (this.state.kind === 'waiting') this.state = { kind: 'connecting', client: this.openClient() };
    }, delayMs);
    timer.unref();
    this.state = { kind: 'waiting', timer };
  }

  private wakeWaiters(): void {
    for (const wake of [...this.waiters]) wake();
    this.waiters.clear();
  }
}
