"""On-demand benchmark: dbt full and incremental builds against two baselines (bench/README.md).

    python bench/run_bench.py --spans 1000000 [--spans 10000000] [--work bench/work]

Stdlib only: every measured step (generator, dbt, baselines) runs in a subprocess of its own with the
project's .venv, and its wall time and peak RSS (os.wait4's ru_maxrss) are read from there.
Progress goes to stderr, the report (Markdown) to stdout; results land in <work>/results-<N>.json.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import multiprocessing
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
BENCH = PROJECT / "bench"
VENV = PROJECT / ".venv"
PY = VENV / "bin" / "python"
DBT = VENV / "bin" / "dbt"
PRICES = PROJECT / "seeds" / "model_prices.csv"

from llm_cost.generate import MIN_SPANS, parse_span_count  # noqa: E402 (the project's venv has llm_cost installed)

BASE_SEED, BATCH_SEED, NEXT_BATCH_SEED, LAST_DAY_BATCH_SEED = 1, 2, 3, 4
# The first two batches' runs start anywhere in the 30-day window, so each touches every day; the third's all start on
# the window's last day, as a scheduled run's batch mostly does (the day-grained models then recompute one day)
LAST_DAY_BATCH_DAYS = 1
DUCKDB_THREADS = 2  # as profiles.example.yml
TARGETS = {  # ratio -> (comparison, bound); the incremental bound depends on the size (incremental_bound)
    "full build / naive GROUP BY": ("<=", 3.0),
    "per-call Python / full build": (">=", 10.0),
    "incremental 1% / full build": ("<=", 0.05),
    "incremental 1%, next batch / full build": ("<=", 0.05),
    "incremental 1%, last day's runs / full build": ("<=", 0.05),
}
MEMORY_CAP_MIB = 4096  # peak RSS of every dbt step, at every size (README "Scale")
PROJECT_TO = 100_000_000  # the size the growth table projects to


def incremental_bound(spans: int) -> float:
    """A 1% batch may cost 25% of the full build at 1M spans (dbt's start-up weighs more there), 5% from 10M."""
    return 0.25 if spans < 10_000_000 else 0.05
PACKAGES = ["duckdb", "dbt-core", "dbt-duckdb", "genai-prices", "pandas"]


class BenchError(Exception):
    """A user-facing problem: printed as one line, never a traceback."""


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------- measuring


@dataclass
class Measured:
    wall_s: float
    cpu_s: float
    peak_mib: float
    returncode: int
    rss_samples: list[tuple[float, float]] = field(default_factory=list)  # (epoch s, MiB), every RSS_SAMPLE_S


RSS_SAMPLE_S = 0.5  # how often the RSS timeline is read (it names the nodes running at the peak)


def _rss_mib(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:  # exited, or no /proc (not Linux): the timeline stays empty
        pass
    return None


def _sample_rss(pid: int, samples: list[tuple[float, float]], done: threading.Event) -> None:
    while not done.wait(RSS_SAMPLE_S):
        mib = _rss_mib(pid)
        if mib is not None:
            samples.append((time.time(), mib))


def measure(cmd: list[str], *, log_file: Path, out_file: Path | None = None,
            env: dict[str, str] | None = None) -> Measured:
    """Run cmd in its own process; wall clock around it, peak RSS and CPU from os.wait4's rusage, and an RSS
    timeline sampled beside it (Linux /proc) to say what ran at the peak."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    samples: list[tuple[float, float]] = []
    done = threading.Event()
    with open(log_file, "wb") as err, (open(out_file, "wb") if out_file else nullcontext(err)) as out:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=PROJECT, env=env, stdout=out, stderr=err if out_file else subprocess.STDOUT)
        sampler = threading.Thread(target=_sample_rss, args=(proc.pid, samples, done), daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        done.set()
        sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4: tell Popen
    return Measured(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode, samples)


def check(m: Measured, what: str, log_file: Path) -> Measured:
    if m.returncode != 0:
        tail = log_file.read_text(errors="replace").strip().splitlines()[-15:] or ["(no output)"]
        raise BenchError(f"{what} failed (exit {m.returncode}); log {log_file}:\n    " + "\n    ".join(tail))
    return m


def venv_json(code: str, *args: str) -> Any:
    """Run a snippet with the venv's Python (it has duckdb and friends; this script need not) and parse its JSON."""
    res = subprocess.run([str(PY), "-c", code, *args], cwd=PROJECT, capture_output=True, text=True)
    if res.returncode != 0:
        raise BenchError(f"{PY} -c ... failed: {res.stderr.strip()[-2000:]}")
    return json.loads(res.stdout)


# ----------------------------------------------------------------------------- environment


def check_environment() -> None:
    if not PY.exists() or not DBT.exists():
        raise BenchError(f"no virtualenv with dbt at {VENV}: run `make venv` first (or `make bench`, which does it)")
    res = subprocess.run([str(PY), "-c", "import genai_prices, pandas, duckdb"], capture_output=True, text=True)
    if res.returncode != 0:
        raise BenchError(f"the baselines need genai-prices in {VENV}: run `{PY} -m pip install -r "
                         f"bench/requirements.txt -c requirements.lock` (`make bench` does it)")
    profiles = PROJECT / "profiles.yml"
    if not profiles.exists():
        shutil.copyfile(PROJECT / "profiles.example.yml", profiles)
        log(f"created {profiles} from profiles.example.yml")


def proc_field(path: str, key: str) -> str:
    """The value of the first `key: value` line of a /proc file that starts with key, "unknown" when there is none."""
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def machine() -> dict[str, Any]:
    mem_kib = proc_field("/proc/meminfo", "MemTotal").split()[0]
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": len(os.sched_getaffinity(0)),
        "ram_gib": round(int(mem_kib) / 1024**2, 1) if mem_kib.isdigit() else None,
        "cpu": proc_field("/proc/cpuinfo", "model name"),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "load_avg_at_start": [round(x, 2) for x in os.getloadavg()],
        "commit": git_commit(),
        "versions": venv_json(
            "import json, sys; from importlib.metadata import version\n"
            "print(json.dumps({p: version(p) for p in sys.argv[1:]}))", *PACKAGES),
    }


def git_commit() -> str:
    """The commit measured, with '+changes' when the work tree differs from it."""
    def git(*args: str) -> str:
        res = subprocess.run(["git", "-C", str(PROJECT), *args], capture_output=True, text=True)
        return res.stdout.strip() if res.returncode == 0 else ""
    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return commit + ("+changes" if git("status", "--porcelain", "--untracked-files=no") else "")


# ----------------------------------------------------------------------------- steps


@dataclass
class Step:
    name: str
    spans: int
    calls: int
    wall_s: float | None
    cpu_s: float | None
    peak_mib: float | None
    note: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def rate(self) -> float | None:
        return self.spans / self.wall_s if self.wall_s else None


def truth_calls(out: Path) -> int:
    with open(out / "truth" / "calls.csv", newline="", encoding="utf-8") as fh:
        return sum(1 for _ in csv.reader(fh)) - 1


def ensure_set(out: Path, spans: int, seed: int, logs: Path,
               last_days: int | None = None) -> tuple[dict[str, Any], Measured | None]:
    """The generated set at out (reused when its manifest matches size, seed and last days) and the generation's
    measure."""
    manifest_path = out / "truth" / "manifest.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        found = len(list((out / "spans").glob("*.json*")))
        if ((manifest.get("spans_requested"), manifest.get("seed"), manifest.get("files"), manifest.get("last_days"))
                == (spans, seed, found, last_days)):
            log(f"    reusing {out} ({spans:,} spans, seed {seed})")
            return manifest, None
    log(f"    generating {spans:,} spans, seed {seed} -> {out}")
    log_file = logs / f"generate-seed{seed}.log"
    days = ["--last-days", str(last_days)] if last_days else []
    m = check(measure([str(PY), "-m", "llm_cost", "generate", "--spans", str(spans), "--seed", str(seed), *days,
                       "--out", str(out)], log_file=log_file), "llm_cost generate", log_file)
    return json.loads(manifest_path.read_text()), m


def _gzip_file(path: Path) -> None:
    partial = path.parent.parent / f"{path.name}.gz.partial"  # outside spans/: a crash leaves no span file behind
    with open(path, "rb") as src, gzip.open(partial, "wb", compresslevel=1) as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    partial.rename(path.with_name(path.name + ".gz"))
    path.unlink()


def gzip_spans(spans_dir: Path) -> int:
    """Compress every span file not yet gzipped, in place (gzip level 1, two processes); the files' count and names
    up to .gz stay, so a set is still reused. Returns how many were compressed."""
    todo = sorted(f for f in spans_dir.glob("*.json*") if not f.name.endswith(".gz"))
    if todo:
        log(f"    gzipping {len(todo):,} span files in {spans_dir} (--gzip-spans)")
        with multiprocessing.Pool(DUCKDB_THREADS) as pool:
            for done, _ in enumerate(pool.imap_unordered(_gzip_file, todo), 1):
                if done % 250 == 0 or done == len(todo):
                    log(f"      {done:,} / {len(todo):,}")
    return len(todo)


def warm_page_cache(spans_dir: Path) -> str:
    """Read the span files once, untimed, so the steps compared read them from memory (called before the full build and
    before the naive query; per-call Python follows the naive query's read): otherwise a step that follows the full
    build's gigabytes of writes reads them back from disk, and a fast query mostly measures the disk (10M spans: the
    naive query took 27.2 s from a dropped cache, 18.2 s warm)."""
    files = [p for p in sorted(spans_dir.iterdir()) if p.is_file()]
    total = 0
    for path in files:
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 24):
                total += len(chunk)
    available_kib = proc_field("/proc/meminfo", "MemAvailable").split()[0]
    fits = available_kib.isdigit() and total < int(available_kib) * 1024 * 0.8
    note = f"span files read into the page cache first ({total / 2**30:.1f} GiB)"
    return note if fits else note + ", more than fits in memory: partly read from disk"


def link_files(src: Path, dest: Path, prefix: str = "") -> None:
    for f in sorted(src.glob("*.json*")):
        (dest / f"{prefix}{f.name}").symlink_to(f.resolve())


MART_TOTALS = """
import json, sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
calls, cost, unpriced = con.execute(
    "select count(*), coalesce(sum(cost_usd), 0), count(*) filter (where not is_priced) from fct_span_costs"
).fetchone()
print(json.dumps({"calls": calls, "cost_usd": float(cost), "unpriced_calls": unpriced}))
"""


class Dbt:
    def __init__(self, size_dir: Path, spans_dir: Path) -> None:
        self.db = size_dir / "llm_cost.duckdb"
        self.logs = size_dir / "logs"
        self.vars = json.dumps({"otel_spans_path": f"{spans_dir}/*.json*", "unpriced_severity": "warn"})
        self.target = size_dir / "dbt" / "target"
        self.env = dict(os.environ, LLM_COST_DUCKDB=str(self.db), DBT_PROFILES_DIR=str(PROJECT), DO_NOT_TRACK="1",
                        DBT_SEND_ANONYMOUS_USAGE_STATS="false", DBT_TARGET_PATH=str(self.target),
                        DBT_LOG_PATH=str(size_dir / "dbt" / "logs"))

    def fresh(self) -> None:
        # the parse state too: kept from a run of another checkout on the same work folder, dbt's partial parse reused
        # that checkout's seed paths (the seed step then failed once that checkout was gone)
        for p in (self.db, self.db.with_name(self.db.name + ".wal"), self.target / "partial_parse.msgpack"):
            p.unlink(missing_ok=True)

    def __call__(self, name: str, *args: str) -> Measured:
        log_file = self.logs / f"dbt-{name}.log"
        cmd = [str(DBT), *args, "--vars", self.vars]
        return check(measure(cmd, log_file=log_file, env=self.env), f"dbt {' '.join(args)} ({name})", log_file)

    def timing(self, m: Measured) -> dict[str, Any]:
        """dbt's own view of the last run (target/run_results.json): node time without startup and parsing, and
        the nodes executing when the sampled RSS peaked (several when dbt runs models side by side)."""
        results = json.loads((self.target / "run_results.json").read_text())
        nodes = sorted(results["results"], key=lambda r: -r["execution_time"])
        return {"dbt_elapsed_s": results["elapsed_time"],
                "slowest_models": {r["unique_id"].split(".")[-1]: round(r["execution_time"], 2) for r in nodes[:5]},
                **peak_nodes(results["results"], m.rss_samples)}

    def totals(self) -> dict[str, Any]:
        result: dict[str, Any] = venv_json(MART_TOTALS, str(self.db))
        return result


def peak_nodes(results: list[dict[str, Any]], samples: list[tuple[float, float]]) -> dict[str, Any]:
    """The sampled RSS peak and the nodes whose execution spans it; none when it fell between nodes or outside
    them (dbt's start-up, parse or end)."""
    if not samples:
        return {}
    at, mib = max(samples, key=lambda sample: sample[1])
    running = []
    for r in results:
        for t in r.get("timing", []):
            if t["name"] == "execute" and t.get("started_at") and t.get("completed_at"):
                start, end = (datetime.fromisoformat(t[k].replace("Z", "+00:00")).timestamp()
                              for k in ("started_at", "completed_at"))
                if start <= at <= end:
                    running.append(r["unique_id"].split(".")[-1])
    return {"sampled_peak_mib": round(mib), "nodes_at_peak": sorted(running)}


def dbt_note(timing: dict[str, Any]) -> str:
    slowest, secs = next(iter(timing["slowest_models"].items()), ("-", 0.0))
    note = f"dbt-reported node time {timing['dbt_elapsed_s']:.1f} s (slowest: {slowest} {secs:.1f} s)"
    if "nodes_at_peak" in timing:
        during = ", ".join(timing["nodes_at_peak"]) or "no node (between nodes, start-up, parse or end)"
        note += f"; sampled RSS peak {timing['sampled_peak_mib']:,} MiB during {during}"
    return note


def baseline(script: str, name: str, logs: Path, *args: str) -> tuple[Measured, dict[str, Any]]:
    log_file, out_file = logs / f"{name}.log", logs / f"{name}.json"
    m = check(measure([str(PY), str(BENCH / script), *args], log_file=log_file, out_file=out_file),
              f"baseline {name}", log_file)
    result: dict[str, Any] = json.loads(out_file.read_text())
    return m, result


def bench_size(n: int, work: Path, sample: float, gzip_all: bool) -> dict[str, Any]:
    size_dir = work / str(n)
    logs = size_dir / "logs"
    batch_n = max(MIN_SPANS, n // 100)
    log(f"==> {n:,} spans (batch {batch_n:,}) in {size_dir}")

    base, gen_base = ensure_set(size_dir / "base", n, BASE_SEED, logs)
    batch, gen_batch = ensure_set(size_dir / "batch", batch_n, BATCH_SEED, logs)
    next_batch, gen_next = ensure_set(size_dir / "batch_next", batch_n, NEXT_BATCH_SEED, logs)
    last_day_batch, gen_last_day = ensure_set(size_dir / "batch_last_day", batch_n, LAST_DAY_BATCH_SEED, logs,
                                              last_days=LAST_DAY_BATCH_DAYS)
    base_calls, batch_calls = truth_calls(size_dir / "base"), truth_calls(size_dir / "batch")
    next_calls, last_day_calls = truth_calls(size_dir / "batch_next"), truth_calls(size_dir / "batch_last_day")
    if gzip_all:
        for part in ("base", "batch", "batch_next", "batch_last_day"):
            gzip_spans(size_dir / part / "spans")
    generations = (gen_base, gen_batch, gen_next, gen_last_day)  # None for a reused set
    gens = [g for g in generations if g]
    steps = [Step(
        "generate (base + three 1% batches)",
        base["span_records"] + batch["span_records"] + next_batch["span_records"] + last_day_batch["span_records"],
        base_calls + batch_calls + next_calls + last_day_calls,
        sum(g.wall_s for g in gens) if gens else None, sum(g.cpu_s for g in gens) if gens else None,
        max(g.peak_mib for g in gens) if gens else None,
        "" if len(gens) == len(generations) else ("reused existing sets (not timed)" if not gens
                                                   else "some sets reused: partly timed"),
    )]

    spans_dir = size_dir / "spans"
    shutil.rmtree(spans_dir, ignore_errors=True)
    spans_dir.mkdir(parents=True)
    link_files(size_dir / "base" / "spans", spans_dir)
    dbt = Dbt(size_dir, spans_dir)
    dbt.fresh()
    log("    dbt seed (not timed)")
    dbt("seed", "seed", "--quiet")
    log("    dbt run: full build")
    warm = warm_page_cache(size_dir / "base" / "spans")
    full = dbt("full", "run")
    full_totals, full_timing = dbt.totals(), dbt.timing(full)
    steps.append(Step("full build (dbt run)", base["span_records"], full_totals["calls"], full.wall_s, full.cpu_s,
                      full.peak_mib, f"{dbt_note(full_timing)}; {warm}",
                      detail={**full_totals, **full_timing, "page_cache": warm}))

    def incremental(part: str, prefix: str, what: str, name: str, manifest: dict[str, Any],
                    calls_before: int) -> tuple[Measured, dict[str, Any]]:
        """Link a batch's files into the landing folder, time the same `dbt run` again, record it as a step."""
        link_files(size_dir / part / "spans", spans_dir, prefix=prefix)
        log(f"    dbt run: incremental, {what}")
        m = dbt(part.replace("batch", "incremental"), "run")
        totals, timing = dbt.totals(), dbt.timing(m)
        steps.append(Step(name, manifest["span_records"], totals["calls"] - calls_before, m.wall_s, m.cpu_s,
                          m.peak_mib, dbt_note(timing), detail={**totals, **timing}))
        return m, totals

    inc, inc_totals = incremental("batch", "batch-", "1% new runs", "incremental 1% (dbt run)", batch,
                                  full_totals["calls"])
    # the steady state of a schedule: a run after a run. The first run after a full build also pays DuckDB's
    # one-time merge of the full build's partly filled row groups (bench/README.md)
    nxt, next_totals = incremental("batch_next", "next-", "the next 1% new runs",
                                   "incremental 1%, next batch (dbt run)", next_batch, inc_totals["calls"])
    last, last_totals = incremental("batch_last_day", "last-day-", "1% new runs, all on the window's last day",
                                    "incremental 1%, last day's runs (dbt run)", last_day_batch, next_totals["calls"])

    base_glob = str(size_dir / "base" / "spans" / "*.json*")
    log("    baseline (a): naive GROUP BY in DuckDB")
    warm = warm_page_cache(size_dir / "base" / "spans")
    naive_m, naive = baseline("naive_groupby.py", "naive_groupby", logs, "--glob", base_glob, "--prices", str(PRICES),
                              "--threads", str(DUCKDB_THREADS))
    steps.append(Step("naive GROUP BY (DuckDB)", naive["spans"], naive["calls"], naive_m.wall_s, naive_m.cpu_s,
                      naive_m.peak_mib, warm, detail={**naive, "page_cache": warm}))

    log(f"    baseline (b): per-call Python pricing on {sample:.0%} of the files")
    py_m, py = baseline("python_pricing.py", "python_pricing", logs, "--glob", base_glob, "--fraction", str(sample))
    py_step = Step("per-call Python (genai-prices)", py["spans"], py["calls"], py_m.wall_s, py_m.cpu_s,
                   py_m.peak_mib, detail=py)
    if py["files_read"] < py["files_total"]:
        # Linear in the spans read; start-up (imports) is paid once, so only the processing time is scaled.
        factor = base["span_records"] / py["spans"]
        extra = py["processing_s"] * (factor - 1)
        py_step = Step(py_step.name, base["span_records"], round(py["calls"] * factor), py_m.wall_s + extra,
                       py_m.cpu_s + extra, py_m.peak_mib,
                       f"extrapolated from {py['files_read'] / py['files_total']:.1%} of files ({py['files_read']} of "
                       f"{py['files_total']}, {py['spans']:,} spans, measured {py_m.wall_s:.1f} s); calls estimated; "
                       f"peak memory of the sample", detail={**py, "extrapolation_factor": factor})
    steps.append(py_step)

    ratios = {
        "full build / naive GROUP BY": full.wall_s / naive_m.wall_s,
        "per-call Python / full build": (py_step.wall_s or 0) / full.wall_s,
        "incremental 1% / full build": inc.wall_s / full.wall_s,
        "incremental 1%, next batch / full build": nxt.wall_s / full.wall_s,
        "incremental 1%, last day's runs / full build": last.wall_s / full.wall_s,
    }
    checks = {
        "full build: fct_span_costs calls == base truth calls": (full_totals["calls"], base_calls),
        "incremental: fct_span_costs calls == base + batch truth calls": (inc_totals["calls"],
                                                                          base_calls + batch_calls),
        "next incremental: fct_span_costs calls == base + both batches' truth calls": (
            next_totals["calls"], base_calls + batch_calls + next_calls),
        "last-day incremental: fct_span_costs calls == base + all three batches' truth calls": (
            last_totals["calls"], base_calls + batch_calls + next_calls + last_day_calls),
    }
    memory = {f"{s.name}: peak RSS <= {MEMORY_CAP_MIB:,} MiB": (s.peak_mib or 0) <= MEMORY_CAP_MIB
              for s in steps if s.name.endswith("(dbt run)")}
    return {
        "spans": n, "batch_spans": batch_n, "work": str(size_dir), "gzip_spans": gzip_all,
        "memory": memory,
        "truth": {"base_calls": base_calls, "batch_calls": batch_calls, "next_batch_calls": next_calls,
                  "last_day_batch_calls": last_day_calls, "base_manifest": base, "batch_manifest": batch,
                  "next_batch_manifest": next_batch, "last_day_batch_manifest": last_day_batch},
        "python_baseline_sample": py["files_read"] / py["files_total"],
        "steps": [dict(asdict(s), spans_per_s=s.rate) for s in steps],
        "ratios": {k: {"value": v, "target": f"{TARGETS[k][0]} {bound(k, n):g}", "met": met(k, v, n)}
                   for k, v in ratios.items()},
        "checks": {k: {"got": got, "expected": exp, "pass": got == exp} for k, (got, exp) in checks.items()},
    }


def bound(ratio: str, spans: int) -> float:
    return incremental_bound(spans) if ratio.startswith("incremental") else TARGETS[ratio][1]


def met(ratio: str, value: float, spans: int) -> bool:
    op, limit = TARGETS[ratio][0], bound(ratio, spans)
    return value <= limit if op == "<=" else value >= limit


# ----------------------------------------------------------------------------- report


def fmt(x: float | None, digits: int = 1) -> str:
    return "n/a" if x is None else f"{x:,.{digits}f}"


def md_table(header: list[str], rows: list[list[str]], left: tuple[str, ...] = ("step", "note")) -> list[str]:
    align = [":--" if i == 0 or h in left else "--:" for i, h in enumerate(header)]
    return ["| " + " | ".join(r) + " |" for r in [header, align, *rows]]


def machine_md(info: dict[str, Any]) -> list[str]:
    v = info["versions"]
    return [
        f"- date: {info['date']}, commit {info.get('commit', 'not recorded')}",
        f"- machine: {info['nproc']} cores, {info['ram_gib']} GiB RAM, {info['cpu']} (Linux {info['kernel']}); "
        f"load average at start {' / '.join(map(str, info['load_avg_at_start']))}",
        "- versions: " + ", ".join(f"{p} {v[p]}" for p in PACKAGES) + f", Python {info['python']}",
    ]


def size_md(r: dict[str, Any]) -> list[str]:
    lines = [f"### {r['spans']:,} spans (+ {r['batch_spans']:,}-span batch of new runs)", ""]
    if r.get("gzip_spans"):
        lines += ["Every span file gzipped (`--gzip-spans`, level 1; the generator gzips one in five), to fit the "
                  "disk: every step reads the same compressed files, so compare its spans/s with other sizes' "
                  "as a lower bound.", ""]
    rows = [[s["name"], f"{s['spans']:,}", f"{s['calls']:,}", fmt(s["wall_s"]), fmt(s["spans_per_s"], 0),
             fmt(s["cpu_s"]), fmt(s["peak_mib"], 0), s["note"]] for s in r["steps"]]
    lines += md_table(["step", "spans", "calls", "wall s", "spans/s", "CPU s", "peak MiB", "note"], rows)
    lines += [""]
    lines += md_table(["ratio (wall time)", "value", "target", "verdict"], left=("verdict",), rows=[
        # two decimals for the incremental ratios, so a value a hair over its bound does not print as the bound
        [k, f"{v['value']:.2%}" if "incremental" in k else f"{v['value']:.1f}x",
         v["target"].replace("0.05", "5%").replace("0.25", "25%") if "incremental" in k else v["target"] + "x",
         "met" if v["met"] else "missed"]
        for k, v in r["ratios"].items()])
    lines += [""]
    lines += [f"- memory {'met' if ok else 'missed'}: {k}" for k, ok in r.get("memory", {}).items()]
    lines += [f"- {'PASS' if c['pass'] else 'FAIL'}: {k} ({c['got']:,} vs {c['expected']:,})"
              for k, c in r["checks"].items()]
    steps = {s["name"]: s for s in r["steps"]}
    full = steps["full build (dbt run)"]["detail"]
    naive = steps["naive GROUP BY (DuckDB)"]["detail"]
    py = steps["per-call Python (genai-prices)"]["detail"]
    py_scope = ("" if py["files_read"] == py["files_total"]
                else f" (on {py['files_read']} of {py['files_total']} files only)")
    lines += ["", "What each computation says the base set cost (same files):", ""]
    lines += md_table(["computation", "calls counted", "unpriced calls", "total cost USD"], [
        ["ground truth (truth/calls.csv)", f"{r['truth']['base_calls']:,}", "", ""],
        ["project: fct_span_costs (full build)", f"{full['calls']:,}", f"{full['unpriced_calls']:,}",
         f"{full['cost_usd']:,.2f}"],
        ["naive GROUP BY", f"{naive['calls']:,}", f"{naive['unpriced_calls']:,}", f"{naive['cost_usd']:,.2f}"],
        ["per-call Python" + py_scope, f"{py['calls']:,}", f"{py['unpriced_calls']:,}", f"{py['cost_usd']:,.2f}"],
    ])
    return lines


def linear_fit(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Least squares y = a + b x."""
    n = len(points)
    mx, my = sum(x for x, _ in points) / n, sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    b = sum((x - mx) * (y - my) for x, y in points) / sxx if sxx else 0.0
    return my - b * mx, b


def growth_md(results: list[dict[str, Any]]) -> list[str]:
    """Spans/s and peak RSS per size, and the full build's time projected to PROJECT_TO spans by a straight line
    through the measured sizes (time = start-up + spans / rate): an estimate, said so."""
    if len(results) < 2:
        return []
    rows, points, peaks = [], [], []
    for r in sorted(results, key=lambda r: r["spans"]):
        steps = {s["name"]: s for s in r["steps"]}
        full, inc = steps["full build (dbt run)"], steps["incremental 1% (dbt run)"]
        points.append((r["spans"], full["wall_s"]))
        peaks += [full["peak_mib"], inc["peak_mib"]]
        rows.append([f"{r['spans']:,}", fmt(full["wall_s"]), fmt(full["spans_per_s"], 0), fmt(full["peak_mib"], 0),
                     fmt(inc["wall_s"]), fmt(inc["peak_mib"], 0), r.get("machine", {}).get("commit", "not recorded")])
    start, per_span = linear_fit(points)
    projected = start + per_span * PROJECT_TO
    lines = ["### Growth", ""]
    lines += md_table(["spans", "full s", "full spans/s", "full peak MiB", "incremental s", "incremental peak MiB",
                       "commit"], rows, left=("commit",))
    lines += ["", f"- projected full build at {PROJECT_TO:,} spans: {projected:,.0f} s ({projected / 3600:.1f} h), "
              f"from a least-squares line through {len(points)} sizes ({per_span * 1e6:.1f} s per million spans, "
              f"{start:.1f} s fixed); an estimate, not a measurement.",
              f"- peak RSS of the dbt steps across these sizes: {min(peaks):,.0f} to {max(peaks):,.0f} MiB "
              f"(cap {MEMORY_CAP_MIB:,} MiB: {'met at every size' if max(peaks) <= MEMORY_CAP_MIB else 'missed'})."]
    return lines


def report(info: dict[str, Any], results: list[dict[str, Any]]) -> str:
    lines = [*machine_md(info), ""]
    for r in results:
        lines += [*size_md(r), ""]
    lines += growth_md(results)
    return "\n".join(lines)


# ----------------------------------------------------------------------------- entry point


def share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"must be in (0, 1], got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="bench/run_bench.py", description=__doc__.splitlines()[0])
    p.add_argument("--spans", type=parse_span_count, action="append", metavar="N",
                   help="span count of a size to measure; repeat for several (default 1000000)")
    p.add_argument("--work", type=Path, default=BENCH / "work",
                   help="where the span sets, DuckDB files, logs and results go (default bench/work)")
    p.add_argument("--report", action="store_true",
                   help="measure nothing: print the report of the sizes' saved <work>/results-<N>.json")
    p.add_argument("--python-baseline-sample", type=share, metavar="F",
                   help="share of the files the per-call Python baseline reads, extrapolated linearly "
                        "(default 1.0 up to 1M spans, 0.1 above)")
    p.add_argument("--gzip-spans", action="store_true",
                   help="gzip every generated span file (level 1) before measuring: about a tenth of the disk "
                        "(30M spans: 24 GB of files otherwise), at some cost in read time, said in the report")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    sizes: list[int] = args.spans or [1_000_000]
    work: Path = args.work.resolve()
    try:
        if args.report:
            saved = [work / f"results-{n}.json" for n in sizes]
            missing = [str(p) for p in saved if not p.exists()]
            if missing:
                raise BenchError(f"no saved results: {', '.join(missing)} (run those sizes first)")
            results = [json.loads(p.read_text()) for p in saved]
            print(report(results[-1]["machine"], results))
            return 0
        check_environment()
        work.mkdir(parents=True, exist_ok=True)
        info = machine()
        results = []
        for n in sizes:
            sample = args.python_baseline_sample or (1.0 if n <= 1_000_000 else 0.1)
            result = {"machine": info, **bench_size(n, work, sample, args.gzip_spans)}
            (work / f"results-{n}.json").write_text(json.dumps(result, indent=2) + "\n")
            (work / f"results-{n}.md").write_text(report(info, [result]) + "\n")
            log(f"    wrote {work / f'results-{n}.json'}")
            results.append(result)
    except BenchError as exc:
        print(f"run_bench: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("run_bench: interrupted", file=sys.stderr)
        return 130
    print(report(info, results))
    return 0 if all(c["pass"] for r in results for c in r["checks"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
