/**
 * Typed errors. Every error tsquant throws on bad input is a `TsquantError`, and its message
 * names the thing that is wrong (file, tensor, op, shape expected vs found).
 */
export class TsquantError extends Error {
  override name = "TsquantError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/** A `.tflite` FlatBuffer that cannot be read: truncated, wrong identifier, indices out of range. */
export class ModelFormatError extends TsquantError {
  override name = "ModelFormatError";
}

/** An op or tensor type that the interpreter or converter does not support. */
export class UnsupportedError extends TsquantError {
  override name = "UnsupportedError";
}

/** A shape or dtype that does not match what an op, tensor or input expects. */
export class ShapeError extends TsquantError {
  override name = "ShapeError";
}

/** A data file (IDX, .npy) or data set that cannot be read. */
export class DataFormatError extends TsquantError {
  override name = "DataFormatError";
}

/** Misuse of the API: calling methods out of order, unknown tensor index, bad option. */
export class UsageError extends TsquantError {
  override name = "UsageError";
}
