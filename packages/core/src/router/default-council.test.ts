import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { evaluateRouting } from '../learning/evaluate-routing.js';
import { loadLabelledSet } from '../learning/labelled-examples.js';
import { loadCouncil } from './load-council.js';

const RULES_DIR = new URL('../../../../rules/', import.meta.url);
const rulesPath = (file = '') => new URL(file, RULES_DIR).pathname;

describe('the default council in rules/', () => {
  it('has the six agents of the council, with their names in UTF-8', async () => {
    const council = await loadCouncil(rulesPath());
    expect(council.agents.map((agent) => [agent.id, agent.name])).toEqual([
      ['mongke', 'Möngke'],
      ['temujin', 'Temüjin'],
      ['chagatai', 'Chagatai'],
      ['jochi', 'Jochi'],
      ['ogedei', 'Ögedei'],
      ['kublai', 'Kublai'],
    ]);
    expect(council.defaultAgent).toBe('kublai');
  });

  it('routes the labelled examples at least as accurately as examples.yaml requires', async () => {
    const council = await loadCouncil(rulesPath());
    const examples = await loadLabelledSet(rulesPath('examples.yaml'), council.agents.map((agent) => agent.id));
    expect(examples.examples.length).toBeGreaterThanOrEqual(150);
    const report = evaluateRouting(council, examples.examples);
    expect(report.accuracy).toBeGreaterThanOrEqual(examples.minAccuracy ?? 1);
  });

  it.each(['agents', 'routing', 'examples'])('points %s.yaml at its shipped JSON Schema', async (name) => {
    const text = await readFile(rulesPath(`${name}.yaml`), 'utf8');
    expect(text.split('\n')[0]).toBe(`# yaml-language-server: $schema=../packages/core/schema/${name}.schema.json`);
  });
});
