import { KurultaiError, formatProblem, type Secrets } from '@kurultai/core';

/** Where a command reads and writes: the process's streams and environment, or a test's. */
export interface CommandIo {
  readonly stdout: NodeJS.WritableStream & { readonly isTTY?: boolean; readonly columns?: number };
  readonly stderr: NodeJS.WritableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

/** Exit codes, as a service's users expect them. */
export const EXIT = {
  ok: 0,
  /** Something failed while running (a task store that would not open, a failed retry). */
  failure: 1,
  /** The command line or the config is wrong: nothing was started. */
  usage: 2,
} as const;

/**
 * Prints an error the way every command does: one line per problem (`path:line:col: message`), secrets masked, no stack.
 * Answers the exit code: `usage` for problems in what the user wrote, `failure` otherwise.
 */
export function reportError(io: CommandIo, error: unknown, secrets?: Secrets): number {
  const mask = (text: string) => (secrets === undefined ? text : secrets.redact(text));
  if (error instanceof KurultaiError) {
    for (const problem of error.problems) io.stderr.write(`kurultai: ${mask(formatProblem(problem))}\n`);
    return isUsageError(error.code) ? EXIT.usage : EXIT.failure;
  }
  io.stderr.write(`kurultai: ${mask(error instanceof Error ? error.message : String(error))}\n`);
  return EXIT.failure;
}

/** The option every command that opens the config takes. */
export const CONFIG_OPTION = { config: { type: 'string', short: 'c' } } as const;
export const HELP_OPTION = { type: 'boolean', short: 'h' } as const;

/**
 * Parses a command line with `parse` (node:util's parseArgs); answers the values, or an exit code when the command is
 * done already: usage printed for `--help` (0), or a bad command line reported in one line (2).
 */
export function parseCommandLine<Values extends { readonly help?: boolean | undefined }>(io: CommandIo, usage: string, parse: () => Values): Values | number {
  let values: Values;
  try {
    values = parse();
  } catch (error) {
    return reportError(io, new KurultaiError('usage', `${error instanceof Error ? error.message : String(error)} (see --help)`));
  }
  if (values.help !== true) return values;
  io.stdout.write(`${usage}\n`);
  return EXIT.ok;
}

function isUsageError(code: string): boolean {
  return code.startsWith('config_') || code.startsWith('plugin_') || code === 'rules_invalid' || code === 'usage';
}

/**
 * Untrusted text (task titles, errors from agents) made safe for a terminal: control characters, which could move the
 * cursor or rewrite the screen, become `?`, and the text is cut to `width` characters.
 */
export function terminalSafe(text: string, width: number): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '?');
  return flat.length <= width ? flat : `${flat.slice(0, Math.max(0, width - 1))}…`;
}
