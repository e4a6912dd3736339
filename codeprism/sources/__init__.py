"""Repository sources: turn audit targets into local directories to analyse.

- `spec_from_target` turns a CLI target (path or git URL) into a `RepoSpec`;
  `list_org_repos` turns a GitHub organisation into many.
- `checkout` makes a spec a local `Checkout`, raising `SourceError` with the kind that the
  errors table records, so one unreachable repository never stops a sweep.

Tokens are arguments, never fields: a `RepoSpec` is stored and logged as is.
"""

from __future__ import annotations

from pathlib import Path

from codeprism.sources.git import checkout_git
from codeprism.sources.github_org import GitHubConfig, OrgFilter, list_org_repos
from codeprism.sources.local import checkout_path, tree_digest
from codeprism.sources.spec import Checkout, RepoSpec, spec_from_target

__all__ = [
    "Checkout",
    "GitHubConfig",
    "OrgFilter",
    "RepoSpec",
    "checkout",
    "list_org_repos",
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
