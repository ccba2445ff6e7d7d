export { fakeQuantOp, fakeQuantPerChannelOp, lastValueSymmetricRange } from "./ops";
export {
  ActivationQuantizer,
  QuantMerge,
  QuantPool,
  QuantWeighted,
  QuantizeInput,
  type QatActivation,
  type FoldedBatchNorm,
  type QuantWeightedArgs,
} from "./layers";
export {
  quantizeAnnotateLayer,
  quantizeApply,
  quantizeModel,
  quantLayers,
  type QuantizeModelOptions,
} from "./quantize";
export { deployedFloatModel, learnedRanges, type LearnedRange, type QatRanges } from "./export";
export { isQatModel, qatConversionInput, type QatConversionInput } from "./convert";
