export { Interpreter } from "./interpreter";
export type { InterpreterOptions, TensorDetails } from "./interpreter";
