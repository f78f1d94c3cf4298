// Test infrastructure for the OpenClaw spawner: a fake model provider and a real gateway harness (also used by bench/).
export * from './fake-model-server.js';
export * from './openclaw-gateway.js';
export * from './test-bed.js';
export * from './bare-gateway-client.js';
