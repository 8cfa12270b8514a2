"""Loopback fake LLM provider with scripted usage (stdlib only).

Serves just enough of each provider's HTTP API for the real SDKs to parse a
response, so OpenTelemetry instrumentation can be recorded offline.

Run:     python tests/emitters/fake_provider.py [--port 0] [--host 127.0.0.1]
         -> first stdout line is ``PORT <n>``; serves until killed.
Import:  from fake_provider import start_fake; server, base_url = start_fake()
         (``server.shutdown()`` to stop; base_url is ``http://127.0.0.1:<n>``).

Endpoints (JSON; ``"stream": true`` is honoured where marked *):
  POST /v1/chat/completions *          OpenAI chat       id chatcmpl-fake-NNNN
  POST /v1/responses                   OpenAI responses  id resp_fake_NNNN
  POST /v1/embeddings                  OpenAI embeddings (float or base64)
  POST /v1/messages *                  Anthropic         id msg_fake_NNNN
  POST /model/{modelId}/converse       Bedrock Converse  header x-amzn-RequestId fake-req-NNNN
  POST /{v1,v1beta,v1alpha}/models/{model}:generateContent      Gemini  responseId resp-fake-NNNN
  POST /{v1,v1beta,v1alpha}/models/{model}:streamGenerateContent * (SSE with ?alt=sse)
  (any of the above also answers under a leading ``/openai`` or ``/anthropic`` prefix,
   e.g. base_url ``http://127.0.0.1:<n>/openai/v1``)

Control:
  POST /_script  body: JSON list. Each item is appended to a FIFO queue; every
                 provider request pops one. An item is either the provider-native
                 usage object itself (OpenAI ``usage``, Anthropic ``usage``,
                 Bedrock ``usage``, Gemini ``usageMetadata``), or a wrapper
                 ``{"usage": {...}, "response_model": "gpt-4o-mini-2024-07-18"}``
                 to make the response name a dated snapshot instead of echoing
                 the request model. Answer: ``{"queued": <queue length>}``.
                 Empty queue -> a small default usage for that provider.
  GET  /_log     every served call: ``[{"n", "endpoint", "request_model",
                 "response_model", "id", "usage", "stream"}]`` (``usage`` is the
                 object exactly as it was sent to the client).
  POST /_reset   clears queue and log (the id counter keeps counting).
  GET  /_health  ``{"ok": true}``

Usage fill-in: only fields the SDKs require and the script left out are added
(OpenAI ``total_tokens``; Bedrock ``totalTokens``; Gemini ``totalTokenCount``;
Anthropic ``input_tokens``/``output_tokens`` default 0). Nothing else is changed.
"""
from __future__ import annotations

import argparse
import base64
import json
import re
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit, parse_qs

__all__ = ["start_fake", "FakeState", "make_server"]

_GEMINI_RE = re.compile(r"^/(v1|v1beta|v1alpha)/models/([^/:]+):(generateContent|streamGenerateContent)$")
_BEDROCK_RE = re.compile(r"^/model/([^/]+)/(converse|converse-stream)$")

DEFAULTS = {
    "openai_chat": {"prompt_tokens": 10, "completion_tokens": 5},
    "openai_responses": {"input_tokens": 10, "output_tokens": 5},
    "openai_embeddings": {"prompt_tokens": 8},
    "anthropic": {"input_tokens": 10, "output_tokens": 5},
    "bedrock": {"inputTokens": 10, "outputTokens": 5},
    "gemini": {"promptTokenCount": 10, "candidatesTokenCount": 5},
}


class FakeState:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.queue: list = []
        self.log: list = []
        self.counter = 0

    def next_call(self, kind: str):
        """Pop the next scripted item; return (n, usage(copy), response_model or None)."""
        with self.lock:
            self.counter += 1
            n = self.counter
            item = self.queue.pop(0) if self.queue else None
        resp_model = None
        if isinstance(item, dict) and isinstance(item.get("usage"), dict):
            resp_model = item.get("response_model")
            usage = dict(item["usage"])
        elif isinstance(item, dict):
            usage = dict(item)
        else:
            usage = dict(DEFAULTS[kind])
        return n, usage, resp_model


def _fill_usage(kind: str, u: dict) -> dict:
    if kind == "openai_chat":
        u.setdefault("prompt_tokens", 0)
        u.setdefault("completion_tokens", 0)
        u.setdefault("total_tokens", u["prompt_tokens"] + u["completion_tokens"])
    elif kind == "openai_embeddings":
        u.setdefault("prompt_tokens", 0)
        u.setdefault("total_tokens", u["prompt_tokens"])
    elif kind == "openai_responses":
        u.setdefault("input_tokens", 0)
        u.setdefault("output_tokens", 0)
        u.setdefault("input_tokens_details", {"cached_tokens": 0})
        u.setdefault("output_tokens_details", {"reasoning_tokens": 0})
        u.setdefault("total_tokens", u["input_tokens"] + u["output_tokens"])
    elif kind == "anthropic":
        u.setdefault("input_tokens", 0)
        u.setdefault("output_tokens", 0)
    elif kind == "bedrock":
        u.setdefault("inputTokens", 0)
        u.setdefault("outputTokens", 0)
        u.setdefault(
            "totalTokens",
            u["inputTokens"] + u["outputTokens"]
            + u.get("cacheReadInputTokens", 0) + u.get("cacheWriteInputTokens", 0),
        )
    elif kind == "gemini":
        u.setdefault(
            "totalTokenCount",
            u.get("promptTokenCount", 0) + u.get("candidatesTokenCount", 0)
            + u.get("thoughtsTokenCount", 0) + u.get("toolUsePromptTokenCount", 0),
        )
    return u


class Handler(BaseHTTPRequestHandler):
    server_version = "FakeLLM/1.0"
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet
        if getattr(self.server, "verbose", False):
            sys.stderr.write("fake: " + (fmt % args) + "\n")

    # ---- plumbing -------------------------------------------------------
    @property
    def state(self) -> FakeState:
        return self.server.state  # type: ignore[attr-defined]

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not raw:
            return {}
        try:
            return json.loads(raw)
        except ValueError:
            return {}

    def _send_json(self, obj, status=200, headers=None):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _send_sse(self, events, headers=None):
        """events: list of (event_name or None, obj)."""
        chunks = []
        for name, obj in events:
            s = ""
            if name:
                s += f"event: {name}\n"
            s += "data: " + (obj if isinstance(obj, str) else json.dumps(obj)) + "\n\n"
            chunks.append(s)
        data = "".join(chunks).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _record(self, n, endpoint, req_model, resp_model, rid, usage, stream=False):
        with self.state.lock:
            self.state.log.append({
                "n": n, "endpoint": endpoint, "request_model": req_model,
                "response_model": resp_model, "id": rid, "usage": usage, "stream": stream,
            })

    # ---- routing --------------------------------------------------------
    def do_GET(self):
        path = urlsplit(self.path).path
        if path == "/_health":
            return self._send_json({"ok": True})
        if path == "/_log":
            with self.state.lock:
                return self._send_json(list(self.state.log))
        return self._send_json({"error": {"message": f"no route GET {path}"}}, 404)

    def do_POST(self):
        parts = urlsplit(self.path)
        path = parts.path
        query = parse_qs(parts.query)
        body = self._body()
        for prefix in ("/openai", "/anthropic"):
            if path.startswith(prefix + "/"):
                path = path[len(prefix):]
        if path == "/_script":
            items = body if isinstance(body, list) else [body]
            with self.state.lock:
                self.state.queue.extend(items)
                return self._send_json({"queued": len(self.state.queue)})
        if path == "/_reset":
            with self.state.lock:
                self.state.queue.clear()
                self.state.log.clear()
            return self._send_json({"ok": True})
        if path == "/v1/chat/completions":
            return self._openai_chat(body)
        if path == "/v1/responses":
            return self._openai_responses(body)
        if path == "/v1/embeddings":
            return self._openai_embeddings(body)
        if path == "/v1/messages":
            return self._anthropic(body)
        m = _BEDROCK_RE.match(path)
        if m:
            return self._bedrock(unquote(m.group(1)), m.group(2), body)
        m = _GEMINI_RE.match(path)
        if m:
            stream = m.group(3) == "streamGenerateContent"
            return self._gemini(unquote(m.group(2)), body, stream, query)
        return self._send_json({"error": {"message": f"no route POST {path}"}}, 404)

    # ---- OpenAI ---------------------------------------------------------
    def _openai_chat(self, body):
        req_model = body.get("model", "gpt-4o-mini")
        n, usage, rm = self.state.next_call("openai_chat")
        usage = _fill_usage("openai_chat", usage)
        model = rm or req_model
        rid = f"chatcmpl-fake-{n:04d}"
        created = int(time.time())
        stream = bool(body.get("stream"))
        self._record(n, "/v1/chat/completions", req_model, model, rid, usage, stream)
        if stream:
            base = {"id": rid, "object": "chat.completion.chunk", "created": created,
                    "model": model, "system_fingerprint": "fp_fake", "service_tier": "default"}
            ev = [
                (None, {**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "logprobs": None, "finish_reason": None}]}),
                (None, {**base, "choices": [{"index": 0, "delta": {"content": "ok"}, "logprobs": None, "finish_reason": None}]}),
                (None, {**base, "choices": [{"index": 0, "delta": {}, "logprobs": None, "finish_reason": "stop"}]}),
            ]
            if (body.get("stream_options") or {}).get("include_usage"):
                ev.append((None, {**base, "choices": [], "usage": usage}))
            ev.append((None, "[DONE]"))
            return self._send_sse(ev)
        return self._send_json({
            "id": rid, "object": "chat.completion", "created": created, "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok", "refusal": None, "annotations": []},
                         "logprobs": None, "finish_reason": "stop"}],
            "usage": usage, "system_fingerprint": "fp_fake", "service_tier": "default",
        })

    def _openai_responses(self, body):
        req_model = body.get("model", "gpt-4o-mini")
        n, usage, rm = self.state.next_call("openai_responses")
        usage = _fill_usage("openai_responses", usage)
        model = rm or req_model
        rid = f"resp_fake_{n:04d}"
        self._record(n, "/v1/responses", req_model, model, rid, usage)
        return self._send_json({
            "id": rid, "object": "response", "created_at": int(time.time()), "status": "completed",
            "model": model, "error": None, "incomplete_details": None, "instructions": None,
            "max_output_tokens": None, "metadata": {}, "parallel_tool_calls": True,
            "previous_response_id": None, "reasoning": {"effort": None, "summary": None},
            "store": True, "temperature": 1.0, "top_p": 1.0, "tool_choice": "auto", "tools": [],
            "text": {"format": {"type": "text"}}, "truncation": "disabled", "user": None,
            "output": [{"type": "message", "id": f"msg_fake_{n:04d}", "status": "completed", "role": "assistant",
                        "content": [{"type": "output_text", "text": "ok", "annotations": []}]}],
            "usage": usage,
        })

    def _openai_embeddings(self, body):
        req_model = body.get("model", "text-embedding-3-small")
        n, usage, rm = self.state.next_call("openai_embeddings")
        usage = _fill_usage("openai_embeddings", usage)
        model = rm or req_model
        inp = body.get("input", "")
        count = len(inp) if isinstance(inp, list) and inp and not isinstance(inp[0], int) else 1
        vec = [0.1, -0.2, 0.3, 0.0]
        data = []
        for i in range(count):
            if body.get("encoding_format") == "base64":
                emb = base64.b64encode(struct.pack(f"<{len(vec)}f", *vec)).decode()
            else:
                emb = vec
            data.append({"object": "embedding", "index": i, "embedding": emb})
        self._record(n, "/v1/embeddings", req_model, model, None, usage)
        return self._send_json({"object": "list", "data": data, "model": model, "usage": usage})

    # ---- Anthropic ------------------------------------------------------
    def _anthropic(self, body):
        req_model = body.get("model", "claude-sonnet-4-5")
        n, usage, rm = self.state.next_call("anthropic")
        usage = _fill_usage("anthropic", usage)
        model = rm or req_model
        rid = f"msg_fake_{n:04d}"
        stream = bool(body.get("stream"))
        self._record(n, "/v1/messages", req_model, model, rid, usage, stream)
        if stream:
            start_usage = {k: v for k, v in usage.items() if k != "output_tokens"}
            start_usage["output_tokens"] = 1
            ev = [
                ("message_start", {"type": "message_start", "message": {
                    "id": rid, "type": "message", "role": "assistant", "model": model, "content": [],
                    "stop_reason": None, "stop_sequence": None, "usage": start_usage}}),
                ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
                ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "ok"}}),
                ("content_block_stop", {"type": "content_block_stop", "index": 0}),
                ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                                   "usage": {k: v for k, v in usage.items() if k in (
                                       "input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens",
                                       "output_tokens", "output_tokens_details", "server_tool_use")}}),
                ("message_stop", {"type": "message_stop"}),
            ]
            return self._send_sse(ev, {"request-id": f"req_fake_{n:04d}"})
        return self._send_json({
            "id": rid, "type": "message", "role": "assistant", "model": model,
            "content": [{"type": "text", "text": "ok"}],
            "stop_reason": "end_turn", "stop_sequence": None, "usage": usage,
        }, headers={"request-id": f"req_fake_{n:04d}"})

    # ---- Bedrock --------------------------------------------------------
    def _bedrock(self, model_id, op, body):
        n, usage, rm = self.state.next_call("bedrock")
        usage = _fill_usage("bedrock", usage)
        rid = f"fake-req-{n:04d}"
        self._record(n, f"/model/{{modelId}}/{op}", model_id, rm or model_id, rid, usage)
        if op != "converse":
            return self._send_json({"message": "converse-stream not supported by fake"}, 400,
                                   {"x-amzn-RequestId": rid, "x-amzn-ErrorType": "ValidationException"})
        return self._send_json({
            "output": {"message": {"role": "assistant", "content": [{"text": "ok"}]}},
            "stopReason": "end_turn", "usage": usage, "metrics": {"latencyMs": 12},
        }, headers={"x-amzn-RequestId": rid})

    # ---- Gemini ---------------------------------------------------------
    def _gemini(self, model, body, stream, query):
        n, usage, rm = self.state.next_call("gemini")
        usage = _fill_usage("gemini", usage)
        rid = f"resp-fake-{n:04d}"
        resp_model = rm or model
        self._record(n, "/v1beta/models/{model}:" + ("streamGenerateContent" if stream else "generateContent"),
                     model, resp_model, rid, usage, stream)
        resp = {
            "candidates": [{"content": {"role": "model", "parts": [{"text": "ok"}]},
                            "finishReason": "STOP", "index": 0}],
            "usageMetadata": usage, "modelVersion": resp_model, "responseId": rid,
        }
        if stream:
            if query.get("alt") == ["sse"]:
                return self._send_sse([(None, resp)])
            return self._send_json([resp])
        return self._send_json(resp)


def make_server(host: str = "127.0.0.1", port: int = 0, verbose: bool = False) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    server.state = FakeState()  # type: ignore[attr-defined]
    server.verbose = verbose  # type: ignore[attr-defined]
    return server


def start_fake(host: str = "127.0.0.1", port: int = 0, verbose: bool = False):
    """Start the fake in a daemon thread. Returns (server, base_url)."""
    server = make_server(host, port, verbose)
    t = threading.Thread(target=server.serve_forever, name="fake-provider", daemon=True)
    t.start()
    return server, f"http://{host}:{server.server_address[1]}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args(argv)
    server = make_server(args.host, args.port, args.verbose)
    print(f"PORT {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
