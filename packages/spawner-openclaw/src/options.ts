import { z } from 'zod';

/**
 * The spawner's options (`spawner.with` in `kurultai.config.yaml`). The gateway token is not an option: it is read from
 * `OPENCLAW_GATEWAY_TOKEN` in the plugin's environment, so it never sits in a config file.
 */
export const openClawSpawnerOptions = z
  .object({
    /** The gateway's WebSocket URL; HTTP and WebSocket share the port. */
    gatewayUrl: z
      .string()
      .url()
      .refine((url) => /^wss?:\/\//.test(url), 'must be a ws:// or wss:// URL')
      .default('ws://127.0.0.1:18789'),
    /**
     * How many runs this spawner keeps on the gateway at once; further spawns wait their turn. Keep it at or below the
     * gateway's `agents.defaults.maxConcurrent` so runs queue here, where their timeouts are honoured, not on the gateway.
     */
    capacity: z.number().int().positive().default(4),
    /** Delays between reconnect attempts: doubling from `initialDelayMs` up to `maxDelayMs`, unless the gateway says. */
    reconnect: z
      .object({
        initialDelayMs: z.number().int().positive().default(500),
        maxDelayMs: z.number().int().positive().default(30_000),
      })
      .default({ initialDelayMs: 500, maxDelayMs: 30_000 }),
    /** Prefix of the per-task session key: `agent:<agentId>:<sessionPrefix>:<taskId>`. */
    sessionPrefix: z.string().regex(/^[a-z0-9-]+$/, 'lowercase letters, digits and dashes only').default('kurultai'),
  })
  .strict();

/** Options as written in the config. */
export type OpenClawSpawnerInput = z.input<typeof openClawSpawnerOptions>;
/** Options after defaults. */
export type OpenClawSpawnerOptions = z.output<typeof openClawSpawnerOptions>;
