"""Validate and summarise recorded fixtures (stdlib only).

    python tests/emitters/validate.py [family ...]      # default: every Python family's *.truth.json
    python tests/emitters/validate.py --dump openai_v2   # also print every span's attributes

Checks: every jsonl line parses as JSON; traceId/spanId/parentSpanId are lowercase
hex of the right length; intValue is a decimal string (the collector, Python exporters) or a JSON
integer (JavaScript exporters); every truth trace_id occurs
in the jsonl and its trace holds the root span fixture-call-<n>.
"""
import json
import re
import sys
from pathlib import Path

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "emitters"
HEX32 = re.compile(r"^[0-9a-f]{32}$")
HEX16 = re.compile(r"^[0-9a-f]{16}$")


def val(v):
    if "arrayValue" in v:
        return [val(x) for x in v["arrayValue"].get("values", [])]
    if "kvlistValue" in v:
        return {a["key"]: val(a["value"]) for a in v["kvlistValue"].get("values", [])}
    for k in ("stringValue", "intValue", "doubleValue", "boolValue", "bytesValue"):
        if k in v:
            return v[k]
    return None


def check_values(attrs, where, errors):
    for a in attrs or []:
        v = a["value"]
        iv = v.get("intValue")
        as_string = isinstance(iv, str) and re.match(r"^-?\d+$", iv)
        as_number = isinstance(iv, int) and not isinstance(iv, bool)
        if "intValue" in v and not (as_string or as_number):
            errors.append(f"{where}: intValue neither a decimal string nor an integer: {a}")


def spans_of(path):
    errors, spans = [], []
    for i, line in enumerate(path.read_text().splitlines(), 1):
        try:
            doc = json.loads(line)
        except ValueError as e:
            errors.append(f"{path.name}:{i}: bad JSON {e}")
            continue
        for rs in doc["resourceSpans"]:
            check_values(rs["resource"].get("attributes"), f"{path.name}:{i} resource", errors)
            for ss in rs["scopeSpans"]:
                for s in ss["spans"]:
                    where = f"{path.name}:{i} span {s.get('name')}"
                    if not HEX32.match(s["traceId"]):
                        errors.append(f"{where}: traceId {s['traceId']!r}")
                    if not HEX16.match(s["spanId"]):
                        errors.append(f"{where}: spanId {s['spanId']!r}")
                    if s.get("parentSpanId", "") and not HEX16.match(s["parentSpanId"]):
                        errors.append(f"{where}: parentSpanId {s['parentSpanId']!r}")
                    check_values(s.get("attributes"), where, errors)
                    spans.append((ss["scope"], s, rs["resource"]))
    return spans, errors


def main(argv):
    dump = "--dump" in argv
    # default: every family with a truth file (Python and JavaScript; variants are <family>__<x>)
    fams = [a for a in argv if not a.startswith("--")] or sorted(
        p.name[: -len(".truth.json")] for p in FIX.glob("*.truth.json"))
    bad = 0
    for fam in fams:
        truth = json.loads((FIX / f"{fam}.truth.json").read_text())
        spans, errors = spans_of(FIX / f"{fam}.jsonl")
        by_trace = {}
        for sc, s, _ in spans:
            by_trace.setdefault(s["traceId"], []).append((sc, s))
        for n, c in enumerate(truth["calls"], 1):
            t = by_trace.get(c["trace_id"])
            if not t:
                errors.append(f"{fam}: truth call {n} trace {c['trace_id']} not in jsonl")
            elif not any(s["name"].startswith("fixture-call-") and not s.get("parentSpanId") for _, s in t):
                errors.append(f"{fam}: trace {c['trace_id']} lacks its root fixture-call span")
        orphans = [s["name"] for sc, s, _ in spans
                   if not any(x["name"].startswith("fixture-call-") for _, x in by_trace[s["traceId"]])]
        scopes = sorted({f"{sc['name']}@{sc.get('version', '')}" for sc, _, _ in spans})
        print(f"== {fam}: {len(spans)} spans, {len(truth['calls'])} calls, scopes {scopes}"
              + (f", spans outside call traces: {orphans}" if orphans else ""))
        for e in errors:
            print("  ERROR", e)
        bad += len(errors)
        if dump:
            for c in truth["calls"]:
                print(f"\n-- trace {c['trace_id']} {c['request_model']} usage={json.dumps(c['provider_usage'])}")
                for sc, s in by_trace.get(c["trace_id"], []):
                    print(f"  [{sc['name']}] {s['name']!r} kind={s['kind']} status={s.get('status')}")
                    for a in s.get("attributes", []):
                        print(f"      {a['key']} = {json.dumps(a['value'])[:300]}")
            if orphans:
                print("\n-- spans outside call traces")
                for sc, s, _ in spans:
                    if s["name"] in orphans:
                        print(f"  [{sc['name']}] {s['name']!r} trace={s['traceId']}")
                        for a in s.get("attributes", []):
                            print(f"      {a['key']} = {json.dumps(a['value'])[:300]}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
