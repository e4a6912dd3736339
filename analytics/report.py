"""The KPI report: every KPI table and chart of one warehouse state in a single HTML file.

`collect(source)` computes the KPIs (analytics.kpis) once; `render_html` lays them out with
the charts of analytics.charts embedded as SVG data URIs and the styles inline, so the file
opens anywhere, offline, and its Content-Security-Policy forbids it to fetch anything.
`headline_text` is the terminal view of the same headline.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import polars as pl
from matplotlib.figure import Figure

from analytics import charts
from analytics.kpis import (
    KpiInputError,
    KpiSource,
    diff_runs,
    diff_summary,
    findings_per_kloc,
    findings_per_review,
    headline,
    noisiest_analyzers,
    review_latency,
    run_trend,
    secrets_by_type,
    severity_mix,
    suppression_kinds,
    suppressions_over_time,
    time_to_fix,
    time_to_fix_summary,
    top_rules,
)
from analytics.kpis.headline import SOURCE_ONLY
from analytics.kpis.suppressions import OTHER_KIND, SUPPRESSION_KINDS


class NoVisibleRunError(KpiInputError):
    """The warehouse has no succeeded run to report on."""


@dataclass(frozen=True)
class ReportData:
    """The KPIs of one warehouse state, as polars frames (see each KPI for its columns)."""

    warehouse: str
    generated_at: datetime
    versions: dict[str, int]  # the Delta version read of each table: the state reported
    headline: pl.DataFrame
    trend: pl.DataFrame
    severity_mix: pl.DataFrame
    by_repo: pl.DataFrame
    by_language: pl.DataFrame
    top_rules: pl.DataFrame
    noisiest: pl.DataFrame
    changes: pl.DataFrame | None  # per repo new/fixed/persisting; None for a first run
    time_to_fix: pl.DataFrame
    secrets: pl.DataFrame
    review_latency: pl.DataFrame | None  # None when the warehouse holds no finished review
    per_review: pl.DataFrame | None
    suppressions: pl.DataFrame  # accepted findings per run date, in the headline's roles

    @property
    def run_id(self) -> str:
        return str(self.headline["run_id"][0])

    @property
    def previous_run_id(self) -> str | None:
        value = self.headline["previous_run_id"][0]
        return None if value is None else str(value)

    @property
    def suppressed(self) -> pl.DataFrame:
        """The accepted findings of the newest run, by kind and rule."""
        return self.suppressions.filter(pl.col("run_id") == self.run_id)


def collect(
    source: KpiSource, top: int = 10, roles: Collection[str] | None = SOURCE_ONLY
) -> ReportData:
    """Compute every KPI the report shows for the newest visible run of `source` (the
    headline and the suppressions count findings in files of `roles`, None for all)."""
    head = headline(source, roles)
    if not head.height:
        raise NoVisibleRunError(
            f"no visible run in {source.warehouse_uri}: no audit has succeeded yet "
            "(running, failed and quarantined runs are not shown); run `codeprism audit` first"
        )
    run = str(head["run_id"][0])
    previous = head["previous_run_id"][0]
    latency = review_latency(source)
    has_reviews = bool(latency.height and latency["reviews"][0])
    return ReportData(
        warehouse=source.warehouse_uri,
        generated_at=datetime.now(UTC),
        versions=source.versions(),
        headline=head,
        trend=run_trend(source),
        severity_mix=severity_mix(source),
        by_repo=findings_per_kloc(source, by="repo", run_id=run),
        by_language=findings_per_kloc(source, by="language", run_id=run),
        top_rules=top_rules(source, run_id=run, limit=top),
        noisiest=noisiest_analyzers(source, run_id=run),
        changes=None if previous is None else diff_summary(diff_runs(source, previous, run)),
        time_to_fix=time_to_fix_summary(time_to_fix(source)),
        secrets=secrets_by_type(source, run_id=run),
        review_latency=latency if has_reviews else None,
        per_review=findings_per_review(source) if has_reviews else None,
        suppressions=suppressions_over_time(source, roles),
    )


# -- the headline in a terminal ----------------------------------------------------------------

_HEADLINE_LABELS = {
    "run_id": "run",
    "started_at": "started",
    "repos": "repositories",
    "files": "files",
    "lines": "lines",
    "findings": "findings",
    "per_kloc": "per 1,000 lines",
    "critical": "critical",
    "high": "high",
    "previous_run_id": "previous run",
    "new": "new since previous",
    "fixed": "fixed since previous",
}


def headline_rows(head: pl.DataFrame) -> list[tuple[str, str]]:
    """(label, value) pairs of a one-row headline, formatted for people."""
    row = head.row(0, named=True)
    return [(label, format_value(row[column])) for column, label in _HEADLINE_LABELS.items()]


def headline_text(
    head: pl.DataFrame,
    warehouse: str,
    roles: Collection[str] | None = SOURCE_ONLY,
    suppressed: pl.DataFrame | None = None,
) -> str:
    """The headline as aligned lines; with the newest run's `suppressed` findings (a
    `suppressions_in_run` frame), a line that counts them by kind."""
    rows = headline_rows(head)
    if suppressed is not None:
        rows.append(("suppressed", suppressed_text(suppressed)))
    width = max(len(label) for label, _ in rows)
    counted = "every file" if roles is None else " and ".join(roles) + " files"
    lines = [f"KPI headline of {warehouse} (newest visible run; findings in {counted})"]
    lines += [f"  {label:<{width}}  {value}" for label, value in rows]
    return "\n".join(lines)


def suppressed_text(suppressed: pl.DataFrame) -> str:
    """One run's accepted findings by kind, kinds with none left out: "7 findings
    (codeprism 2, nosec 1, baseline 4)"."""
    kinds = suppression_kinds(suppressed)
    if not kinds.height:
        return "0 findings"
    row = kinds.row(0, named=True)
    total = int(row["suppressed"])
    text = f"{total:,} finding" + ("" if total == 1 else "s")
    parts = [f"{k} {row[k]:,}" for k in (*SUPPRESSION_KINDS, OTHER_KIND) if row[k]]
    return text + (f" ({', '.join(parts)})" if parts else "")


def format_value(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# -- HTML ----------------------------------------------------------------------------------------

_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
_STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 62rem;
       padding: 0 1rem; color: #1a202c; }
h1 { margin-bottom: .2rem; } h2 { margin-top: 2.4rem; border-bottom: 1px solid #e2e8f0; }
.meta { color: #4a5568; font-size: .9rem; }
.cards { display: flex; flex-wrap: wrap; gap: .8rem; margin: 1rem 0; }
.card { border: 1px solid #e2e8f0; border-radius: 6px; padding: .6rem .9rem; min-width: 8rem; }
.card b { display: block; font-size: 1.5rem; }
figure { margin: 1rem 0; } figure img { max-width: 100%; height: auto; }
figcaption { color: #4a5568; font-size: .85rem; }
table { border-collapse: collapse; margin: .6rem 0 1rem; font-size: .88rem; }
th, td { border-bottom: 1px solid #e2e8f0; padding: .25rem .7rem; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.note { color: #4a5568; font-style: italic; }
"""


def figure_img(figure: Figure, alt: str) -> str:
    """An <img> holding the figure as an SVG data URI."""
    data = base64.b64encode(charts.to_svg(figure)).decode("ascii")
    return f'<img class="chart" alt="{html.escape(alt)}" src="data:image/svg+xml;base64,{data}">'


def table_html(
    frame: pl.DataFrame, columns: Sequence[str] | None = None, limit: int | None = None
) -> str:
    """An HTML table of `frame` (the first `limit` rows, saying how many were left out)."""
    if not frame.height:
        return '<p class="note">none</p>'
    columns = list(columns or frame.columns)
    left_out = 0
    if limit is not None and frame.height > limit:
        left_out = frame.height - limit
        frame = frame.head(limit)
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = []
    for row in frame.select(columns).iter_rows(named=True):
        cells = []
        for column in columns:
            value = row[column]
            numeric = isinstance(value, int | float) and not isinstance(value, bool)
            shown = _share(value) if _is_share(column, value) else format_value(value)
            cells.append(
                f'<td class="num">{html.escape(shown)}</td>'
                if numeric
                else f"<td>{html.escape(shown)}</td>"
            )
        body.append("<tr>" + "".join(cells) + "</tr>")
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    return table + (_note(f"and {left_out} more") if left_out else "")


def _is_share(column: str, value: object) -> bool:
    return column.endswith("share") and isinstance(value, float)


def _share(value: object) -> str:
    assert isinstance(value, float)
    return f"{value * 100:.1f} %"


def _section(title: str, *parts: str) -> str:
    return f"<section><h2>{html.escape(title)}</h2>{''.join(parts)}</section>"


def _chart(build: Callable[[], Figure], alt: str, caption: str) -> str:
    return (
        f"<figure>{figure_img(build(), alt)}<figcaption>{html.escape(caption)}</figcaption>"
        "</figure>"
    )


def _note(text: str) -> str:
    return f'<p class="note">{html.escape(text)}</p>'


def render_html(data: ReportData) -> str:
    """The whole report as one self-contained HTML document."""
    head = data.headline.row(0, named=True)
    cards = "".join(
        f'<div class="card">{html.escape(label)}<b>{html.escape(value)}</b></div>'
        for label, value in headline_rows(data.headline)
        if label in ("repositories", "lines", "findings", "per 1,000 lines", "critical", "high",
                     "new since previous", "fixed since previous")
    )  # fmt: skip
    cards += (
        f'<div class="card">suppressed<b>{html.escape(format_value(_total(data.suppressed)))}'
        "</b></div>"
    )
    versions = ", ".join(f"{name} v{number}" for name, number in sorted(data.versions.items()))
    latest_mix = data.severity_mix.filter(pl.col("run_id") == data.run_id)
    sections = [
        _section(
            "Headline",
            f'<div class="cards">{cards}</div>',
            table_html(
                pl.DataFrame(
                    {
                        "KPI": [label for label, _ in headline_rows(data.headline)],
                        "value": [value for _, value in headline_rows(data.headline)],
                    }
                )
            ),
        ),
        _section(
            "Trend across runs",
            _chart(
                lambda: charts.trend_chart(data.trend),
                "trend of findings per 1,000 lines across runs",
                "Findings per 1,000 lines in each visible run, oldest first.",
            ),
            table_html(data.trend),
        ),
        _section(
            "Severity mix",
            _chart(
                lambda: charts.severity_mix_chart(data.severity_mix),
                "severity mix per run",
                "Findings per severity in each visible run.",
            ),
            table_html(latest_mix, ["severity", "findings", "share"]),
        ),
        _section(
            "Where the risk is",
            _chart(
                lambda: charts.density_chart(data.by_repo, "repo"),
                "findings per 1,000 lines by repository",
                "Repositories of the newest run, densest first.",
            ),
            table_html(data.by_repo, ["repo", "org", "lines", "findings", "per_kloc"], limit=25),
            "<h3>By language</h3>",
            table_html(data.by_language),
        ),
        _changes_section(data),
        _section(
            "Top rules",
            _chart(
                lambda: charts.top_rules_chart(data.top_rules, limit=data.top_rules.height or 10),
                "top rules by findings",
                "The rules with the most findings in the newest run.",
            ),
            table_html(data.top_rules),
        ),
        _section(
            "Noisiest analyzers",
            _chart(
                lambda: charts.noisiest_analyzers_chart(data.noisiest),
                "noisiest analyzers",
                "Findings per 1,000 lines by analyzer; grey is the low/info part.",
            ),
            table_html(data.noisiest),
        ),
        _section(
            "Time to fix",
            _note("Days from the first run that saw a finding to the first audit without it."),
            table_html(data.time_to_fix),
            "<h3>Secrets by type (values are never stored)</h3>",
            table_html(data.secrets),
        ),
        _suppressions_section(data),
        _reviews_section(data),
    ]
    title = f"codeprism KPI report: {data.run_id}"
    meta = (
        f"warehouse {data.warehouse} · newest visible run {data.run_id}, started "
        f"{format_value(head['started_at'])} · generated {format_value(data.generated_at)} · "
        f"table versions read: {versions}"
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>"
        f'<h1>{html.escape(title)}</h1><p class="meta">{html.escape(meta)}</p>'
        + "".join(sections)
        + "</body></html>\n"
    )


def _changes_section(data: ReportData) -> str:
    title = "New, fixed and persisting since the previous run"
    if data.changes is None:
        return _section(title, _note("This is the first visible run: nothing to compare."))
    changes = data.changes
    return _section(
        title,
        _chart(
            lambda: charts.changes_chart(changes, f"previous run ({data.previous_run_id})"),
            "new, fixed and persisting findings",
            "Findings matched by fingerprint between the two newest visible runs.",
        ),
        table_html(changes, ["repo", "new", "fixed", "persisting"]),
    )


def _total(suppressed: pl.DataFrame) -> int:
    return int(suppressed["suppressed"].sum())


def _suppressions_section(data: ReportData) -> str:
    newest = (
        data.suppressed.filter(pl.col("kind").is_not_null()).sort(
            "suppressed", descending=True, maintain_order=True
        )  # then by kind, as given
    )
    return _section(
        "Suppressed findings",
        _note(
            "Findings accepted by a marker in the code (codeprism: ignore, nosec, noqa) or "
            "listed in a baseline file: kept in the warehouse, never reported, and counted by "
            "no other KPI. One row per run date (its newest visible run)."
        ),
        table_html(suppression_kinds(data.suppressions)),
        "<h3>By rule in the newest run</h3>",
        table_html(newest, ["kind", "rule_id", "suppressed"], limit=25),
    )


def _reviews_section(data: ReportData) -> str:
    title = "Online reviews"
    if data.review_latency is None or data.per_review is None:
        return _section(title, _note("No finished online review in the warehouse."))
    latency = data.review_latency
    return _section(
        title,
        _chart(
            lambda: charts.latency_chart(latency),
            "review latency percentiles",
            "Seconds from the webhook received to the review finished.",
        ),
        table_html(latency),
        "<h3>Findings per review</h3>",
        table_html(data.per_review),
    )
