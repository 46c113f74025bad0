"""Unit tests of adapter.py with a stand-in SDK: what reaches the harness is what the SDK
returned (its file_name), never what the adapter could read from the headers itself.

Run with the candidate's venv: .venv/bin/python -m unittest test_adapter (from this folder).
"""

import io
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import adapter  # noqa: E402


class _Raw:
    def __init__(self, headers):
        self.headers = headers
        self.status_code = 200


class _Response:
    def __init__(self, file_name, headers):
        self.code = 0
        self.msg = ""
        self.file = io.BytesIO(b"body")
        self.file_name = file_name
        self.raw = _Raw(headers)

    def success(self):
        return True


class _Chain:
    """Any builder call returns the chain; `build()` the object under construction."""

    def __init__(self, built):
        self._built = built

    def __getattr__(self, _name):
        return lambda *_args, **_kwargs: self

    def build(self):
        return self._built


class _Request:
    def __init__(self):
        self.headers = {}


def _fake_sdk(response):
    class FileApi:
        def get(self, _request, _option=None):
            return response

    client = type("Client", (), {})()
    client.im = type("Im", (), {})()
    client.im.v1 = type("V1", (), {})()
    client.im.v1.file = FileApi()
    lark = type("Lark", (), {})()
    lark.Client = type("ClientCls", (), {"builder": staticmethod(lambda: _Chain(client))})
    lark.RequestOption = type("Opt", (), {"builder": staticmethod(lambda: _Chain(object()))})
    lark.LogLevel = type("Level", (), {"WARNING": 30})
    request_cls = type("Req", (), {"builder": staticmethod(lambda: _Chain(_Request()))})
    return {"lark": lark, "GetFileRequest": request_cls, "ObtainAccessTokenException": KeyError}


class FileNameTest(unittest.TestCase):
    def run_call(self, response):
        sent = []
        adapter.send = sent.append
        adapter._sdk.clear()
        adapter._sdk.update(_fake_sdk(response))
        adapter._sdk_ready.set()
        with tempfile.TemporaryDirectory() as folder:
            fs = {"user": folder, "userPrefix": "sandbox://user/", "temp": folder, "tempPrefix": "sandbox://temp/"}
            adapter.file_get({
                "call": "c1",
                "env": {"fs": fs},
                "args": {"file_key": "k", "file_path": "sandbox://user/out.bin", "app_id": "a", "app_secret": "s", "base_url": "http://x"},
            })
        success = [m for m in sent if m.get("event") == "success"]
        self.assertEqual(len(success), 1, sent)
        return success[0]["data"]

    def test_file_name_is_the_sdks_value_not_the_headers(self):
        data = self.run_call(_Response("sdk-name.pdf", {"Content-Disposition": 'attachment; filename="header-name.pdf"'}))
        self.assertEqual(data["fileName"], "sdk-name.pdf")
        self.assertEqual(data["contentDisposition"], 'attachment; filename="header-name.pdf"')

    def test_no_name_from_the_sdk_sends_none_even_with_a_header(self):
        data = self.run_call(_Response(None, {"Content-Disposition": 'attachment; filename="header-name.pdf"'}))
        self.assertNotIn("fileName", data)


if __name__ == "__main__":
    unittest.main()
