"""Small pure building blocks shared by the KPIs: rates, percentiles, severity order, language.

Conventions every KPI follows:
- per kloc = findings * 1000 / lines, null where lines is 0 or unknown (never inf/NaN);
- a share is a fraction in [0, 1], null where its denominator is 0;
- percentiles interpolate linearly between the two nearest ranks (numpy's default, DuckDB's
  `quantile_cont`): the p50 of [1, 2, 3, 4] is 2.5.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from codeprism.analyzers.inventory import EXTENSIONS, FILE_NAMES
from codeprism.findings import Severity

SEVERITIES: tuple[str, ...] = tuple(s.value for s in sorted(Severity, key=lambda s: -s.rank))
"""Severities worst first: critical, high, medium, low, info."""

SEVERITY_RANK: dict[str, int] = {s.value: s.rank for s in Severity}

OTHER_LANGUAGE = "(other)"
"""Language of files the inventory does not name (and of their lines)."""


def per_kloc(findings: str | pl.Expr, lines: str | pl.Expr) -> pl.Expr:
    """Findings per thousand lines; null where there are no lines."""
    count = pl.col(findings) if isinstance(findings, str) else findings
    size = pl.col(lines) if isinstance(lines, str) else lines
    return pl.when(size > 0).then(count.cast(pl.Float64) * 1000.0 / size).otherwise(None)


def share(part: str | pl.Expr, whole: str | pl.Expr) -> pl.Expr:
    """part / whole, null where whole is 0."""
    numerator = pl.col(part) if isinstance(part, str) else part
    denominator = pl.col(whole) if isinstance(whole, str) else whole
    return pl.when(denominator > 0).then(numerator.cast(pl.Float64) / denominator).otherwise(None)


def percentiles(column: str, points: Iterable[float], prefix: str = "p") -> list[pl.Expr]:
    """Linear-interpolated percentiles of `column`, named p50, p90, p99 ... (for agg)."""
    exprs = []
    for point in points:
        if not 0.0 <= point <= 1.0:
            raise ValueError(f"a percentile point must lie in [0, 1], got {point}")
        name = f"{prefix}{round(point * 100, 3):g}"
        exprs.append(pl.col(column).quantile(point, interpolation="linear").alias(name))
    return exprs


def severity_rank(column: str = "severity") -> pl.Expr:
    """4 for critical down to 0 for info; null for a value outside the contract."""
    return pl.col(column).replace_strict(SEVERITY_RANK, default=None, return_dtype=pl.Int8)


def language_of(path: str | pl.Expr = "file_path") -> pl.Expr:
    """The inventory's language of a repository-relative path, as polars: the same mapping
    (`codeprism.analyzers.inventory.language_of`) that filled `repos.languages`, so findings
    and lines are attributed alike. Unknown -> OTHER_LANGUAGE."""
    full = pl.col(path) if isinstance(path, str) else path
    name = full.str.extract(r"([^/]*)$")
    # posixpath.splitext: leading dots do not start an extension (".bashrc" has none)
    ext = name.str.strip_chars_start(".").str.extract(r"(\.[^.]*)$")
    return (
        pl.when(name.is_in(list(FILE_NAMES)))
        .then(name.replace_strict(FILE_NAMES, default=None, return_dtype=pl.String))
        .when(name.str.starts_with("Dockerfile."))
        .then(pl.lit("Dockerfile"))
        .otherwise(ext.replace_strict(EXTENSIONS, default=OTHER_LANGUAGE, return_dtype=pl.String))
        .fill_null(OTHER_LANGUAGE)
    )
