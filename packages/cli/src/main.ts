import { describeError, formatProblem, KurultaiError } from '@kurultai/core';
import { parseArgs } from 'node:util';
import { EXIT, UsageError, type Command, type CommandContext } from './command.js';
import { COMMANDS } from './commands/index.js';
import { paint, wantsColor } from './paint.js';
import { isReaderGone, readerClosableOutput } from './reader-closable-output.js';

/** Options every command accepts. */
const COMMON_OPTIONS = { help: { type: 'boolean', short: 'h' }, debug: { type: 'boolean' } } as const;

/** The process around the CLI; `main` reads nothing else, so it runs the same in tests. */
export interface MainEnvironment {
  readonly stdout: NodeJS.WritableStream & { readonly isTTY?: boolean; readonly columns?: number };
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

const PROCESS: MainEnvironment = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() };

/**
 * Runs the kurultai command line and answers the exit code: 0 success, 1 a check failed or an error, 2 a usage
 * mistake. An error prints as one line (a rules error adds one line per problem); `--debug` adds the stack.
 */
export async function main(argv: readonly string[], environment: MainEnvironment = PROCESS): Promise<number> {
  const context = commandContext(environment);
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    context.stdout(overview());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (command === undefined) return usageError(context, `unknown command "${name}"`, undefined);
  const debug = rest.includes('--debug');
  try {
    const { values, positionals } = parseArgs({ args: [...rest], options: { ...COMMON_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
    if (values.help === true) {
      context.stdout(commandHelp(command));
      return EXIT.ok;
    }
    return await command.run({ values, positionals }, context);
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) return usageError(context, (error as Error).message, command);
    reportError(context, error, debug);
    return EXIT.failed;
  }
}

function commandContext(environment: MainEnvironment): CommandContext {
  const outputClosed = new AbortController();
  const stderr = readerClosableOutput(environment.stderr, () => {});
  const stdout = readerClosableOutput(environment.stdout, (error) => {
    if (!isReaderGone(error)) stderr(`kurultai: standard output failed: ${error.message}\n`);
    outputClosed.abort(error);
  });
  return {
    stdout,
    stderr,
    outputClosed: outputClosed.signal,
    stdin: environment.stdin.isTTY === true ? undefined : (environment.stdin as AsyncIterable<string | Buffer>),
    cwd: environment.cwd,
    env: environment.env,
    color: wantsColor(environment.env, environment.stdout.isTTY === true),
    terminalColumns: environment.stdout.isTTY === true ? (environment.stdout.columns ?? 80) : undefined,
  };
}

function reportError(context: CommandContext, error: unknown, debug: boolean): void {
  const prefix = paint(context.color, 'red', 'kurultai:');
  if (error instanceof KurultaiError) {
    context.stderr(`${prefix} ${error.toString()}\n`);
    const problems = error.problems.filter((problem) => problem.message !== error.message);
    for (const problem of problems) context.stderr(`${formatProblem(problem)}\n`);
  } else {
    context.stderr(`${prefix} ${describeError(error)}\n`);
  }
  if (debug && error instanceof Error && error.stack !== undefined) context.stderr(`${error.stack}\n`);
}

function usageError(context: CommandContext, message: string, command: Command | undefined): number {
  const help = command === undefined ? 'kurultai --help' : `kurultai ${command.name} --help`;
  context.stderr(`${paint(context.color, 'red', 'kurultai:')} ${message} (see ${help})\n`);
  return EXIT.usage;
}

function isParseArgsError(error: unknown): boolean {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' && error.code.startsWith('ERR_PARSE_ARGS_');
}

function overview(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  const lines = COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
  return `Usage: kurultai <command> [options]

Kurultai routes tasks to a council of AI agents.

Commands:
${lines.join('\n')}

Every command takes --help, and --debug to show an error's stack trace. NO_COLOR turns colours off.
`;
}

function commandHelp(command: Command): string {
  return `Usage: kurultai ${command.name} ${command.usage}

${command.summary[0]?.toUpperCase()}${command.summary.slice(1)}.

${command.description}
  -h, --help       show this help
      --debug      show the stack trace of an error
`;
}
