#!/usr/bin/env bash
# Regenerate tests/fixtures/emitters/<family>.jsonl and <family>.truth.json from the REAL
# Vercel AI SDK pinned in tests/emitters/<family>/package-lock.json, against the loopback fake provider.
# One recorder (record.mjs, next to this script) serves every SDK version: it is copied into the version's
# folder so that its imports resolve to that folder's node_modules.
# Usage (from anywhere):  bash tests/emitters/vercel_ai/record.sh vercel_ai_v6   (or v5, v4)
set -euo pipefail
shared="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
family="${1:?usage: record.sh vercel_ai_v6|vercel_ai_v5|vercel_ai_v4}"
here="$shared/../$family"
[ -f "$here/package.json" ] || { echo "no such SDK folder: $here" >&2; exit 2; }
here="$(cd "$here" && pwd)"
root="$(cd "$shared/../../.." && pwd)"
out="$root/tests/fixtures/emitters"
python="${PYTHON:-python3}"
mkdir -p "$out"

cd "$here"
npm ci --no-audit --no-fund --loglevel=error

portfile="$(mktemp)"
"$python" "$root/tests/emitters/fake_provider.py" --port 0 >"$portfile" &
fake_pid=$!
trap 'kill "$fake_pid" 2>/dev/null || true; rm -f "$portfile"' EXIT
for _ in $(seq 1 100); do
  grep -q '^PORT ' "$portfile" && break
  sleep 0.1
done
port="$(sed -n 's/^PORT \([0-9]*\)$/\1/p' "$portfile" | head -1)"
[ -n "$port" ] || { echo "fake provider did not start" >&2; exit 1; }

cp "$shared/record.mjs" "$here/.record.mjs"
FAKE_BASE_URL="http://127.0.0.1:$port" node .record.mjs "$out/$family.jsonl" "$out/$family.truth.json"

# structural check of what was written: JSON per line, hex ids, every truth trace_id present
"$python" - "$out/$family.jsonl" "$out/$family.truth.json" <<'PY'
import json, re, sys
jsonl, truth = sys.argv[1], sys.argv[2]
h32, h16 = re.compile(r"^[0-9a-f]{32}$"), re.compile(r"^[0-9a-f]{16}$")
traces = set()
for i, line in enumerate(open(jsonl), 1):
    d = json.loads(line)
    assert set(d) == {"resourceSpans"}, f"line {i}: keys {list(d)}"
    for rs in d["resourceSpans"]:
        for ss in rs["scopeSpans"]:
            for sp in ss["spans"]:
                assert h32.match(sp["traceId"]) and h16.match(sp["spanId"]), f"line {i}: bad ids"
                assert "parentSpanId" not in sp or h16.match(sp["parentSpanId"]), f"line {i}: bad parent id"
                traces.add(sp["traceId"])
t = json.load(open(truth))
missing = [c["trace_id"] for c in t["calls"] if c["trace_id"] not in traces]
assert not missing, f"truth trace_ids missing from jsonl: {missing}"
print(f"ok: {i} lines, {len(traces)} traces, {len(t['calls'])} truth calls", file=sys.stderr)
PY
