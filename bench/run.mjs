// Runs the benchmarks in bench/: every `<name>.bench.ts`, or only those named on the command line
// (`pnpm bench routing`). Each runs in a fresh Node process, so one benchmark's JIT state and heap never skew another's.
// Node 24 runs the .ts files directly (type stripping); they import the built packages, which `pnpm bench` builds first.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const available = readdirSync(here).filter((file) => file.endsWith('.bench.ts')).map((file) => file.replace(/\.bench\.ts$/, '')).sort();
const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  process.stderr.write(`bench: no benchmark named ${unknown.join(', ')}; there are: ${available.join(', ')}\n`);
  process.exit(2);
}
let failed = false;
for (const name of wanted.length > 0 ? wanted : available) {
  process.stdout.write(`\n## ${name}\n`);
  const run = spawnSync(process.execPath, [`${here}${name}.bench.ts`], { stdio: 'inherit' });
  failed ||= run.status !== 0;
}
process.exit(failed ? 1 : 0);
