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
import time
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from codeprism.equivalence import canonical_rule
from codeprism.settings.layers import Effective, SettingsError, flatten
from codeprism.settings.model import Settings

REPO_FILE = ".codeprism.toml"
PYPROJECT = "pyproject.toml"
CONFIG_FILES = (REPO_FILE, PYPROJECT)
MAX_REPO_CONFIG_BYTES = 64 * 1024
OPERATOR_ONLY = ("limits", "baseline", "secrets_paths")
PROTECTED_ANALYZER = "secrets"
SECRETS_PATHS_LAYER = "operator (the secrets analyzer reads what the operator's paths allow)"
MAX_NOTES = 20  # notes on refused keys per file; the rest are counted in one more
MAX_NOTE_CHARS = 300  # a note quotes the file (a key, a value): never all of it
MAX_KEY_CHARS = 80


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
        except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError) as exc:
            reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
            notes.append(
                f"{name} is not valid TOML ({reason}); not read, the operator's settings apply"
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
    # only pyproject.toml gets here with notes: .codeprism.toml returns above
    return RepoConfig(PYPROJECT, {}, tuple(notes)) if notes else None


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


def read_repo_config_at(git_dir: Path, commit: str, timeout_s: float = 60.0) -> RepoConfig | None:
    """The config files as they are in `commit` of a (possibly bare, blobless-fetched)
    repository: blobs read with git, never checked out; a blob over the limit is not read."""
    from codeprism.sources.git import regular_files
    from codeprism.sources.gitcmd import run_git

    deadline = time.monotonic() + timeout_s
    blobs = regular_files(git_dir, commit, list(CONFIG_FILES), deadline)
    found: dict[str, bytes | None] = {}
    for name, blob_id in blobs.items():
        size = run_git(
            ["cat-file", "-s", blob_id], cwd=git_dir, timeout_s=deadline - time.monotonic()
        )
        if size.returncode != 0:
            continue
        if int(size.stdout.strip() or 0) > MAX_REPO_CONFIG_BYTES:
            found[name] = bytes(MAX_REPO_CONFIG_BYTES + 1)  # stands for "over the limit"
            continue
        blob = run_git(
            ["cat-file", "blob", blob_id], cwd=git_dir, timeout_s=deadline - time.monotonic()
        )
        if blob.returncode == 0:
            found[name] = blob.raw_stdout
    return parse_repo_config(found)


def apply_repo_config(base: Effective, config: RepoConfig | None) -> Effective:
    """`base` with what the repository may set on top; every refusal is a note.

    Each key is checked on the settings it would give (after validation), so no spelling of
    a value gets around a rule: `max_findings = "500"`, `review = {}` (the defaults, over
    the operator's cap) and `rules = {}` (dropping the operator's secrets severities) are
    refused like `max_findings = 500`."""
    if config is None:
        return base
    label = f"repository {config.source}"
    refused: list[str] = []
    effective = base
    for name, value in flatten(config.values).items():
        value = _added_to_operators(name, value, base)
        refusal = _operator_only(name)
        if refusal is None:
            try:
                candidate = effective.with_layer(label, {name: value})
            except SettingsError as exc:
                refusal = "; ".join(message for _, _, message in exc.problems)
            else:
                refusal = _weakens(base.settings, candidate.settings)
                if refusal is None:
                    effective = candidate
                    continue
        refused.append(_note(f"{config.source}: {_shorten(name)}: {refusal}; ignored"))
    if effective.settings.paths != base.settings.paths and effective.settings.secrets_paths is None:
        # the secrets analyzer keeps reading where the operator's paths say
        operator_paths = base.settings.paths.model_dump(mode="json")
        effective = effective.with_layer(SECRETS_PATHS_LAYER, {"secrets_paths": operator_paths})
    if len(refused) > MAX_NOTES:
        more = len(refused) - MAX_NOTES
        refused = [*refused[:MAX_NOTES], f"{config.source}: {more} more keys ignored"]
    return effective.with_notes([*config.notes, *refused])


def _added_to_operators(name: str, value: Any, base: Effective) -> Any:
    """A repository's pull request filters add to the operator's: it may skip more of its
    pull requests, never review ones the operator skips."""
    if name.startswith("pull_requests.") and isinstance(value, list):
        operators = base.values.get(name)
        if isinstance(operators, list):
            return list(dict.fromkeys([*operators, *value]))
    return value


def _shorten(text: str, limit: int = MAX_KEY_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _note(text: str) -> str:
    return _shorten(text, MAX_NOTE_CHARS)


def _operator_only(name: str) -> str | None:
    if name.split(".")[0] in OPERATOR_ONLY:
        return "only the operator's configuration may set this"
    return None


def _weakens(operator: Settings, settings: Settings) -> str | None:
    """Why a repository may not turn the operator's settings into these (None: it may)."""
    if PROTECTED_ANALYZER in operator.analyzers and PROTECTED_ANALYZER not in settings.analyzers:
        return "a repository cannot turn off the secrets analyzer"
    extra = sorted(set(settings.analyzers) - set(operator.analyzers))
    if extra:
        return f"a repository cannot turn on analyzers the operator left off ({', '.join(extra)})"
    already = {canonical_rule(r) for r in operator.rules.disabled}
    muted = sorted(
        r
        for r in settings.rules.disabled
        if is_secrets_rule(r) and canonical_rule(r) not in already
    )
    if muted:
        return f"a repository cannot mute secret detection ({', '.join(muted)})"
    severities = (operator.rules.severity, settings.rules.severity)
    for rule in {*severities[0], *severities[1]}:
        if is_secrets_rule(rule) and severities[0].get(rule) != severities[1].get(rule):
            return "a repository cannot change the severity of secret detection"
    cap = operator.review.max_findings
    if settings.review.max_findings > cap:
        return f"a repository cannot raise the review cap above {cap}"
    return None


@cache
def _secrets_rules() -> frozenset[str]:
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    from codeprism.analyzers.secrets import rule_id

    return frozenset(rule_id(kind) for kind in get_mapping_from_secret_type_to_class())


@cache
def _secrets_problems() -> frozenset[str]:
    return frozenset(canonical_rule(r) for r in _secrets_rules())


def is_secrets_rule(rule: str) -> bool:
    """A rule of the secrets analyzer, or one equivalent to it (B105-B107 are passwords)."""
    return rule in _secrets_rules() or canonical_rule(rule) in _secrets_problems()
