"""KPI charts: matplotlib figures drawn from the KPI frames, shared by the report and notebooks.

Each function takes the DataFrame a KPI function returns (see analytics.kpis) and returns a
`matplotlib.figure.Figure` built without pyplot, so no display, backend or global figure
state is involved. An empty frame gives a figure that says so, never an error: a report of a
clean run still renders. `to_svg` and `to_png` turn a figure into bytes to embed.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime

import matplotlib
import polars as pl
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from analytics.kpis import DIFF_STATUSES, SEVERITIES

SEVERITY_COLORS = {
    "critical": "#7f0000",
    "high": "#d7301f",
    "medium": "#fc8d59",
    "low": "#fdcc8a",
    "info": "#bdbdbd",
}
STATUS_COLORS = {"new": "#d7301f", "fixed": "#1a9850", "persisting": "#8c8c8c"}
ACCENT = "#2b6cb0"
MUTED = "#bdbdbd"
_WIDTH = 8.0


def _figure(height: float = 3.6) -> tuple[Figure, Axes]:
    figure = Figure(figsize=(_WIDTH, height), layout="constrained")
    axes = figure.add_subplot()
    axes.spines[["top", "right"]].set_visible(False)
    return figure, axes


def _empty(figure: Figure, axes: Axes, title: str, message: str) -> Figure:
    axes.set_title(title, loc="left")
    axes.text(0.5, 0.5, message, ha="center", va="center", transform=axes.transAxes)
    axes.set_axis_off()
    return figure


def run_labels(started: Sequence[datetime]) -> list[str]:
    """Runs on an x axis: their number (oldest is 1) and start date."""
    return [f"#{i + 1}\n{moment:%Y-%m-%d}" for i, moment in enumerate(started)]


def trend_chart(trend: pl.DataFrame) -> Figure:
    """Findings per thousand lines in each run (from `run_trend`), oldest first: is it going
    down? The critical+high count is written above each point."""
    figure, axes = _figure()
    title = "Findings per 1,000 lines, per run"
    if not trend.height:
        return _empty(figure, axes, title, "no visible runs")
    labels = run_labels(trend["started_at"].to_list())
    values = [v if v is not None else 0.0 for v in trend["per_kloc"].to_list()]
    axes.plot(range(len(values)), values, marker="o", color=ACCENT, linewidth=2)
    severe = (trend["critical"] + trend["high"]).to_list()
    for x, (y, count) in enumerate(zip(values, severe, strict=True)):
        axes.annotate(
            f"{y:.1f}  ({count} crit/high)",
            (x, y),
            textcoords="offset points",
            xytext=(0, 8),
            ha="center",
            fontsize=8,
        )
    axes.set_xticks(range(len(values)), labels)
    axes.set_ylim(0, max(values) * 1.25 if max(values) > 0 else 1)
    axes.set_xlim(-0.5, len(values) - 0.5)
    axes.set_ylabel("findings / kloc")
    axes.set_title(title, loc="left")
    return figure


def severity_mix_chart(mix: pl.DataFrame) -> Figure:
    """Findings per severity in each run (from `severity_mix`), stacked, oldest run first."""
    figure, axes = _figure()
    title = "Severity mix per run"
    if not mix.height:
        return _empty(figure, axes, title, "no visible runs")
    runs = mix.select("run_id", "started_at").unique(maintain_order=True)
    labels = run_labels(runs["started_at"].to_list())
    bottom = [0] * runs.height
    for severity in SEVERITIES:
        counts = (
            runs.join(mix.filter(pl.col("severity") == severity), on="run_id", how="left")[
                "findings"
            ]
            .fill_null(0)
            .to_list()
        )
        axes.bar(
            labels,
            counts,
            bottom=bottom,
            label=severity,
            color=SEVERITY_COLORS[severity],
            width=0.6,
        )
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    axes.set_ylabel("findings")
    axes.legend(ncols=len(SEVERITIES), loc="upper left", bbox_to_anchor=(0, -0.18), frameon=False)
    axes.set_title(title, loc="left")
    return figure


def top_rules_chart(rules: pl.DataFrame, limit: int = 10) -> Figure:
    """The rules with the most findings (from `top_rules`), most at the top."""
    shown = rules.head(limit)
    figure, axes = _figure(1.2 + 0.32 * max(shown.height, 3))
    title = f"Top {limit} rules by findings"
    if not shown.height:
        return _empty(figure, axes, title, "no findings in this run")
    names = [f"{a}: {r}" for a, r in zip(shown["analyzer"], shown["rule_id"], strict=True)]
    counts = shown["findings"].to_list()
    bars = axes.barh(names[::-1], counts[::-1], color=ACCENT)
    axes.bar_label(bars, labels=[f"{c} ({n} repos)" for c, n in
                                 zip(counts[::-1], shown["repos"].to_list()[::-1], strict=True)],
                   padding=3, fontsize=8)  # fmt: skip
    axes.set_xlabel("findings")
    axes.set_xlim(0, max(counts) * 1.3)
    axes.set_title(title, loc="left")
    return figure


def noisiest_analyzers_chart(noisy: pl.DataFrame) -> Figure:
    """Findings per kloc of each analyzer (from `noisiest_analyzers`), split into the low/info
    part (grey: the tuning candidates) and the rest."""
    figure, axes = _figure(1.2 + 0.4 * max(noisy.height, 3))
    title = "Noisiest analyzers (findings per 1,000 lines)"
    if not noisy.height:
        return _empty(figure, axes, title, "no findings in this run")
    names = noisy["analyzer"].to_list()[::-1]
    total = noisy["per_kloc"].fill_null(0).to_list()[::-1]
    share = noisy["low_info_share"].fill_null(0).to_list()[::-1]
    minor = [t * s for t, s in zip(total, share, strict=True)]
    major = [t - m for t, m in zip(total, minor, strict=True)]
    axes.barh(names, major, color=ACCENT, label="medium and above")
    axes.barh(names, minor, left=major, color=MUTED, label="low / info")
    axes.set_xlabel("findings / kloc")
    axes.legend(loc="lower right", frameon=False)
    axes.set_title(title, loc="left")
    return figure


def changes_chart(summary: pl.DataFrame, base_label: str = "previous run") -> Figure:
    """New, fixed and persisting findings versus the previous run (from `diff_summary`)."""
    figure, axes = _figure(2.8)
    title = f"Since the {base_label}: new, fixed, persisting"
    if not summary.height:
        return _empty(figure, axes, title, "nothing to compare")
    totals = [int(summary[status].sum()) for status in DIFF_STATUSES]
    bars = axes.barh(
        list(DIFF_STATUSES)[::-1],
        totals[::-1],
        color=[STATUS_COLORS[s] for s in DIFF_STATUSES][::-1],
    )
    axes.bar_label(bars, padding=3)
    axes.set_xlim(0, max(max(totals), 1) * 1.2)
    axes.set_xlabel("findings (matched by fingerprint)")
    axes.set_title(title, loc="left")
    return figure


def density_chart(density: pl.DataFrame, key: str = "repo", limit: int = 15) -> Figure:
    """Findings per kloc by `key` (from `findings_per_kloc(by=...)`), worst at the top."""
    shown = density.filter(pl.col("per_kloc").is_not_null()).head(limit)
    figure, axes = _figure(1.2 + 0.32 * max(shown.height, 3))
    title = f"Where the risk is: findings per 1,000 lines by {key}"
    if not shown.height:
        return _empty(figure, axes, title, "no measured lines")
    names = [str(v) for v in shown[key].to_list()][::-1]
    values = shown["per_kloc"].to_list()[::-1]
    bars = axes.barh(names, values, color=ACCENT)
    axes.bar_label(bars, labels=[f"{v:.1f}" for v in values], padding=3, fontsize=8)
    axes.set_xlim(0, max(values) * 1.2 if max(values) > 0 else 1)
    axes.set_xlabel("findings / kloc")
    axes.set_title(title, loc="left")
    return figure


def latency_chart(latency: pl.DataFrame) -> Figure:
    """Review latency percentiles in seconds (from `review_latency`)."""
    figure, axes = _figure(2.8)
    title = "Online review latency (webhook to review posted)"
    if not latency.height or not latency["reviews"][0]:
        return _empty(figure, axes, title, "no finished reviews")
    points = [c for c in latency.columns if c.startswith("p")]
    values = [float(latency[c][0] or 0.0) for c in points]
    bars = axes.bar(points, values, color=ACCENT, width=0.5)
    axes.bar_label(bars, labels=[f"{v:.1f} s" for v in values], padding=3)
    axes.set_ylim(0, max(max(values), 1.0) * 1.25)
    axes.set_ylabel("seconds")
    axes.set_title(f"{title}, {latency['reviews'][0]} reviews", loc="left")
    return figure


def to_svg(figure: Figure) -> bytes:
    """The figure as a standalone SVG document (text as paths: no font needed to view it)."""
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": "codeprism"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def to_png(figure: Figure, dpi: int = 100) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()
