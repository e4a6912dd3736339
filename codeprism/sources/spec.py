"""What to audit (`RepoSpec`, before fetching) and what was fetched (`Checkout`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

from codeprism.sources.urls import (
    has_credentials,
    is_git_url,
    normalise_url,
    repo_name_from_url,
    strip_credentials,
)

log = logging.getLogger(__name__)

SourceKind = Literal["path", "git", "github"]


class RepoSpec(BaseModel):
    """A repository to audit. Holds no secret: it is stored in the warehouse as is."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: SourceKind
    location: str  # absolute path, or clone URL with any credentials removed
    name: str  # display name: directory name, "owner/repo" for github, repo name from a URL
    org: str | None = None
    repo_id: str  # stable key across runs: "path:/abs", "git:<normalised url>", "github:h/o/r"
    default_branch: str | None = None

    @model_validator(mode="after")
    def _location_is_safe(self) -> RepoSpec:
        if self.kind == "path":
            if not Path(self.location).is_absolute():
                raise ValueError(f"a path location must be absolute, got {self.location!r}")
        elif has_credentials(self.location):
            # a spec is persisted and logged; refuse rather than store a secret
            raise ValueError("a clone URL must not contain credentials; pass a token instead")
        return self


@dataclass(frozen=True)
class Revision:
    """Which content a repository holds now, learnt without fetching it."""

    commit_sha: str | None
    revision: str  # as Checkout.revision


@dataclass(frozen=True)
class Checkout:
    root: Path  # directory to analyse
    commit_sha: str | None  # HEAD when it is a git repository with commits
    revision: str  # commit sha, or "tree:<sha256>" content digest of a plain directory


def spec_from_target(target: str) -> RepoSpec:
    """A spec for a CLI target: a local path (relative is fine) or a git URL.

    Never fails on a missing path: checkout raises, so that the problem becomes a recorded
    error of this repository instead of aborting the whole sweep.
    """
    target = target.strip()
    if is_git_url(target):
        location = strip_credentials(target)
        if location != target:
            log.warning(
                "credentials in %s were removed; pass a token through the environment", location
            )
        return RepoSpec(
            kind="git",
            location=location,
            name=repo_name_from_url(location),
            repo_id=f"git:{normalise_url(location)}",
        )
    path = Path(target or ".").expanduser().resolve()
    return RepoSpec(
        kind="path", location=str(path), name=path.name or str(path), repo_id=f"path:{path}"
    )
