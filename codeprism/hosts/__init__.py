"""Git-host clients of the online review path: read a pull/merge request, publish a review.

`github.GitHubHost` (PyGithub; App or personal-token auth, GitHub Enterprise) and
`gitlab.GitLabHost` (REST v4 over httpx) share the models of `base`: `PullRequestInfo` in,
`Published` out, every REST request and every rate-limit wait reported to an `on_event` hook.
"""

from codeprism.hosts.base import HostError, Published, PullRequestInfo, RateLimited

__all__ = ["HostError", "PullRequestInfo", "Published", "RateLimited"]
