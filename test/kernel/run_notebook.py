"""Execute a small notebook on the tsquant kernel with nbclient and check what was saved.

usage: python run_notebook.py <output.ipynb>
"""

import sys

import nbformat
from nbclient import NotebookClient

TSQUANT_MIME = "application/vnd.tsquant.v1+json"

cells = [
    "const a = 6 * 7;\na",
    'console.log("printed")',
    'display({ kind: "range", tensor: "t", histogram: { min: 0, max: 1, counts: [1, 2] },'
    " range: { min: 0, max: 1 }, bits: 8, symmetric: false, narrowRange: false, methods: [] })",
    'throw new Error("expected failure")',
    "a + 1",
]
nb = nbformat.v4.new_notebook()
nb.metadata["kernelspec"] = {"name": "tsquant", "display_name": "TypeScript (tsquant)", "language": "typescript"}
nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
nb.cells[3].metadata["tags"] = ["raises-exception"]

NotebookClient(nb, timeout=120, startup_timeout=120, kernel_name="tsquant").execute()
nbformat.write(nb, sys.argv[1])

saved = nbformat.read(sys.argv[1], as_version=4)
nbformat.validate(saved)
counts = [c.execution_count for c in saved.cells]
assert counts == [1, 2, 3, 4, 5], counts
out = saved.cells
assert out[0].outputs[0].output_type == "execute_result" and out[0].outputs[0].data["text/plain"] == "42"
assert out[1].outputs[0].output_type == "stream" and out[1].outputs[0].text == "printed\n"
payload = out[2].outputs[0].data[TSQUANT_MIME]
assert isinstance(payload, dict) and payload["kind"] == "range", payload
err = out[3].outputs[0]
assert err.output_type == "error" and err.ename == "Error" and err.evalue == "expected failure", err
assert out[4].outputs[0].data["text/plain"] == "43"
print("notebook ok:", counts)
