"""KPI speed: the KPI library (polars over Delta) side by side with the same queries in DuckDB.

    python benchmarks/kpi_speed.py [--rows 1000000] [--repeats 5] [--cache DIR] [--only NAME]

Data: a seeded synthetic warehouse with the real table schemas (codeprism.schema), written
once with deltalake and cached: `--rows` findings rows over five succeeded audit runs a week
apart and one quarantined run (which every query must ignore), 300 repositories in 12 orgs
(about 16% of them skipped as unchanged in each later run, so their state is carried from an
earlier audit, and 2% failed), findings that appear, persist and get fixed across runs (so
diff and time to fix have work), about 2% LLM findings with their `llm_passes` rows, and
50,000 online reviews.

Contenders, in the same process, on the same files, the same two cores:
- polars: the public functions of `analytics.kpis` on one `KpiSource` (scan_delta; each
  table's Delta log is read once, when first used, as DuckDB's file lists are made once);
- DuckDB: hand-written SQL with the same semantics over `read_parquet` of the Parquet files
  of each table's current Delta snapshot (`DeltaTable.file_uris()`, listed once outside the
  timing; partition values from the hive paths). DuckDB's delta extension would read the
  tables directly, but DuckDB downloads it at run time, which this machine cannot do. Where
  two SQL formulations make sense (join the rows then count, or count then join; anti/semi
  joins or one full join), both are timed and the faster one is DuckDB's figure.
Each query runs once untimed on both and the results are checked equal (else the benchmark
stops: the timing would compare different work), then `--repeats` times interleaved; it
prints the medians and the ratio duckdb/polars (> 1: polars is faster).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import psutil
import pyarrow as pa
from deltalake import DeltaTable, write_deltalake
from polars.testing import assert_frame_equal

from analytics import kpis
from codeprism.analyzers.inventory import EXTENSIONS, FILE_NAMES
from codeprism.schema import PARTITIONS, TABLES

CACHE = Path(os.environ.get("CODEPRISM_CACHE", "~/.cache/codeprism")).expanduser()
DATA_VERSION = "1"  # bump when the generator changes, so an old cache is not reused
SEED = 20261123

RUNS = 5
REPOS = 300
ORGS = 12
T0 = datetime(2026, 1, 5, 6, 0, tzinfo=UTC)

# (analyzer, rule_id, severity, weight): a catalog shaped like a real audit's mix
RULES: list[tuple[str, str, str, float]] = [
    *[("ruff", f"F{400 + i}", "low", 6.0) for i in range(8)],
    *[("ruff", f"B{i:03d}", "medium", 3.0) for i in range(6)],
    *[("ruff", f"S{600 + i}", "high", 1.0) for i in range(5)],
    ("ruff", "S307", "medium", 1.0),
    *[("bandit", f"B{100 + i}", "low", 4.0) for i in range(6)],
    *[("bandit", f"B{600 + i}", "high", 0.8) for i in range(4)],
    ("bandit", "B324", "critical", 0.2),
    ("secrets", "aws-access-key", "high", 0.3),
    ("secrets", "secret-keyword", "medium", 0.8),
    ("secrets", "private-key", "critical", 0.1),
    ("secrets", "github-token", "high", 0.2),
    ("complexity", "cyclomatic-complexity", "low", 6.0),
    ("complexity", "function-length", "low", 4.0),
    ("llm", "security/injection", "high", 0.6),
    ("llm", "logic/off-by-one", "medium", 0.8),
    ("llm", "performance/quadratic", "info", 0.6),
    ("llm", "style/naming", "info", 0.5),
]
LANGUAGES = ["Python", "Go", "TypeScript", "Java", "Rust", "C++", "Ruby", "Shell", "YAML"]


# -- the synthetic warehouse ---------------------------------------------------------------


def run_ids() -> list[str]:
    return [f"bench-r{i + 1}" for i in range(RUNS)]


def generate(rows: int, seed: int) -> dict[str, pl.DataFrame]:
    """Every table of the warehouse as polars frames; `findings` has exactly `rows` rows."""
    rng = np.random.default_rng(seed)
    runs = _runs()
    repos, audited, files = _repos(rng)
    findings = _findings(rng, rows, audited, files, repos)
    return {
        "runs": runs,
        "repos": _repo_rows(repos, audited),
        "findings": findings,
        "llm_passes": _llm_passes(findings, files),
        "reviews": _reviews(rng),
    }


def _runs() -> pl.DataFrame:
    rows = []
    for i, run_id in enumerate(run_ids()):
        rows.append((run_id, T0 + timedelta(days=7 * i), "succeeded"))
    rows.append(("bench-quarantined", T0 + timedelta(days=7 * 2, hours=3), "quarantined"))
    frame = pl.DataFrame(rows, schema=["run_id", "started_at", "status"], orient="row")
    return frame.with_columns(
        run_date=pl.col("started_at").dt.date(),
        finished_at=pl.col("started_at") + pl.duration(hours=1),
        schema_version=pl.lit(1, pl.Int32),
    )


def _repos(rng: np.random.Generator) -> tuple[pl.DataFrame, np.ndarray, list[list[str]]]:
    """Repos with sizes and languages, which run audits which repo (else skip/fail), and
    each repo's file paths."""
    names = [f"svc-{i:03d}" for i in range(REPOS)]
    orgs = [f"org{i % ORGS:02d}" for i in range(REPOS)]
    langs: list[list[tuple[str, int]]] = []
    files: list[list[str]] = []
    lines = []
    for _ in range(REPOS):
        picked = rng.choice(LANGUAGES, size=int(rng.integers(1, 4)), replace=False)
        shares = rng.dirichlet(np.ones(len(picked)))
        total = int(rng.lognormal(10.3, 0.8)) + 500  # ~40k lines, long tail
        langs.append(
            [(str(lang), int(total * 0.95 * s)) for lang, s in zip(picked, shares, strict=True)]
        )
        lines.append(total)
        exts = [e for e, lang in EXTENSIONS.items() if lang in set(picked)]
        n_files = max(5, total // 250)
        paths = [f"src/pkg{j % 17}/mod{j}{exts[j % len(exts)]}" for j in range(n_files)]
        files.append([*paths, "README.md", "Dockerfile", "LICENSE"])
    # 0 audited, 1 skipped (unchanged), 2 failed; the first run audits everything
    state = rng.choice([0, 1, 2], size=(REPOS, RUNS), p=[0.82, 0.16, 0.02])
    state[:, 0] = 0
    audited = state
    frame = pl.DataFrame(
        {
            "repo_idx": np.arange(REPOS),
            "repo": names,
            "org": orgs,
            "lines": lines,
            "languages": [[{"key": k, "value": v} for k, v in lang] for lang in langs],
            "files": [len(f) for f in files],
        }
    )
    return frame, audited, files


def _findings(
    rng: np.random.Generator,
    rows: int,
    audited: np.ndarray,
    files: list[list[str]],
    repos: pl.DataFrame,
) -> pl.DataFrame:
    # ~22 potential findings per kloc; raised until the runs hold enough rows
    density = 22.0
    for _ in range(4):
        made = _potential(np.random.default_rng(rng.integers(2**32)), density, audited, repos)
        if len(made[0]) >= rows * 1.02:
            break
        density *= rows * 1.05 / max(1, len(made[0]))
    return _finding_rows(rng, rows, made, files, repos)


Potential = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _potential(
    rng: np.random.Generator, density: float, audited: np.ndarray, repos: pl.DataFrame
) -> Potential:
    """Potential findings, and (index, run) of each row: every potential finding present in
    a run that audited its repo, plus a sample re-written by the quarantined run."""
    weights = np.array([r[3] for r in RULES])
    per_repo = (repos["lines"].to_numpy() / 1000 * density).astype(int) + 20
    # potential findings: each appears in one run and is fixed in a later one, or never
    n = int(per_repo.sum())
    repo_idx = np.repeat(np.arange(REPOS), per_repo)
    appear = rng.choice(RUNS, size=n, p=[0.6, 0.1, 0.1, 0.1, 0.1])
    fixed = np.where(
        rng.random(n) < 0.45, appear + 1 + rng.integers(0, RUNS, size=n) % (RUNS - appear), RUNS
    )
    rule_idx = rng.choice(len(RULES), size=n, p=weights / weights.sum())
    parts = []
    for run in range(RUNS):
        live = (appear <= run) & (fixed > run) & (audited[repo_idx, run] == 0)
        parts.append((np.nonzero(live)[0], run))
    idx = np.concatenate([p[0] for p in parts])
    run_of = np.concatenate([np.full(len(p[0]), p[1]) for p in parts])
    in_third = idx[run_of == 2]
    quarantined = rng.choice(in_third, size=len(in_third) // 5, replace=False)
    idx = np.concatenate([idx, quarantined])
    run_of = np.concatenate([run_of, np.full(len(quarantined), -1)])
    return idx, run_of, repo_idx, rule_idx, appear, fixed


def _finding_rows(
    rng: np.random.Generator,
    rows: int,
    made: Potential,
    files: list[list[str]],
    repos: pl.DataFrame,
) -> pl.DataFrame:
    idx, run_of, repo_idx, rule_idx, _, _ = made
    n = len(repo_idx)
    n_files = np.array([len(f) for f in files])
    file_idx = (rng.random(n) * n_files[repo_idx]).astype(int)
    start = rng.integers(1, 400, size=n)
    length = np.where(rule_idx >= len(RULES) - 6, rng.integers(1, 60, size=n), 1)
    if len(idx) < rows:
        raise SystemExit(f"the generator makes {len(idx):,} rows, fewer than --rows {rows:,}")
    keep = np.sort(rng.choice(len(idx), size=rows, replace=False))
    idx, run_of = idx[keep], run_of[keep]

    ids = run_ids()
    run_names = np.array([*ids, "bench-quarantined"])[run_of]
    starts = {r: T0 + timedelta(days=7 * i) for i, r in enumerate(ids)}
    starts["bench-quarantined"] = T0 + timedelta(days=14, hours=3)
    rule = [RULES[i] for i in rule_idx[idx]]
    analyzer = [r[0] for r in rule]
    repo_of = repo_idx[idx]
    names = repos["repo"].to_list()
    orgs = repos["org"].to_list()
    shift = np.where(run_of < 0, 2, run_of) * 3  # code moves down between runs
    first = start[idx] + shift
    frame = pl.DataFrame(
        {
            "fingerprint": [f"{i:016x}{j:048x}" for i, j in zip(repo_of, idx, strict=True)],
            "run_id": run_names,
            "repo_idx": repo_of,
            "file_path": [files[r][f] for r, f in zip(repo_of, file_idx[idx], strict=True)],
            "start_line": first,
            "end_line": first + length[idx] - 1,
            "severity": [r[2] for r in rule],
            "rule_id": [r[1] for r in rule],
            "analyzer": analyzer,
            "source": ["llm" if a == "llm" else "static" for a in analyzer],
            "confidence": rng.random(rows).round(2),
        }
    )
    return frame.with_columns(
        finding_id=pl.col("run_id") + pl.lit("-") + pl.col("fingerprint").str.slice(0, 24),
        repo=pl.col("repo_idx").replace_strict(range(REPOS), names, return_dtype=pl.String),
        org=pl.col("repo_idx").replace_strict(range(REPOS), orgs, return_dtype=pl.String),
        created_at=pl.col("run_id").replace_strict(starts, return_dtype=pl.Datetime("us", "UTC")),
        agent=pl.when(pl.col("source") == "llm").then(pl.col("rule_id").str.extract(r"^(\w+)")),
        title=pl.col("rule_id") + pl.lit(" at ") + pl.col("file_path"),
        snippet=pl.lit("x = call(arg)"),
        model=pl.when(pl.col("source") == "llm").then(pl.lit("tiny-llama")),
    ).with_columns(
        repo_id=pl.lit("git:https://git.example/") + pl.col("org") + "/" + pl.col("repo"),
        run_date=pl.col("created_at").dt.date(),
    )


def _repo_rows(repos: pl.DataFrame, audited: np.ndarray) -> pl.DataFrame:
    ids = run_ids()
    rows: list[tuple[int, str, str, str | None]] = []
    for r in range(REPOS):
        last_audit: str | None = None
        for run in range(RUNS):
            status = ("audited", "skipped", "failed")[audited[r, run]]
            rows.append((r, ids[run], status, last_audit if status == "skipped" else None))
            if status == "audited":
                last_audit = ids[run]
    # the quarantined run audited every repo too
    rows += [(r, "bench-quarantined", "audited", None) for r in range(REPOS)]
    frame = pl.DataFrame(
        rows, schema=["repo_idx", "run_id", "status", "previous_run_id"], orient="row"
    )
    starts = {r: T0 + timedelta(days=7 * i) for i, r in enumerate(ids)}
    starts["bench-quarantined"] = T0 + timedelta(days=14, hours=3)
    measured = pl.col("status") == "audited"
    return (
        frame.join(repos, on="repo_idx")
        .with_columns(
            repo_id=pl.lit("git:https://git.example/") + pl.col("org") + "/" + pl.col("repo"),
            audited_at=pl.col("run_id").replace_strict(
                starts, return_dtype=pl.Datetime("us", "UTC")
            ),
            source_kind=pl.lit("git"),
            commit_sha=pl.lit("a" * 40),
        )
        .with_columns(
            run_date=pl.col("audited_at").dt.date(),
            lines=pl.when(measured).then(pl.col("lines")),
            files=pl.when(measured).then(pl.col("files")),
            languages=pl.when(measured).then(pl.col("languages")),
        )
    )


def _llm_passes(findings: pl.DataFrame, files: list[list[str]]) -> pl.DataFrame:
    llm = findings.filter(pl.col("source") == "llm")
    reviewed = llm.group_by("run_id", "repo_id", "repo", "repo_idx", "run_date").agg(
        files=pl.col("file_path").unique().sort()
    )
    # the pass also read a couple of files where it found nothing
    extra = pl.Series([files[i][:2] for i in reviewed["repo_idx"]])
    return reviewed.with_columns(
        files=pl.concat_list("files", extra).list.unique().list.sort(),
        model=pl.lit("tiny-llama"),
        finished_at=pl.col("run_date").cast(pl.Datetime("us", "UTC")),
    )


def _reviews(rng: np.random.Generator, count: int = 50_000) -> pl.DataFrame:
    received = [T0 + timedelta(seconds=int(s)) for s in rng.integers(0, 35 * 86400, size=count)]
    latency = rng.lognormal(3.0, 0.7, size=count)
    findings = rng.poisson(3.0, size=count)
    done = rng.random(count) > 0.02
    return pl.DataFrame(
        {
            "review_id": [f"rev-{i}" for i in range(count)],
            "provider": rng.choice(["github", "gitlab", "api"], size=count, p=[0.7, 0.2, 0.1]),
            "repo": [f"org{i % ORGS:02d}/svc-{i % REPOS:03d}" for i in range(count)],
            "status": np.where(done, "posted", "failed"),
            "received_at": received,
            "latency_s": np.where(done, latency, np.nan),
            "findings": findings,
            "posted": np.minimum(findings, rng.poisson(2.0, size=count)),
        }
    ).with_columns(pl.col("latency_s").fill_nan(None))


def write_warehouse(root: Path, tables: dict[str, pl.DataFrame]) -> None:
    """Each table through deltalake with its contract schema; findings one commit per run."""
    for name, schema in TABLES.items():
        frame = tables.get(name)
        data = schema.empty_table() if frame is None else _to_arrow(frame, schema)
        uri = str(root / name)
        if name == "findings":
            for run_id in data.column("run_id").unique().to_pylist():
                part = data.filter(pa.compute.equal(data.column("run_id"), run_id))
                write_deltalake(uri, part, mode="append", partition_by=PARTITIONS[name])
        else:
            write_deltalake(uri, data, mode="append", partition_by=PARTITIONS.get(name))


def _to_arrow(frame: pl.DataFrame, schema: pa.Schema) -> pa.Table:
    missing = [f for f in schema if f.name not in frame.columns]
    frame = frame.with_columns(pl.lit(None).alias(f.name) for f in missing)
    table = frame.to_arrow()
    columns = []
    for f in schema:
        if pa.types.is_map(f.type):  # arrow casts no list of structs to a map: build it
            values = [
                None if entries is None else [(e["key"], e["value"]) for e in entries]
                for entries in frame[f.name].to_list()
            ]
            columns.append(pa.chunked_array([pa.array(values, type=f.type)]))
        else:
            columns.append(table.column(f.name).cast(f.type))
    return pa.Table.from_arrays(columns, schema=schema)


def warehouse(rows: int, cache: Path) -> Path:
    """The cached warehouse for `rows`, generated and written the first time."""
    root = cache / f"kpi-bench-v{DATA_VERSION}-{rows}-{SEED}"
    done = root / ".complete"
    if done.exists():
        return root
    if root.exists():
        import shutil

        shutil.rmtree(root)
    started = time.perf_counter()
    tables = generate(rows, SEED)
    write_warehouse(root, tables)
    done.write_text("ok\n")
    print(f"wrote the warehouse in {time.perf_counter() - started:.1f}s: {root}", flush=True)
    return root


# -- DuckDB: the same KPIs in SQL over the Parquet files of each table's Delta snapshot -----

SEVERITY_VALUES = ", ".join(f"('{s}', {i})" for i, s in enumerate(kpis.SEVERITIES))


def duckdb_connection(root: Path) -> duckdb.DuckDBPyConnection:
    """Views over the Parquet files of each table's current Delta snapshot (listed once here),
    plus the inventory's language mapping as two small tables."""
    con = duckdb.connect()
    for name in TABLES:
        files = DeltaTable(str(root / name)).file_uris()
        if files:
            con.execute(
                f"CREATE VIEW {name} AS SELECT * FROM read_parquet({files!r}, "
                "hive_partitioning = true, hive_types_autocast = true)"
            )
        else:  # an empty table: its schema, no rows
            con.register(f"{name}_empty", TABLES[name].empty_table())
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM {name}_empty")
    con.register(
        "ext_lang_arrow", pa.table({"ext": list(EXTENSIONS), "language": list(EXTENSIONS.values())})
    )
    con.register(
        "name_lang_arrow",
        pa.table({"name": list(FILE_NAMES), "language": list(FILE_NAMES.values())}),
    )
    con.execute("CREATE TABLE ext_lang AS SELECT * FROM ext_lang_arrow")
    con.execute("CREATE TABLE name_lang AS SELECT * FROM name_lang_arrow")
    return con


def _q(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _scope(run_ids: list[str] | None) -> str:
    """CTEs: runs_v (visible, numbered), snaps (each run's repo states), rf (run findings)."""
    chosen = "" if run_ids is None else f" WHERE run_id IN ({', '.join(map(_q, run_ids))})"
    return f"""
    runs_v AS (
        SELECT run_id, run_date, started_at,
               row_number() OVER (ORDER BY started_at, run_id) - 1 AS run_seq
        FROM runs WHERE status = 'succeeded'),
    runs_s AS (SELECT * FROM runs_v{chosen}),
    snaps AS (
        SELECT m.run_id, m.started_at, m.repo_id, a.repo, a.org, m.status, m.audit_run_id,
               a.files, a.lines, a.languages
        FROM (SELECT r.run_id, s.started_at, r.repo_id, r.status,
                     CASE WHEN r.status = 'audited' THEN r.run_id ELSE r.previous_run_id END
                         AS audit_run_id
              FROM repos r JOIN runs_s s USING (run_id)
              WHERE r.status IN ('audited', 'skipped')) m
        JOIN (SELECT repo_id, run_id AS audit_run_id, repo, org, files, lines, languages
              FROM repos
              WHERE status = 'audited' AND run_id IN (SELECT run_id FROM runs_v)) a
        USING (repo_id, audit_run_id)),
    rf AS (
        SELECT f.* EXCLUDE (run_id), f.run_id AS audit_run_id, s.run_id, s.started_at
        FROM findings f JOIN snaps s ON f.repo_id = s.repo_id AND f.run_id = s.audit_run_id)"""


def _latest_two(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.sql(
        "SELECT run_id FROM runs WHERE status = 'succeeded' "
        "ORDER BY started_at DESC, run_id DESC LIMIT 2"
    ).fetchall()
    return [r[0] for r in rows]


def _per_kloc(findings: str, lines: str) -> str:
    return f"CASE WHEN {lines} > 0 THEN {findings} * 1000.0 / {lines} END"


def _share(part: str, whole: str) -> str:
    return f"CASE WHEN {whole} > 0 THEN {part}::DOUBLE / {whole} END"


STYLES = ("rows", "counts")
"""Two formulations of the counting KPIs for DuckDB; the benchmark times both and keeps the
faster: `rows` joins the findings rows to the snapshots, then counts (`rf` below); `counts`
counts the rows per (repo, run) first and joins the counts (what the polars library does)."""


def _counted(style: str, by: list[str]) -> str:
    """CTE `rc`: run_id, started_at, repo_id, *by, findings (a count), in either style."""
    cols = "".join(f", {b}" for b in by)
    if style == "rows":
        return f""",
    rc AS (SELECT run_id, started_at, repo_id{cols}, count(*) AS findings
           FROM rf GROUP BY ALL)"""
    return f""",
    rc AS (
        SELECT s.run_id, s.started_at, c.repo_id{cols}, c.findings
        FROM (SELECT repo_id, run_id AS audit_run_id{cols}, count(*) AS findings
              FROM findings WHERE run_id IN (SELECT audit_run_id FROM snaps)
              GROUP BY ALL) c
        JOIN snaps s USING (repo_id, audit_run_id))"""


def sql_density(con: duckdb.DuckDBPyConnection, by: str, style: str) -> pl.DataFrame:
    run = _latest_two(con)[0]
    if by == "language":
        sql = f"""WITH {_scope([run])}{_counted(style, ["file_path"])},
        entries AS (
            SELECT e.key AS language, e.value AS lines
            FROM (SELECT unnest(map_entries(languages)) AS e FROM snaps)
            WHERE e.key IS NOT NULL
            UNION ALL
            SELECT '(other)', sum(lines - coalesce(list_sum(map_values(languages)), 0))
            FROM snaps),
        lines AS (SELECT language, sum(lines) AS lines FROM entries GROUP BY language),
        paths AS (
            SELECT file_path, sum(findings) AS n,
                   regexp_extract(file_path, '([^/]*)$', 1) AS name
            FROM rc GROUP BY file_path),
        counts AS (
            SELECT CASE WHEN nl.language IS NOT NULL THEN nl.language
                        WHEN starts_with(p.name, 'Dockerfile.') THEN 'Dockerfile'
                        ELSE coalesce(el.language, '(other)') END AS language,
                   sum(p.n) AS findings
            FROM paths p
            LEFT JOIN name_lang nl ON nl.name = p.name
            LEFT JOIN ext_lang el
              ON el.ext = regexp_extract(ltrim(p.name, '.'), '(\\.[^.]*)$', 1)
            GROUP BY 1)
        SELECT coalesce(l.language, c.language) AS language, l.lines,
               coalesce(c.findings, 0) AS findings,
               {_per_kloc("coalesce(c.findings, 0)", "l.lines")} AS per_kloc
        FROM lines l FULL JOIN counts c ON l.language = c.language
        WHERE l.lines > 0 OR c.findings IS NOT NULL
        ORDER BY per_kloc DESC NULLS LAST, findings DESC, language"""
        return con.sql(sql).pl()
    cols = "repo_id, repo, org" if by == "repo" else "org"
    sql = f"""WITH {_scope([run])}{_counted(style, [])},
    per_repo AS (SELECT repo_id, sum(findings) AS findings FROM rc GROUP BY repo_id)
    SELECT {cols}, sum(lines) AS lines, coalesce(sum(findings), 0) AS findings,
           {_per_kloc("coalesce(sum(findings), 0)", "sum(lines)")} AS per_kloc
    FROM snaps LEFT JOIN per_repo USING (repo_id) GROUP BY {cols}
    ORDER BY per_kloc DESC NULLS LAST, findings DESC, {cols}"""
    return con.sql(sql).pl()


def sql_severity_mix(con: duckdb.DuckDBPyConnection, style: str) -> pl.DataFrame:
    sql = f"""WITH {_scope(None)}{_counted(style, ["severity"])},
    grid AS (SELECT r.run_id, r.started_at, s.severity, s.ord
             FROM runs_v r CROSS JOIN (VALUES {SEVERITY_VALUES}) s(severity, ord)),
    counts AS (SELECT run_id, severity, sum(findings) AS n FROM rc GROUP BY run_id, severity),
    mix AS (SELECT g.run_id, g.started_at, g.severity, g.ord, coalesce(c.n, 0) AS findings
            FROM grid g LEFT JOIN counts c USING (run_id, severity))
    SELECT run_id, started_at, severity, findings,
           {_share("findings", "sum(findings) OVER (PARTITION BY run_id)")} AS share
    FROM mix ORDER BY started_at, run_id, ord"""
    return con.sql(sql).pl()


def sql_top_rules(con: duckdb.DuckDBPyConnection, style: str, limit: int = 20) -> pl.DataFrame:
    run = _latest_two(con)[0]
    sql = f"""WITH {_scope([run])}{_counted(style, ["analyzer", "rule_id"])},
    rules AS (SELECT analyzer, rule_id, sum(findings) AS findings,
                     count(DISTINCT repo_id) AS repos
              FROM rc GROUP BY analyzer, rule_id)
    SELECT *, {_share("findings", "sum(findings) OVER ()")} AS share FROM rules
    ORDER BY findings DESC, repos DESC, analyzer, rule_id LIMIT {limit}"""
    return con.sql(sql).pl()


def sql_noisiest(con: duckdb.DuckDBPyConnection, style: str) -> pl.DataFrame:
    run = _latest_two(con)[0]
    sql = f"""WITH {_scope([run])}{_counted(style, ["analyzer", "severity"])},
    total AS (SELECT sum(lines) AS total_lines FROM snaps),
    per AS (SELECT analyzer, sum(findings) AS findings,
                   coalesce(sum(findings) FILTER (WHERE severity IN ('low', 'info')), 0)
                       AS low_info
            FROM rc GROUP BY analyzer)
    SELECT analyzer, findings, {_per_kloc("findings", "total_lines")} AS per_kloc, low_info,
           {_share("low_info", "findings")} AS low_info_share
    FROM per CROSS JOIN total ORDER BY per_kloc DESC NULLS LAST, analyzer"""
    return con.sql(sql).pl()


def sql_trend(con: duckdb.DuckDBPyConnection, style: str) -> pl.DataFrame:
    sql = f"""WITH {_scope(None)}{_counted(style, ["severity"])},
    sizes AS (SELECT run_id, count(*) AS repos, sum(files) AS files, sum(lines) AS lines
              FROM snaps GROUP BY run_id),
    counts AS (SELECT run_id, sum(findings) AS findings,
                      coalesce(sum(findings) FILTER (WHERE severity = 'critical'), 0)
                          AS critical,
                      coalesce(sum(findings) FILTER (WHERE severity = 'high'), 0) AS high
               FROM rc GROUP BY run_id)
    SELECT r.run_id, r.started_at, coalesce(s.repos, 0) AS repos,
           coalesce(s.files, 0) AS files, coalesce(s.lines, 0) AS lines,
           coalesce(c.findings, 0) AS findings,
           {_per_kloc("coalesce(c.findings, 0)", "coalesce(s.lines, 0)")} AS per_kloc,
           coalesce(c.critical, 0) AS critical, coalesce(c.high, 0) AS high
    FROM runs_v r LEFT JOIN sizes s USING (run_id) LEFT JOIN counts c USING (run_id)
    ORDER BY r.started_at, r.run_id"""
    return con.sql(sql).pl()


_DIFF_COLS = (
    "repo_id, repo, org, fingerprint, finding_id, rule_id, analyzer, source, severity, "
    "file_path, start_line, end_line, title"
)


DIFF_STYLES = ("exists", "full join")
"""diff in SQL: NOT EXISTS / EXISTS subqueries (anti and semi joins), or one full outer
join on (repo_id, fingerprint) as the polars library does; the faster counts."""


def _diff_ctes(base: str, head: str, style: str) -> str:
    ctes = f"""{_scope([base, head])},
    base AS (SELECT * FROM rf WHERE run_id = {_q(base)}),
    head AS (SELECT * FROM rf WHERE run_id = {_q(head)}),
    head_repos AS (SELECT DISTINCT repo_id FROM snaps WHERE run_id = {_q(head)}),"""
    if style == "full join":
        picked = ", ".join(
            f"CASE WHEN h.repo_id IS NOT NULL THEN h.{c} ELSE b.{c} END AS {c}"
            for c in _DIFF_COLS.split(", ")
        )
        return f"""{ctes}
    diff AS (
        SELECT CASE WHEN b.repo_id IS NULL THEN 'new' WHEN h.repo_id IS NULL THEN 'fixed'
                    ELSE 'persisting' END AS status,
               CASE WHEN b.repo_id IS NULL THEN 0 WHEN h.repo_id IS NULL THEN 1 ELSE 2 END
                   AS ord,
               {picked}
        FROM head h FULL JOIN base b
          ON h.repo_id = b.repo_id AND h.fingerprint = b.fingerprint
        WHERE h.repo_id IS NOT NULL OR b.repo_id IN (SELECT repo_id FROM head_repos))"""
    return f"""{ctes}
    diff AS (
        SELECT 'new' AS status, 0 AS ord, {_DIFF_COLS} FROM head h
        WHERE NOT EXISTS (SELECT 1 FROM base b
                          WHERE b.repo_id = h.repo_id AND b.fingerprint = h.fingerprint)
        UNION ALL
        SELECT 'fixed', 1, {_DIFF_COLS} FROM base b
        WHERE b.repo_id IN (SELECT repo_id FROM head_repos)
          AND NOT EXISTS (SELECT 1 FROM head h
                          WHERE h.repo_id = b.repo_id AND h.fingerprint = b.fingerprint)
        UNION ALL
        SELECT 'persisting', 2, {_DIFF_COLS} FROM head h
        WHERE EXISTS (SELECT 1 FROM base b
                      WHERE b.repo_id = h.repo_id AND b.fingerprint = h.fingerprint))"""


def sql_diff(con: duckdb.DuckDBPyConnection, style: str) -> pl.DataFrame:
    head, base = _latest_two(con)
    sql = f"""WITH {_diff_ctes(base, head, style)}
    SELECT status, {_DIFF_COLS} FROM diff
    ORDER BY ord, repo, file_path, start_line, rule_id, fingerprint"""
    return con.sql(sql).pl()


def sql_time_to_fix(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    sql = f"""WITH {_scope(None)},
    seen AS (SELECT rf.*, v.run_seq FROM rf JOIN runs_v v USING (run_id)),
    firsts AS (
        SELECT repo_id, fingerprint, min(run_seq) AS first_seq, max(run_seq) AS last_seq,
               arg_min(repo, run_seq) AS repo, arg_min(rule_id, run_seq) AS rule_id,
               arg_min(analyzer, run_seq) AS analyzer, arg_min(severity, run_seq) AS severity,
               arg_min(file_path, run_seq) AS file_path
        FROM seen GROUP BY repo_id, fingerprint),
    audit_seq AS (SELECT s.repo_id, v.run_seq AS fix_seq
                  FROM snaps s JOIN runs_v v USING (run_id) WHERE s.status = 'audited'),
    fixes AS (
        SELECT f.repo_id, f.fingerprint, min(a.fix_seq) AS fix_seq
        FROM firsts f JOIN audit_seq a ON a.repo_id = f.repo_id AND a.fix_seq > f.first_seq
        WHERE NOT EXISTS (SELECT 1 FROM seen p
                          WHERE p.repo_id = f.repo_id AND p.fingerprint = f.fingerprint
                            AND p.run_seq = a.fix_seq)
        GROUP BY f.repo_id, f.fingerprint)
    SELECT f.repo_id, f.repo, f.fingerprint, f.rule_id, f.analyzer, f.severity, f.file_path,
           r1.run_id AS first_seen_run, r1.started_at AS first_seen_at,
           r2.run_id AS fixed_run, r2.started_at AS fixed_at,
           epoch_us(r2.started_at - r1.started_at) / 86400e6 AS days_to_fix,
           coalesce(f.last_seq > x.fix_seq, false) AS reappeared
    FROM firsts f
    LEFT JOIN fixes x USING (repo_id, fingerprint)
    JOIN runs_v r1 ON r1.run_seq = f.first_seq
    LEFT JOIN runs_v r2 ON r2.run_seq = x.fix_seq
    ORDER BY first_seen_at, repo, file_path, rule_id, fingerprint"""
    return con.sql(sql).pl()


def sql_secrets(con: duckdb.DuckDBPyConnection, style: str) -> pl.DataFrame:
    run = _latest_two(con)[0]
    if style == "rows":
        counted = """,
    rc AS (SELECT repo_id, rule_id, file_path, count(*) AS findings FROM rf
           WHERE analyzer = 'secrets' GROUP BY ALL)"""
    else:
        counted = """,
    rc AS (SELECT c.repo_id, c.rule_id, c.file_path, c.findings
           FROM (SELECT repo_id, run_id AS audit_run_id, rule_id, file_path,
                        count(*) AS findings
                 FROM findings WHERE analyzer = 'secrets'
                   AND run_id IN (SELECT audit_run_id FROM snaps) GROUP BY ALL) c
           JOIN snaps s USING (repo_id, audit_run_id))"""
    sql = f"""WITH {_scope([run])}{counted}
    SELECT rule_id, sum(findings) AS findings, count(DISTINCT repo_id) AS repos,
           count(DISTINCT (repo_id, file_path)) AS files
    FROM rc GROUP BY rule_id ORDER BY findings DESC, rule_id"""
    return con.sql(sql).pl()


def sql_hotspots(con: duckdb.DuckDBPyConnection, limit: int = 20) -> pl.DataFrame:
    run = _latest_two(con)[0]
    sql = f"""WITH {_scope([run])}
    SELECT repo_id, repo, file_path, count(*) AS functions,
           count(*) FILTER (WHERE rule_id = 'cyclomatic-complexity') AS too_complex,
           count(*) FILTER (WHERE rule_id = 'function-length') AS too_long,
           sum(end_line - start_line + 1) AS flagged_lines
    FROM rf WHERE analyzer = 'complexity' GROUP BY repo_id, repo, file_path
    ORDER BY functions DESC, flagged_lines DESC, repo, file_path LIMIT {limit}"""
    return con.sql(sql).pl()


def sql_latency(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    sql = """SELECT count(*) AS reviews, avg(latency_s) AS mean_s,
           quantile_cont(latency_s, 0.5) AS p50, quantile_cont(latency_s, 0.9) AS p90,
           quantile_cont(latency_s, 0.99) AS p99
    FROM reviews WHERE latency_s IS NOT NULL"""
    return con.sql(sql).pl()


def sql_per_review(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    sql = """SELECT count(*) AS reviews, sum(findings) AS findings, avg(findings) AS mean,
           median(findings) AS median, sum(posted) AS posted,
           CASE WHEN sum(findings) > 0 THEN sum(posted) / sum(findings) END AS posted_share
    FROM reviews WHERE findings IS NOT NULL"""
    return con.sql(sql).pl()


def sql_agreement(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    sql = f"""WITH {_scope(None)},
    own AS (SELECT f.run_id, f.repo_id, f.file_path, f.finding_id, f.start_line, f.end_line,
                   f.source
            FROM findings f WHERE f.run_id IN (SELECT run_id FROM runs_v)),
    reviewed AS (SELECT DISTINCT run_id, repo_id, unnest(files) AS file_path FROM llm_passes),
    llm AS (SELECT * FROM own WHERE source = 'llm'),
    static AS (SELECT s.* FROM own s SEMI JOIN reviewed r
               ON s.run_id = r.run_id AND s.repo_id = r.repo_id AND s.file_path = r.file_path
               WHERE s.source = 'static'),
    pairs AS (SELECT l.run_id, l.finding_id AS lid, s.finding_id AS sid
              FROM llm l JOIN static s
                ON l.run_id = s.run_id AND l.repo_id = s.repo_id AND l.file_path = s.file_path
               AND l.start_line <= s.end_line AND s.start_line <= l.end_line),
    llm_n AS (SELECT run_id, count(*) AS n FROM llm GROUP BY run_id),
    static_n AS (SELECT run_id, count(*) AS n FROM static GROUP BY run_id),
    hits AS (SELECT run_id, count(DISTINCT lid) AS llm_hit, count(DISTINCT sid) AS static_hit
             FROM pairs GROUP BY run_id),
    counts AS (
        SELECT r.run_id, coalesce(l.n, 0) AS llm_findings,
               coalesce(h.llm_hit, 0) AS llm_with_static, coalesce(s.n, 0) AS static_findings,
               coalesce(h.static_hit, 0) AS static_with_llm
        FROM (SELECT run_id FROM llm UNION SELECT run_id FROM reviewed) r
        LEFT JOIN llm_n l USING (run_id) LEFT JOIN static_n s USING (run_id)
        LEFT JOIN hits h USING (run_id))
    SELECT c.run_id, llm_findings, llm_with_static,
           {_share("llm_with_static", "llm_findings")} AS llm_share,
           static_findings, static_with_llm,
           {_share("static_with_llm", "static_findings")} AS static_share
    FROM counts c JOIN runs_v v USING (run_id) ORDER BY v.started_at, c.run_id"""
    return con.sql(sql).pl()


def sql_headline(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    head, base = _latest_two(con)
    sql = f"""WITH {_scope([base, head])},
    base AS (SELECT repo_id, fingerprint FROM rf WHERE run_id = {_q(base)}),
    heads AS (SELECT repo_id, fingerprint, severity FROM rf WHERE run_id = {_q(head)}),
    sizes AS (SELECT count(*) AS repos, sum(files) AS files, sum(lines) AS lines
              FROM snaps WHERE run_id = {_q(head)}),
    counts AS (SELECT count(*) AS findings,
                      count(*) FILTER (WHERE severity = 'critical') AS critical,
                      count(*) FILTER (WHERE severity = 'high') AS high FROM heads),
    changes AS (
        SELECT count(*) FILTER (WHERE b.fingerprint IS NULL) AS new,
               count(*) FILTER (WHERE h.fingerprint IS NULL AND b.repo_id IN
                   (SELECT repo_id FROM snaps WHERE run_id = {_q(head)})) AS fixed
        FROM heads h FULL JOIN base b
          ON h.repo_id = b.repo_id AND h.fingerprint = b.fingerprint)
    SELECT {_q(head)} AS run_id,
           (SELECT started_at FROM runs_v WHERE run_id = {_q(head)}) AS started_at,
           repos, files, lines, findings, {_per_kloc("findings", "lines")} AS per_kloc,
           critical, high, {_q(base)} AS previous_run_id, new, fixed
    FROM sizes, counts, changes"""
    return con.sql(sql).pl()


# -- the comparison ------------------------------------------------------------------------

Contender = Callable[[], pl.DataFrame]


def queries(
    source: kpis.KpiSource, con: duckdb.DuckDBPyConnection
) -> dict[str, tuple[Contender, dict[str, Contender]]]:
    """name -> (polars through analytics.kpis, {formulation: DuckDB SQL}); the latest run
    where one is meant, the two latest for diff and headline, every visible run for the
    trends. DuckDB gets every formulation written for it; the faster one counts."""

    def polars_diff() -> pl.DataFrame:
        head, base = _latest_two(con)  # the same lookup as DuckDB's, so both pay for it
        return kpis.diff_runs(source, base, head)

    def styled(query: Callable[..., pl.DataFrame], *args: str) -> dict[str, Contender]:
        return {style: partial(query, con, *args, style) for style in STYLES}

    return {
        "findings per kloc by repo": (
            lambda: kpis.findings_per_kloc(source, "repo"),
            styled(sql_density, "repo"),
        ),
        "findings per kloc by org": (
            lambda: kpis.findings_per_kloc(source, "org"),
            styled(sql_density, "org"),
        ),
        "findings per kloc by language": (
            lambda: kpis.findings_per_kloc(source, "language"),
            styled(sql_density, "language"),
        ),
        "severity mix (all runs)": (lambda: kpis.severity_mix(source), styled(sql_severity_mix)),
        "top rules": (lambda: kpis.top_rules(source), styled(sql_top_rules)),
        "noisiest analyzers": (lambda: kpis.noisiest_analyzers(source), styled(sql_noisiest)),
        "trend (all runs)": (lambda: kpis.run_trend(source), styled(sql_trend)),
        "diff new/fixed/persisting": (
            polars_diff,
            {style: partial(sql_diff, con, style) for style in DIFF_STYLES},
        ),
        "time to fix (all runs)": (
            lambda: kpis.time_to_fix(source),
            {"rows": lambda: sql_time_to_fix(con)},
        ),
        "secrets by type": (lambda: kpis.secrets_by_type(source), styled(sql_secrets)),
        "complexity hot spots": (
            lambda: kpis.complexity_hotspots(source),
            {"rows": lambda: sql_hotspots(con)},
        ),
        "review latency p50/p90/p99": (
            lambda: kpis.review_latency(source),
            {"rows": lambda: sql_latency(con)},
        ),
        "findings per review": (
            lambda: kpis.findings_per_review(source),
            {"rows": lambda: sql_per_review(con)},
        ),
        "LLM/static agreement": (
            lambda: kpis.llm_static_agreement(source),
            {"rows": lambda: sql_agreement(con)},
        ),
        "headline": (lambda: kpis.headline(source), {"rows": lambda: sql_headline(con)}),
    }


def _normalised(frame: pl.DataFrame) -> pl.DataFrame:
    """Comparable across engines: numbers as float, times as UTC text, rows sorted."""
    exprs = []
    for name, dtype in frame.schema.items():
        column = pl.col(name)
        if dtype.is_numeric():
            exprs.append(column.cast(pl.Float64))
        elif isinstance(dtype, pl.Datetime):
            exprs.append(column.dt.convert_time_zone("UTC").dt.to_string())
        elif dtype == pl.Boolean:
            exprs.append(column)
        else:
            exprs.append(column.cast(pl.String))
    normal = frame.select(exprs)
    return normal.sort(normal.columns, nulls_last=True)


def check_same(name: str, polars_result: pl.DataFrame, duckdb_result: pl.DataFrame) -> None:
    try:
        assert_frame_equal(
            _normalised(polars_result),
            _normalised(duckdb_result),
            check_dtypes=False,
            check_exact=False,
            rel_tol=1e-9,
        )
    except AssertionError as exc:
        raise SystemExit(
            f"{name}: polars and DuckDB disagree, the timing would mean nothing:\n{exc}"
        ) from None


def timed(call: Callable[[], pl.DataFrame]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="findings rows")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--cache", type=Path, default=CACHE / "kpi-bench")
    parser.add_argument("--only", help="run only the queries whose name contains this")
    args = parser.parse_args()

    print(
        f"machine: {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB, "
        f"Python {platform.python_version()}, polars {pl.__version__}, duckdb {duckdb.__version__}"
    )
    root = warehouse(args.rows, args.cache)
    source = kpis.KpiSource(str(root))
    con = duckdb_connection(root)
    per_run = con.sql(
        "SELECT r.run_id, r.status, count(f.run_id) AS n FROM runs r "
        "LEFT JOIN findings f USING (run_id) GROUP BY r.run_id, r.status, r.started_at "
        "ORDER BY r.started_at"
    ).fetchall()
    skipped = con.sql("SELECT count(*) FROM repos WHERE status = 'skipped'").fetchall()[0][0]
    print(
        f"warehouse: {root}\n  findings rows {sum(r[2] for r in per_run):,}: "
        + ", ".join(
            f"{run} {n:,}" + ("" if status == "succeeded" else f" ({status})")
            for run, status, n in per_run
        )
        + f"\n  {REPOS} repos in {ORGS} orgs; {skipped} repo rows skipped "
        "(state carried from an earlier audit)"
    )
    chosen = {
        name: pair
        for name, pair in queries(source, con).items()
        if not args.only or args.only in name
    }
    results: list[tuple[str, float, float, str]] = []
    for name, (polars_query, duckdb_queries) in chosen.items():
        expected = polars_query()  # also the untimed warm-up
        for duckdb_query in duckdb_queries.values():
            check_same(name, expected, duckdb_query())
        polars_s: list[float] = []
        duckdb_s: dict[str, list[float]] = {style: [] for style in duckdb_queries}
        for _ in range(args.repeats):  # interleaved: drift on the machine hits both
            polars_s.append(timed(polars_query))
            for style, duckdb_query in duckdb_queries.items():
                duckdb_s[style].append(timed(duckdb_query))
        best = min(duckdb_s, key=lambda style: statistics.median(duckdb_s[style]))
        duckdb_t = statistics.median(duckdb_s[best])
        results.append((name, statistics.median(polars_s), duckdb_t, best))
        print(
            f"  {name}: polars {results[-1][1] * 1000:.0f} ms, duckdb {duckdb_t * 1000:.0f} ms"
            f" ({best})",
            flush=True,
        )
    report(results, args.repeats)


def report(results: list[tuple[str, float, float, str]], repeats: int) -> None:
    width = max(len(r[0]) for r in results)
    print(
        f"\nmedians of {repeats} runs, results checked equal; DuckDB: its faster formulation; "
        "ratio = duckdb / polars (> 1: polars faster)"
    )
    print(f"{'query':<{width}} | {'polars':>8} | {'duckdb':>8} | ratio | duckdb formulation")
    print(f"{'-' * width}-|-{'-' * 8}-|-{'-' * 8}-|-------|-------------------")
    for name, polars_t, duckdb_t, style in results:
        print(
            f"{name:<{width}} | {polars_t * 1000:6.0f}ms | {duckdb_t * 1000:6.0f}ms | "
            f"{duckdb_t / polars_t:5.2f} | {style}"
        )
    total_p = sum(r[1] for r in results)
    total_d = sum(r[2] for r in results)
    print(
        f"{'all queries (sum)':<{width}} | {total_p * 1000:6.0f}ms | {total_d * 1000:6.0f}ms | "
        f"{total_d / total_p:5.2f} |"
    )
    geo = statistics.geometric_mean([r[2] / r[1] for r in results])
    slower = [r[0] for r in results if r[2] < r[1]]
    print(
        f"geometric mean of the ratios: {geo:.2f}; slower in polars: {', '.join(slower) or 'none'}"
    )


if __name__ == "__main__":
    main()
