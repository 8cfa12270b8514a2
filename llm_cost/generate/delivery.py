"""Delivery of the spans as the collector's ``file`` exporter writes them: ``Delivery`` turns runs into OTLP span
JSON and sends it out through a shuffling window (out of order, across files, some spans twice, some roots late),
``Writer`` groups it into TracesData lines in rotating part files (some gzipped, some lines torn or not JSON),
and ``bad_span`` makes the malformed spans the pipeline must quarantine."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llm_cost.generate.catalog import SCOPES
from llm_cost.generate.otlp import INTERNAL, I, S, _encode, _q
from llm_cost.generate.runs import Run
from llm_cost.generate.state import Gen

# ----------------------------------------------------------------------------- bad spans


def bad_span(g: Gen, kind: str, t0: int) -> tuple[str, str, str]:
    """A span the pipeline must quarantine: (resource key, scope key, JSON text). Never a truth call."""
    d: dict[str, Any] = {"traceId": g.trace_id(), "spanId": g.span_id(), "name": "cache.lookup",
                         "kind": INTERNAL, "startTimeUnixNano": f"{t0}000",
                         "endTimeUnixNano": f"{t0 + 2_000}000", "attributes": [S("cache.hit", "false")],
                         "status": {}}
    if kind == "no-span-id":  # an unrecoverable provider call
        del d["spanId"]
        d["name"] = "chat gpt-4o"
        d["attributes"] = [S("gen_ai.operation.name", "chat"), S("gen_ai.provider.name", "openai"),
                           S("gen_ai.request.model", "gpt-4o"), I("gen_ai.usage.input_tokens", 1234),
                           I("gen_ai.usage.output_tokens", 56)]
    elif kind == "bad-start":
        d["startTimeUnixNano"] = "abc"
    elif kind == "no-start":
        del d["startTimeUnixNano"]
    elif kind == "bad-trace":
        d["traceId"] = "not-a-trace-id"
    d["attributes"] = [json.loads(a) for a in d["attributes"]]
    return g.resource("support-agent"), "pydantic-ai", _encode(d)


# ----------------------------------------------------------------------------- delivery

SPANS_PER_FILE = 2000
REDELIVERY_RATE = 0.02
LATE_ROOT_RATE = 0.01

NORMAL, REDELIVER, COPY, BAD = 0, 1, 2, 3


@dataclass(slots=True)
class Item:
    group: tuple[str, str]  # (resource key, scope key): one line holds one group
    text: str
    flag: int = NORMAL


class Writer:
    """Rotating part files, ~1 in 5 gzipped (gzip mtime 0: byte-identical reruns)."""

    def __init__(self, spans_dir: Path, n_files: int, per_file: int) -> None:
        self.dir, self.n_files, self.per_file = spans_dir, n_files, per_file
        self.index = -1
        self.buf: list[str] = []
        self.buf_len = 0
        self.in_file = 0
        self.lines = self.bad_lines = self.records = self.bad_spans = self.redelivered = 0
        self.files = self.gz_files = 0
        self.truncate_next = False
        self._fh: Any = None
        self._raw: Any = None
        self.rotate()

    def rotate(self) -> None:
        self.close()
        self.index += 1
        gz = self.index % 5 == 1
        name = f"part-{self.index:05d}.jsonl" + (".gz" if gz else "")
        raw = open(self.dir / name, "wb")  # noqa: SIM115 - open until the next roll or close()
        self._fh = (gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=1)
                    if gz else raw)
        self._raw = raw
        self.files += 1
        self.gz_files += gz
        self.in_file = 0

    def _put(self, line: str) -> None:
        self.buf.append(line)
        self.buf_len += len(line)
        self.lines += 1
        if self.buf_len > 1 << 20:
            self._drain()

    def _drain(self) -> None:
        if self.buf:
            self._fh.write("".join(self.buf).encode())
            self.buf.clear()
            self.buf_len = 0

    def write_spans(self, line: str, items: list[Item]) -> None:
        self._put(line)
        for it in items:
            if it.flag == BAD:
                self.bad_spans += 1
            elif it.flag == COPY:
                self.redelivered += 1
        self.records += len(items)
        self.in_file += len(items)
        if self.truncate_next:  # a torn copy of this line: the spans survive in the intact one
            self.truncate_next = False
            self.write_bad(line[: len(line) // 2] + "\n")
        if self.in_file >= self.per_file and self.index < self.n_files - 1:
            self.rotate()

    def write_bad(self, line: str) -> None:
        self._put(line)
        self.bad_lines += 1

    def close(self) -> None:
        if self._fh is not None:
            self._drain()
            self._fh.close()
            if self._fh is not self._raw:
                self._raw.close()
            self._fh = None


class Delivery:
    """A shuffling window: spans leave in random order, across file boundaries, some twice, roots late."""

    def __init__(self, g: Gen, writer: Writer, window: int) -> None:
        self.g, self.w, self.window = g, writer, window
        self.pool: list[Item] = []
        self.late: list[tuple[int, Item]] = []  # (flush number to release at, item)
        self.again: list[tuple[int, Item]] = []  # (file index first written to, copy)
        self.flushes = 0
        self.prefix: dict[tuple[str, str], str] = {}

    def add_run(self, run: Run) -> int:
        """Queue a run's written spans; returns how many span records that will produce."""
        r = self.g.rng
        n = 0
        for s in run.spans:
            if s.span_id in run.dropped:
                continue
            if s.parent_id:
                parent = f',"parentSpanId":"{s.parent_id}"'
            else:  # the collector omits an empty parent; some exporters write ""
                parent = ',"parentSpanId":""' if run.root_parent_blank else ""
            status = (f'{{"code":2,"message":{_q(s.message)}}}' if s.status == 2
                      else '{"code":1}' if s.status == 1 else "{}")
            text = (f'{{"traceId":"{run.trace_id}","spanId":"{s.span_id}"{parent},"name":{_q(s.name)},'
                    f'"kind":{s.kind},"startTimeUnixNano":"{s.start}000","endTimeUnixNano":"{s.end}000",'
                    f'"attributes":[{",".join(s.attrs)}],"status":{status}}}')
            flag = REDELIVER if r.random() < REDELIVERY_RATE else NORMAL
            item = Item((run.resource, s.scope), text, flag)
            n += 1 + (flag == REDELIVER)
            if not s.parent_id and r.random() < LATE_ROOT_RATE:
                self.late.append((self.flushes + r.randint(3, 12), item))
            else:
                self.pool.append(item)
        if len(self.pool) >= self.window:
            self.flush(self.window // 2)
        return n

    def add_bad(self, group: tuple[str, str], text: str) -> None:
        self.pool.append(Item(group, text, BAD))

    def flush(self, n: int) -> None:
        r = self.g.rng
        r.shuffle(self.pool)
        emit = self.pool[:n]
        del self.pool[:n]
        if self.late:
            emit += [it for due, it in self.late if due <= self.flushes]
            self.late = [(due, it) for due, it in self.late if due > self.flushes]
        if self.again:
            emit += [it for f, it in self.again if f < self.w.index]
            self.again = [(f, it) for f, it in self.again if f >= self.w.index]
        self.flushes += 1
        self._write(emit)

    def _write(self, items: list[Item]) -> None:
        r = self.g.rng
        groups: dict[tuple[str, str], list[Item]] = {}
        for it in items:
            groups.setdefault(it.group, []).append(it)
        batches: list[list[Item]] = []
        for grp in groups.values():
            i = 0
            while i < len(grp):
                k = r.randint(1, 50)
                batches.append(grp[i:i + k])
                i += k
        r.shuffle(batches)
        for batch in batches:
            group = batch[0].group
            prefix = self.prefix.get(group)
            if prefix is None:
                name, version = SCOPES[group[1]]
                prefix = ('{"resourceSpans":[{"resource":' + self.g.resources[group[0]]
                          + ',"scopeSpans":[{"scope":' + _encode({"name": name, "version": version})
                          + ',"spans":[')
                self.prefix[group] = prefix
            self.w.write_spans(prefix + ",".join(it.text for it in batch) + "]}]}]}\n", batch)
            if self.w.index >= self.w.n_files - 1:
                continue  # the last planned file: no later file to deliver copies into
            for it in batch:
                if it.flag == REDELIVER:
                    self.again.append((self.w.index, Item(it.group, it.text, COPY)))

    def finish(self) -> None:
        rest = self.pool + [it for _, it in self.late]
        self.pool, self.late = [], []
        self.g.rng.shuffle(rest)
        self._write(rest)
        while self.again:  # copies always land in a later file than their first delivery
            ready = [it for f, it in self.again if f < self.w.index]
            if not ready:
                self.w.rotate()
                continue
            self.again = [(f, it) for f, it in self.again if f >= self.w.index]
            self._write(ready)
