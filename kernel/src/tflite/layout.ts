/**
 * Layout facts of the file a model was read from, kept beside (not inside) the IR so that
 * `writeModel` can reproduce that file byte for byte. Keyed weakly by the Model object; a model
 * built in memory, or a copy of one, has no entry and gets the writer's defaults.
 */
import type { Model } from "../ir";

export interface SourceLayout {
  /** 16 if every constant data vector in the file starts on a 16-byte boundary, else 1. */
  dataAlignment: 1 | 16;
}

export const sourceLayout = new WeakMap<Model, SourceLayout>();
