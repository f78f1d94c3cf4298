import { describe, expect, it } from 'vitest';
import { correctDecision } from './correct-decision.js';
import type { Decision, RuleHit } from './decision.js';

const hit = (ruleId: string, agent: string, weight: number, type?: string, condition = true): RuleHit => ({
  ruleId,
  agent,
  weight,
  keywords: [ruleId],
  matchedText: [ruleId],
  condition,
  ...(type === undefined ? {} : { type }),
});

const routed: Decision = {
  agent: 'temujin',
  type: 'implementation',
  score: 5,
  scores: { mongke: 0, temujin: 5, jochi: 3 },
  margin: 2,
  matched: [
    hit('build', 'temujin', 5, 'implementation'),
    hit('audit', 'jochi', 2, 'security'),
    hit('test', 'jochi', 1, 'testing'),
    hit('scan', 'jochi', 0, 'scanning', false),
  ],
  confidence: 0.84,
  reason: 'highest-score',
  rationale: 'the orchestrator thought so',
};

describe('correctDecision', () => {
  it("gives the task to the chosen agent with reason correction, confidence 1 and the person's why as rationale", () => {
    expect(correctDecision(routed, 'jochi', 'a security review')).toMatchObject({
      agent: 'jochi',
      reason: 'correction',
      confidence: 1,
      rationale: 'a security review',
    });
  });

  it("keeps every agent's score and every matched rule, so an explanation still shows what the rules saw", () => {
    const corrected = correctDecision(routed, 'jochi');
    expect(corrected.scores).toEqual(routed.scores);
    expect(corrected.matched).toEqual(routed.matched);
  });

  it("scores the chosen agent as the rules did, with a margin below zero when they preferred another", () => {
    expect(correctDecision(routed, 'jochi')).toMatchObject({ score: 3, margin: -2 });
    expect(correctDecision(routed, 'mongke')).toMatchObject({ score: 0, margin: -5 });
  });

  it("takes the type of the chosen agent's highest-weighted rule that held, else general", () => {
    expect(correctDecision(routed, 'jochi').type).toBe('security');
    expect(correctDecision(routed, 'mongke').type).toBe('general');
  });

  it("drops the router's rationale when the person gives no why", () => {
    expect(correctDecision(routed, 'jochi')).not.toHaveProperty('rationale');
  });
});
