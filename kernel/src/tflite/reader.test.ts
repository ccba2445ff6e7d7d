import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as flatbuffers from "flatbuffers";
import { ModelFormatError, UnsupportedError } from "../errors";
import type { DType, Model } from "../ir";
import { Buffer as FbBuffer } from "./generated/tflite/buffer";
import { Model as FbModel } from "./generated/tflite/model";
import { SparsityParameters } from "./generated/tflite/sparsity-parameters";
import { SubGraph as FbSubGraph } from "./generated/tflite/sub-graph";
import { Tensor as FbTensor } from "./generated/tflite/tensor";
import { carriedFeaturesModel } from "./options-samples";
import { readModel } from "./reader";
import { GraphBuilder, SAMPLE_OPTIONS, everyOpModel, floatDenseModel, perTensor } from "./testing";
import { serializeUnchecked, writeModel } from "./writer";

/** Asserts a ModelFormatError whose message matches every pattern. */
function rejects(bytes: Uint8Array, ...patterns: RegExp[]): void {
  assert.throws(
    () => readModel(bytes),
    (e: unknown) => {
      assert.ok(e instanceof ModelFormatError, `expected ModelFormatError, got ${String(e)}`);
      for (const p of patterns) assert.match(e.message, p);
      return true;
    },
  );
}

/** Writes IR without the writer's checks, so the reader must catch the problem. */
function broken(edit: (m: Model) => void, base: () => Model = floatDenseModel): Uint8Array {
  const model = base();
  edit(model);
  return serializeUnchecked(model);
}

function sub(m: Model) {
  const sg = m.subgraphs[0];
  assert.ok(sg !== undefined);
  return sg;
}

/** Position of the first element of vector field `slot` of a generated table. */
function vectorAt(table: { bb: flatbuffers.ByteBuffer | null; bb_pos: number }, slot: number) {
  assert.ok(table.bb !== null);
  return table.bb.__vector(table.bb_pos + table.bb.__offset(table.bb_pos, 4 + 2 * slot));
}

describe("readModel on valid input", () => {
  test("reads what writeModel wrote", () => {
    const model = everyOpModel();
    assert.deepEqual(readModel(writeModel(model)), model);
  });

  test("reads from a Uint8Array at any byteOffset and does not alias it", () => {
    const bytes = writeModel(floatDenseModel());
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    const model = readModel(shifted.subarray(3));
    assert.deepEqual(model, floatDenseModel());
    shifted.fill(0);
    assert.deepEqual(model, floatDenseModel());
  });

  test("an op and an options union value newer than the schema are readable", () => {
    const g = new GraphBuilder();
    const x = g.tensor("x", "float32", [2]);
    const y = g.tensor("y", "float32", [2]);
    g.op(250, [x], [y], SAMPLE_OPTIONS.pad); // no such op yet; PadOptions (union type 22) patched below
    const bytes = writeModel(g.io([x], [y]).build());
    const op = FbModel.getRootAsModel(new flatbuffers.ByteBuffer(bytes)).subgraphs(0)?.operators(0);
    assert.ok(op !== null && op !== undefined && op.bb !== null);
    const typeAt = op.bb_pos + op.bb.__offset(op.bb_pos, 10);
    assert.equal(bytes[typeAt], 22);
    bytes[typeAt] = 200; // past the last member (RightShiftOptions = 126)
    const model = readModel(bytes);
    assert.deepEqual(sub(model).operators[0]?.builtinOptions, {
      type: "UnknownOptions",
      unionType: 200,
    });
    assert.equal(model.operatorCodes[0]?.builtinCode, 250);
  });
});

describe("readModel rejects malformed files with a ModelFormatError", () => {
  const good = writeModel(everyOpModel());

  test("not bytes", () => {
    assert.throws(() => readModel("model" as unknown as Uint8Array), ModelFormatError);
  });

  test("truncated below the FlatBuffer header", () => {
    rejects(good.subarray(0, 5), /truncated .tflite file: 5 bytes/);
  });

  test("truncated anywhere (every 13th prefix length)", () => {
    for (let n = 0; n < good.length; n += 13) {
      assert.throws(() => readModel(good.subarray(0, n)), ModelFormatError, `length ${n}`);
    }
  });

  test("wrong file identifier", () => {
    const bytes = good.slice();
    bytes.set([84, 70, 76, 50], 4); // "TFL2"
    rejects(bytes, /file identifier is "TFL2", expected "TFL3"/);
  });

  test("root offset out of range", () => {
    const bytes = good.slice();
    new DataView(bytes.buffer).setUint32(0, 0xffffff00, true);
    rejects(bytes, /malformed FlatBuffer at Model: table offset \d+ is outside the file/);
  });

  test("a vector claiming 2^31 elements fails fast instead of looping", () => {
    const bytes = good.slice();
    const tensor = FbModel.getRootAsModel(new flatbuffers.ByteBuffer(bytes))
      .subgraphs(0)
      ?.tensors(0);
    assert.ok(tensor !== null && tensor !== undefined);
    const lengthAt = vectorAt(tensor, 0) - 4; // shape vector length
    new DataView(bytes.buffer).setUint32(lengthAt, 2 ** 31, true);
    const start = performance.now();
    rejects(
      bytes,
      /at Model\.subgraphs\[0\]\.tensors\[0\]\.shape: vector of 2147483648 × 4 bytes at \d+ runs past the end of the file/,
    );
    assert.ok(performance.now() - start < 500);
  });

  test("a vtable field offset of 32768 or more (negative to flatbuffers-js) is refused", () => {
    const bytes = good.slice();
    const view = new DataView(bytes.buffer);
    const tensor = FbModel.getRootAsModel(new flatbuffers.ByteBuffer(bytes))
      .subgraphs(0)
      ?.tensors(0);
    assert.ok(tensor !== null && tensor !== undefined);
    const vtable = tensor.bb_pos - view.getInt32(tensor.bb_pos, true);
    view.setUint16(vtable + 4, 0x8000, true); // slot 0 (shape)
    rejects(
      bytes,
      /at Model\.subgraphs\[0\]\.tensors\[0\]\.shape: field offset -32768 is inside the table header/,
    );
  });

  test("a table size of 32768 or more (negative to flatbuffers-js) is refused", () => {
    // Large enough a file that the Model table (near the start) would fit a 36 KB "object".
    const g = new GraphBuilder();
    const x = g.tensor("x", "float32", [10000]);
    const c = g.tensor("c", "float32", [10000], { data: new Float32Array(10000) });
    const y = g.tensor("y", "float32", [10000]);
    g.op("ADD", [x, c], [y], SAMPLE_OPTIONS.add);
    const bytes = writeModel(g.io([x], [y]).build());
    const view = new DataView(bytes.buffer);
    const root = view.getUint32(0, true);
    const vtable = root - view.getInt32(root, true);
    view.setUint16(vtable + 2, 0x9000, true); // object size 36864
    view.setUint16(vtable + 6, 0x8000, true); // operator_codes at +32768
    rejects(bytes, /at Model: table of -28672 bytes/);
  });

  test("schema version other than 3", () => {
    rejects(
      broken((m) => (m.version = 2)),
      /schema version is 2, expected 3/,
    );
  });

  test("buffer 0 is not the empty sentinel", () => {
    rejects(
      broken((m) => (m.buffers[0] = { data: new Uint8Array(4) })),
      /buffer 0 holds 4 bytes/,
    );
  });

  test("opcode index out of range", () => {
    rejects(
      broken((m) => {
        const op = sub(m).operators[1];
        assert.ok(op !== undefined);
        op.opcodeIndex = 5;
      }),
      /operator #1 \(opcode #5\): opcode index 5 is out of range \(the model has 2 operator codes\)/,
    );
  });

  test("tensor buffer index out of range", () => {
    rejects(
      broken((m) => {
        const t = sub(m).tensors[1];
        assert.ok(t !== undefined);
        t.buffer = 99;
      }),
      /tensor 'w' \(#1\) refers to buffer 99, but the model has 6 buffers/,
    );
  });

  test("tensor data shorter than its shape", () => {
    rejects(
      broken((m) => {
        const t = sub(m).tensors[2];
        assert.ok(t !== undefined);
        m.buffers[t.buffer] = { data: new Uint8Array(8) };
      }),
      /tensor 'b' \(#2\) \(float32, shape \[3\]\) needs 12 bytes of data, but buffer 3 holds 8/,
    );
  });

  test("operator input index outside the tensor list, naming an unknown op", () => {
    rejects(
      broken((m) => {
        m.operatorCodes[1] = { builtinCode: 250, customCode: null, version: 1 };
        const op = sub(m).operators[1];
        assert.ok(op !== undefined);
        op.builtinOptions = null;
        op.inputs = [42];
      }),
      /operator #1 \(BUILTIN_250\): input 0 refers to tensor 42, but the subgraph has 5 tensors/,
    );
  });

  test("operator output index outside the tensor list", () => {
    rejects(
      broken((m) => {
        const op = sub(m).operators[0];
        assert.ok(op !== undefined);
        op.outputs = [-1];
      }),
      /operator #0 \(FULLY_CONNECTED\): output 0 refers to tensor -1/,
    );
  });

  test("tensor consumed before the operator that produces it", () => {
    rejects(
      broken((m) => sub(m).operators.reverse()),
      /operator #0 \(SOFTMAX\) reads tensor 'h' \(#3\) before operator #1 \(FULLY_CONNECTED\) produces it/,
    );
  });

  test("cyclic references", () => {
    const g = new GraphBuilder();
    const x = g.tensor("x", "float32", [2]);
    const a = g.tensor("a", "float32", [2]);
    const b = g.tensor("b", "float32", [2]);
    g.op("ADD", [x, b], [a], SAMPLE_OPTIONS.add);
    g.op("RELU", [a], [b]);
    g.io([x], [a]);
    rejects(
      serializeUnchecked(g.build()),
      /operator #0 \(ADD\) reads tensor 'b' \(#2\) before operator #1 \(RELU\) produces it \(operators out of order or cyclic\)/,
    );
  });

  test("dangling tensor: not an input, constant, variable or any op's output", () => {
    const g = new GraphBuilder();
    const x = g.tensor("x", "float32", [2]);
    const lost = g.tensor("lost", "float32", [2]);
    const y = g.tensor("y", "float32", [2]);
    g.op("ADD", [x, lost], [y], SAMPLE_OPTIONS.add);
    rejects(
      serializeUnchecked(g.io([x], [y]).build()),
      /operator #0 \(ADD\) reads tensor 'lost' \(#1\), which is dangling: neither a graph input, a constant, a variable nor produced by any operator/,
    );
  });

  test("two operators produce the same tensor", () => {
    rejects(
      broken((m) => {
        const op = sub(m).operators[1];
        assert.ok(op !== undefined);
        op.outputs = [3];
      }),
      /tensor 'h' \(#3\) is produced twice: by operator #0 \(FULLY_CONNECTED\) and by operator #1 \(SOFTMAX\)/,
    );
  });

  test("operator writes a constant", () => {
    rejects(
      broken((m) => {
        const op = sub(m).operators[1];
        assert.ok(op !== undefined);
        op.outputs = [1];
      }),
      /operator #1 \(SOFTMAX\) writes tensor 'w' \(#1\), which is a constant/,
    );
  });

  test("graph output nobody produces", () => {
    rejects(
      broken((m) => {
        sub(m).operators.pop();
      }),
      /graph output reads tensor 'y' \(#4\), which is dangling/,
    );
  });

  test("options table that does not belong to the op", () => {
    rejects(
      broken((m) => {
        const op = sub(m).operators[0];
        assert.ok(op !== undefined);
        op.builtinOptions = SAMPLE_OPTIONS.reshape;
      }),
      /operator #0 \(FULLY_CONNECTED\) carries ReshapeOptions, expected FullyConnectedOptions/,
    );
  });

  test("scales without matching zero points", () => {
    rejects(
      broken((m) => {
        const t = sub(m).tensors[0];
        assert.ok(t !== undefined);
        t.quantization = { ...perTensor(0.5, 0), scale: [0.5, 0.25] };
      }),
      /tensor 'x' \(#0\) has 2 scales but 1 zero points/,
    );
  });

  test("per-axis scales that do not match the quantized dimension", () => {
    rejects(
      broken((m) => {
        const t = sub(m).tensors[1]; // shape [3, 8]
        assert.ok(t !== undefined);
        t.quantization = {
          min: null,
          max: null,
          scale: [1, 2],
          zeroPoint: [0, 0],
          quantizedDimension: 0,
        };
      }),
      /tensor 'w' \(#1\) has 2 scales, but dimension 0 of shape \[3, 8\] is 3/,
    );
  });

  test("unknown tensor type", () => {
    rejects(
      broken((m) => {
        const t = sub(m).tensors[0];
        assert.ok(t !== undefined);
        t.type = "bogus" as DType; // written as TensorType -1
      }),
      /tensor 'x' \(#0\) has unknown type -1/,
    );
  });

  test("signature and metadata indices out of range", () => {
    rejects(
      broken((m) => {
        m.signatureDefs = [
          {
            inputs: [{ name: "in", tensorIndex: 9 }],
            outputs: [],
            signatureKey: "serving_default",
            subgraphIndex: 0,
          },
        ];
      }),
      /signature 'serving_default' entry 'in' refers to tensor 9, but subgraph 0 has 5 tensors/,
    );
    rejects(
      broken((m) => (m.metadata = [{ name: "min_runtime_version", buffer: 77 }])),
      /metadata #0 'min_runtime_version' refers to buffer 77, but the model has 6 buffers/,
    );
  });
});

/** A one-tensor model built directly with the generated API, with optional extras. */
function minimal(opts: { sparse?: boolean; bufferOffset?: bigint }): Uint8Array {
  const b = new flatbuffers.Builder(256);
  const sparsity = opts.sparse === true ? SparsityParameters.createSparsityParameters(b) : 0;
  const name = b.createString("t");
  const shape = FbTensor.createShapeVector(b, [2]);
  FbTensor.startTensor(b);
  FbTensor.addShape(b, shape);
  FbTensor.addBuffer(b, 1);
  FbTensor.addName(b, name);
  if (sparsity !== 0) FbTensor.addSparsity(b, sparsity);
  const tensor = FbTensor.endTensor(b);
  const tensors = FbSubGraph.createTensorsVector(b, [tensor]);
  const io = FbSubGraph.createInputsVector(b, [0]);
  const outs = FbSubGraph.createOutputsVector(b, [0]);
  const sg = FbSubGraph.createSubGraph(b, tensors, io, outs, 0, 0, -1);
  const buffers = [
    FbBuffer.createBuffer(b, 0, 0n, 0n),
    FbBuffer.createBuffer(b, 0, opts.bufferOffset ?? 0n, 8n),
  ];
  const model = FbModel.createModel(
    b,
    3,
    FbModel.createOperatorCodesVector(b, []),
    FbModel.createSubgraphsVector(b, [sg]),
    0,
    FbModel.createBuffersVector(b, buffers),
    0,
    0,
    0,
    0,
    0,
  );
  b.finish(model, "TFL3");
  return b.asUint8Array().slice();
}

describe("readModel refuses format features tsquant does not model (UnsupportedError)", () => {
  test("the minimal model itself reads", () => {
    assert.equal(sub(readModel(minimal({}))).tensors[0]?.name, "t");
  });

  test("buffer data outside the FlatBuffer (offset > 1) past the end of the file", () => {
    assert.throws(
      () => readModel(minimal({ bufferOffset: 4096n })),
      (e: unknown) =>
        e instanceof ModelFormatError &&
        /buffer #1: data outside the FlatBuffer at offset 4096, size 8 ends past the end of the file/.test(
          e.message,
        ),
    );
  });
});

test("MultiAxisQuantization details are refused, naming the tensor", () => {
  const bytes = writeModel(carriedFeaturesModel());
  const q = FbModel.getRootAsModel(new flatbuffers.ByteBuffer(bytes))
    .subgraphs(0)
    ?.tensors(1)
    ?.quantization();
  assert.ok(q !== null && q !== undefined && q.bb !== null);
  const typeAt = q.bb_pos + q.bb.__offset(q.bb_pos, 12);
  assert.equal(bytes[typeAt], 2); // BlockwiseQuantization
  bytes[typeAt] = 3;
  assert.throws(
    () => readModel(bytes),
    (e: unknown) =>
      e instanceof UnsupportedError &&
      /tensor 'w' \(#1\) uses quantization details of union type 3/.test(e.message),
  );
});

test("a sparse tensor's (empty) sparsity table is carried", () => {
  assert.deepEqual(sub(readModel(minimal({ sparse: true }))).tensors[0]?.sparsity, {
    traversalOrder: null,
    blockMap: null,
    dimMetadata: null,
  });
});

test("buffer data after the FlatBuffer (offset > 1, files over 2 GB) is read into data", () => {
  // The offset field's value does not change the FlatBuffer's length.
  const length = minimal({ bufferOffset: 4096n }).length;
  const head = minimal({ bufferOffset: BigInt(length) });
  assert.equal(head.length, length);
  const data = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
  const file = new Uint8Array(length + data.length);
  file.set(head);
  file.set(data, length);
  const model = readModel(file);
  assert.deepEqual(model.buffers[1]?.data, data);
  // Written back inline: a self-contained file with the same IR.
  assert.deepEqual(readModel(writeModel(model)).buffers[1]?.data, data);
});
