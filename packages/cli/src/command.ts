import type { ParseArgsOptionsConfig } from 'node:util';

/** What a command reads and writes: handed in, so a command never touches `process` itself. */
export interface CommandContext {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Standard input, when it is piped (undefined when it is a terminal). */
  readonly stdin: AsyncIterable<string | Buffer> | undefined;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Whether to print with colours (a terminal, and NO_COLOR not set). */
  readonly color: boolean;
  /** The terminal's width when standard output is a terminal; undefined when it is not (a pipe, a file, a service). */
  readonly terminalColumns: number | undefined;
}

/** The parsed command line of one command. */
export interface CommandArgs {
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
}

/**
 * A `kurultai` subcommand. Adding one is a file exporting a `Command`, plus its line in `commands/index.ts`; parsing,
 * `--help`, `--debug` and error printing are the framework's.
 */
export interface Command {
  readonly name: string;
  /** The argument synopsis shown after the name, e.g. `[--json] [TEXT...]`. */
  readonly usage: string;
  /** One line, shown in `kurultai --help`. */
  readonly summary: string;
  /** Shown by `kurultai <command> --help`, after the usage line. */
  readonly description: string;
  readonly options: ParseArgsOptionsConfig;
  /** Answers the exit code: 0 success, 1 a check failed. Throws `UsageError` for a wrong command line. */
  run(args: CommandArgs, context: CommandContext): Promise<number>;
}

/** A mistake in the command line itself (exit code 2, with a hint to use --help). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Exit codes, as the commands answer them. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
