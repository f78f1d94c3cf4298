/** Runs the kurultai command line and answers the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  process.stderr.write(`kurultai: no commands yet (${argv.join(' ')})\n`);
  return 2;
}
