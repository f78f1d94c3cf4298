import { PRIORITIES } from '@kurultai/core';
import { extractDatabaseId } from '@notionhq/client';
import { z } from 'zod';

const propertyName = z.string().min(1);
const priority = z.enum(PRIORITIES as readonly ['critical', 'high', 'normal', 'low']);

// Each option carries its description, so the JSON Schema made from this one (for users' editors) documents it too.

const properties = z
  .object({
    title: propertyName.default('Name').describe('The title property: the task title.'),
    status: propertyName.default('Status').describe('The status property (a status, or a select used as one).'),
    priority: propertyName.optional().describe('A select (or status) property holding the priority.'),
    tags: propertyName.optional().describe('A multi-select (or select) property holding the tags.'),
    description: propertyName.optional().describe('A text property holding the description.'),
    agent: propertyName
      .optional()
      .describe(
        'A select (or text) property holding the agent: Kurultai writes the display name of the agent it assigns a task to, ' +
          'and a person changing it on a task not yet started reassigns the task, a correction routing learns from.',
      ),
    commentLog: propertyName
      .optional()
      .describe(
        'A text property where Kurultai notes the comments it posted on the page. Notion lists only unresolved comments, ' +
          'so without it a comment a person has resolved is posted again when its write-back is offered again (after a ' +
          'restart before the dispatcher recorded the delivery).',
      ),
  })
  .prefault({})
  .describe('Which database properties hold what.');

const statuses = z
  .object({
    new: z.array(z.string().min(1)).min(1).default(['Not started']).describe('Status values that mean "new, to be routed".'),
    inProgress: z.string().min(1).default('In Progress').describe('Written when an agent starts on the task.'),
    done: z.string().min(1).default('Done').describe('Written when the task is completed.'),
    blocked: z.string().min(1).default('Blocked').describe('Written when the task failed for good.'),
  })
  .prefault({})
  .describe('The status values read and written.');

const webhook = z
  .object({
    port: z.number().int().min(0).max(65_535).describe('The port to listen on (0: any free port).'),
    host: z.string().default('127.0.0.1').describe('The address to listen on.'),
    path: z.string().startsWith('/').default('/notion/webhook').describe('The path Notion posts to.'),
    verificationTokenEnv: z
      .string()
      .min(1)
      .default('NOTION_WEBHOOK_TOKEN')
      .describe("The environment variable holding the subscription's verification token."),
  })
  .optional()
  .describe("An endpoint for Notion's webhooks: a delivery with a valid signature triggers an immediate poll. Off when absent.");

/** The options of the Notion source (`with:` under `source` in `kurultai.config.yaml`). */
export const notionSourceOptions = z
  .object({
    name: z.string().min(1).default('notion').describe("The instance's name, written into each task's `source` field."),
    database: z
      .string()
      .refine((value) => extractDatabaseId(value) !== null, 'should be a Notion database id or URL')
      .describe("The database's id (with or without dashes) or its URL."),
    dataSource: z
      .string()
      .min(1)
      .optional()
      .describe("Which of the database's data sources to read, by name or id, when it has several; the first one otherwise."),
    tokenEnv: z
      .string()
      .min(1)
      .default('NOTION_TOKEN')
      .describe('The environment variable holding the integration token; the token itself never appears in the config.'),
    baseUrl: z.url().optional().describe("Notion's API address; only changed for a proxy or a fake."),
    properties,
    statuses,
    priorities: z
      .record(z.string(), priority)
      .default({ Urgent: 'critical', Critical: 'critical', High: 'high', Medium: 'normal', Normal: 'normal', Low: 'low' })
      .describe("Maps the priority property's option names to Kurultai's priorities; other names leave the priority unset."),
    emptyTitle: z
      .enum(['skip', 'untitled'])
      .default('skip')
      .describe('A page with an empty title is skipped with a warning, or routed as `(untitled)`.'),
    pollIntervalMs: z.number().int().positive().default(30_000).describe('Milliseconds between polls while following.'),
    overlapMs: z
      .number()
      .int()
      .min(60_000)
      .default(120_000)
      .describe(
        'How far before the newest last_edited_time seen each poll reads again. Notion rounds that time down to the minute; ' +
          'the overlap catches edits late in a minute, and de-duplication hides repeats.',
      ),
    requestsPerSecond: z
      .number()
      .positive()
      .default(3)
      .describe('The average request rate across polling and write-backs. Notion allows about 3 per second.'),
    requestTimeoutMs: z
      .number()
      .int()
      .positive()
      .default(30_000)
      .describe('Milliseconds before a request is given up on and retried.'),
    maxAttempts: z
      .number()
      .int()
      .min(1)
      .default(6)
      .describe('Attempts for a request failing with a 5xx, a 409, a timeout or a network error. Rate limits are waited out.'),
    initialBackoffMs: z
      .number()
      .int()
      .positive()
      .default(500)
      .describe("The first retry's delay; each next one doubles it, with jitter, up to 30 seconds."),
    longRetryAfterWarningMs: z
      .number()
      .int()
      .positive()
      .default(300_000)
      .describe('A Retry-After longer than this is still honoured, and logged as a warning the first time.'),
    startupDeadlineMs: z
      .number()
      .int()
      .positive()
      .default(120_000)
      .describe(
        'How long the start-up check may take, rate limits included; past it the source fails to start with a clear error ' +
          'instead of waiting on a Notion that keeps answering 429.',
      ),
    comments: z
      .object({
        onCompleted: z.boolean().default(true).describe("Comment with the agent's answer when a task is completed."),
        onFailed: z.boolean().default(true).describe('Comment with the error when a task failed.'),
      })
      .prefault({})
      .describe("Comments written on the task's page."),
    webhook,
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
