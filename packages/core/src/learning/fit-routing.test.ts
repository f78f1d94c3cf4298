import { describe, expect, it } from 'vitest';
import { councilFromText } from '../router/council-from-text.js';
import { evaluateRouting } from './evaluate-routing.js';
import { fitRouting, type FitRequest } from './fit-routing.js';
import type { LabelledExample } from './labelled-examples.js';

const AGENTS = `version: 1
default_agent: lead
agents:
  - { id: lead, name: Lead, role: plans, instructions: Plan. }
  - { id: tester, name: Tester, role: tests, instructions: Test. }
  - { id: scribe, name: Scribe, role: writes, instructions: Write. }
`;
const HAND_RULES = `version: 1
rules:
  - { id: tests, agent: tester, weight: 3, keywords: [test] }
`;

/** Titles in three fields; each field says the same kinds of work in its own words. */
const TITLES: readonly (readonly [field: string, expect: string, title: string])[] = [
  ['web', 'tester', 'flaky checkout spec on CI'],
  ['web', 'tester', 'coverage for the cart reducer'],
  ['web', 'tester', 'flaky login spec'],
  ['web', 'scribe', 'readme for the checkout widget'],
  ['web', 'scribe', 'changelog entry for the cart release'],
  ['web', 'scribe', 'readme section on theming'],
  ['web', 'lead', 'plan the cart milestone'],
  ['web', 'lead', 'schedule the checkout kickoff'],
  ['web', 'lead', 'plan the q3 milestone'],
  ['games', 'tester', 'flaky physics spec'],
  ['games', 'tester', 'coverage for the save system'],
  ['games', 'tester', 'coverage for inventory'],
  ['games', 'scribe', 'readme for the modding kit'],
  ['games', 'scribe', 'changelog for patch 1.2'],
  ['games', 'scribe', 'changelog for the demo'],
  ['games', 'lead', 'plan the alpha milestone'],
  ['games', 'lead', 'schedule the playtest kickoff'],
  ['games', 'lead', 'schedule the art review'],
  ['lab', 'tester', 'flaky pipeline spec'],
  ['lab', 'tester', 'coverage for the aligner'],
  ['lab', 'scribe', 'readme for the lab server'],
  ['lab', 'scribe', 'changelog for the toolkit'],
  ['lab', 'lead', 'plan the grant milestone'],
  ['lab', 'lead', 'schedule the lab kickoff'],
];
const EXAMPLES: readonly LabelledExample[] = TITLES.map(([field, expect, title], index) => ({ field, expect, title, place: { line: index + 1 } }));

const request = (overrides: Partial<FitRequest> = {}): FitRequest => ({
  rulesFiles: { 'agents.yaml': AGENTS, 'routing.yaml': HAND_RULES },
  fittedFileName: 'fitted.yaml',
  examples: EXAMPLES,
  provenance: ['fitted in a test'],
  ...overrides,
});

describe('fitting routing weights', () => {
  it('learns words that route titles of a field it never saw, where the hand rules alone route none of them', () => {
    const result = fitRouting(request({ examples: EXAMPLES.filter((example) => example.field !== 'lab') }));
    const fitted = councilFromText({ 'agents.yaml': AGENTS, 'routing.yaml': HAND_RULES, 'fitted.yaml': result.text });
    if (!fitted.ok) throw new Error(fitted.problems.map((problem) => problem.message).join('\n'));
    const lab = EXAMPLES.filter((example) => example.field === 'lab');
    expect(evaluateRouting(fitted.council, lab).accuracy).toBe(1);
    const hand = councilFromText({ 'agents.yaml': AGENTS, 'routing.yaml': HAND_RULES });
    if (!hand.ok) throw new Error('hand rules do not compile');
    expect(evaluateRouting(hand.council, lab.filter((example) => example.expect !== 'lead')).accuracy).toBe(0);
  });

  it('reports the cross-validated accuracy with whole fields held out, above the hand rules alone', () => {
    const result = fitRouting(request());
    expect(result).toMatchObject({ folds: 3, foldsByField: true });
    expect(result.accuracyBefore).toBeCloseTo(8 / 24, 5);
    // Each fold learns from two fields only, so words the held-out field shares with just one of them are not learned.
    expect(result.crossValidatedAccuracy).toBeGreaterThan(result.accuracyBefore + 0.25);
  });

  it('writes one rule per agent with a weight per word, readable as a routing file', () => {
    const { text } = fitRouting(request());
    expect(text).toMatch(/^ {2}- id: fitted-tester\n {4}agent: tester\n {4}weights:\n( {6}.+\n)*? {6}flaky: \d\.\d\d\n/m);
    expect(text).toContain('# fitted in a test');
    expect(text).toMatch(/^calibration: \{ temperature: [\d.]+ \}$/m);
  });

  it('writes the same file for the same examples', () => {
    expect(fitRouting(request()).text).toBe(fitRouting(request()).text);
  });

  it('fits the temperature on the calibration examples when given: where they disagree with the weights, it warms', () => {
    const disputed = EXAMPLES.map((example, index) => (index % 3 === 0 ? { ...example, expect: 'lead' } : example));
    const withHeldOut = fitRouting(request({ calibrationExamples: disputed }));
    const crossValidated = fitRouting(request());
    expect(withHeldOut.temperature).toBeGreaterThan(crossValidated.temperature);
  });

  it('refuses to cross-validate examples from one field', () => {
    expect(() => fitRouting(request({ examples: EXAMPLES.filter((example) => example.field === 'web') }))).toThrow(/at least two fields/);
  });
});
