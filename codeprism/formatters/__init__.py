"""Output formats: one module per format, one entry point.

Every format is a pure function of the findings (plus the tool version and an optional
summary), sorts them the same way and ends with a newline, so output is stable run to run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from codeprism.errors import ConfigError
from codeprism.findings import Finding
from codeprism.formatters import json, markdown, sarif, table

FORMATS = ("table", "json", "sarif", "markdown")


class Renderer(Protocol):
    def __call__(
        self,
        findings: Sequence[Finding],
        *,
        tool_version: str,
        summary: Mapping[str, object] | None,
    ) -> str: ...


_RENDERERS: dict[str, Renderer] = {
    "table": table.render,
    "json": json.render,
    "sarif": sarif.render,
    "markdown": markdown.render,
}


def render(
    findings: Sequence[Finding],
    fmt: str,
    *,
    tool_version: str,
    summary: Mapping[str, object] | None = None,
) -> str:
    """Render findings in one of FORMATS.

    `summary` is optional context: counts by severity (`by_severity`, `findings`) for table,
    markdown and json; for sarif, `analyzers` (names of the analyzers that ran) adds an empty
    run for each analyzer that found nothing, so GitHub closes its fixed alerts.
    """
    renderer = _RENDERERS.get(fmt)
    if renderer is None:
        raise ConfigError(f"unknown output format {fmt!r}; expected one of: {', '.join(FORMATS)}")
    return renderer(findings, tool_version=tool_version, summary=summary)


__all__ = ["FORMATS", "render"]
