"""The settings of one online review, built for that review alone.

    packaged defaults → organisation file → environment → the app's args  (the operator's,
                                                                         once per replica)
    → the org file's table for the review's scope: [installations."<id>"] (GitHub App
      installation) or [groups."<path>"] (GitLab group; outer groups first, so a subgroup's
      table wins over its parent's)
    → the repository's own `.codeprism.toml` / `[tool.codeprism]`, read at the pull
      request's BASE commit (a pull request cannot relax its own review), limited to what
      a repository may set (see `codeprism.settings.repo_file`)

A scope's table is the operator's most specific word, so it applies on top of all of the
operator's layers, the environment and the app's args included. Every table is checked when
the replica starts (a bad value there is the operator's error and stops the replica), so
building a review's settings never fails: a base commit that cannot be fetched, a file
that is too big or not TOML, a key a repository may not set all become notes, shown on
the review, and the review goes on with the layers below.

`OperatorSettings` is immutable and shared by the reviews a replica runs at once; each
review gets its own `Effective`, passed down explicitly, so no review can see another's.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from codeprism.baseline import Baseline, load_baseline
from codeprism.errors import CodeprismError
from codeprism.settings.layers import Effective, OrgConfig, defaults, resolve
from codeprism.settings.model import Settings
from codeprism.settings.repo_file import (
    CONFIG_FILES,
    RepoConfig,
    apply_repo_config,
    read_repo_config_at,
)
from codeprism.sources.git import HeadCommit, fetch_commit
from codeprism.webhooks.events import ReviewTarget

log = logging.getLogger(__name__)

MAX_ERROR_CHARS = 300  # of a fetch error quoted in a review's warning


@dataclass(frozen=True)
class OperatorSettings:
    """The operator's layers and the org file's scoped tables, checked, with the baselines
    they name loaded."""

    effective: Effective = field(default_factory=defaults)
    org: OrgConfig | None = None
    baselines: Mapping[str, Baseline] = field(default_factory=dict)

    @classmethod
    def load(
        cls,
        *,
        environ: Mapping[str, str],
        config_file: str | Path | None = None,
        command_line: Mapping[str, Any] | None = None,
    ) -> OperatorSettings:
        """As `resolve()` builds them; raises ConfigError for a bad value in any layer or
        scoped table, or a baseline that cannot be read."""
        effective, org = resolve(
            environ=environ, config_file=config_file, command_line=command_line
        )
        operator = cls(effective, org)
        every = [
            effective,
            *(operator._scoped(effective, table, key) for table, key in operator._tables()),
        ]
        paths = dict.fromkeys(e.settings.baseline for e in every if e.settings.baseline)
        return replace(operator, baselines={path: load_baseline(path) for path in paths})

    def for_target(self, target: ReviewTarget) -> Effective:
        """The operator's settings for this review's GitHub installation or GitLab group."""
        effective = self.effective
        if self.org is None:
            return effective
        for table, key in scopes(target):
            if key in getattr(self.org, table):
                effective = self._scoped(effective, table, key)
        return effective

    def baseline(self, settings: Settings) -> Baseline | None:
        return self.baselines.get(settings.baseline) if settings.baseline else None

    def _tables(self) -> Iterator[tuple[str, str]]:
        if self.org is not None:
            yield from (("installations", key) for key in self.org.installations)
            yield from (("groups", key) for key in self.org.groups)

    def _scoped(self, effective: Effective, table: str, key: str) -> Effective:
        assert self.org is not None
        values = getattr(self.org, table)[key]
        return effective.with_layer(f'config {self.org.path} [{table}."{key}"]', values)


def scopes(target: ReviewTarget) -> list[tuple[str, str]]:
    """The org file's tables that may apply to `target`, least specific first: its GitHub
    App installation, or each group above a GitLab project ("a", then "a/b" for "a/b/c")."""
    if target.provider == "github" and target.installation_id is not None:
        return [("installations", str(target.installation_id))]
    if target.provider == "gitlab":
        parts = target.repo.split("/")[:-1]
        return [("groups", "/".join(parts[: n + 1])) for n in range(len(parts))]
    return []


def repository_config(base: HeadCommit, timeout_s: float) -> RepoConfig | None:
    """The repository's own settings as they are in the `base` commit: only the config
    files' blobs are fetched (into a scratch bare repository), never checked out. Raises
    CodeprismError when the commit cannot be fetched."""
    deadline = time.monotonic() + timeout_s
    with tempfile.TemporaryDirectory(prefix="codeprism-base-") as scratch:
        git_dir = Path(scratch) / "git"
        fetch_commit(base, list(CONFIG_FILES), git_dir, timeout_s)
        left = max(deadline - time.monotonic(), 1.0)
        return read_repo_config_at(git_dir, base.sha, left)


def review_settings(
    operator: OperatorSettings,
    target: ReviewTarget,
    base: Callable[[], HeadCommit | None],
    timeout_s: float = 60.0,
) -> Effective:
    """This review's settings: the operator's for its scope, then the repository's file at
    the commit `base()` names (None: no repository to read, e.g. a diff sent to the review
    API). Never raises: what could not be read is a note of the returned settings."""
    effective = operator.for_target(target)
    commit = None
    try:
        commit = base()
        if commit is None:
            return effective
        return apply_repo_config(effective, repository_config(commit, timeout_s))
    except Exception as exc:  # a review goes on without the repository's settings
        where = f"the base commit {commit.sha[:12]}" if commit else "the base commit"
        log.warning(
            "the settings of %s at %s were not read: %s",
            target.repo,
            where,
            exc,
            exc_info=not isinstance(exc, CodeprismError),
        )
        reason = " ".join(str(exc).split())[:MAX_ERROR_CHARS] or type(exc).__name__
        note = (
            f"the repository's settings could not be read at {where} ({reason}); "
            "the operator's settings apply"
        )
        return effective.with_notes([note])
