import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatProblem } from '../errors.js';
import type { Council } from '../router/council.js';
import { loadCouncil } from '../router/load-council.js';
import { createEmitter, type RulesReloadEvent } from './events.js';
import { watchRules } from './rules-reload.js';

const AGENTS = `version: 1
default_agent: scholar
agents:
  - { id: scholar, name: Scholar, role: Research, instructions: Find sources. }
  - { id: builder, name: Builder, role: Building, instructions: Write code. }
`;
const routing = (keyword: string) => `version: 1
rules:
  - { id: build, agent: builder, type: build, keywords: [${keyword}] }
`;

const folders: string[] = [];
const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

async function watchedRules() {
  const dir = mkdtempSync(join(tmpdir(), 'kurultai-rules-'));
  folders.push(dir);
  writeFileSync(join(dir, 'agents.yaml'), AGENTS);
  writeFileSync(join(dir, 'routing.yaml'), routing('implement'));
  const state = { council: await loadCouncil(dir) as Council };
  const reloads: RulesReloadEvent[] = [];
  const emit = createEmitter([{ onRulesReload: (event) => reloads.push(event) }]);
  stops.push(watchRules({ dir, loadCouncil, onCouncil: (council) => (state.council = council), emit, settleMs: 50 }));
  const agentFor = (title: string) => state.council.route({ id: 't', title, source: 'test' }).agent;
  return { dir, state, reloads, agentFor };
}

describe('watchRules', () => {
  it('puts the edited rules in force', async () => {
    const { dir, reloads, agentFor } = await watchedRules();
    expect(agentFor('Deploy the parser')).toBe('scholar');
    writeFileSync(join(dir, 'routing.yaml'), routing('deploy'));
    await expect.poll(() => reloads.at(-1), { timeout: 10_000 }).toEqual({ outcome: 'applied', agents: 2 });
    expect(agentFor('Deploy the parser')).toBe('builder');
  });

  it('reports a broken edit with its place and keeps the rules in force', async () => {
    const { dir, reloads, agentFor } = await watchedRules();
    writeFileSync(join(dir, 'routing.yaml'), 'version: 1\nrules:\n  - { id: build, agent: nobody, keywords: [deploy] }\n');
    await expect.poll(() => reloads.at(-1)?.outcome, { timeout: 10_000 }).toBe('rejected');
    const event = reloads.at(-1);
    const problems = event?.outcome === 'rejected' ? event.problems.map(formatProblem) : [];
    expect(problems[0]).toMatch(new RegExp(`^${join(dir, 'routing.yaml')}:3:\\d+: `));
    expect(agentFor('Implement the parser')).toBe('builder');
    expect(agentFor('Deploy the parser')).toBe('scholar');
  });
});
