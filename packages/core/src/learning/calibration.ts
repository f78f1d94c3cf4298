/**
 * Confidence calibration: one temperature that turns a council's scores into probabilities that mean what they say,
 * and the expected calibration error that checks it.
 */

/** A decision's scores (one per agent, council order) and the index of the right agent. */
export interface ScoredExample {
  readonly scores: readonly number[];
  readonly label: number;
}

const LOWEST_TEMPERATURE = 0.02;
const HIGHEST_TEMPERATURE = 50;
const SEARCH_STEPS = 80;

/**
 * The temperature T that minimises the log-loss of softmax(scores / T) on the examples (temperature scaling). The loss
 * is convex in 1/T, so a golden-section search over log T finds it; the result is rounded to 3 significant digits so
 * a refit on the same data writes the same file.
 */
export function fitTemperature(examples: readonly ScoredExample[]): number {
  const loss = (logT: number) => meanLogLoss(examples, Math.exp(logT));
  let low = Math.log(LOWEST_TEMPERATURE);
  let high = Math.log(HIGHEST_TEMPERATURE);
  const ratio = (Math.sqrt(5) - 1) / 2;
  for (let step = 0; step < SEARCH_STEPS; step += 1) {
    const left = high - ratio * (high - low);
    const right = low + ratio * (high - low);
    if (loss(left) <= loss(right)) high = right;
    else low = left;
  }
  return Number(Math.exp((low + high) / 2).toPrecision(3));
}

function meanLogLoss(examples: readonly ScoredExample[], temperature: number): number {
  let total = 0;
  for (const { scores, label } of examples) {
    const top = Math.max(...scores);
    let sum = 0;
    for (const score of scores) sum += Math.exp((score - top) / temperature);
    total += Math.log(sum) - ((scores[label] ?? 0) - top) / temperature;
  }
  return total / Math.max(1, examples.length);
}

/** One bin of a reliability table: decisions whose confidence fell in [from, to). */
export interface CalibrationBin {
  readonly from: number;
  readonly to: number;
  readonly count: number;
  /** Mean confidence of the bin's decisions. */
  readonly confidence: number;
  /** Share of them that were right. */
  readonly accuracy: number;
}

export interface CalibrationReport {
  /** Expected calibration error over 10 equal-width bins, 0 to 1: the count-weighted mean |accuracy - confidence|. */
  readonly expectedError: number;
  readonly bins: readonly CalibrationBin[];
}

const BIN_COUNT = 10;

export function calibrationReport(decisions: readonly { readonly confidence: number; readonly correct: boolean }[]): CalibrationReport {
  const sums = Array.from({ length: BIN_COUNT }, () => ({ count: 0, confidence: 0, correct: 0 }));
  for (const { confidence, correct } of decisions) {
    const bin = sums[Math.min(BIN_COUNT - 1, Math.floor(confidence * BIN_COUNT))];
    if (bin === undefined) continue;
    bin.count += 1;
    bin.confidence += confidence;
    bin.correct += correct ? 1 : 0;
  }
  let error = 0;
  const bins: CalibrationBin[] = [];
  for (const [index, bin] of sums.entries()) {
    if (bin.count === 0) continue;
    const confidence = bin.confidence / bin.count;
    const accuracy = bin.correct / bin.count;
    error += (bin.count / decisions.length) * Math.abs(accuracy - confidence);
    bins.push({ from: index / BIN_COUNT, to: (index + 1) / BIN_COUNT, count: bin.count, confidence, accuracy });
  }
  return { expectedError: error, bins };
}
