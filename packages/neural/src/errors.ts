/** A feature vector or training label the learner will not take: NaN, ±∞ or the wrong length. */
export class NeuralInputError extends Error {
  override readonly name = 'NeuralInputError';
  readonly code = 'GOV_NEURAL_INVALID_INPUT';
  constructor(
    message: string,
    readonly field: string,
    readonly value: unknown,
  ) {
    super(message);
  }
}

/** A saved model that cannot be trusted: garbled JSON, an unknown format, another feature schema. */
export class NeuralModelError extends Error {
  override readonly name = 'NeuralModelError';
  readonly code = 'GOV_NEURAL_MODEL_INVALID';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Learner or advisor options out of their allowed range. */
export class NeuralOptionsError extends Error {
  override readonly name = 'NeuralOptionsError';
  readonly code = 'GOV_NEURAL_INVALID_OPTIONS';
  constructor(message: string) {
    super(message);
  }
}

/** Reading, writing or setting aside the model file failed. */
export class NeuralStoreError extends Error {
  override readonly name = 'NeuralStoreError';
  readonly code = 'GOV_NEURAL_STORE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
