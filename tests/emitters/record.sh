#!/usr/bin/env bash
# Regenerate emitter fixtures: tests/emitters/record.sh <family>|all
# Per family: venv .venv-emitters/<family> (python -m venv + pip install -r requirements.txt,
# redone when requirements.txt changes), fake provider on 127.0.0.1 (random port),
# tests/emitters/<family>/record.py -> tests/fixtures/emitters/<family>.jsonl + .truth.json,
# then tests/emitters/validate.py. Needs only PyPI and loopback.
set -euo pipefail
cd "$(dirname "$0")/../.."
ALL=(openai_v2 anthropic_sdk openllmetry_anthropic botocore_bedrock openllmetry_openai openinference_openai openlit litellm google_genai pydantic_ai langchain)
PY=${EMITTERS_PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3

record_one() {
  local fam=$1 venv=.venv-emitters/$1 req=tests/emitters/$1/requirements.txt
  [ -f "$req" ] || { echo "unknown family: $fam" >&2; return 2; }
  local stamp; stamp=$(sha256sum "$req" | cut -d' ' -f1)
  if [ ! -x "$venv/bin/python" ] || [ "$(cat "$venv/.req-stamp" 2>/dev/null)" != "$stamp" ]; then
    echo "== $fam: installing into $venv"
    "$PY" -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$req" 2>&1 | grep -v "is ignored" || true
    "$venv/bin/pip" check >/dev/null || { echo "pip check failed for $fam" >&2; "$venv/bin/pip" check; return 1; }
    echo "$stamp" > "$venv/.req-stamp"
  fi
  local out; out=$(mktemp)
  "$PY" tests/emitters/fake_provider.py --port 0 > "$out" &
  local fake=$!
  local port=""
  for _ in $(seq 50); do port=$(awk '/^PORT/{print $2; exit}' "$out"); [ -n "$port" ] && break; sleep 0.1; done
  [ -n "$port" ] || { kill "$fake"; echo "fake provider did not start" >&2; return 1; }
  echo "== $fam: recording (fake on port $port)"
  local rc=0
  FAKE_BASE_URL="http://127.0.0.1:$port" "$venv/bin/python" "tests/emitters/$fam/record.py" || rc=$?
  kill "$fake" 2>/dev/null || true; wait "$fake" 2>/dev/null || true; rm -f "$out"
  [ $rc -eq 0 ] || return $rc
  local outs=(); for t in tests/fixtures/emitters/"$fam".truth.json tests/fixtures/emitters/"$fam"__*.truth.json; do [ -f "$t" ] && outs+=("$(basename "$t" .truth.json)"); done
  "$PY" tests/emitters/validate.py "${outs[@]}"
}

[ $# -eq 1 ] || { echo "usage: $0 <family>|all   (families: ${ALL[*]})" >&2; exit 2; }
if [ "$1" = all ]; then
  failed=()
  for f in "${ALL[@]}"; do record_one "$f" || failed+=("$f"); done
  [ ${#failed[@]} -eq 0 ] || { echo "FAILED: ${failed[*]}" >&2; exit 1; }
else
  record_one "$1"
fi
