import type { Council } from './council.js';
import type { Decision } from './decision.js';
import type { ExamplesFile } from './schema.js';

/** A labelled example the council routed elsewhere. */
export interface ExampleMiss {
  readonly text: string;
  readonly expect: string;
  readonly decision: Decision;
}

export interface ExamplesReport {
  readonly total: number;
  readonly correct: number;
  /** correct / total, from 0 to 1. */
  readonly accuracy: number;
  /** The accuracy the examples file requires. */
  readonly minAccuracy: number;
  readonly passed: boolean;
  readonly misses: readonly ExampleMiss[];
}

/** Routes every labelled title (as a task's title, with no other facts) and compares the agent with the label. */
export function runExamples(council: Council, file: ExamplesFile): ExamplesReport {
  const misses: ExampleMiss[] = [];
  for (const [index, example] of file.examples.entries()) {
    const decision = council.route({ id: `example-${index + 1}`, title: example.text, source: 'examples' });
    if (decision.agent !== example.expect) misses.push({ text: example.text, expect: example.expect, decision });
  }
  const total = file.examples.length;
  const correct = total - misses.length;
  const accuracy = correct / total;
  return { total, correct, accuracy, minAccuracy: file.min_accuracy, passed: accuracy >= file.min_accuracy, misses };
}
