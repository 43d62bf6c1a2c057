import { NeuralModelError } from './errors.js';
import { createPrng } from './prng.js';

/** Weights of the network as plain arrays (row-major), the shape they take in the model file. */
export interface NetworkWeights {
  inputSize: number;
  hiddenSize: number;
  /** hidden × input */
  w1: number[];
  b1: number[];
  /** 2 × hidden: row 0 is the benefit head, row 1 the harm head. */
  w2: number[];
  b2: number[];
}

/** What the network says about one (normalised) input. */
export interface NetworkOutput {
  /** Benefit head, on the learner's normalised scale. */
  benefit: number;
  /** Harm head after the sigmoid: probability in (0, 1). */
  harmProbability: number;
}

export interface TrainingTarget {
  benefit: number;
  /** 1 when harm followed, 0 when it did not. */
  harm: number;
}

export interface StepResult {
  /** Output before the step. */
  output: NetworkOutput;
  /** ½(benefit error)² + binary cross-entropy, before the step. */
  loss: number;
  /** L2 norm of the gradient before clipping. */
  gradientNorm: number;
}

export interface Network {
  readonly inputSize: number;
  readonly hiddenSize: number;
  forward(input: Float64Array): NetworkOutput;
  /** One SGD step on one example, with the gradient clipped to `maxGradientNorm`. */
  step(input: Float64Array, target: TrainingTarget, learningRate: number, maxGradientNorm: number): StepResult;
  toJSON(): NetworkWeights;
}

const OUTPUTS = 2;
const EPSILON = 1e-12;

function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/**
 * One hidden tanh layer and two heads: a linear regression head (benefit) and a logistic head
 * (harm), trained jointly. Weights live in Float64Arrays; initialisation is Glorot-uniform
 * from a seeded PRNG, so the same seed gives the same network on every machine.
 */
export function createNetwork(options: { inputSize: number; hiddenSize: number; seed?: number; weights?: NetworkWeights }): Network {
  const { inputSize, hiddenSize } = options;
  const w1 = new Float64Array(hiddenSize * inputSize);
  const b1 = new Float64Array(hiddenSize);
  const w2 = new Float64Array(OUTPUTS * hiddenSize);
  const b2 = new Float64Array(OUTPUTS);
  if (options.weights) {
    const weights = options.weights;
    if (weights.inputSize !== inputSize || weights.hiddenSize !== hiddenSize || weights.w1.length !== w1.length || weights.b1.length !== b1.length || weights.w2.length !== w2.length || weights.b2.length !== b2.length) {
      throw new NeuralModelError(`weights are for a ${weights.inputSize}→${weights.hiddenSize}→2 network, expected ${inputSize}→${hiddenSize}→2`);
    }
    w1.set(weights.w1);
    b1.set(weights.b1);
    w2.set(weights.w2);
    b2.set(weights.b2);
  } else {
    const random = createPrng(options.seed ?? 1);
    const limit1 = Math.sqrt(6 / (inputSize + hiddenSize));
    for (let i = 0; i < w1.length; i += 1) w1[i] = (random() * 2 - 1) * limit1;
    const limit2 = Math.sqrt(6 / (hiddenSize + 1));
    for (let i = 0; i < w2.length; i += 1) w2[i] = (random() * 2 - 1) * limit2;
  }

  const hidden = new Float64Array(hiddenSize);
  // Gradient buffers, reused by every step: replay takes hundreds of steps per outcome.
  const gw1 = new Float64Array(w1.length);
  const gb1 = new Float64Array(hiddenSize);
  const gw2 = new Float64Array(w2.length);
  const gb2 = new Float64Array(OUTPUTS);

  function forwardInto(input: Float64Array): { benefit: number; logit: number } {
    for (let j = 0; j < hiddenSize; j += 1) {
      let sum = b1[j] as number;
      const row = j * inputSize;
      for (let i = 0; i < inputSize; i += 1) sum += (w1[row + i] as number) * (input[i] as number);
      hidden[j] = Math.tanh(sum);
    }
    let benefit = b2[0] as number;
    let logit = b2[1] as number;
    for (let j = 0; j < hiddenSize; j += 1) {
      benefit += (w2[j] as number) * (hidden[j] as number);
      logit += (w2[hiddenSize + j] as number) * (hidden[j] as number);
    }
    return { benefit, logit };
  }

  return {
    inputSize,
    hiddenSize,
    forward(input) {
      const { benefit, logit } = forwardInto(input);
      return { benefit, harmProbability: sigmoid(logit) };
    },
    step(input, target, learningRate, maxGradientNorm) {
      const { benefit, logit } = forwardInto(input);
      const harmProbability = sigmoid(logit);
      const p = Math.min(1 - EPSILON, Math.max(EPSILON, harmProbability));
      const benefitError = benefit - target.benefit;
      const loss = 0.5 * benefitError * benefitError - (target.harm * Math.log(p) + (1 - target.harm) * Math.log(1 - p));
      // dL/dlogit of sigmoid + cross-entropy is simply p − y.
      const outputGradient = [benefitError, harmProbability - target.harm] as const;

      for (let k = 0; k < OUTPUTS; k += 1) {
        const gradient = outputGradient[k] as number;
        gb2[k] = gradient;
        for (let j = 0; j < hiddenSize; j += 1) gw2[k * hiddenSize + j] = gradient * (hidden[j] as number);
      }
      for (let j = 0; j < hiddenSize; j += 1) {
        const a = hidden[j] as number;
        const upstream = outputGradient[0] * (w2[j] as number) + outputGradient[1] * (w2[hiddenSize + j] as number);
        const dz = upstream * (1 - a * a);
        gb1[j] = dz;
        const row = j * inputSize;
        for (let i = 0; i < inputSize; i += 1) gw1[row + i] = dz * (input[i] as number);
      }

      let squared = 0;
      for (const gradient of [gw1, gb1, gw2, gb2]) for (const g of gradient) squared += g * g;
      const gradientNorm = Math.sqrt(squared);
      const scale = gradientNorm > maxGradientNorm ? maxGradientNorm / gradientNorm : 1;
      const rate = learningRate * scale;
      for (let i = 0; i < w1.length; i += 1) w1[i] = (w1[i] as number) - rate * (gw1[i] as number);
      for (let i = 0; i < b1.length; i += 1) b1[i] = (b1[i] as number) - rate * (gb1[i] as number);
      for (let i = 0; i < w2.length; i += 1) w2[i] = (w2[i] as number) - rate * (gw2[i] as number);
      for (let i = 0; i < b2.length; i += 1) b2[i] = (b2[i] as number) - rate * (gb2[i] as number);

      return { output: { benefit, harmProbability }, loss, gradientNorm };
    },
    toJSON() {
      return { inputSize, hiddenSize, w1: Array.from(w1), b1: Array.from(b1), w2: Array.from(w2), b2: Array.from(b2) };
    },
  };
}
