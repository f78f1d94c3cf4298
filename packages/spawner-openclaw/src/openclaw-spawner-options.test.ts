import { KurultaiError } from '@kurultai/core';
import { describe, expect, it } from 'vitest';
import plugin, { createOpenClawSpawner, openClawSpawnerOptions } from './index.js';

describe('the OpenClaw spawner options', () => {
  it('refuses to start without OPENCLAW_GATEWAY_TOKEN, naming the variable and the plugin', () => {
    const create = () => createOpenClawSpawner({}, { env: {} });
    expect(create).toThrow(KurultaiError);
    expect(create).toThrow(/OPENCLAW_GATEWAY_TOKEN is not set/);
    try {
      create();
    } catch (error) {
      expect((error as KurultaiError).toString()).toMatch(/^plugin openclaw: /);
    }
  });

  it('reports every bad option with its path, as an invalid_options error', () => {
    try {
      createOpenClawSpawner({ gatewayUrl: 'http://127.0.0.1:1', capacity: 0 }, { env: { OPENCLAW_GATEWAY_TOKEN: 't' } });
      expect.unreachable('bad options were accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(KurultaiError);
      expect((error as KurultaiError).code).toBe('invalid_options');
      expect((error as KurultaiError).problems.map((problem) => problem.message.split(':')[0])).toEqual(['gatewayUrl', 'capacity']);
    }
  });

  it('fills in defaults for a loopback gateway', () => {
    expect(openClawSpawnerOptions.parse({})).toEqual({
      gatewayUrl: 'ws://127.0.0.1:18789',
      capacity: 4,
      reconnect: { initialDelayMs: 500, maxDelayMs: 30_000 },
      sessionPrefix: 'kurultai',
    });
  });

  it('is a spawner plugin named openclaw', () => {
    expect(plugin).toMatchObject({ kind: 'spawner', specificationVersion: 'v1', name: 'openclaw' });
  });
});
