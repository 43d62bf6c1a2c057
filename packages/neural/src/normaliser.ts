import { NeuralModelError, NeuralOptionsError } from './errors.js';

/** Serialised state of a normaliser: Welford's running count, mean and sum of squared deviations. */
export interface NormaliserState {
  count: number;
  mean: number[];
  m2: number[];
}

export interface Normaliser {
  readonly size: number;
  readonly count: number;
  /** Folds one observation into the running mean and variance. */
  update(values: ArrayLike<number>): void;
  /**
   * `(x − mean) / std`, clipped to ±5. The spread is never taken below the feature's floor, so a
   * feature that has barely moved yet is not blown up into noise; with no floor and no spread
   * yet, a feature passes as `x − mean`.
   */
  transform(values: ArrayLike<number>): Float64Array;
  toJSON(): NormaliserState;
}

const CLIP = 5;
const MIN_VARIANCE = 1e-12;

/**
 * An online z-score normaliser (Welford's algorithm), so features of wildly different scales —
 * percentages, PSI, minutes, refault rates — reach the network on one scale without a
 * training pass over stored data.
 */
export function createNormaliser(size: number, state?: NormaliserState, minStd?: readonly number[]): Normaliser {
  if (minStd && (minStd.length !== size || !minStd.every((value) => Number.isFinite(value) && value >= 0))) {
    throw new NeuralOptionsError(`normaliser floors must be ${size} finite numbers ≥ 0, got [${minStd.join(', ')}]`);
  }
  const mean = new Float64Array(size);
  const m2 = new Float64Array(size);
  let count = 0;
  if (state) {
    if (state.mean.length !== size || state.m2.length !== size) throw new NeuralModelError(`normaliser has ${state.mean.length} features, expected ${size}`);
    mean.set(state.mean);
    m2.set(state.m2);
    count = state.count;
  }
  return {
    size,
    get count() {
      return count;
    },
    update(values) {
      count += 1;
      for (let i = 0; i < size; i += 1) {
        const x = values[i] as number;
        const delta = x - (mean[i] as number);
        mean[i] = (mean[i] as number) + delta / count;
        m2[i] = (m2[i] as number) + delta * (x - (mean[i] as number));
      }
    },
    transform(values) {
      const out = new Float64Array(size);
      for (let i = 0; i < size; i += 1) {
        const variance = count > 1 ? (m2[i] as number) / (count - 1) : 0;
        const centred = (values[i] as number) - (mean[i] as number);
        const std = Math.max(variance > MIN_VARIANCE ? Math.sqrt(variance) : 0, minStd?.[i] ?? 0);
        const z = std > 0 ? centred / std : centred;
        out[i] = Math.max(-CLIP, Math.min(CLIP, z));
      }
      return out;
    },
    toJSON() {
      return { count, mean: Array.from(mean), m2: Array.from(m2) };
    },
  };
}
