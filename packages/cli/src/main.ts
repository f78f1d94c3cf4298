import type { CommandIo } from './commands/command-io.js';
import { retryCommand } from './commands/retry.js';
import { runCommand } from './commands/run.js';
import { statusCommand } from './commands/status.js';

const COMMANDS: Readonly<Record<string, (argv: readonly string[], io: CommandIo) => Promise<number>>> = {
  run: runCommand,
  status: statusCommand,
  retry: retryCommand,
};

/** Runs the kurultai command line and answers the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name === undefined ? undefined : COMMANDS[name];
  if (command === undefined) {
    process.stderr.write(`kurultai: unknown command ${name ?? '(none)'}; commands: ${Object.keys(COMMANDS).join(', ')}\n`);
    return 2;
  }
  return command(rest, { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() });
}
