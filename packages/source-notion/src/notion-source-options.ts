import { PRIORITIES } from '@kurultai/core';
import { extractDatabaseId } from '@notionhq/client';
import { z } from 'zod';

const propertyName = z.string().min(1);
const priority = z.enum(PRIORITIES as readonly ['critical', 'high', 'normal', 'low']);

/** The options of the Notion source (`with:` under `source` in `kurultai.config.yaml`). */
export const notionSourceOptions = z
  .object({
    /** The instance's name, written into each task's `source` field. */
    name: z.string().min(1).default('notion'),
    /** The database's id (with or without dashes) or its URL. */
    database: z.string().refine((value) => extractDatabaseId(value) !== null, 'should be a Notion database id or URL'),
    /** Which of the database's data sources to read, by name or id, when it has several. The first one otherwise. */
    dataSource: z.string().min(1).optional(),
    /** The environment variable holding the integration token. The token itself never appears in the config. */
    tokenEnv: z.string().min(1).default('NOTION_TOKEN'),
    /** Notion's API address; only changed for a proxy or a fake. */
    baseUrl: z.url().optional(),
    properties: z
      .object({
        title: propertyName.default('Name'),
        status: propertyName.default('Status'),
        priority: propertyName.optional(),
        tags: propertyName.optional(),
        description: propertyName.optional(),
      })
      .prefault({}),
    statuses: z
      .object({
        /** Status values that mean "new, to be routed". */
        new: z.array(z.string().min(1)).min(1).default(['Not started']),
        inProgress: z.string().min(1).default('In Progress'),
        done: z.string().min(1).default('Done'),
        blocked: z.string().min(1).default('Blocked'),
      })
      .prefault({}),
    /** Maps the priority property's option names to Kurultai's priorities; other names leave the task's priority unset. */
    priorities: z
      .record(z.string(), priority)
      .default({ Urgent: 'critical', Critical: 'critical', High: 'high', Medium: 'normal', Normal: 'normal', Low: 'low' }),
    /** What to do with a page whose title is empty: skip it with a warning, or route it as `(untitled)`. */
    emptyTitle: z.enum(['skip', 'untitled']).default('skip'),
    /** Time between polls while following. */
    pollIntervalMs: z.number().int().positive().default(30_000),
    /**
     * How far before the newest `last_edited_time` seen each poll looks again. Notion rounds that time down to the minute,
     * so an edit late in a minute reads as the minute's start; the overlap catches it, and de-duplication hides repeats.
     */
    overlapMs: z.number().int().min(60_000).default(120_000),
    /** The average request rate across polling and write-backs. Notion allows about 3 per second; more only for a fake or a proxy. */
    requestsPerSecond: z.number().positive().default(3),
    /** Milliseconds before a request is given up on and retried. */
    requestTimeoutMs: z.number().int().positive().default(30_000),
    /** Attempts for a request failing with a 5xx, a 409, a timeout or a network error, before the caller sees the error. */
    maxAttempts: z.number().int().min(1).default(6),
    /** The first retry's delay; each next one doubles it (with jitter), up to 30 seconds. */
    initialBackoffMs: z.number().int().positive().default(500),
    /** Comments written on the task's page. */
    comments: z
      .object({
        onCompleted: z.boolean().default(true),
        onFailed: z.boolean().default(true),
      })
      .prefault({}),
    /** An endpoint for Notion's webhooks: a verified delivery triggers an immediate poll. Off when absent. */
    webhook: z
      .object({
        port: z.number().int().min(0).max(65_535),
        host: z.string().default('127.0.0.1'),
        path: z.string().startsWith('/').default('/notion/webhook'),
        /** The environment variable holding the subscription's verification token. */
        verificationTokenEnv: z.string().min(1).default('NOTION_WEBHOOK_TOKEN'),
      })
      .optional(),
  })
  .strict()
  .superRefine((options, context) => {
    // A written-back status that also counts as "new" would hand the task to the router again after every write-back.
    const { new: fresh, ...written } = options.statuses;
    for (const [key, name] of Object.entries(written)) {
      if (fresh.includes(name)) {
        context.addIssue({ code: 'custom', path: ['statuses', key], message: `"${name}" is also listed in statuses.new` });
      }
    }
  });

export type NotionSourceOptions = z.output<typeof notionSourceOptions>;
export type NotionSourceOptionsInput = z.input<typeof notionSourceOptions>;
