/**
 * The layers tsquant converts, by tfjs class name. InputLayer and nested models (a Sequential or
 * functional model used as a layer) are handled by the graph walk in ../convert.ts.
 */
import { Activation, ReLU, Softmax } from "./activation";
import { BatchNormalization } from "./batchnorm";
import type { LayerConverter } from "./call";
import { Conv2D, DepthwiseConv2D, SeparableConv2D } from "./conv";
import { Dense } from "./dense";
import { Add, Concatenate, Multiply } from "./merge";
import { AveragePooling2D, GlobalAveragePooling2D, MaxPooling2D } from "./pooling";
import { Dropout, Flatten, Reshape, ZeroPadding2D } from "./shape";

export const LAYER_CONVERTERS: ReadonlyMap<string, LayerConverter> = new Map([
  ["Activation", Activation],
  ["Add", Add],
  ["AveragePooling2D", AveragePooling2D],
  ["BatchNormalization", BatchNormalization],
  ["Concatenate", Concatenate],
  ["Conv2D", Conv2D],
  ["Dense", Dense],
  ["DepthwiseConv2D", DepthwiseConv2D],
  ["Dropout", Dropout],
  ["Flatten", Flatten],
  ["GlobalAveragePooling2D", GlobalAveragePooling2D],
  ["MaxPooling2D", MaxPooling2D],
  ["Multiply", Multiply],
  ["ReLU", ReLU],
  ["Reshape", Reshape],
  ["SeparableConv2D", SeparableConv2D],
  ["Softmax", Softmax],
  ["ZeroPadding2D", ZeroPadding2D],
]);

/** Every layer class the converter accepts, sorted (InputLayer included). */
export const SUPPORTED_LAYERS: readonly string[] = [
  ...LAYER_CONVERTERS.keys(),
  "InputLayer",
].sort();
