"""Azure DevOps (Azure Repos) service hooks: who may deliver, and which events start a review.

Service hooks sign nothing. A "Web Hooks" subscription can send HTTP Basic credentials
(its "Basic authentication username/password" fields) and extra HTTP headers ("HTTP
headers: Key:Value"): `verify_azure` accepts either the configured username and password
in `Authorization: Basic`, or the configured shared secret in `X-Codeprism-Secret`. Every
comparison is constant-time over hashes (lengths leak nothing); an unset credential
verifies nothing, and a deployment with neither configured refuses every request.

`classify_azure` never raises: a body of any shape is a `Decision`. Events are
`git.pullrequest.created` and `git.pullrequest.updated` (Azure sends `updated` for a push,
a status change, a reviewer vote alike, and the payload does not say which: subscribe the
hook to "Source branch updated" only; any other active update also queues a review, which
the head's idempotency then makes cheap). `repo` is "project/repository" by name; the
organization is the deployment's configured API URL, never a URL from the payload.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from codeprism.hosts.azure import is_azure_repo
from codeprism.webhooks._fields import Malformed, get_bool, get_int, get_mapping, get_str
from codeprism.webhooks.events import (
    Decision,
    ReviewTarget,
    TriggerOptions,
    _json_type,
    _name_at,
    _shown,
    _text,
    bad_fields,
)

AZURE_REVIEW_EVENTS = frozenset({"git.pullrequest.created", "git.pullrequest.updated"})
AZURE_STATES = frozenset({"active", "abandoned", "completed", "notSet"})
SECRET_HEADER = "x-codeprism-secret"
_COMMIT = re.compile(r"[0-9a-fA-F]{40}")
_DELIVERY = re.compile(r"[A-Za-z0-9-]{1,100}")


def verify_azure(
    username: str | None,
    password: str | None,
    secret: str | None,
    authorization: str | None,
    secret_header: str | None,
) -> bool:
    """True when the request carries the configured Basic credentials, or the configured
    shared secret in `X-Codeprism-Secret`. Never raises."""
    if secret and isinstance(secret_header, str) and _same(secret, secret_header):
        return True
    if not username or not password or not isinstance(authorization, str):
        return False
    scheme, _, encoded = authorization.strip().partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return False
    user, sep, given = decoded.partition(":")
    # both compared, always: a wrong user name takes as long as a wrong password
    user_ok = _same(username, user)
    password_ok = _same(password, given)
    return bool(sep) and user_ok and password_ok


def _same(expected: str, given: str) -> bool:
    def digest(text: str) -> bytes:
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()

    return hmac.compare_digest(digest(expected), digest(given))


def azure_delivery(payload: object) -> str | None:
    """The notification's `id` (a GUID, the same on a resend): the delivery id."""
    value = payload.get("id") if isinstance(payload, Mapping) else None
    return value if isinstance(value, str) and _DELIVERY.fullmatch(value) else None


def classify_azure(payload: object, options: TriggerOptions) -> Decision:
    """Decide on a service hook delivery; the event is the body's `eventType`."""
    if not isinstance(payload, Mapping):
        return Decision("invalid", f"payload is not a JSON object but {_json_type(payload)}")
    event = payload.get("eventType")
    if not isinstance(event, str) or not event:
        return Decision("invalid", "eventType is missing")
    try:
        if event in AZURE_REVIEW_EVENTS:
            return _pull_request(event, payload, options)
        return Decision("ignore", f"event {_shown(event)} does not start a review")
    except Malformed as exc:
        return Decision("invalid", str(exc))
    except ValidationError as exc:
        return Decision("invalid", bad_fields(exc))


def _pull_request(event: str, payload: Mapping[str, Any], options: TriggerOptions) -> Decision:
    pr = get_mapping(payload, "resource")
    status = get_str(pr, "status", "resource.status")
    if status not in AZURE_STATES:
        raise Malformed("resource.status is not one of active, abandoned, completed")
    if status != "active":
        return Decision("ignore", f"{event} of a {status} pull request does not start a review")
    head = get_str(get_mapping(pr, "lastMergeSourceCommit"), "commitId", "lastMergeSourceCommit")
    if not _COMMIT.fullmatch(head):
        raise Malformed("resource.lastMergeSourceCommit.commitId is not a commit id")
    draft = get_bool(pr, "isDraft", "resource.isDraft")
    target = ReviewTarget(
        provider="azure",
        repo=_repo(pr),
        pr_number=get_int(pr, "pullRequestId", "resource.pullRequestId"),
        head_sha=head.lower(),
        base_sha=None,  # the merge base: the orchestrator reads the last iteration's
        title=_text(pr.get("title")),
        draft=draft,
        author=_name_at(pr, "createdBy", "uniqueName"),
        source_branch=_branch(pr.get("sourceRefName")),
        target_branch=_branch(pr.get("targetRefName")),
    )
    if draft and not options.review_drafts:
        return Decision("ignore", "draft pull request (drafts are not reviewed)")
    return Decision("review", event, target)


def _repo(pr: Mapping[str, Any]) -> str:
    repository = get_mapping(pr, "repository", "resource.repository")
    name = get_str(repository, "name", "resource.repository.name")
    project = get_str(
        get_mapping(repository, "project", "resource.repository.project"),
        "name",
        "resource.repository.project.name",
    )
    full_name = f"{project}/{name}"
    if not is_azure_repo(full_name):
        raise Malformed("resource.repository is not a project/repository name")
    return full_name


def _branch(ref: object) -> str | None:
    if not isinstance(ref, str):
        return None
    return _name_at({"r": ref.removeprefix("refs/heads/")}, "r")
