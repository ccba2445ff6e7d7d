"""jupyter_kernel_test's conformance suite for the tsquant kernel (run by kernel.litert.test.ts).

The kernelspec is found through JUPYTER_PATH (a temp dir the node test installs it into).
"""

import json
import time
import unittest

import jupyter_kernel_test

TSQUANT_MIME = "application/vnd.tsquant.v1+json"

# A comparison-table payload: the kernel shows a payload-shaped last value with the payload
# itself under the tsquant MIME type (plus html and text fallbacks).
TABLE = {
    "kind": "table",
    "baseline": "float32",
    "rows": [
        {
            "variant": "float32",
            "accuracy": 0.99,
            "sizeBytes": 400,
            "latencyMs": 1.5,
            "inputType": "float32",
            "outputType": "float32",
        }
    ],
}


class TsquantKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "tsquant"
    language_name = "typescript"
    file_extension = ".ts"

    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("to stderr")'

    completion_samples = [
        {"text": "Math.ma", "matches": {"max"}},
        {"text": "tq.chooseQuantPa", "matches": {"chooseQuantParams"}},
    ]
    complete_code_samples = ["1 + 1", "const x = 1;", "function f() {\n  return 1;\n}"]
    incomplete_code_samples = ["function f() {", "const a = [1,"]

    code_generate_error = 'throw new Error("boom")'

    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": "'a' + 'b'", "result": "'ab'"},
        {"code": "(" + json.dumps(TABLE) + ")", "mime": TSQUANT_MIME, "result": TABLE},
        {"code": "tq.chooseQuantParams(-1, 1)", "mime": "text/html"},
    ]
    code_display_data = [
        {"code": "display({ a: 1 })", "mime": "text/plain"},
        {"code": "tq.display(" + json.dumps(TABLE) + ")", "mime": TSQUANT_MIME},
        {"code": 'tq.display({ "text/html": "<b>x</b>" }, { raw: true })', "mime": "text/html"},
    ]

    code_history_pattern = "6 * 7"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "Math.max"

    def test_zz_restart(self) -> None:
        """Restart gives a fresh kernel that works (variables are gone)."""
        reply = self.execute_helper("const beforeRestart = 1")[0]
        self.assertEqual(reply["content"]["status"], "ok")
        self.km.restart_kernel(now=False)
        self.kc.wait_for_ready(timeout=120)
        msg_id = self.kc.execute("typeof beforeRestart", store_history=False)
        deadline = time.time() + 120
        while True:
            reply = self.kc.get_shell_msg(timeout=max(deadline - time.time(), 1))
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        # A fresh kernel does not know the old variable: a compile error ("Cannot find name").
        self.assertEqual(reply["content"]["status"], "error")
        self.assertIn("beforeRestart", reply["content"]["evalue"])


if __name__ == "__main__":
    unittest.main()
