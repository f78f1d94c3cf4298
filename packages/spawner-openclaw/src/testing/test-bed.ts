import { startFakeModelServer, type FakeModelServer } from './fake-model-server.js';
import { startOpenClawGateway, type OpenClawGateway, type OpenClawGatewayOptions } from './openclaw-gateway.js';

/** A fake model provider and a real gateway configured for it: what the spawner's tests and benchmarks run against. */
export interface OpenClawTestBed {
  readonly model: FakeModelServer;
  readonly gateway: OpenClawGateway;
  /** The environment a spawner reads its token from. */
  readonly env: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

/** Starts the fake model server, then a gateway on it; if the gateway cannot start, stops the model and throws why. */
export async function startOpenClawTestBed(options: Omit<OpenClawGatewayOptions, 'modelBaseUrl'>): Promise<OpenClawTestBed> {
  const model = await startFakeModelServer();
  let gateway: OpenClawGateway;
  try {
    gateway = await startOpenClawGateway({ ...options, modelBaseUrl: model.baseUrl });
  } catch (error) {
    await model.close();
    throw error;
  }
  return {
    model,
    gateway,
    env: { OPENCLAW_GATEWAY_TOKEN: gateway.token },
    async stop() {
      await gateway.stop();
      await model.close();
    },
  };
}
