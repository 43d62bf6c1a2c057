import { describe, expect, it } from 'vitest';
import { createNetwork, type Network } from './network.js';

const input = Float64Array.of(0.5, -1.2, 2, 0.1);
const target = { benefit: 1.5, harm: 1 };

function loss(network: Network): number {
  const output = network.forward(input);
  return 0.5 * (output.benefit - target.benefit) ** 2 - Math.log(output.harmProbability);
}

describe('createNetwork', () => {
  it('takes a gradient step that matches the numerical gradient of its loss', () => {
    const weights = createNetwork({ inputSize: 4, hiddenSize: 3, seed: 5 }).toJSON();
    const learningRate = 1e-3;
    const stepped = createNetwork({ inputSize: 4, hiddenSize: 3, weights });
    stepped.step(input, target, learningRate, 1e9);
    const after = stepped.toJSON();
    for (const key of ['w1', 'b1', 'w2', 'b2'] as const) {
      weights[key].forEach((value, i) => {
        const h = 1e-6;
        const plus = structuredClone(weights);
        plus[key][i] = value + h;
        const minus = structuredClone(weights);
        minus[key][i] = value - h;
        const numerical = (loss(createNetwork({ inputSize: 4, hiddenSize: 3, weights: plus })) - loss(createNetwork({ inputSize: 4, hiddenSize: 3, weights: minus }))) / (2 * h);
        const analytical = (value - (after[key][i] as number)) / learningRate;
        expect(analytical).toBeCloseTo(numerical, 5);
      });
    }
  });

  it('clips the gradient to the given norm', () => {
    const weights = createNetwork({ inputSize: 4, hiddenSize: 3, seed: 5 }).toJSON();
    const network = createNetwork({ inputSize: 4, hiddenSize: 3, weights });
    const { gradientNorm } = network.step(input, { benefit: 100, harm: 0 }, 1, 0.01);
    expect(gradientNorm).toBeGreaterThan(0.01);
    const after = network.toJSON();
    let moved = 0;
    for (const key of ['w1', 'b1', 'w2', 'b2'] as const) weights[key].forEach((value, i) => (moved += (value - (after[key][i] as number)) ** 2));
    expect(Math.sqrt(moved)).toBeCloseTo(0.01, 12);
  });

  it('refuses weights of another shape', () => {
    const weights = createNetwork({ inputSize: 4, hiddenSize: 3 }).toJSON();
    expect(() => createNetwork({ inputSize: 5, hiddenSize: 3, weights })).toThrow('weights are for a 4→3→2 network, expected 5→3→2');
  });
});
