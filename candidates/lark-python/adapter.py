#!/usr/bin/env python3
"""dlconform candidate (protocol v1, see harness/PROTOCOL.md): the Feishu/Lark Python SDK
(PyPI lark-oapi) running GET /open-apis/im/v1/files/:file_key for the platform
`feishu-openapi`: `client.im.v1.file.get(GetFileRequest)`, the body written to the mapped path.

The adapter forwards what the SDK hands back and nothing more: README.md lists every mapping
from an SDK result or exception to the protocol's fields. Each call runs in its own thread
(the SDK is synchronous) with its own client and its own token cache.
"""

import json
import logging
import math
import os
import sys
import threading
import time
from importlib import metadata

# The SDK calls `requests.request` with default verification, so requests' own environment
# settings decide what is trusted: set per run from the harness's CA, and no proxy for loopback.
for _name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
    os.environ.pop(_name, None)
os.environ["NO_PROXY"] = "*"

import requests  # noqa: E402

NAME = "lark-python"
VERSION = "0.1.0"
SDK = "lark-oapi"
SDK_VERSION = metadata.version("lark-oapi")
# Longest log line kept.
MAX_LOG_LINE = 2000

_out = threading.Lock()
# The SDK, imported in the background: `import lark_oapi` loads every service of the open
# platform (seconds of CPU), and the harness's hello must be answered before its timeout.
_sdk = {}
_sdk_ready = threading.Event()


def _load_sdk():
    try:
        import lark_oapi
        from lark_oapi.api.im.v1 import GetFileRequest
        from lark_oapi.core.exception import ObtainAccessTokenException

        _route_sdk_log()
        _sdk.update(lark=lark_oapi, GetFileRequest=GetFileRequest, ObtainAccessTokenException=ObtainAccessTokenException)
    except Exception as err:  # noqa: BLE001 - reported on every call as the protocol's `error`
        _sdk["error"] = f"cannot import {SDK}: {type(err).__name__}: {err}"
    finally:
        _sdk_ready.set()

_run = {"ca": None, "log_messages": False}


def _finite(value):
    """Numbers JSON cannot carry travel as {"$number": "Infinity"} (PROTOCOL.md)."""
    if isinstance(value, float) and not math.isfinite(value):
        return {"$number": "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")}
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def send(message):
    line = json.dumps(_finite(message), ensure_ascii=False, allow_nan=False)
    with _out:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def log(call, message):
    """A log line: a `log` message of the call when the harness takes them, else stderr."""
    message = message[:MAX_LOG_LINE]
    if _run["log_messages"]:
        send({"type": "log", "call": call, "message": message} if call else {"type": "log", "message": message})
    else:
        with _out:
            sys.stderr.write((f"[{call}] " if call else "") + message + "\n")
            sys.stderr.flush()


class CallCache:
    """The SDK's token cache, one per call thread.

    The SDK keeps one process-wide cache (`TokenManager.cache`, keyed `self_tenant_token:<app_id>`,
    neither by domain nor by secret), so a token fetched in one case would be used in the next
    case with the same app id; a cache per thread keeps each call's tokens its own.
    """

    def __init__(self):
        self._local = threading.local()

    def _values(self):
        if not hasattr(self._local, "values"):
            self._local.values = {}
        return self._local.values

    def get(self, key):
        entry = self._values().get(key)
        if entry is None or entry[1] < time.time():
            return None
        return entry[0]

    def set(self, key, value, expire):
        self._values()[key] = (value, expire)


_CACHE = CallCache()

# The call each thread runs, for tagging the SDK's log lines.
_current = threading.local()


class CallLogHandler(logging.Handler):
    """The SDK's log records as the adapter's log lines of the call whose thread wrote them."""

    def emit(self, record):
        try:
            log(getattr(_current, "call", None), f"sdk {record.levelname.lower()}: {record.getMessage()}")
        except Exception:  # noqa: BLE001 - a log line that cannot be written is dropped
            pass


def _route_sdk_log():
    """The SDK's logger writes to stdout, the protocol's channel: its records go through the
    adapter's log instead (run once the SDK has added its own handler)."""
    sdk_logger = logging.getLogger("Lark")
    for handler in list(sdk_logger.handlers):
        sdk_logger.removeHandler(handler)
    sdk_logger.addHandler(CallLogHandler())
    sdk_logger.propagate = False


def resolve_platform_path(fs_env, platform_path):
    """Platform path -> absolute path inside env.fs, or None when it leaves its folder."""
    if not isinstance(platform_path, str):
        return None
    if platform_path.startswith(fs_env["userPrefix"]):
        base, rest = fs_env["user"], platform_path[len(fs_env["userPrefix"]):]
    elif platform_path.startswith(fs_env["tempPrefix"]):
        base, rest = fs_env["temp"], platform_path[len(fs_env["tempPrefix"]):]
    else:
        return None
    full = os.path.realpath(os.path.join(base, rest))
    base = os.path.realpath(base)
    return full if full.startswith(base + os.sep) else None


def finish(call, event, data):
    send({"type": "event", "call": call, "event": event, "data": data})
    send({"type": "event", "call": call, "event": "complete", "data": data})


def file_get(message):
    call, env, args = message["call"], message["env"], message["args"]
    _sdk_ready.wait()
    if "error" in _sdk:
        return send({"type": "error", "call": call, "message": _sdk["error"]})
    lark, GetFileRequest = _sdk["lark"], _sdk["GetFileRequest"]
    target = resolve_platform_path(env["fs"], args.get("file_path"))
    if target is None:
        # The adapter's own refusal, before the SDK: nothing may be written outside the sandbox.
        return finish(call, "fail", {"code": -1, "msg": f"file_path {args.get('file_path')!r} is outside the sandbox", "httpStatus": 0})
    token = args.get("tenant_access_token")
    builder = (
        lark.Client.builder()
        .app_id(args.get("app_id"))
        .app_secret(args.get("app_secret"))
        .domain(args.get("base_url"))
        .cache(_CACHE)
        .log_level(lark.LogLevel.WARNING)
    )
    option = None
    if isinstance(token, str):
        # A caller-supplied token, the SDK's way: enable_set_token and a per-request option.
        builder = builder.enable_set_token(True)
        option = lark.RequestOption.builder().tenant_access_token(token).build()
    client = builder.build()
    request_builder = GetFileRequest.builder().file_key(args.get("file_key"))
    request = request_builder.build()
    if args.get("content_type_json") is True:
        request.headers["Content-Type"] = "application/json; charset=utf-8"
    send({"type": "started", "call": call})
    try:
        response = client.im.v1.file.get(request, option) if option else client.im.v1.file.get(request)
    except _sdk["ObtainAccessTokenException"] as err:
        # The token endpoint's code and msg, as the exception carries them (no HTTP status).
        return finish(call, "fail", {"code": err.code, "msg": str(err.msg)})
    except Exception as err:  # noqa: BLE001 - every exception of the SDK's transport is the call's failure
        log(call, f"sdk raised {type(err).__name__}: {err}")
        data = {"code": -1, "msg": f"{type(err).__name__}: {err}"}
        if _is_transport_error(err):
            data["httpStatus"] = 0
        return finish(call, "fail", data)
    raw = response.raw
    if response.success() and response.file is not None:
        with open(target, "wb") as out:
            size = out.write(response.file.read())
        data = {"code": 0, "filePath": args.get("file_path"), "size": size}
        # The SDK's header dict is a plain dict; read it with the name the SDK itself reads.
        disposition = raw.headers.get("Content-Disposition") if raw is not None else None
        if disposition is not None:
            data["contentDisposition"] = disposition
        # The name the SDK derived itself (Files.parse_file_name), exactly as it returned it.
        if response.file_name is not None:
            data["fileName"] = response.file_name
        return finish(call, "success", data)
    data = {}
    if raw is not None:
        data["httpStatus"] = raw.status_code
    if isinstance(response.code, int) and response.code != 0:
        data["code"] = response.code
        data["msg"] = response.msg if isinstance(response.msg, str) else ""
    else:
        # The SDK parsed no code from the answer: the protocol's "no server code".
        data["code"] = -1
        data["msg"] = f"HTTP {raw.status_code}" if raw is not None else "no answer"
    finish(call, "fail", data)


def _is_transport_error(err):
    return isinstance(err, requests.exceptions.RequestException) and getattr(err, "response", None) is None


def start_call(message):
    if message.get("platform") != "feishu-openapi" or message.get("api") != "im.v1.file.get":
        send({"type": "unsupported", "call": message.get("call"), "reason": f"{NAME} implements feishu-openapi im.v1.file.get only"})
        return

    def work():
        _current.call = message.get("call")
        try:
            file_get(message)
        except Exception as err:  # noqa: BLE001 - an adapter failure is the protocol's `error`
            send({"type": "error", "call": message["call"], "message": f"{type(err).__name__}: {err}"})

    threading.Thread(target=work, daemon=True).start()


def set_ca(path):
    if isinstance(path, str) and path != _run["ca"]:
        # requests reads this for every call made with default verification: the test CA only.
        os.environ["REQUESTS_CA_BUNDLE"] = path
        _run["ca"] = path


def main():
    threading.Thread(target=_load_sdk, daemon=True).start()
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            message = json.loads(line)
        except ValueError:
            log(None, f"not JSON from the harness: {line.strip()}")
            continue
        kind = message.get("type")
        if kind == "hello":
            set_ca(message.get("caCert"))
            features = message.get("features")
            _run["log_messages"] = isinstance(features, list) and "log" in features
            send({
                "type": "hello",
                "protocol": 1,
                "name": NAME,
                "version": VERSION,
                "platforms": ["feishu-openapi"],
                "apis": ["im.v1.file.get"],
                "lacks": ["domain-list", "sdk-version", "host-events"],
                "library": {"name": SDK, "version": SDK_VERSION},
                "runtime": {"name": "python", "version": sys.version.split()[0]},
            })
        elif kind == "call":
            set_ca(message.get("env", {}).get("caCert"))
            start_call(message)
        elif kind == "shutdown":
            os._exit(0)
        # `abort` and `inject`: the SDK's call has no task to abort and no host events; unknown
        # message types are ignored (protocol versioning rule).
    # End of input: let running calls finish, then exit 0.
    for thread in threading.enumerate():
        if thread is not threading.main_thread():
            thread.join()
    sys.exit(0)


if __name__ == "__main__":
    main()
