export { fakeQuantOp, fakeQuantPerChannelOp, lastValueSymmetricRange } from "./ops";
export {
  ActivationQuantizer,
  QuantWeighted,
  QuantizeInput,
  type Activation,
  type FoldedBatchNorm,
  type QuantWeightedArgs,
} from "./layers";
export {
  quantizeAnnotateLayer,
  quantizeApply,
  quantizeModel,
  quantLayers,
  type QuantizeOptions,
} from "./quantize";
export { deployedFloatModel, learnedRanges, type LearnedRange, type QatRanges } from "./export";
