"""Unpack a .tflite file into the schema's Python object API and pack it again, as TensorFlow's
converter does last (flatbuffer_utils.convert_object_to_bytearray), with LiteRT's generated
schema module. Also dumps every operator's options objects as JSON, by the object API's own
field names, so a test can compare them with tsquant's IR.

usage: python tflite_repack.py in.tflite out.tflite out.json
"""

import json
import sys

import flatbuffers
import numpy as np
from ai_edge_litert import schema_py_generated as schema


def plain(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (bytes, bytearray)):
        return value.decode("utf-8")
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (np.generic,)):
        return value.item()
    return value


def options(obj):
    if obj is None:
        return None
    return {k: plain(v) for k, v in vars(obj).items()}


def main() -> None:
    src, dst, dump = sys.argv[1:4]
    with open(src, "rb") as f:
        data = f.read()
    model = schema.ModelT.InitFromPackedBuf(data, 0)
    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    with open(dst, "wb") as f:
        f.write(builder.Output())
    ops = []
    for sg in model.subgraphs:
        for op in sg.operators:
            ops.append(
                {
                    "type": op.builtinOptionsType,
                    "options": options(op.builtinOptions),
                    "type2": op.builtinOptions2Type,
                    "options2": options(op.builtinOptions2),
                }
            )
    with open(dump, "w") as f:
        json.dump(ops, f)


if __name__ == "__main__":
    main()
