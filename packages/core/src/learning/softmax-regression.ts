/**
 * Multinomial logistic regression over binary features, with fixed per-example offsets: the score of class c for an
 * example is offset[c] + the sum of weight[f][c] over its features f, and the probability is the softmax of the scores.
 * The offsets are the hand-written rules' scores, so the weights learn what those rules miss, and the two add up at
 * routing time exactly as they did here.
 *
 * Plain arrays and full-batch Adam: a few thousand examples fit in well under a second, and the result is the same
 * for the same input (no sampling, fixed iteration count, fixed summation order).
 */
export interface TrainingSet {
  /** Per example, the indexes of the features it has. */
  readonly features: readonly (readonly number[])[];
  /** Per example, one offset per class. */
  readonly offsets: readonly (readonly number[])[];
  /** Per example, the index of its class. */
  readonly labels: readonly number[];
  readonly featureCount: number;
  readonly classCount: number;
}

export interface RegressionOptions {
  /** L2 penalty on the weights, per example: the loss is mean log-loss + l2 / 2 * sum of squared weights. */
  readonly l2: number;
  readonly iterations?: number;
  readonly learningRate?: number;
}

/** Weights as `featureCount` rows of `classCount` values, row-major. */
export type RegressionWeights = Float64Array;

const ADAM_BETA1 = 0.9;
const ADAM_BETA2 = 0.999;
const ADAM_EPSILON = 1e-8;

export function trainSoftmaxRegression(set: TrainingSet, options: RegressionOptions): RegressionWeights {
  const { featureCount, classCount } = set;
  const iterations = options.iterations ?? 300;
  const learningRate = options.learningRate ?? 0.1;
  const weights = new Float64Array(featureCount * classCount);
  const gradient = new Float64Array(weights.length);
  const moment = new Float64Array(weights.length);
  const velocity = new Float64Array(weights.length);
  const probabilities = new Float64Array(classCount);
  const scale = 1 / set.labels.length;

  for (let step = 1; step <= iterations; step += 1) {
    for (let index = 0; index < weights.length; index += 1) gradient[index] = options.l2 * (weights[index] ?? 0);
    for (let example = 0; example < set.labels.length; example += 1) {
      const features = set.features[example] ?? [];
      predictInto(probabilities, weights, features, set.offsets[example] ?? [], classCount);
      const label = set.labels[example] ?? 0;
      for (let c = 0; c < classCount; c += 1) {
        const error = ((probabilities[c] ?? 0) - (c === label ? 1 : 0)) * scale;
        if (error === 0) continue;
        for (const feature of features) gradient[feature * classCount + c] = (gradient[feature * classCount + c] ?? 0) + error;
      }
    }
    const correction1 = 1 - ADAM_BETA1 ** step;
    const correction2 = 1 - ADAM_BETA2 ** step;
    for (let index = 0; index < weights.length; index += 1) {
      const g = gradient[index] ?? 0;
      const m = ADAM_BETA1 * (moment[index] ?? 0) + (1 - ADAM_BETA1) * g;
      const v = ADAM_BETA2 * (velocity[index] ?? 0) + (1 - ADAM_BETA2) * g * g;
      moment[index] = m;
      velocity[index] = v;
      weights[index] = (weights[index] ?? 0) - (learningRate * (m / correction1)) / (Math.sqrt(v / correction2) + ADAM_EPSILON);
    }
  }
  return weights;
}

/** Writes the softmax of one example's scores into `into`. */
function predictInto(into: Float64Array, weights: RegressionWeights, features: readonly number[], offsets: readonly number[], classCount: number): void {
  let top = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < classCount; c += 1) {
    let score = offsets[c] ?? 0;
    for (const feature of features) score += weights[feature * classCount + c] ?? 0;
    into[c] = score;
    if (score > top) top = score;
  }
  let total = 0;
  for (let c = 0; c < classCount; c += 1) {
    const share = Math.exp((into[c] ?? 0) - top);
    into[c] = share;
    total += share;
  }
  for (let c = 0; c < classCount; c += 1) into[c] = (into[c] ?? 0) / total;
}
