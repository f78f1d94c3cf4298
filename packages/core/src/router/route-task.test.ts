import { describe, expect, it } from 'vitest';
import type { TaskInput } from '../task.js';
import { councilFromText } from './council-from-text.js';
import type { CompiledCouncil } from './compile-council.js';
import { DESCRIPTION_SCAN_LIMIT } from './route-task.js';

const AGENTS = `version: 1
default_agent: lead
agents:
  - { id: lead, name: Lead, role: plans, instructions: Plan. }
  - { id: tester, name: Tester, role: tests, instructions: Test. }
  - { id: builder, name: Builder, role: builds, instructions: Build. }
  - { id: scribe, name: Scribe, role: writes, instructions: Write. }
`;

function council(rules: string): CompiledCouncil {
  const result = councilFromText({ 'agents.yaml': AGENTS, 'routing.yaml': `version: 1\nrules:\n${rules}` });
  if (!result.ok) throw new Error(result.problems.map((problem) => problem.message).join('\n'));
  return result.council;
}

const task = (title: string, extra: Partial<TaskInput> = {}): TaskInput => ({ id: 't1', title, source: 'test', ...extra });

const RULES = `
  - { id: testing, agent: tester, type: testing, weight: 3, keywords: [test, unit test, qa] }
  - { id: build, agent: builder, type: implementation, weight: 3, keywords: [build, implement] }
  - { id: tool, agent: builder, weight: 1, keywords: [tool, script] }
  - { id: write, agent: scribe, type: writing, weight: 1, keywords: [write] }
  - { id: docs, agent: scribe, type: documentation, weight: 3, keywords: [docs] }
  - { id: security-tag, agent: tester, type: security, weight: 2, when: { fact: tags, operator: contains, value: security } }
  - { id: urgent-build, agent: builder, weight: 2, keywords: [build], when: { fact: priority, operator: equal, value: critical } }
`;

describe('routing a task', () => {
  it('gives the task to the agent with the highest total', () => {
    const decision = council(RULES).route(task('Write unit tests for the parser'));
    expect(decision).toMatchObject({ agent: 'tester', type: 'testing', score: 3, margin: 2, reason: 'highest-score' });
  });

  it('adds the weights of every matching rule of an agent', () => {
    expect(council(RULES).route(task('Build a tool')).scores).toEqual({ lead: 0, tester: 0, builder: 4, scribe: 0 });
  });

  it('counts a rule once however many of its keywords match', () => {
    expect(council(RULES).route(task('QA and test the unit tests')).scores['tester']).toBe(3);
  });

  it('reports every agent, including those that scored nothing, in council order', () => {
    expect(Object.keys(council(RULES).route(task('Build it')).scores)).toEqual(['lead', 'tester', 'builder', 'scribe']);
  });

  it('gives a task that matches nothing to the default agent', () => {
    expect(council(RULES).route(task('Hello there'))).toMatchObject({ agent: 'lead', type: 'general', score: 0, margin: 0, reason: 'default-agent', matched: [] });
  });

  it('breaks a tie in favour of the agent whose words come first in the title', () => {
    const rules = council(RULES);
    expect(rules.route(task('Build the docs site'))).toMatchObject({ agent: 'builder', reason: 'tie-break', margin: 0 });
    expect(rules.route(task('Docs for the build'))).toMatchObject({ agent: 'scribe', reason: 'tie-break', margin: 0 });
  });

  it('breaks a tie between equal positions by council order', () => {
    const rules = council(`
  - { id: a, agent: scribe, keywords: [review] }
  - { id: b, agent: tester, keywords: [review] }
`);
    expect(rules.route(task('Review the change'))).toMatchObject({ agent: 'tester', reason: 'tie-break' });
  });

  it('takes the type from the winner\'s highest-weighted rule that names one', () => {
    expect(council(RULES).route(task('Build a script')).type).toBe('implementation');
  });

  it('lists the rules that fired with their keywords and the words as written, highest weight first', () => {
    const decision = council(RULES).route(task('Implement a Script'));
    expect(decision.matched.map((hit) => [hit.ruleId, hit.weight, hit.keywords, hit.matchedText])).toEqual([
      ['build', 3, ['implement'], ['Implement']],
      ['tool', 1, ['script'], ['Script']],
    ]);
  });

  it('quotes words inside a longer match of the same rule only once', () => {
    expect(council(RULES).route(task('Add unit tests and a test')).matched[0]).toMatchObject({ keywords: ['unit test', 'test'], matchedText: ['unit tests', 'test'] });
  });

  it('points each rule that fired at the line it was written on', () => {
    expect(council(RULES).route(task('Build')).matched[0]?.place).toBe('routing.yaml:5:5');
  });

  it('lets a when-only rule score when its condition holds', () => {
    const decision = council(RULES).route(task('Look at login', { tags: ['security'] }));
    expect(decision).toMatchObject({ agent: 'tester', type: 'security', score: 2 });
  });

  it('adds a keyword rule gated by a condition only when the condition holds', () => {
    const rules = council(RULES);
    expect(rules.route(task('Build it', { priority: 'critical' })).score).toBe(5);
    const normal = rules.route(task('Build it', { priority: 'normal' }));
    expect(normal.score).toBe(3);
    expect(normal.matched.find((hit) => hit.ruleId === 'urgent-build')).toMatchObject({ condition: false, weight: 0 });
  });

  it('finds keywords in the description as well as the title', () => {
    expect(council(RULES).route(task('Parser', { description: 'We need unit tests here.' })).agent).toBe('tester');
  });

  it('reads only the opening of a long description', () => {
    const description = `${'filler '.repeat(DESCRIPTION_SCAN_LIMIT / 7)} unit tests`;
    expect(council(RULES).route(task('Parser', { description })).agent).toBe('lead');
  });

  it('prefers a title word over a description word when scores tie', () => {
    expect(council(RULES).route(task('Docs', { description: 'build' })).agent).toBe('scribe');
  });
});

describe('rules with a weight per word', () => {
  const WEIGHTED = `
  - id: fitted-tester
    agent: tester
    weights: { flaky: 1.5, unit test: 0.75, spec: 0.25 }
  - id: fitted-scribe
    agent: scribe
    weights: { spec: 1.25 }
`;

  it('adds the weight of every word found, each once', () => {
    const decision = council(WEIGHTED).route(task('Flaky unit tests in the flaky spec'));
    expect(decision.scores).toMatchObject({ tester: 2.5, scribe: 1.25 });
    expect(decision).toMatchObject({ agent: 'tester', score: 2.5, margin: 1.25 });
  });

  it("explains each word's contribution, in the order the words were found", () => {
    const [hit] = council(WEIGHTED).route(task('unit tests are flaky')).matched;
    expect(hit).toMatchObject({ ruleId: 'fitted-tester', weight: 2.25, keywords: ['unit test', 'flaky'], keywordWeights: [0.75, 1.5] });
  });

  it('adds up with keyword rules', () => {
    expect(council(`${RULES}${WEIGHTED}`).route(task('Write the spec')).scores).toMatchObject({ tester: 0.25, scribe: 2.25 });
  });
});

describe('confidence', () => {
  it("is the winner's share of the softmax of the scores", () => {
    const decision = council(RULES).route(task('Write unit tests for the parser'));
    // tester 3, scribe 1, lead 0, builder 0
    const expected = Math.exp(3) / (Math.exp(3) + Math.exp(1) + 2);
    expect(decision.confidence).toBeCloseTo(expected, 3);
  });

  it('is spread evenly when no rule matched', () => {
    expect(council(RULES).route(task('Hello')).confidence).toBe(0.25);
  });

  it("follows the rules' calibration temperature: a higher one is less sure of the same scores", () => {
    const warm = councilFromText({ 'agents.yaml': AGENTS, 'routing.yaml': `version: 1\ncalibration: { temperature: 3 }\nrules:\n${RULES}` });
    if (!warm.ok) throw new Error('does not compile');
    const expected = Math.exp(1) / (Math.exp(1) + Math.exp(1 / 3) + 2);
    expect(warm.council.route(task('Write unit tests for the parser')).confidence).toBeCloseTo(expected, 3);
  });
});

describe('the fallback policy', () => {
  it('is compiled into the council with its timeout in milliseconds', () => {
    const result = councilFromText({ 'agents.yaml': AGENTS, 'routing.yaml': `version: 1\nfallback: { below: 0.6, ask: lead, timeout_seconds: 20 }\nrules:\n${RULES}` });
    expect(result.ok && result.council.fallback).toEqual({ below: 0.6, ask: 'lead', timeoutMs: 20_000 });
  });

  it('waits 60 seconds for the orchestrator when no timeout is set, and is absent when not configured', () => {
    const set = councilFromText({ 'agents.yaml': AGENTS, 'routing.yaml': `version: 1\nfallback: { below: 0.5, ask: lead }\nrules:\n${RULES}` });
    expect(set.ok && set.council.fallback?.timeoutMs).toBe(60_000);
    expect(council(RULES).fallback).toBeUndefined();
  });
});

describe('the council\'s prompts', () => {
  it('builds the persona prompt of a council agent', () => {
    expect(council(RULES).prompt('tester', task('Check it')).startsWith('You are Tester, tests\n\nTest.\n')).toBe(true);
  });

  it('refuses an agent outside the council, naming the task', () => {
    expect(() => council(RULES).prompt('ghost', task('Check it'))).toThrow(expect.objectContaining({ code: 'unknown_agent', place: { taskId: 't1' } }));
  });
});
