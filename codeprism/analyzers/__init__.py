"""The analyzer registry: one module per analyzer, selected by name in `AnalysisConfig`.

| name         | tool           | kind  | files                                   |
|--------------|----------------|-------|-----------------------------------------|
| `ruff`       | ruff binary    | batch | `*.py`, `*.pyi`                         |
| `bandit`     | bandit API     | file  | `*.py`, `*.pyw`                         |
| `semgrep`    | semgrep binary | batch | Python, JS/TS, Go, Java, HTML templates |
| `secrets`    | detect-secrets | file  | every text file                         |
| `complexity` | lizard         | file  | every file lizard has a language for    |

`inventory` (languages, sizes, manifests) is not selectable: it always runs.
No analyzer executes code from the analysed repository, and none reads its configuration.
"""

from __future__ import annotations

from codeprism.analyzers.bandit import BanditAnalyzer
from codeprism.analyzers.base import Analyzer, BatchAnalyzer, FileAnalyzer
from codeprism.analyzers.complexity import ComplexityAnalyzer
from codeprism.analyzers.ruff import RuffAnalyzer
from codeprism.analyzers.secrets import SecretsAnalyzer
from codeprism.analyzers.semgrep import SemgrepAnalyzer
from codeprism.errors import ConfigError

ANALYZERS: dict[str, type[Analyzer]] = {
    cls.name: cls
    for cls in (RuffAnalyzer, BanditAnalyzer, SemgrepAnalyzer, SecretsAnalyzer, ComplexityAnalyzer)
}
ALWAYS_ON = "inventory"


def analyzer_class(name: str) -> type[Analyzer]:
    try:
        return ANALYZERS[name]
    except KeyError:
        known = ", ".join(sorted([*ANALYZERS, ALWAYS_ON]))
        raise ConfigError(f"unknown analyzer {name!r}; known: {known}") from None


__all__ = [
    "ALWAYS_ON",
    "ANALYZERS",
    "Analyzer",
    "BatchAnalyzer",
    "FileAnalyzer",
    "analyzer_class",
]
