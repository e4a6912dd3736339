"""KPIs over the findings warehouse: polars, lazy, read with `scan_delta`, time travel.

    from analytics.kpis import KpiSource, findings_per_kloc, diff_runs, headline
    source = KpiSource("./warehouse")                       # now
    source = KpiSource("./warehouse", as_of=datetime(2026, 11, 1, tzinfo=UTC))  # then
    findings_per_kloc(source, by="language")                # -> polars DataFrame

Every KPI is a plain function that takes a `KpiSource` and returns a polars DataFrame
(collected once, at the end). Only runs with status 'succeeded' count: running, failed and
quarantined runs are invisible everywhere. Functions that look at one run take `run_id`
(default: the newest visible run) and see that run's state of every repo it measured,
including repos it skipped as unchanged (their data comes from the run that last audited
them; see `scope`). Each KPI has a `*_frame` twin over plain LazyFrames, which the tests
drive with small hand-made frames. The building blocks in `scope` (`repo_snapshots`,
`run_findings`, `run_counts`, `own_findings`) return LazyFrames, for KPIs of your own.

| KPI | function |
|---|---|
| findings per thousand lines by repo / org / language | `findings_per_kloc(source, by, run_id)` |
| severity count and share per run | `severity_mix(source)` |
| rules with most findings, repos affected | `top_rules(source, run_id, limit)` |
| analyzers by findings per kloc, share of low/info | `noisiest_analyzers(source, run_id)` |
| trend across runs | `run_trend(source)` |
| new / fixed / persisting between two runs | `diff_runs(source, base, head)`, `diff_summary` |
| time to fix, per severity | `time_to_fix(source)`, `time_to_fix_summary(ttf)` |
| secrets by type | `secrets_by_type(source, run_id)` |
| complexity hot spots | `complexity_hotspots(source, run_id, limit)` |
| review latency p50/p90/p99 | `review_latency(source)` |
| findings per review | `findings_per_review(source)` |
| LLM vs static agreement on the same lines | `llm_static_agreement(source, run_id)` |
| one-row headline of the newest run | `headline(source)` |
| accepted (suppressed) findings per run date, by kind and rule | `suppressions_over_time(source)` |

Only reported findings count: a row whose `suppression` is set (accepted by an in-source
marker or a baseline file) is seen by the suppression KPIs alone (`KpiSource.findings`).
"""

from analytics.kpis.agreement import agreement_frame, llm_static_agreement
from analytics.kpis.changes import (
    DIFF_STATUSES,
    diff_frame,
    diff_runs,
    diff_summary,
    time_to_fix,
    time_to_fix_frame,
    time_to_fix_summary,
)
from analytics.kpis.density import (
    density_frame,
    findings_per_kloc,
    noisiest_analyzers,
    noisiest_frame,
    run_trend,
    severity_mix,
    severity_mix_frame,
    top_rules,
)
from analytics.kpis.focus import complexity_hotspots, hotspots_frame, secrets_by_type, secrets_frame
from analytics.kpis.headline import HEADLINE_SCHEMA, headline
from analytics.kpis.reviews import (
    findings_per_review,
    latency_frame,
    per_review_frame,
    review_latency,
)
from analytics.kpis.scope import (
    latest_run_id,
    ordered_runs,
    own_findings,
    repo_snapshots,
    resolve_run,
    run_counts,
    run_findings,
)
from analytics.kpis.source import VISIBLE_STATUS, KpiInputError, KpiSource
from analytics.kpis.stats import OTHER_LANGUAGE, SEVERITIES, language_of, per_kloc, percentiles
from analytics.kpis.suppressions import (
    SUPPRESSION_KINDS,
    suppression_kind,
    suppression_kinds,
    suppressions_frame,
    suppressions_in_run,
    suppressions_over_time,
)

__all__ = [
    "DIFF_STATUSES",
    "HEADLINE_SCHEMA",
    "OTHER_LANGUAGE",
    "SEVERITIES",
    "SUPPRESSION_KINDS",
    "VISIBLE_STATUS",
    "KpiInputError",
    "KpiSource",
    "agreement_frame",
    "complexity_hotspots",
    "density_frame",
    "diff_frame",
    "diff_runs",
    "diff_summary",
    "findings_per_kloc",
    "findings_per_review",
    "headline",
    "hotspots_frame",
    "language_of",
    "latency_frame",
    "latest_run_id",
    "llm_static_agreement",
    "noisiest_analyzers",
    "noisiest_frame",
    "ordered_runs",
    "own_findings",
    "per_kloc",
    "per_review_frame",
    "percentiles",
    "repo_snapshots",
    "resolve_run",
    "review_latency",
    "run_counts",
    "run_findings",
    "run_trend",
    "secrets_by_type",
    "secrets_frame",
    "severity_mix",
    "severity_mix_frame",
    "suppression_kind",
    "suppression_kinds",
    "suppressions_frame",
    "suppressions_in_run",
    "suppressions_over_time",
    "time_to_fix",
    "time_to_fix_frame",
    "time_to_fix_summary",
    "top_rules",
]
