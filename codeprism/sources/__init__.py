"""Repository sources: turn audit targets into local directories to analyse.

- `spec_from_target` turns a CLI target (path or git URL) into a `RepoSpec`;
  `list_org_repos` turns a GitHub organisation into many.
- `checkout` makes a spec a local `Checkout`, raising `SourceError` with the kind that the
  errors table records, so one unreachable repository never stops a sweep.
- `probe` tells which revision a spec is at without cloning it, so that an incremental run
  can skip an unchanged repository before any analysis is set up for it.

Tokens are arguments, never fields: a `RepoSpec` is stored and logged as is.
"""

from __future__ import annotations

from pathlib import Path

from codeprism.errors import SourceError
from codeprism.sources.git import checkout_git, remote_revision
from codeprism.sources.github_org import GitHubConfig, OrgFilter, list_org_repos
from codeprism.sources.local import checkout_path, tree_digest
from codeprism.sources.spec import Checkout, RepoSpec, Revision, spec_from_target

__all__ = [
    "Checkout",
    "GitHubConfig",
    "OrgFilter",
    "RepoSpec",
    "Revision",
    "checkout",
    "list_org_repos",
    "probe",
    "spec_from_target",
    "tree_digest",
]


def checkout(
    spec: RepoSpec, cache_dir: Path, token: str | None = None, timeout_s: float = 600
) -> Checkout:
    """A local directory holding `spec`'s current content.

    A path is analysed in place; a remote is cloned once into `cache_dir` and fetched on later
    calls. `token` authenticates HTTP(S) fetches of `github` specs only: it is meant for the
    GitHub host the spec was listed from, and a plain git URL may point anywhere.
    """
    if spec.kind == "path":
        return checkout_path(spec, timeout_s)
    return checkout_git(spec, cache_dir, token if spec.kind == "github" else None, timeout_s)


def probe(spec: RepoSpec, token: str | None = None, timeout_s: float = 60) -> Revision | None:
    """The revision `spec` is at now, found cheaply; None when that cannot be told here."""
    try:
        if spec.kind == "path":
            found = checkout_path(spec, timeout_s)  # analysed in place: this is all it costs
            return Revision(found.commit_sha, found.revision)
        sha = remote_revision(spec, token if spec.kind == "github" else None, timeout_s)
    except SourceError:
        return None  # the real checkout will fail again and record the reason
    return Revision(sha, sha) if sha else None
