#!/usr/bin/env node
// The `kurultai` command. Kurultai needs Node 24.16 or later; under an older Node (the system Node of a machine that
// the repository's set-up equipped with a private Node 24), it re-runs itself on that Node 24 rather than failing.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major > 24 || (major === 24 && minor >= 16)) {
  await import('../dist/bin.js');
} else {
  const cache = process.env.KURULTAI_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'kurultai');
  const candidates = existsSync(cache) ? readdirSync(cache).filter((d) => d.startsWith('node-24.')).sort().reverse() : [];
  const node = candidates.map((d) => join(cache, d, 'node_modules/node/bin/node')).find((p) => existsSync(p));
  if (node === undefined) {
    process.stderr.write(`kurultai: needs Node 24.16 or later, and this is Node ${process.versions.node}\n`);
    process.exit(1);
  }
  const run = spawnSync(node, [process.argv[1], ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(run.status ?? 1);
}
