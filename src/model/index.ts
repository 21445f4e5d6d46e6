/** tfjs models and losses for wav2vec-U-style adversarial training. */
export { convPadding, unfold, conv1dMatmul, type ConvPadding } from './conv.js';
export { gelu, dropout } from './layers.js';
export { type ModelWeights, type WeightArray } from './params.js';
export { Generator, validateGeneratorConfig, type GeneratorConfig, type GeneratorOutput } from './generator.js';
export { Discriminator, validateDiscriminatorConfig, type DiscriminatorConfig } from './discriminator.js';
export {
  discriminatorLoss,
  generatorAdversarialLoss,
  gradientPenalty,
  smoothnessLoss,
  diversityLoss,
  auxClusterLoss,
  ngramMatchingLoss,
  type GradientPenaltyNorm,
} from './losses.js';
export { joinSegments, runsOf, type JoinResult } from './join.js';
export { lengthMask, oneHotBatch } from './batch.js';
