"""Azure DevOps service hooks: `classify_azure` on payloads shaped like the documented
`git.pullrequest.created` / `git.pullrequest.updated` events (Azure DevOps "Service hooks
events" page: `eventType`, the notification `id`, a `resource` that is the GitPullRequest
with `repository.project`, `lastMergeSourceCommit`, `createdBy`, and `resourceContainers`),
and `verify_azure` (Basic credentials or a shared secret header; hooks sign nothing).
Bodies of any other shape are decisions, never exceptions."""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

import pytest

from codeprism.webhooks.azure import azure_delivery, classify_azure, verify_azure
from codeprism.webhooks.events import ReviewTarget, TriggerOptions

OPTIONS = TriggerOptions()
HEAD = "53d54ac915144006c2c9e90d2c7d3880920db49c"
TARGET = "a511f535b1ea495ee0c903badb68fbc83772c882"
REPO = "Fabrikam/Fabrikam"


def pull_request_event(event: str = "git.pullrequest.created", **changes: Any) -> dict[str, Any]:
    """A service hook body as Azure DevOps sends it (resource details: All)."""
    resource: dict[str, Any] = {
        "repository": {
            "id": "4bc14d40-c903-45e2-872e-0462c7748079",
            "name": "Fabrikam",
            "url": "https://dev.azure.com/fabrikam/DefaultCollection/_apis/git/repositories/4bc14d40-c903-45e2-872e-0462c7748079",
            "project": {
                "id": "6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c",
                "name": "Fabrikam",
                "url": "https://dev.azure.com/fabrikam/DefaultCollection/_apis/projects/6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c",
                "state": "wellFormed",
            },
            "defaultBranch": "refs/heads/master",
            "remoteUrl": "https://dev.azure.com/fabrikam/DefaultCollection/_git/Fabrikam",
        },
        "pullRequestId": 1,
        "status": "active",
        "createdBy": {
            "id": "54d125f7-69f7-4191-904f-c5b96b6261c8",
            "displayName": "Jamal Hartnett",
            "uniqueName": "fabrikamfiber4@hotmail.com",
            "url": "https://vssps.dev.azure.com/fabrikam/_apis/Identities/54d125f7-69f7-4191-904f-c5b96b6261c8",
            "imageUrl": "https://dev.azure.com/fabrikam/DefaultCollection/_api/_common/identityImage?id=54d125f7-69f7-4191-904f-c5b96b6261c8",
        },
        "creationDate": "2014-06-17T16:55:46.589889Z",
        "title": "my first pull request",
        "description": " - test2\r\n",
        "sourceRefName": "refs/heads/mytopic",
        "targetRefName": "refs/heads/master",
        "mergeStatus": "succeeded",
        "mergeId": "a10bb228-6ba6-4362-abd7-49ea21333dbd",
        "lastMergeSourceCommit": {
            "commitId": HEAD,
            "url": f"https://dev.azure.com/fabrikam/DefaultCollection/_apis/git/repositories/4bc14d40-c903-45e2-872e-0462c7748079/commits/{HEAD}",
        },
        "lastMergeTargetCommit": {
            "commitId": TARGET,
            "url": f"https://dev.azure.com/fabrikam/DefaultCollection/_apis/git/repositories/4bc14d40-c903-45e2-872e-0462c7748079/commits/{TARGET}",
        },
        "lastMergeCommit": {
            "commitId": "eef717f69257a6333f221566c1c987dc94cc0d72",
            "url": "https://dev.azure.com/fabrikam/DefaultCollection/_apis/git/repositories/4bc14d40-c903-45e2-872e-0462c7748079/commits/eef717f69257a6333f221566c1c987dc94cc0d72",
        },
        "reviewers": [
            {
                "reviewerUrl": None,
                "vote": 0,
                "id": "2ea2d095-48f9-4cd6-9966-62f6f574096c",
                "displayName": "[Mobile]\\Mobile Team",
                "uniqueName": "vstfs:///Classification/TeamProject/f0811a3b\\Mobile Team",
                "isContainer": True,
            }
        ],
        "url": "https://dev.azure.com/fabrikam/DefaultCollection/_apis/git/repositories/4bc14d40-c903-45e2-872e-0462c7748079/pullRequests/1",
        "isDraft": False,
    }
    resource.update(changes)
    return {
        "subscriptionId": "00000000-0000-0000-0000-000000000000",
        "notificationId": 2,
        "id": "2ab4e3d3-b7a6-425e-92b1-5a9982c1269e",
        "eventType": event,
        "publisherId": "tfs",
        "message": {"text": "Jamal Hartnett created a new pull request"},
        "detailedMessage": {"text": "Jamal Hartnett created a new pull request\r\n\r\n- test2\r\n"},
        "resource": resource,
        "resourceVersion": "1.0",
        "resourceContainers": {
            "collection": {
                "id": "c12d0eb8-e382-443b-9f9c-c52cba5014c2",
                "baseUrl": "https://dev.azure.com/fabrikam/",
            },
            "account": {
                "id": "f844ec47-a9db-4511-8281-8b63f4eaf94e",
                "baseUrl": "https://dev.azure.com/fabrikam/",
            },
            "project": {"id": "be9b3917-87e6-42a4-a549-2bc06a7a878f"},
        },
        "createdDate": "2024-09-19T13:03:27.2879096Z",
    }


def test_a_created_pull_request_is_reviewed() -> None:
    decision = classify_azure(pull_request_event(), OPTIONS)
    assert decision.kind == "review" and decision.reason == "git.pullrequest.created"
    target = decision.target
    assert target is not None
    assert (target.provider, target.repo, target.pr_number) == ("azure", REPO, 1)
    assert (target.head_sha, target.base_sha) == (HEAD, None)
    assert target.title == "my first pull request" and not target.draft
    assert target.author == "fabrikamfiber4@hotmail.com"
    assert (target.source_branch, target.target_branch) == ("mytopic", "master")
    assert target.pr_key() == "azure/Fabrikam/Fabrikam#1"


def test_an_updated_pull_request_is_reviewed_too() -> None:
    decision = classify_azure(pull_request_event("git.pullrequest.updated"), OPTIONS)
    assert decision.kind == "review" and decision.reason == "git.pullrequest.updated"


def test_the_delivery_id_is_the_notification_id() -> None:
    assert azure_delivery(pull_request_event()) == "2ab4e3d3-b7a6-425e-92b1-5a9982c1269e"
    assert azure_delivery({"id": "x" * 500}) is None
    assert azure_delivery({"id": 3}) is None
    assert azure_delivery([]) is None


@pytest.mark.parametrize("status", ["completed", "abandoned"])
def test_closed_pull_requests_are_ignored(status: str) -> None:
    decision = classify_azure(pull_request_event("git.pullrequest.updated", status=status), OPTIONS)
    assert decision.kind == "ignore" and status in decision.reason


def test_drafts_follow_the_option() -> None:
    event = pull_request_event(isDraft=True)
    assert classify_azure(event, OPTIONS).kind == "ignore"
    decision = classify_azure(event, TriggerOptions(review_drafts=True))
    assert decision.kind == "review" and decision.target is not None and decision.target.draft


@pytest.mark.parametrize(
    "event", ["git.push", "git.pullrequest.merged", "ms.vss-code.git-pullrequest-comment-event"]
)
def test_other_events_are_ignored(event: str) -> None:
    assert classify_azure(pull_request_event(event), OPTIONS).kind == "ignore"


def test_a_project_with_spaces_is_a_name() -> None:
    body = pull_request_event()
    body["resource"]["repository"]["project"]["name"] = "My Project"
    body["resource"]["repository"]["name"] = "my repo"
    decision = classify_azure(body, OPTIONS)
    assert decision.target is not None and decision.target.repo == "My Project/my repo"


def _set(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    body = copy.deepcopy(body)
    *parents, last = path.split(".")
    obj = body
    for key in parents:
        obj = obj[key]
    if value is _DELETE:
        del obj[last]
    else:
        obj[last] = value
    return body


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("eventType", _DELETE),
        ("eventType", 3),
        ("eventType", ""),
        ("resource", _DELETE),
        ("resource", []),
        ("resource.status", "weird"),
        ("resource.status", None),
        ("resource.pullRequestId", "1"),
        ("resource.pullRequestId", True),
        ("resource.pullRequestId", 0),
        ("resource.pullRequestId", 2**64),
        ("resource.isDraft", "no"),
        ("resource.lastMergeSourceCommit", _DELETE),
        ("resource.lastMergeSourceCommit.commitId", "abc"),
        ("resource.lastMergeSourceCommit.commitId", "g" * 40),
        ("resource.lastMergeSourceCommit.commitId", ["x"]),
        ("resource.repository", "Fabrikam"),
        ("resource.repository.name", "../etc"),
        ("resource.repository.name", "a/b"),
        ("resource.repository.name", ".."),
        ("resource.repository.name", "x?y"),
        ("resource.repository.name", "\ud800"),
        ("resource.repository.project", _DELETE),
        ("resource.repository.project.name", "."),
        ("resource.repository.project.name", "x" * 2000),
    ],
)
def test_bad_values_are_invalid_never_exceptions(path: str, value: Any) -> None:
    decision = classify_azure(_set(pull_request_event(), path, value), OPTIONS)
    assert decision.kind == "invalid", decision


@pytest.mark.parametrize("body", [None, [], "text", 3, True, {}, {"eventType": None}])
def test_bodies_of_any_shape_are_invalid(body: Any) -> None:
    assert classify_azure(body, OPTIONS).kind == "invalid"


def test_optional_fields_of_odd_types_are_dropped_not_fatal() -> None:
    body = pull_request_event(
        title=["x"], createdBy="someone", sourceRefName=5, targetRefName={"a": 1}
    )
    decision = classify_azure(body, OPTIONS)
    assert decision.kind == "review" and decision.target is not None
    assert decision.target.title == "" and decision.target.author is None
    assert decision.target.source_branch is None and decision.target.target_branch is None


def test_a_target_round_trips_through_json() -> None:
    target = classify_azure(pull_request_event(), OPTIONS).target
    assert target is not None
    assert ReviewTarget.model_validate_json(target.model_dump_json()) == target
    json.dumps(target.model_dump())


# -- authentication -----------------------------------------------------------------------------


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_basic_credentials_are_accepted() -> None:
    assert verify_azure("hook", "pw:with:colons", None, basic("hook", "pw:with:colons"), None)
    assert verify_azure("hook", "pw", None, "basic " + basic("hook", "pw")[6:], None)


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        basic("hook", "wrong"),
        basic("other", "pw"),
        basic("hook", ""),
        "Bearer pw",
        "Basic !!!notbase64",
        "Basic " + base64.b64encode(b"hookpw").decode(),
        "Basic " + base64.b64encode(b"\xff\xfe:pw").decode(),
    ],
)
def test_wrong_basic_credentials_are_refused(authorization: str | None) -> None:
    assert not verify_azure("hook", "pw", None, authorization, None)


def test_the_shared_secret_header_is_accepted() -> None:
    assert verify_azure(None, None, "s3cret", None, "s3cret")
    assert not verify_azure(None, None, "s3cret", None, "s3cre")
    assert not verify_azure(None, None, "s3cret", None, None)
    assert not verify_azure(None, None, "s3cret", basic("hook", "s3cret"), None)


def test_either_configured_way_is_enough() -> None:
    assert verify_azure("hook", "pw", "s3cret", None, "s3cret")
    assert verify_azure("hook", "pw", "s3cret", basic("hook", "pw"), "wrong")


def test_nothing_configured_refuses_everything() -> None:
    assert not verify_azure(None, None, None, basic("", ""), "")
    assert not verify_azure("", "", "", basic("", ""), "")
    assert not verify_azure("hook", None, None, basic("hook", ""), None)


def _leaves(obj: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    if isinstance(obj, dict):
        return [p for k, v in obj.items() for p in _leaves(v, (*path, k))] or [path]
    return [path]


@pytest.mark.parametrize(
    "wrong", [None, 0, -1, 2**70, True, "", "\ud800", [], {}, "x" * 5000, 1.5]
)  # fmt: skip
def test_every_field_with_a_wrong_value_is_a_decision(wrong: Any) -> None:
    original = pull_request_event()
    for path in _leaves(original):
        body = copy.deepcopy(original)
        obj = body
        for key in path[:-1]:
            obj = obj[key]
        obj[path[-1]] = wrong
        decision = classify_azure(body, OPTIONS)
        assert decision.kind in {"review", "ignore", "invalid"}, (path, decision)
        if decision.target is not None:  # whatever got through is storable
            ReviewTarget.model_validate_json(decision.target.model_dump_json())


# -- settings -----------------------------------------------------------------------------------


def test_azure_secrets_from_the_environment() -> None:
    from codeprism.errors import ConfigError
    from codeprism.online.settings import load_secrets

    secrets = load_secrets(
        {
            "CODEPRISM_AZURE_WEBHOOK_USERNAME": "hook",
            "CODEPRISM_AZURE_WEBHOOK_PASSWORD": "pw",
            "CODEPRISM_AZURE_WEBHOOK_SECRET": "s3cret",
            "CODEPRISM_AZURE_TOKEN": "pat-value",
            "CODEPRISM_AZURE_API_URL": "https://dev.azure.com/fabrikam/",
        }
    )
    auth = secrets.azure_auth()
    assert auth is not None and auth.api_url == "https://dev.azure.com/fabrikam"
    assert auth.token.get_secret_value() == "pat-value"
    assert "pw" not in repr(secrets) and "s3cret" not in repr(secrets)
    assert "pat-value" not in repr(secrets)
    assert load_secrets({}).azure_auth() is None
    with pytest.raises(ConfigError):
        load_secrets({"CODEPRISM_AZURE_TOKEN": "pat"}).azure_auth()
