"""SpanExporter writing OTLP/JSON lines like the OpenTelemetry Collector `file` exporter.

One ``TracesData`` object per export batch per line::

    {"resourceSpans":[{"resource":{"attributes":[...]},"scopeSpans":[{"scope":{"name":..,"version":..},
      "spans":[{"traceId":hex32,"spanId":hex16,"parentSpanId":hex16|"","flags":int,"name":..,"kind":int,
                "startTimeUnixNano":"<decimal>","endTimeUnixNano":"<decimal>","attributes":[...],
                "events":[...],"links":[...],"status":{"code":int[,"message":..]}}]}]}]}

AnyValue encoding follows the OTLP/JSON mapping: ``stringValue``, ``boolValue``,
``intValue`` (decimal STRING, int64), ``doubleValue`` (JSON number), ``bytesValue``
(base64), ``arrayValue: {"values": [...]}``, ``kvlistValue: {"values": [...]}``.
Span kind is the OTLP enum (1 internal, 2 server, 3 client, 4 producer, 5 consumer);
status code 0 unset, 1 ok, 2 error. Built by hand (needs only opentelemetry-sdk).
"""
from __future__ import annotations

import base64
import json
import threading
from typing import Sequence

from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult


def any_value(v):
    if isinstance(v, bool):
        return {"boolValue": v}
    if isinstance(v, int):
        return {"intValue": str(v)}
    if isinstance(v, float):
        return {"doubleValue": v}
    if isinstance(v, str):
        return {"stringValue": v}
    if isinstance(v, (bytes, bytearray)):
        return {"bytesValue": base64.b64encode(bytes(v)).decode()}
    if isinstance(v, dict):
        return {"kvlistValue": {"values": attributes(v)}}
    if isinstance(v, (list, tuple)):
        return {"arrayValue": {"values": [any_value(x) for x in v]}}
    if v is None:
        return {}
    return {"stringValue": str(v)}


def attributes(attrs) -> list:
    if not attrs:
        return []
    return [{"key": k, "value": any_value(v)} for k, v in attrs.items()]


def _span_flags(span) -> int:
    # Same bits as opentelemetry-exporter-otlp-proto-common (HAS_IS_REMOTE, IS_REMOTE)
    # plus the W3C trace flags in the low byte, as the OTLP proto defines them.
    flags = 0x100
    if span.parent is not None and span.parent.is_remote:
        flags |= 0x200
    return flags | int(span.context.trace_flags)


def encode_span(span) -> dict:
    ctx = span.context
    out = {
        "traceId": format(ctx.trace_id, "032x"),
        "spanId": format(ctx.span_id, "016x"),
        "parentSpanId": format(span.parent.span_id, "016x") if span.parent is not None else "",
        "flags": _span_flags(span),
        "name": span.name,
        "kind": int(span.kind.value) + 1,
        "startTimeUnixNano": str(span.start_time or 0),
        "endTimeUnixNano": str(span.end_time or 0),
        "attributes": attributes(span.attributes),
    }
    ts = getattr(ctx, "trace_state", None)
    if ts:
        out["traceState"] = ts.to_header()
    if span.events:
        out["events"] = [
            {"timeUnixNano": str(e.timestamp), "name": e.name, "attributes": attributes(e.attributes)}
            for e in span.events
        ]
    if span.links:
        out["links"] = [
            {"traceId": format(l.context.trace_id, "032x"), "spanId": format(l.context.span_id, "016x"),
             "attributes": attributes(l.attributes)}
            for l in span.links
        ]
    status = {"code": int(span.status.status_code.value)}
    if span.status.description:
        status["message"] = span.status.description
    out["status"] = status
    return out


def encode_traces_data(spans) -> dict:
    """Group spans resource -> scope (first-seen order) into one TracesData dict."""
    resources: dict = {}
    for s in spans:
        res = s.resource
        rkey = id(res)
        if rkey not in resources:
            resources[rkey] = (res, {})
        scope = s.instrumentation_scope
        skey = (scope.name, scope.version, scope.schema_url) if scope else ("", "", "")
        scopes = resources[rkey][1]
        if skey not in scopes:
            scopes[skey] = (scope, [])
        scopes[skey][1].append(encode_span(s))
    rs_list = []
    for res, scopes in resources.values():
        ss_list = []
        for scope, spans_json in scopes.values():
            sc = {"name": scope.name if scope else ""}
            if scope is not None and scope.version:
                sc["version"] = scope.version
            scope_attrs = getattr(scope, "attributes", None)
            if scope_attrs:
                sc["attributes"] = attributes(scope_attrs)
            ss = {"scope": sc, "spans": spans_json}
            if scope is not None and scope.schema_url:
                ss["schemaUrl"] = scope.schema_url
            ss_list.append(ss)
        rs = {"resource": {"attributes": attributes(res.attributes)}, "scopeSpans": ss_list}
        if getattr(res, "schema_url", ""):
            rs["schemaUrl"] = res.schema_url
        rs_list.append(rs)
    return {"resourceSpans": rs_list}


class OTLPJsonLinesExporter(SpanExporter):
    """Append one TracesData JSON object per export() call to ``path``."""

    def __init__(self, path: str, mode: str = "a") -> None:
        self._lock = threading.Lock()
        self._fh = open(path, mode, encoding="utf-8")

    def export(self, spans: Sequence) -> SpanExportResult:
        if not spans:
            return SpanExportResult.SUCCESS
        line = json.dumps(encode_traces_data(spans), separators=(",", ":"), ensure_ascii=False)
        with self._lock:
            self._fh.write(line + "\n")
            self._fh.flush()
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        with self._lock:
            if not self._fh.closed:
                self._fh.close()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        with self._lock:
            if not self._fh.closed:
                self._fh.flush()
        return True
