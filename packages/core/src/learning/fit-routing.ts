import { KurultaiError } from '../errors.js';
import { councilFromText } from '../router/council-from-text.js';
import type { CompiledCouncil } from '../router/compile-council.js';
import { fitTemperature, type ScoredExample } from './calibration.js';
import { evaluateRouting } from './evaluate-routing.js';
import { writeFittedRules } from './fitted-rules-file.js';
import type { LabelledExample } from './labelled-examples.js';
import { taskFeatures } from './routing-features.js';
import { trainSoftmaxRegression } from './softmax-regression.js';

/** What `kurultai fit` learns from. */
export interface FitRequest {
  /** `agents.yaml` and the hand-written routing files, by file name: they stay in force, and the weights learn on top. */
  readonly rulesFiles: Readonly<Record<string, string>>;
  /** The name the fitted file will have in the rules folder (for the places in its explanations). */
  readonly fittedFileName: string;
  readonly examples: readonly LabelledExample[];
  /** Held-out examples the temperature is fitted on; without them, the cross-validation's held-out predictions are used. */
  readonly calibrationExamples?: readonly LabelledExample[];
  /** Comment lines for the head of the file: what the weights were fitted from. */
  readonly provenance: readonly string[];
}

export interface FitResult {
  /** The fitted rules file, ready to write. */
  readonly text: string;
  /** The hand-written rules' accuracy on the examples (nothing is fitted, so nothing needs holding out). */
  readonly accuracyBefore: number;
  /** The accuracy of the hand-written rules plus fitted weights on examples held out of each fit, pooled over the folds. */
  readonly crossValidatedAccuracy: number;
  readonly folds: number;
  /** Whether the folds kept each field's examples together (every example named its field). */
  readonly foldsByField: boolean;
  readonly l2: number;
  readonly temperature: number;
  /** Words and phrases the fitted file holds. */
  readonly keywordCount: number;
}

/** L2 penalties tried by cross-validation, strongest first; the first of equally accurate ones wins (simpler weights). */
const L2_CANDIDATES = [3e-3, 1e-3, 3e-4, 1e-4];
const MAX_FOLDS = 5;
/** A word or phrase must occur in this many training examples to get a weight: one sighting is noise. */
const MIN_OCCURRENCES = 3;

/**
 * Learns a weight per word or phrase and agent from labelled examples, on top of the hand-written rules: multinomial
 * logistic regression whose offsets are the hand rules' scores, its L2 penalty chosen by cross-validation (folds by
 * field when the examples name one, so the estimate is for fields the weights never saw), then fitted on all the
 * examples and written as a rules file with a calibrated temperature. Deterministic: the same request gives the same file.
 */
export function fitRouting(request: FitRequest): FitResult {
  const hand = compile(request.rulesFiles);
  const agentIds = hand.agents.map((agent) => agent.id);
  const examples = request.examples.map((example) => prepare(example, hand, agentIds));
  const folds = assignFolds(request.examples);
  const foldCount = Math.max(...folds) + 1;
  if (foldCount < 2) throw new KurultaiError('fit_failed', 'cross-validation needs examples from at least two fields or ten examples');

  let best: { l2: number; accuracy: number; heldOut: ScoredExample[] } | undefined;
  for (const l2 of L2_CANDIDATES) {
    let correct = 0;
    const heldOut: ScoredExample[] = [];
    for (let fold = 0; fold < foldCount; fold += 1) {
      const training = examples.filter((_, index) => folds[index] !== fold);
      const council = compile({ ...request.rulesFiles, [request.fittedFileName]: fitText(training, agentIds, l2, 1, []) });
      for (const [index, example] of examples.entries()) {
        if (folds[index] !== fold) continue;
        const decision = council.route(example.task);
        if (decision.agent === agentIds[example.label]) correct += 1;
        heldOut.push({ scores: agentIds.map((id) => decision.scores[id] ?? 0), label: example.label });
      }
    }
    const accuracy = correct / examples.length;
    if (best === undefined || accuracy > best.accuracy) best = { l2, accuracy, heldOut };
  }
  if (best === undefined) throw new KurultaiError('fit_failed', 'no penalty to try');

  const untuned = compile({ ...request.rulesFiles, [request.fittedFileName]: fitText(examples, agentIds, best.l2, 1, []) });
  const calibrationSet =
    request.calibrationExamples === undefined
      ? best.heldOut
      : request.calibrationExamples.map((example) => {
          const { task, label } = prepare(example, hand, agentIds);
          const decision = untuned.route(task);
          return { scores: agentIds.map((id) => decision.scores[id] ?? 0), label };
        });
  const temperature = fitTemperature(calibrationSet);
  const text = fitText(examples, agentIds, best.l2, temperature, request.provenance);
  return {
    text,
    accuracyBefore: evaluateRouting(hand, request.examples).accuracy,
    crossValidatedAccuracy: best.accuracy,
    folds: foldCount,
    foldsByField: request.examples.every((example) => example.field !== undefined),
    l2: best.l2,
    temperature,
    keywordCount: text.split('\n').filter((line) => /^ {6}\S/.test(line)).length,
  };
}

interface PreparedExample {
  readonly task: { readonly id: string; readonly title: string; readonly description?: string; readonly source: string };
  readonly features: ReadonlyMap<string, string>;
  readonly offsets: readonly number[];
  readonly label: number;
}

function prepare(example: LabelledExample, hand: CompiledCouncil, agentIds: readonly string[]): PreparedExample {
  const task = { id: 'example', title: example.title, source: 'examples', ...(example.description === undefined ? {} : { description: example.description }) };
  const decision = hand.route(task);
  return {
    task,
    features: taskFeatures(example.title, example.description),
    offsets: agentIds.map((id) => decision.scores[id] ?? 0),
    label: agentIds.indexOf(example.expect),
  };
}

/** Trains on the examples and writes the rules file, with the vocabulary the examples themselves support. */
function fitText(examples: readonly PreparedExample[], agentIds: readonly string[], l2: number, temperature: number, provenance: readonly string[]): string {
  const counts = new Map<string, { count: number; written: string }>();
  for (const { features } of examples) {
    for (const [stems, written] of features) {
      const seen = counts.get(stems);
      if (seen === undefined) counts.set(stems, { count: 1, written });
      else seen.count += 1;
    }
  }
  const vocabulary = [...counts].filter(([, { count }]) => count >= MIN_OCCURRENCES).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const indexOf = new Map(vocabulary.map(([stems], index) => [stems, index]));
  const weights = trainSoftmaxRegression(
    {
      features: examples.map(({ features }) => [...features.keys()].flatMap((stems) => indexOf.get(stems) ?? [])),
      offsets: examples.map(({ offsets }) => offsets),
      labels: examples.map(({ label }) => label),
      featureCount: vocabulary.length,
      classCount: agentIds.length,
    },
    { l2 },
  );
  return writeFittedRules({ agentIds, keywords: vocabulary.map(([, { written }]) => written), weights, temperature, provenance });
}

/**
 * Each example's fold: by field when every example names one (whole fields held out, sorted by name and dealt round),
 * else by position.
 */
function assignFolds(examples: readonly LabelledExample[]): number[] {
  const fields = examples.every((example) => example.field !== undefined) ? [...new Set(examples.map((example) => example.field ?? ''))].sort() : undefined;
  if (fields !== undefined && fields.length >= 2) {
    const count = Math.min(MAX_FOLDS, fields.length);
    const foldOf = new Map(fields.map((field, index) => [field, index % count]));
    return examples.map((example) => foldOf.get(example.field ?? '') ?? 0);
  }
  const count = examples.length >= 10 ? MAX_FOLDS : 1;
  return examples.map((_, index) => index % count);
}

function compile(files: Readonly<Record<string, string>>): CompiledCouncil {
  const result = councilFromText(files);
  if (!result.ok) {
    throw new KurultaiError('rules_invalid', 'the rules to fit on top of do not compile; run `kurultai validate`', { problems: result.problems });
  }
  return result.council;
}
