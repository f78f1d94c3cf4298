import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatProblem, KurultaiError } from '../errors.js';
import { councilFromText } from './council-from-text.js';
import { loadCouncil, loadExamples, readCouncil } from './load-council.js';
import { rulesFileKind } from './rules-file-kind.js';

const AGENTS = `version: 1
default_agent: lead
agents:
  - id: lead
    name: Lead
    role: plans
    instructions: Plan.
  - id: tester
    name: Tëster
    role: tests
    instructions: Test.
`;

function problemsOf(files: Record<string, string>): string[] {
  const result = councilFromText({ 'agents.yaml': AGENTS, ...files });
  return result.ok ? [] : result.problems.map(formatProblem);
}

const routing = (rules: string) => `version: 1\nrules:\n${rules}`;

describe('loading a council', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kurultai-rules-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads a folder and routes with it', async () => {
    await writeFile(join(dir, 'agents.yaml'), AGENTS);
    await writeFile(join(dir, 'routing.yaml'), routing('  - { id: t, agent: tester, keywords: [test] }\n'));
    const council = await loadCouncil(dir);
    expect(council.route({ id: '1', title: 'Testing', source: 's' }).agent).toBe('tester');
    expect(council.agents.map((agent) => agent.name)).toEqual(['Lead', 'Tëster']);
  });

  it('merges every rules file of the folder', async () => {
    await writeFile(join(dir, 'agents.yaml'), AGENTS);
    await writeFile(join(dir, 'routing.yaml'), routing('  - { id: a, agent: tester, keywords: [test] }\n'));
    await writeFile(join(dir, 'extra.yml'), routing('  - { id: b, agent: tester, keywords: [qa] }\n'));
    expect((await loadCouncil(dir)).rules.map((rule) => rule.id)).toEqual(['b', 'a']);
  });

  it('does not read examples files as rules', async () => {
    await writeFile(join(dir, 'agents.yaml'), AGENTS);
    await writeFile(join(dir, 'examples.yaml'), 'version: 1\nmin_accuracy: 1\nexamples: [{ text: x, expect: lead }]\n');
    expect((await loadCouncil(dir)).rules).toEqual([]);
  });

  it('throws every problem of the folder at once, loading nothing', async () => {
    await writeFile(join(dir, 'agents.yaml'), AGENTS);
    await writeFile(join(dir, 'routing.yaml'), routing('  - { id: a, agent: nobody, keywords: [x] }\n  - { id: b, agent: lead }\n'));
    const error = await loadCouncil(dir).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(KurultaiError);
    expect((error as KurultaiError).code).toBe('rules_invalid');
    expect((error as KurultaiError).problems.map(formatProblem)).toEqual([
      `${join(dir, 'routing.yaml')}:3:21: unknown agent "nobody"; the council has lead, tester`,
      `${join(dir, 'routing.yaml')}:4:5: a rule needs keywords, weights or a when condition`,
    ]);
  });

  it('reports a folder without agents.yaml', async () => {
    const result = await readCouncil(dir);
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([`${dir}: no agents.yaml in this folder`]);
  });

  it('refuses a folder with two agents files', async () => {
    await writeFile(join(dir, 'agents.yaml'), AGENTS);
    await writeFile(join(dir, 'agents.yml'), AGENTS);
    const result = await readCouncil(dir);
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([`${join(dir, 'agents.yml')}: a second agents file; the council is already in ${join(dir, 'agents.yaml')}`]);
  });

  it('reports a folder that does not exist', async () => {
    const result = await readCouncil(join(dir, 'missing'));
    expect(result.ok ? [] : result.problems.map((problem) => problem.message)).toEqual(['folder not found']);
  });

  it('rejects a file that is not UTF-8', async () => {
    await writeFile(join(dir, 'agents.yaml'), Buffer.from([0x76, 0x65, 0x72, 0xc3, 0x28]));
    const result = await readCouncil(dir);
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([`${join(dir, 'agents.yaml')}:1:4: file is not valid UTF-8 (byte 0xC3 here); save it as UTF-8`]);
  });

  it('rejects an oversized file before reading it', async () => {
    await writeFile(join(dir, 'agents.yaml'), AGENTS);
    await writeFile(join(dir, 'routing.yaml'), `# ${'x'.repeat(1024 * 1024)}\n`);
    const result = await readCouncil(dir);
    expect(result.ok ? [] : result.problems.map((problem) => problem.message)).toEqual(['file is 1048579 bytes, more than the 1048576 bytes allowed']);
  });

  it('checks the expected agents of an examples file', async () => {
    await writeFile(join(dir, 'examples.yaml'), 'version: 1\nmin_accuracy: 0.5\nexamples:\n  - { text: Hi, expect: ghost }\n');
    const result = await loadExamples(join(dir, 'examples.yaml'), ['lead']);
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([`${join(dir, 'examples.yaml')}:4:25: unknown agent "ghost"; the council has lead`]);
  });
});

const OPERATOR_LIST = 'equal, notEqual, contains, doesNotContain, in, notIn, lessThan, lessThanInclusive, greaterThan, greaterThanInclusive, dateBefore, dateAfter, withinDays';

describe('the loader reports, with its place', () => {
  // Each case: what is wrong, the routing.yaml that has it, and the one problem expected.
  it.each([
    ['a YAML syntax error', 'version: 1\nrules:\n  - { id: a, agent: lead\n', '4:1: Flow map in block collection must be sufficiently indented and end with a }'],
    ['a field of the wrong type', routing('  - { id: a, agent: lead, keywords: [x], weight: heavy }\n'), '3:50: rules[0].weight: Invalid input: expected number, received string'],
    ["an unknown field, at the field's name", routing('  - id: a\n    agent: lead\n    keyword: [x]\n'), '5:5: unknown field "keyword" in rules[0]'],
    ['an unknown agent', routing('  - { id: a, agent: ghost, keywords: [x] }\n'), '3:21: unknown agent "ghost"; the council has lead, tester'],
    ['an unknown operator', routing('  - id: a\n    agent: lead\n    when: { fact: tags, operator: includes, value: x }\n'), `5:35: rules[0].when.operator: unknown operator; use one of ${OPERATOR_LIST}`],
    ['an unknown fact', routing('  - { id: a, agent: lead, when: { fact: owner, operator: equal, value: x } }\n'), '3:41: rules[0].when.fact: must be one of title, description, priority, tags, source, properties'],
    ['a path on a fact that is not properties', routing('  - { id: a, agent: lead, when: { fact: title, path: $.x, operator: equal, value: x } }\n'), '3:54: rules[0].when.path: path only applies to the properties fact'],
    ['an empty keyword', routing('  - { id: a, agent: lead, keywords: [ok, ""] }\n'), '3:42: rules[0].keywords[1]: must not be empty'],
    ['a keyword with nothing to match', routing('  - { id: a, agent: lead, keywords: ["--"] }\n'), '3:38: keyword "--" has no letters or digits to match'],
    ['a rule that can never match', routing('  - { id: a, agent: lead, when: { fact: title, operator: contains, value: x } }\n'), '3:33: this rule can never match: "contains" tests a list, and title is not one (use tags, or a keyword)'],
    ['an unsupported version', 'version: 2\nrules: []\n', '1:10: version: unsupported version 2; this Kurultai reads version 1'],
    ['a missing field', routing('  - { id: a, keywords: [x] }\n'), '3:5: rules[0].agent: missing field'],
    ['a duplicate key', 'version: 1\nversion: 1\nrules: []\n', '2:1: Map keys must be unique'],
    ['keywords and weights in one rule', routing('  - { id: a, agent: lead, keywords: [x], weights: { y: 1 } }\n'), '3:51: rules[0].weights: a rule has either keywords with one weight, or weights per word; not both'],
    ['a weight that is not positive', routing('  - { id: a, agent: lead, weights: { y: 0 } }\n'), '3:41: rules[0].weights.y: must be greater than 0'],
    ['a weighted word with nothing to match', routing('  - { id: a, agent: lead, weights: { "--": 1 } }\n'), '3:44: keyword "--" has no letters or digits to match'],
    ['a fallback that asks an unknown agent', 'version: 1\nfallback: { below: 0.5, ask: ghost }\nrules: []\n', '2:30: unknown agent "ghost"; the council has lead, tester'],
  ])('%s', (_, text, problem) => {
    expect(problemsOf({ 'routing.yaml': text })).toEqual([`routing.yaml:${problem}`]);
  });

  it('a second calibration or fallback setting in another file', () => {
    const settings = 'version: 1\ncalibration: { temperature: 2 }\nfallback: { below: 0.5, ask: lead }\nrules: []\n';
    expect(problemsOf({ 'a.yaml': settings, 'b.yaml': settings })).toEqual([
      'b.yaml:2:14: a second calibration setting; the council\'s is at a.yaml:2:14',
      'b.yaml:3:11: a second fallback setting; the council\'s is at a.yaml:3:11',
    ]);
  });

  it('an unknown default agent', () => {
    const result = councilFromText({ 'agents.yaml': AGENTS.replace('default_agent: lead', 'default_agent: boss') });
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual(['agents.yaml:2:16: unknown agent "boss"; the council has lead, tester']);
  });

  it('an agent id used twice', () => {
    const result = councilFromText({ 'agents.yaml': `${AGENTS}  - { id: lead, name: Again, role: r, instructions: i }\n` });
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual(['agents.yaml:12:11: duplicate agent id "lead"; it is also defined at agents.yaml:4:9']);
  });

  it('a rule id used twice, even across files', () => {
    expect(problemsOf({ 'a.yaml': routing('  - { id: same, agent: lead, keywords: [x] }\n'), 'b.yaml': routing('  - { id: same, agent: lead, keywords: [y] }\n') })).toEqual([
      'b.yaml:3:11: duplicate rule id "same"; it is also defined at a.yaml:3:5',
    ]);
  });

  it('every problem of every file, not only the first', () => {
    const files = {
      'a.yaml': routing('  - { id: a, agent: ghost, keywords: [x] }\n  - { id: b, agent: lead, keywords: [y], weight: 0 }\n'),
      'b.yaml': 'version: 3\nrules: []\n',
      'c.yaml': routing('  - { id: c, agent: nobody, keywords: [z] }\n'),
    };
    expect(problemsOf(files)).toEqual([
      'a.yaml:3:21: unknown agent "ghost"; the council has lead, tester',
      'a.yaml:4:50: rules[1].weight: must be greater than 0',
      'b.yaml:1:10: version: unsupported version 3; this Kurultai reads version 1',
      'c.yaml:3:21: unknown agent "nobody"; the council has lead, tester',
    ]);
  });
});

describe('rulesFileKind', () => {
  it.each([
    ['rules/agents.yaml', 'agents'],
    ['rules/examples.yaml', 'examples'],
    ['rules/security.examples.yml', 'examples'],
    ['rules/routing.yaml', 'routing'],
    ['rules/team-rules.yml', 'routing'],
  ] as const)('reads %s as %s', (file, kind) => {
    expect(rulesFileKind(file)).toBe(kind);
  });
});
