import { describe, expect, it } from 'vitest';
import { calibrationReport, fitTemperature, type ScoredExample } from './calibration.js';

describe('fitting a temperature', () => {
  it('recovers the temperature that generated the labels', () => {
    // Two classes, score gap d: with temperature 2 the first class is right with probability 1/(1+e^(-d/2)).
    const examples: ScoredExample[] = [];
    for (const gap of [0.5, 1, 2, 4]) {
      const share = 1 / (1 + Math.exp(-gap / 2));
      const right = Math.round(share * 1000);
      for (let index = 0; index < 1000; index += 1) examples.push({ scores: [gap, 0], label: index < right ? 0 : 1 });
    }
    expect(fitTemperature(examples)).toBeCloseTo(2, 1);
  });

  it('cools over-cautious scores: a council always right gets a low temperature', () => {
    const examples = Array.from({ length: 100 }, () => ({ scores: [1, 0, 0], label: 0 }));
    expect(fitTemperature(examples)).toBeLessThan(0.1);
  });
});

describe('the calibration report', () => {
  it('weighs each bin by its decisions: |accuracy - confidence| averaged', () => {
    const decisions = [
      ...Array.from({ length: 10 }, (_, index) => ({ confidence: 0.95, correct: index < 9 })),
      ...Array.from({ length: 10 }, (_, index) => ({ confidence: 0.55, correct: index < 8 })),
    ];
    const report = calibrationReport(decisions);
    expect(report.bins).toEqual([
      { from: 0.5, to: 0.6, count: 10, confidence: expect.closeTo(0.55, 9) as number, accuracy: 0.8 },
      { from: 0.9, to: 1, count: 10, confidence: expect.closeTo(0.95, 9) as number, accuracy: 0.9 },
    ]);
    expect(report.expectedError).toBeCloseTo(0.5 * 0.25 + 0.5 * 0.05, 9);
  });
});
