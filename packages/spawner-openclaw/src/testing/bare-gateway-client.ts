import { GatewayClient } from '@openclaw/gateway-client';
import { PROTOCOL_VERSION } from '../gateway-connection.js';
import type { OpenClawGateway } from './openclaw-gateway.js';

/**
 * Connects the reference protocol client to a test gateway with nothing of the spawner around it: tests ask the gateway
 * what it saw through it, and the benchmark measures the spawner's overhead against it.
 */
export async function connectBareGatewayClient(gateway: Pick<OpenClawGateway, 'url' | 'token'>): Promise<GatewayClient> {
  let helloOk = () => {};
  let refuse: (error: Error) => void = () => {};
  const hello = new Promise<void>((resolve, reject) => {
    helloOk = resolve;
    refuse = reject;
  });
  const client = new GatewayClient({
    url: gateway.url,
    token: gateway.token,
    clientName: 'gateway-client',
    mode: 'backend',
    role: 'operator',
    scopes: ['operator.read', 'operator.write'],
    minProtocol: PROTOCOL_VERSION,
    maxProtocol: PROTOCOL_VERSION,
    onHelloOk: () => helloOk(),
  });
  client.start();
  const timer = setTimeout(() => refuse(new Error(`no hello from the gateway at ${gateway.url} within 30 s`)), 30_000);
  try {
    await hello;
  } catch (error) {
    client.stop();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return client;
}
