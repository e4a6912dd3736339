"""A repository's own settings: `.codeprism.toml`, or `[tool.codeprism]` in `pyproject.toml`.

Read from the reviewed pull request's base commit (a pull request cannot relax its own
review) or the audited commit, as data only: at most 64 KiB, never through a symlink. What a
repository may set is narrower than what an operator may:

- not `limits.*` (resource limits), `baseline` (another file) or anything unknown;
- `analyzers` only as a subset of the operator's, and never without `secrets`;
- no rule of the secrets analyzer in `rules.disabled` or `rules.severity`;
- `review.max_findings` no higher than the operator's.

Every refusal, and a file that is too big or not TOML, becomes a note on the review or the
audit; the keys that were fine still apply, and the refused ones keep the operator's value.
"""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from codeprism.equivalence import canonical_rule
from codeprism.settings.layers import Effective, SettingsError, flatten

REPO_FILE = ".codeprism.toml"
PYPROJECT = "pyproject.toml"
CONFIG_FILES = (REPO_FILE, PYPROJECT)
MAX_REPO_CONFIG_BYTES = 64 * 1024
OPERATOR_ONLY = ("limits", "baseline")
PROTECTED_ANALYZER = "secrets"


@dataclass(frozen=True)
class RepoConfig:
    """What a repository's config file holds (already parsed), or why it holds nothing."""

    source: str  # ".codeprism.toml" or "pyproject.toml [tool.codeprism]"
    values: Mapping[str, Any]
    notes: tuple[str, ...] = ()


def parse_repo_config(files: Mapping[str, bytes | None]) -> RepoConfig | None:
    """The repository's settings from its config files' bytes (None: the file is absent;
    readers pass at most the limit + 1 bytes). `.codeprism.toml` wins over `pyproject.toml`."""
    notes: list[str] = []
    for name in CONFIG_FILES:
        data = files.get(name)
        if data is None:
            continue
        if len(data) > MAX_REPO_CONFIG_BYTES:
            notes.append(
                f"{name} is over the {MAX_REPO_CONFIG_BYTES}-byte limit; "
                "not read, the operator's settings apply"
            )
            if name == REPO_FILE:
                return RepoConfig(name, {}, tuple(notes))
            continue
        try:
            parsed = tomllib.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            notes.append(
                f"{name} is not valid TOML ({exc}); not read, the operator's settings apply"
            )
            if name == REPO_FILE:
                return RepoConfig(name, {}, tuple(notes))
            continue
        if name == PYPROJECT:
            tool = parsed.get("tool")
            table = tool.get("codeprism") if isinstance(tool, dict) else None
            if table is None:
                continue
            if not isinstance(table, dict):
                notes.append("pyproject.toml: [tool.codeprism] is not a table; not read")
                continue
            return RepoConfig(f"{PYPROJECT} [tool.codeprism]", table, tuple(notes))
        return RepoConfig(name, parsed, tuple(notes))
    return RepoConfig(REPO_FILE, {}, tuple(notes)) if notes else None


def read_repo_config(root: Path) -> RepoConfig | None:
    """The config files at the top of a checkout; symlinks and non-files count as absent."""
    found: dict[str, bytes | None] = {}
    for name in CONFIG_FILES:
        found[name] = _read_capped(root / name)
    return parse_repo_config(found)


def _read_capped(path: Path) -> bytes | None:
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    try:
        with open(path, "rb", opener=lambda p, f: os.open(p, f | os.O_NOFOLLOW)) as handle:
            # one byte over the limit is enough to say it is over
            return handle.read(MAX_REPO_CONFIG_BYTES + 1)
    except OSError:
        return None


def read_repo_config_from(read: Callable[[str], bytes | None]) -> RepoConfig | None:
    """The same, where `read(name)` returns at most the limit + 1 bytes of a file in a commit."""
    return parse_repo_config({name: read(name) for name in CONFIG_FILES})


def apply_repo_config(base: Effective, config: RepoConfig | None) -> Effective:
    """`base` with what the repository may set on top; every refusal is a note."""
    if config is None:
        return base
    label = f"repository {config.source}"
    notes = list(config.notes)
    effective = base
    for name, value in flatten(config.values).items():
        refusal = _refusal(name, value, base)
        if refusal is None:
            try:
                effective = effective.with_layer(label, {name: value})
                continue
            except SettingsError as exc:
                refusal = "; ".join(message for _, _, message in exc.problems)
        notes.append(f"{config.source}: {name}: {refusal}; ignored")
    return effective.with_notes(notes)


def _refusal(name: str, value: Any, base: Effective) -> str | None:
    """Why a repository may not set this key to this value (None: it may)."""
    top = name.split(".")[0]
    if top in OPERATOR_ONLY:
        return "only the operator's configuration may set this"
    settings = base.settings
    if name == "analyzers" and isinstance(value, list):
        if PROTECTED_ANALYZER in settings.analyzers and PROTECTED_ANALYZER not in value:
            return "a repository cannot turn off the secrets analyzer"
        extra = sorted(set(value) - set(settings.analyzers))
        if extra:
            return (
                f"a repository cannot turn on analyzers the operator left off ({', '.join(extra)})"
            )
    if name == "rules.disabled" and isinstance(value, list):
        protected = sorted(str(r) for r in value if is_secrets_rule(str(r)))
        if protected:
            return f"a repository cannot mute secret detection ({', '.join(protected)})"
    if name.startswith("rules.severity.") and is_secrets_rule(name.removeprefix("rules.severity.")):
        return "a repository cannot change the severity of secret detection"
    if name == "review.max_findings" and isinstance(value, int):
        if value > settings.review.max_findings:
            return f"a repository cannot raise the review cap above {settings.review.max_findings}"
    return None


@cache
def _secrets_rules() -> frozenset[str]:
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    from codeprism.analyzers.secrets import rule_id

    return frozenset(rule_id(kind) for kind in get_mapping_from_secret_type_to_class())


def is_secrets_rule(rule: str) -> bool:
    """A rule of the secrets analyzer, or one equivalent to it (B105-B107 are passwords)."""
    secrets = _secrets_rules()
    return rule in secrets or canonical_rule(rule) in {canonical_rule(r) for r in secrets}
