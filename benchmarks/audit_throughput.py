"""Audit throughput: the Ray audit side by side with the bare analyzers on the same cores.

    python benchmarks/audit_throughput.py [--repeats 3] [--sizes 4,12]

For each size (number of real public projects from PyPI) it runs, in one process each:
- baseline: the analyzers' own command lines run directly on the same repos, as a team
  would script them, as many at a time as there are cores: `ruff check` (the same rule
  selection), `bandit -r`, `semgrep scan` with codeprism's rule pack, `detect-secrets scan`
  run inside each repository, and `lizard`. Results are written to pipes and discarded;
- audit, cold: `jobs.audit.main` into a fresh warehouse on a Ray instance just started (the
  start itself is excluded from the timing, as the target says). It pays for Ray's first
  job: starting worker processes, Ray Data's own helper actors, its analysis actors, and
  writing every row to the Delta tables;
- audit, warm: the same on a Ray instance that has already run one small audit, as a
  long-lived cluster (`ray up`) has: Ray Data's helper actors and warm worker processes exist.
  The analysis actors are still started by the timed run.
It prints median wall times, the ratio audit/baseline, lines per second, and the peak RSS of
the audit's driver and of one analysis actor (with its analyzer child processes).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psutil

from codeprism.analysis import AnalysisConfig, AnalyzerSuite
from codeprism.analyzers.ruff import SELECT
from codeprism.corpus import DEMO_PROJECTS, EXTRA_PROJECTS, prepare_corpus
from codeprism.rules import compiled_pack

CACHE = Path(os.environ.get("CODEPRISM_CACHE", "~/.cache/codeprism")).expanduser()
MODES = ["baseline", "cold", "warm"]
BIN = Path(sys.executable).parent


def tool_commands(root: Path) -> list[tuple[list[str], Path]]:
    """(command, working directory) of each analyzer's own CLI for one repository."""
    semgrep = [
        str(BIN / "semgrep"), "scan", "--metrics=off", "--disable-version-check", "--json",
        "--quiet", f"--config={compiled_pack()}", str(root),
    ]  # fmt: skip
    return [
        ([str(BIN / "ruff"), "check", "--isolated", "--no-cache", "--exit-zero",
          "--output-format", "json", "--select", ",".join(SELECT), str(root)], root),
        ([str(BIN / "bandit"), "-r", "-q", "-f", "json", str(root)], root),
        (semgrep, root),
        ([str(BIN / "detect-secrets"), "scan", "--all-files"], root),
        ([str(BIN / "lizard"), str(root)], root),
    ]  # fmt: skip


def _run_tool(job: tuple[list[str], Path]) -> int:
    command, cwd = job
    done = subprocess.run(command, cwd=cwd, capture_output=True, check=False)
    return done.returncode


def count_lines(roots: list[Path]) -> int:
    with AnalyzerSuite(AnalysisConfig(analyzers=())) as suite:  # the inventory alone
        return sum(suite.analyze(root, root.name).inventory.lines for root in roots)


def run_baseline(roots: list[Path]) -> dict[str, Any]:
    jobs = [job for root in roots for job in tool_commands(root)]
    started = time.perf_counter()
    with ThreadPoolExecutor(os.cpu_count()) as pool:  # one tool process per core
        codes = list(pool.map(_run_tool, jobs))
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "lines": count_lines(roots), "exit_codes": codes}


class ActorMemory:
    """Samples the RSS of analysis actors (and their children) while the audit runs."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for proc in psutil.process_iter(["cmdline"]):
                try:
                    if "MapWorker" not in " ".join(proc.info["cmdline"] or []):
                        continue
                    family = [proc, *proc.children(recursive=True)]
                    self.peak = max(self.peak, sum(p.memory_info().rss for p in family))
                except psutil.Error:
                    continue
            time.sleep(0.5)  # the sampler shares the audit's two cores

    def __enter__(self) -> ActorMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def run_audit_once(roots: list[Path], warm: bool) -> dict[str, Any]:
    import ray

    from jobs.audit import main as audit_main

    ray.init(include_dashboard=False, log_to_driver=False)  # one per core, like the baseline
    with tempfile.TemporaryDirectory() as tmp:
        if warm:  # a small earlier job, as on a cluster that has run audits before
            smallest = min(roots, key=lambda r: sum(1 for _ in r.rglob("*")))
            audit_main([str(smallest), "--warehouse", f"{tmp}/warmup", "--no-progress"])
        memory = ActorMemory()
    with tempfile.TemporaryDirectory() as tmp, memory:
        # Summary only: a findings report would load every finding into the driver at the end.
        args = [str(r) for r in roots] + ["--warehouse", f"{tmp}/wh", "--no-progress"]
        started = time.perf_counter()
        code = audit_main(args)
        seconds = time.perf_counter() - started
    ray.shutdown()
    driver_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {"seconds": seconds, "code": code, "driver_rss": driver_peak, "actor_rss": memory.peak}


def child(mode: str, count: int) -> None:
    roots = corpus(count)
    result = run_baseline(roots) if mode == "baseline" else run_audit_once(roots, mode == "warm")
    print("RESULT " + json.dumps(result))


def corpus(count: int) -> list[Path]:
    projects = (DEMO_PROJECTS + EXTRA_PROJECTS)[:count]
    return prepare_corpus(projects, CACHE / "corpus")


def measure(mode: str, count: int) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", mode, "--count", str(count)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            return dict(json.loads(line.removeprefix("RESULT ")))
    raise SystemExit(f"{mode} run failed:\n{done.stderr[-3000:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sizes", default="4,12")
    parser.add_argument("--child", choices=MODES, help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.count)
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    corpus(max(sizes))  # download once, outside every timing
    print(f"machine: {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB")
    driver_rss: dict[int, float] = {}
    for count in sizes:
        runs: dict[str, list[dict[str, Any]]] = {mode: [] for mode in MODES}
        for _ in range(args.repeats):  # interleaved, so drift on a shared machine hits all
            for mode in MODES:
                runs[mode].append(measure(mode, count))
        base_s = statistics.median(r["seconds"] for r in runs["baseline"])
        lines = runs["baseline"][0]["lines"]
        print(
            f"repos={count:>2} lines={lines:,} | baseline median {base_s:.2f}s "
            f"({lines / base_s:,.0f} lines/s)"
        )
        for mode in ("cold", "warm"):
            audit_s = statistics.median(r["seconds"] for r in runs[mode])
            print(
                f"    audit on {mode} Ray: median {audit_s:.2f}s ({lines / audit_s:,.0f} lines/s)"
                f" | ratio audit/baseline {audit_s / base_s:.2f}"
            )
        # memory from the cold runs: their driver ran the measured audit and nothing else
        driver_rss[count] = statistics.median(r["driver_rss"] for r in runs["cold"]) / 2**20
        actor_rss = statistics.median(r["actor_rss"] for r in runs["cold"]) / 2**20
        print(
            f"    driver peak RSS {driver_rss[count]:.0f} MiB | "
            f"analysis actor peak RSS {actor_rss:.0f} MiB"
        )
    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        growth = driver_rss[large] / driver_rss[small] - 1
        print(f"driver peak RSS growth {small} -> {large} repos: {growth:+.1%} (target <= +20%)")


if __name__ == "__main__":
    main()
