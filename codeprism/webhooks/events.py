"""Which webhook events start a review, and of what.

`classify_github`, `classify_gitlab` and `classify_bitbucket` turn an (event name, parsed
JSON body) pair into a `Decision`. They never raise: the body comes from the network, so a
payload that is not an object, or lacks a field a review needs, is a
`Decision("invalid", reason)` the ingress can record and answer, not a KeyError. Events that
are well-formed but not ours (pushes, check suites, installations, closed pull requests) are
"ignore" with a reason saying why.

Field values that later end up in host API paths (repository names, commit SHAs) are
checked against their documented shapes here, so nothing downstream builds a URL from an
arbitrary string. `ReviewTarget` itself refuses what storage cannot hold (ids beyond 64 bits,
strings that are not UTF-8), so a target built from any request is safe to record.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from codeprism.webhooks._fields import (
    MAX_INT,
    Malformed,
    display_text,
    get_bool,
    get_int,
    get_mapping,
    get_sha,
    get_str,
    is_text,
)

GITHUB_REVIEW_ACTIONS = frozenset({"opened", "reopened", "synchronize", "ready_for_review"})
GITLAB_REVIEW_ACTIONS = frozenset({"open", "reopen"})
BITBUCKET_REVIEW_EVENTS = frozenset({"pullrequest:created", "pullrequest:updated"})
BITBUCKET_STATES = frozenset({"OPEN", "MERGED", "DECLINED", "SUPERSEDED"})
# Bitbucket Data Center: a push to the source branch is pr:from_ref_updated
BITBUCKET_DC_REVIEW_EVENTS = frozenset({"pr:opened", "pr:from_ref_updated"})
BITBUCKET_DC_STATES = frozenset({"OPEN", "MERGED", "DECLINED"})
# PROJECT_KEY/repo_slug (a personal project's key is ~user)
_BITBUCKET_DC_REPO = re.compile(r"~?[A-Za-z0-9_-][A-Za-z0-9_.-]*/[A-Za-z0-9_-][A-Za-z0-9_.-]*")
# workspace/repo_slug; neither starts with a dot, so "." and ".." never reach a URL path
_BITBUCKET_REPO = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*/[A-Za-z0-9_-][A-Za-z0-9_.-]*")
_BITBUCKET_HASH = re.compile(r"[0-9a-fA-F]{7,64}")  # webhooks send 12 of the 40 digits
_FULL_HASH = re.compile(r"[0-9a-fA-F]{40}|[0-9a-fA-F]{64}")
_GITHUB_REPO = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
_GITLAB_PROJECT = re.compile(r"[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)+")
# GitHub's owner/name is at most 140 characters, a GitLab path with 20 levels of subgroups
# a few hundred; the bound keeps a signed body from storing megabytes as a "name".
MAX_NAME = 1024
MAX_TITLE = 1024  # titles are only shown; a longer one is cut, not refused
MAX_LABELS = 100  # labels kept per pull request (for the `pull_requests.ignore_labels` filter)


def _unicode(value: str) -> str:
    if not is_text(value):
        raise ValueError("not valid Unicode text (a lone surrogate)")
    return value


_Text = Annotated[str, AfterValidator(_unicode)]
_Id = Annotated[int, Field(ge=1, le=MAX_INT)]  # fits SQLite's and the warehouse's int64
_Name = Annotated[_Text, Field(min_length=1, max_length=MAX_NAME)]


class ReviewTarget(BaseModel):
    """What to review: a pull/merge request at a head, or (provider "api") a labelled diff.

    `head_sha` is None when the trigger did not carry one (a review command in a comment):
    the orchestrator then fetches the pull request's current head.

    `trigger` says who asked: a pull request event ("event"), a review command in a comment
    ("command") or the review API ("api"). `author`, `labels`, `source_branch` and
    `target_branch` are what the settings' `pull_requests` filters look at (see
    `codeprism.online.filters`); they are filled from pull request events only, and each
    has a default, so a target stored before they existed still reads back (None: unknown,
    which no filter matches)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    provider: Literal["github", "gitlab", "bitbucket", "bitbucket-dc", "azure", "api"]
    # GitHub "owner/name", GitLab path_with_namespace, Bitbucket "workspace/repo_slug",
    # api: any label
    repo: Annotated[_Text, Field(max_length=MAX_NAME)]
    pr_number: _Id | None
    head_sha: _Text | None
    base_sha: _Text | None
    installation_id: _Id | None = None  # GitHub App installation that sent the event
    project_id: _Id | None = None  # GitLab's numeric project id
    title: _Text = ""
    draft: bool = False
    trigger: Literal["event", "command", "api"] = "event"
    author: _Name | None = None  # GitHub login / GitLab username / Bitbucket nickname
    labels: tuple[_Name, ...] = Field(default=(), max_length=MAX_LABELS)
    source_branch: _Name | None = None  # the pull request's head branch
    target_branch: _Name | None = None  # the branch it would merge into

    def pr_key(self) -> str:
        """The pull request this review is of, e.g. "github/octo/repo#7"; a newer head of
        the same key supersedes an older one. Without a PR number the key is the label."""
        if self.pr_number is None:
            return f"{self.provider}/{self.repo}"
        return f"{self.provider}/{self.repo}#{self.pr_number}"


@dataclass(frozen=True, slots=True)
class TriggerOptions:
    """How a deployment wants events turned into reviews."""

    review_drafts: bool = False
    command: str = "/codeprism review"

    def __post_init__(self) -> None:
        # the command is matched against a comment's first line: it must fit on one
        if self.command != self.command.strip() or len(self.command.splitlines()) != 1:
            raise ValueError(f"bad review command {self.command!r}: one line, no outer spaces")


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of classifying one event; `target` is set exactly when kind is "review"."""

    kind: Literal["review", "ignore", "ping", "invalid"]
    reason: str
    target: ReviewTarget | None = None

    def __post_init__(self) -> None:
        if (self.kind == "review") != (self.target is not None):
            raise ValueError("a review decision needs a target, and only a review has one")


def classify_github(event: str, payload: object, options: TriggerOptions) -> Decision:
    """Decide on a GitHub event (`X-GitHub-Event`) with its parsed body."""
    if not event:
        return Decision("invalid", "missing event name (X-GitHub-Event)")
    if not isinstance(payload, Mapping):
        return Decision("invalid", f"payload is not a JSON object but {_json_type(payload)}")
    try:
        if event == "ping":
            return Decision("ping", "webhook ping")
        if event == "pull_request":
            return _github_pull_request(payload, options)
        if event == "issue_comment":
            return _github_comment(payload, options)
        return Decision("ignore", f"event {_shown(event)} does not start a review")
    except Malformed as exc:
        return Decision("invalid", str(exc))
    except ValidationError as exc:  # a field the checks above let through: still not ours
        return Decision("invalid", bad_fields(exc))


def classify_gitlab(event: str, payload: object, options: TriggerOptions) -> Decision:
    """Decide on a GitLab event (`X-Gitlab-Event`, e.g. "Merge Request Hook")."""
    if not event:
        return Decision("invalid", "missing event name (X-Gitlab-Event)")
    if not isinstance(payload, Mapping):
        return Decision("invalid", f"payload is not a JSON object but {_json_type(payload)}")
    try:
        if event == "Merge Request Hook":
            return _gitlab_merge_request(payload, options)
        if event == "Note Hook":
            return _gitlab_note(payload, options)
        return Decision("ignore", f"event {_shown(event)} does not start a review")
    except Malformed as exc:
        return Decision("invalid", str(exc))
    except ValidationError as exc:  # a field the checks above let through: still not ours
        return Decision("invalid", bad_fields(exc))


def classify_bitbucket(event: str, payload: object, options: TriggerOptions) -> Decision:
    """Decide on a Bitbucket Cloud event (`X-Event-Key`, e.g. "pullrequest:created").

    Bitbucket names commits by 12 of their 40 hex digits: a full hash is kept as the head,
    a short one leaves `head_sha` None and the orchestrator reads the pull request's full
    head from the REST API. `pullrequest:updated` is sent for a new push and for a title or
    reviewer change alike, and the hook does not say which: each one queues a review."""
    if not event:
        return Decision("invalid", "missing event name (X-Event-Key)")
    if not isinstance(payload, Mapping):
        return Decision("invalid", f"payload is not a JSON object but {_json_type(payload)}")
    try:
        if event in BITBUCKET_REVIEW_EVENTS:
            return _bitbucket_pull_request(event, payload, options)
        if event == "pullrequest:comment_created":
            return _bitbucket_comment(payload, options)
        return Decision("ignore", f"event {_shown(event)} does not start a review")
    except Malformed as exc:
        return Decision("invalid", str(exc))
    except ValidationError as exc:  # a field the checks above let through: still not ours
        return Decision("invalid", bad_fields(exc))


def _bitbucket_pull_request(
    event: str, payload: Mapping[str, Any], options: TriggerOptions
) -> Decision:
    pr = get_mapping(payload, "pullrequest")
    state = _bitbucket_state(pr)
    if state != "OPEN":
        return Decision("ignore", f"{event} of a {state} pull request does not start a review")
    source = get_mapping(pr, "source", "pullrequest.source")
    destination = get_mapping(pr, "destination", "pullrequest.destination")
    head = _bitbucket_hash(source, "pullrequest.source")
    _bitbucket_hash(destination, "pullrequest.destination")  # shape only; the REST API's counts
    draft = get_bool(pr, "draft", "pullrequest.draft")
    target = ReviewTarget(
        provider="bitbucket",
        repo=_bitbucket_repo(payload),
        pr_number=get_int(pr, "id", "pullrequest.id"),
        head_sha=head if _FULL_HASH.fullmatch(head) else None,
        base_sha=None,  # the destination's head, not the merge base: the orchestrator reads it
        title=_text(pr.get("title")),
        draft=draft,
        author=_name_at(pr, "author", "nickname") or _name_at(pr, "author", "display_name"),
        source_branch=_name_at(source, "branch", "name"),
        target_branch=_name_at(destination, "branch", "name"),
    )
    if draft and not options.review_drafts:
        return Decision("ignore", "draft pull request (drafts are not reviewed)")
    return Decision("review", event, target)


def _bitbucket_comment(payload: Mapping[str, Any], options: TriggerOptions) -> Decision:
    comment = get_mapping(payload, "comment")
    content = comment.get("content")
    raw = content.get("raw") if isinstance(content, Mapping) else None
    if not _is_command(raw, options.command):
        return Decision("ignore", f"comment on a pull request without {options.command!r}")
    pr = get_mapping(payload, "pullrequest")
    state = _bitbucket_state(pr)
    if state != "OPEN":
        return Decision("ignore", f"comment on a {state} pull request")
    target = ReviewTarget(
        provider="bitbucket",
        repo=_bitbucket_repo(payload),
        pr_number=get_int(pr, "id", "pullrequest.id"),
        head_sha=None,  # the orchestrator fetches the pull request's head
        base_sha=None,
        title=_text(pr.get("title")),
        trigger="command",
    )
    return Decision("review", f"{options.command} comment", target)


def _bitbucket_state(pr: Mapping[str, Any]) -> str:
    state = get_str(pr, "state", "pullrequest.state")
    if state not in BITBUCKET_STATES:
        raise Malformed("pullrequest.state is not one of OPEN, MERGED, DECLINED, SUPERSEDED")
    return state


def _bitbucket_hash(end: Mapping[str, Any], where: str) -> str:
    commit = get_mapping(end, "commit", f"{where}.commit")
    value = get_str(commit, "hash", f"{where}.commit.hash")
    if not _BITBUCKET_HASH.fullmatch(value):
        raise Malformed(f"{where}.commit.hash is not a commit hash")
    return value.lower()


def _bitbucket_repo(payload: Mapping[str, Any]) -> str:
    repository = get_mapping(payload, "repository")
    full_name = get_str(repository, "full_name", "repository.full_name")
    if not is_repo_name("bitbucket", full_name):
        raise Malformed("repository.full_name is not workspace/repository")
    return full_name


def classify_bitbucket_dc(event: str, payload: object, options: TriggerOptions) -> Decision:
    """Decide on a Bitbucket Data Center / Server event (`X-Event-Key`, e.g. "pr:opened").

    `pr:opened` and `pr:from_ref_updated` (a push to the source branch) start a review of
    `pullRequest.fromRef.latestCommit`, a full hash; `pr:comment:added` with the review
    command starts one of the current head. The repository is the target's
    (`toRef.repository`), named "PROJECT_KEY/repo_slug"; `diagnostics:ping` (the webhook's
    "Test connection") is a ping."""
    if not event:
        return Decision("invalid", "missing event name (X-Event-Key)")
    if not isinstance(payload, Mapping):
        return Decision("invalid", f"payload is not a JSON object but {_json_type(payload)}")
    if event == "diagnostics:ping":
        return Decision("ping", "diagnostics:ping")
    try:
        if event in BITBUCKET_DC_REVIEW_EVENTS:
            return _bitbucket_dc_pull_request(event, payload, options)
        if event == "pr:comment:added":
            return _bitbucket_dc_comment(payload, options)
        return Decision("ignore", f"event {_shown(event)} does not start a review")
    except Malformed as exc:
        return Decision("invalid", str(exc))
    except ValidationError as exc:  # a field the checks above let through: still not ours
        return Decision("invalid", bad_fields(exc))


def _bitbucket_dc_pull_request(
    event: str, payload: Mapping[str, Any], options: TriggerOptions
) -> Decision:
    pr = get_mapping(payload, "pullRequest")
    state = _bitbucket_dc_state(pr)
    if state != "OPEN":
        return Decision("ignore", f"{event} of a {state} pull request does not start a review")
    from_ref = get_mapping(pr, "fromRef", "pullRequest.fromRef")
    to_ref = get_mapping(pr, "toRef", "pullRequest.toRef")
    head = get_sha(from_ref, "latestCommit", "pullRequest.fromRef.latestCommit")
    get_sha(to_ref, "latestCommit", "pullRequest.toRef.latestCommit")  # shape only
    draft = pr.get("draft") is True  # only sent by servers that have drafts (8.18 and later)
    target = ReviewTarget(
        provider="bitbucket-dc",
        repo=_bitbucket_dc_repo(to_ref),
        pr_number=get_int(pr, "id", "pullRequest.id"),
        head_sha=head,
        base_sha=None,  # the target branch's head, not the merge base: read from the API
        title=_text(pr.get("title")),
        draft=draft,
        author=_name_at(pr, "author", "user", "name"),
        source_branch=_name_at(from_ref, "displayId"),
        target_branch=_name_at(to_ref, "displayId"),
    )
    if draft and not options.review_drafts:
        return Decision("ignore", "draft pull request (drafts are not reviewed)")
    return Decision("review", event, target)


def _bitbucket_dc_comment(payload: Mapping[str, Any], options: TriggerOptions) -> Decision:
    comment = get_mapping(payload, "comment")
    if not _is_command(comment.get("text"), options.command):
        return Decision("ignore", f"comment on a pull request without {options.command!r}")
    pr = get_mapping(payload, "pullRequest")
    state = _bitbucket_dc_state(pr)
    if state != "OPEN":
        return Decision("ignore", f"comment on a {state} pull request")
    target = ReviewTarget(
        provider="bitbucket-dc",
        repo=_bitbucket_dc_repo(get_mapping(pr, "toRef", "pullRequest.toRef")),
        pr_number=get_int(pr, "id", "pullRequest.id"),
        head_sha=None,  # the orchestrator fetches the pull request's head
        base_sha=None,
        title=_text(pr.get("title")),
        trigger="command",
    )
    return Decision("review", f"{options.command} comment", target)


def _bitbucket_dc_state(pr: Mapping[str, Any]) -> str:
    state = get_str(pr, "state", "pullRequest.state")
    if state not in BITBUCKET_DC_STATES:
        raise Malformed("pullRequest.state is not one of OPEN, MERGED, DECLINED")
    return state


def _bitbucket_dc_repo(ref: Mapping[str, Any]) -> str:
    repository = get_mapping(ref, "repository", "pullRequest.toRef.repository")
    slug = get_str(repository, "slug", "pullRequest.toRef.repository.slug")
    project = get_mapping(repository, "project", "pullRequest.toRef.repository.project")
    key = get_str(project, "key", "pullRequest.toRef.repository.project.key")
    name = f"{key}/{slug}"
    if not is_repo_name("bitbucket-dc", name):
        raise Malformed("pullRequest.toRef.repository is not PROJECT_KEY/repository_slug")
    return name


def _github_pull_request(payload: Mapping[str, Any], options: TriggerOptions) -> Decision:
    action = get_str(payload, "action")
    if action not in GITHUB_REVIEW_ACTIONS:
        return Decision("ignore", f"pull_request action {_shown(action)} does not start a review")
    pr = get_mapping(payload, "pull_request")
    head = get_mapping(pr, "head", "pull_request.head")
    base = get_mapping(pr, "base", "pull_request.base")
    target = ReviewTarget(
        provider="github",
        repo=_github_repo(payload),
        pr_number=get_int(pr, "number", "pull_request.number"),
        head_sha=get_sha(head, "sha", "pull_request.head.sha"),
        base_sha=get_sha(base, "sha", "pull_request.base.sha"),
        installation_id=_installation_id(payload),
        title=_text(pr.get("title")),
        draft=pr.get("draft") is True,
        author=_name_at(pr, "user", "login"),
        labels=_label_names(pr.get("labels"), "name"),
        source_branch=_name_at(head, "ref"),
        target_branch=_name_at(base, "ref"),
    )
    if target.draft and not options.review_drafts:
        return Decision("ignore", "draft pull request (drafts are not reviewed)")
    return Decision("review", f"pull_request {action}", target)


def _github_comment(payload: Mapping[str, Any], options: TriggerOptions) -> Decision:
    action = get_str(payload, "action")
    if action != "created":
        return Decision("ignore", f"issue_comment action {_shown(action)} does not start a review")
    issue = get_mapping(payload, "issue")
    if "pull_request" not in issue:
        return Decision("ignore", "comment on an issue, not a pull request")
    comment = get_mapping(payload, "comment")
    if not _is_command(comment.get("body"), options.command):
        return Decision("ignore", f"comment on a pull request without {options.command!r}")
    # The comment names no commit: the orchestrator fetches the pull request's head.
    target = ReviewTarget(
        provider="github",
        repo=_github_repo(payload),
        pr_number=get_int(issue, "number", "issue.number"),
        head_sha=None,
        base_sha=None,
        installation_id=_installation_id(payload),
        title=_text(issue.get("title")),
        trigger="command",
    )
    return Decision("review", f"{options.command} comment", target)


def _gitlab_merge_request(payload: Mapping[str, Any], options: TriggerOptions) -> Decision:
    attributes = get_mapping(payload, "object_attributes")
    action = get_str(attributes, "action", "object_attributes.action")
    if action == "update" and not attributes.get("oldrev"):
        # GitLab sets oldrev only when the update pushed commits; a title edit has none.
        return Decision("ignore", "merge request update without new commits")
    if action not in GITLAB_REVIEW_ACTIONS | {"update"}:
        return Decision("ignore", f"merge request action {_shown(action)} does not start a review")
    last_commit = get_mapping(attributes, "last_commit", "object_attributes.last_commit")
    draft = _gitlab_draft(attributes, "object_attributes")
    labels = payload.get("labels")
    target = _gitlab_target(
        payload,
        iid=get_int(attributes, "iid", "object_attributes.iid"),
        head_sha=get_sha(last_commit, "id", "object_attributes.last_commit.id"),
        title=_text(attributes.get("title")),
        draft=draft,
        # the hook names the merge request's author by id only; `user` is who opened or
        # updated it, which is the author for the bots these filters are usually for
        author=_name_at(payload, "user", "username"),
        labels=_label_names(
            labels if isinstance(labels, list) else attributes.get("labels"), "title"
        ),
        source_branch=_name_at(attributes, "source_branch"),
        target_branch=_name_at(attributes, "target_branch"),
    )
    if draft and not options.review_drafts:
        return Decision("ignore", "draft merge request (drafts are not reviewed)")
    return Decision("review", f"merge request {action}", target)


def _gitlab_note(payload: Mapping[str, Any], options: TriggerOptions) -> Decision:
    attributes = get_mapping(payload, "object_attributes")
    noteable = attributes.get("noteable_type")
    if noteable != "MergeRequest" or "merge_request" not in payload:
        # "a 'Issue'" for a string; a null or a list is named by its type: "an array"
        what = f"a {_shown(noteable)}" if isinstance(noteable, str) else _shown(noteable)
        return Decision("ignore", f"comment on {what}, not a merge request")
    if not _is_command(attributes.get("note"), options.command):
        return Decision("ignore", f"comment on a merge request without {options.command!r}")
    merge_request = get_mapping(payload, "merge_request")
    last_commit = merge_request.get("last_commit")
    head_sha = None
    if last_commit is not None:  # absent: the orchestrator fetches the head
        commit = get_mapping(merge_request, "last_commit", "merge_request.last_commit")
        head_sha = get_sha(commit, "id", "merge_request.last_commit.id")
    target = _gitlab_target(
        payload,
        iid=get_int(merge_request, "iid", "merge_request.iid"),
        head_sha=head_sha,
        title=_text(merge_request.get("title")),
        draft=_gitlab_draft(merge_request, "merge_request"),
        trigger="command",
    )
    return Decision("review", f"{options.command} comment", target)


def _gitlab_target(
    payload: Mapping[str, Any],
    *,
    iid: int,
    head_sha: str | None,
    title: str,
    draft: bool,
    trigger: Literal["event", "command"] = "event",
    author: str | None = None,
    labels: tuple[str, ...] = (),
    source_branch: str | None = None,
    target_branch: str | None = None,
) -> ReviewTarget:
    project = get_mapping(payload, "project")
    path = get_str(project, "path_with_namespace", "project.path_with_namespace")
    if not is_repo_name("gitlab", path):
        raise Malformed("project.path_with_namespace is not a group/project path")
    return ReviewTarget(
        provider="gitlab",
        repo=path,
        pr_number=iid,
        head_sha=head_sha,
        base_sha=None,  # merge request hooks carry no base commit; the orchestrator reads it
        project_id=get_int(project, "id", "project.id"),
        title=title,
        draft=draft,
        trigger=trigger,
        author=author,
        labels=labels,
        source_branch=source_branch,
        target_branch=target_branch,
    )


def _github_repo(payload: Mapping[str, Any]) -> str:
    repository = get_mapping(payload, "repository")
    full_name = get_str(repository, "full_name", "repository.full_name")
    if not is_repo_name("github", full_name):
        raise Malformed("repository.full_name is not owner/name")
    return full_name


def is_repo_name(provider: str, name: str) -> bool:
    """Whether `name` has the shape of a GitHub "owner/name", a GitLab project path or a
    Bitbucket "workspace/repo_slug"."""
    patterns = {
        "github": _GITHUB_REPO,
        "gitlab": _GITLAB_PROJECT,
        "bitbucket": _BITBUCKET_REPO,
        "bitbucket-dc": _BITBUCKET_DC_REPO,
    }
    if provider == "azure":  # Azure DevOps "project/repository" (names may hold spaces)
        from codeprism.hosts.azure import is_azure_repo

        return is_azure_repo(name)
    pattern = patterns.get(provider)
    return pattern is not None and len(name) <= MAX_NAME and pattern.fullmatch(name) is not None


def bad_fields(exc: ValidationError) -> str:
    """The reason for a ReviewTarget refused by its own validation: the fields, not values."""
    fields = sorted({".".join(str(p) for p in e["loc"]) for e in exc.errors()})
    return f"bad fields: {', '.join(fields)}"


def _installation_id(payload: Mapping[str, Any]) -> int | None:
    if payload.get("installation") is None:
        return None  # a repository webhook, not a GitHub App delivery
    installation = get_mapping(payload, "installation")
    return get_int(installation, "id", "installation.id")


def _gitlab_draft(attributes: Mapping[str, Any], where: str) -> bool:
    # Newer GitLab sends `draft`; older versions only `work_in_progress`.
    return get_bool(attributes, "draft", f"{where}.draft") or get_bool(
        attributes, "work_in_progress", f"{where}.work_in_progress"
    )


def _is_command(body: object, command: str) -> bool:
    """The comment's first non-blank line is the command, alone or followed by arguments."""
    if not isinstance(body, str) or not body.strip():
        return False
    first_line = body.strip().splitlines()[0].strip()
    return first_line == command or first_line.startswith(command + " ")


def _shown(value: object, limit: int = 60) -> str:
    """A header or payload value as quoted in a reason: a string is cut short and repr'd
    (which escapes control characters and lone surrogates), anything else is named by its
    JSON type, never rendered, since a list can be megabytes long or deeply nested."""
    return repr(value[:limit]) if isinstance(value, str) else _json_type(value)


def _text(value: object) -> str:
    return display_text(value, MAX_TITLE)


def _name_at(obj: Mapping[str, Any], *path: str) -> str | None:
    """An optional name (a login, a branch) at `path`; None when absent or not a string.
    These only feed the pull request filters, so a missing one never makes an event invalid;
    a lone surrogate becomes U+FFFD and the name is cut at MAX_NAME characters."""
    value: object = obj
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return display_text(value, MAX_NAME) or None


def _label_names(labels: object, key: str) -> tuple[str, ...]:
    """The names of the first MAX_LABELS labels (objects with a string `key`)."""
    if not isinstance(labels, list):
        return ()
    names = (
        display_text(label.get(key), MAX_NAME) for label in labels if isinstance(label, Mapping)
    )
    return tuple(islice((name for name in names if name), MAX_LABELS))


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__
