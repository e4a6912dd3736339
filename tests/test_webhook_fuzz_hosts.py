"""Bitbucket Cloud, Bitbucket Data Center and Azure DevOps deliveries, broken every way the
GitHub and GitLab fuzz breaks theirs: each is a decision the ingress answers with a 2xx or a
4xx, never an exception (a 5xx). The bodies are the documented shapes the hosts' own tests
build; the ingress's steps run in order (`parse_json_body`, then the host's classifier), as
in test_webhook_fuzz.py, whose checks of a decision apply here unchanged."""

from __future__ import annotations

import copy
import json
import random
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from codeprism.webhooks.azure import classify_azure
from codeprism.webhooks.events import (
    Decision,
    TriggerOptions,
    classify_bitbucket,
    classify_bitbucket_dc,
)
from codeprism.webhooks.payload import parse_json_body
from tests import test_webhook_azure as azure
from tests import test_webhook_bitbucket as cloud
from tests import test_webhook_bitbucket_dc as dc
from tests.fakes.webhook_fuzz import (
    BAD_UTF8,
    FIELD_VALUES,
    WRONG_TOP_LEVEL,
    each_field_set,
    paths,
    with_value,
)
from tests.test_webhook_fuzz import WRONG_TYPES, check_decision

TRIGGERS = TriggerOptions()
SEED = 20261206
FLIPS = 300  # bodies with random bytes changed, per delivery


def _azure(event: str, payload: object, options: TriggerOptions) -> Decision:
    return classify_azure(payload, options)  # Azure names the event in the body


CLASSIFY: dict[str, Callable[[str, object, TriggerOptions], Decision]] = {
    "bitbucket": classify_bitbucket,
    "bitbucket-dc": classify_bitbucket_dc,
    "azure": _azure,
}
# (provider, event header, body) for every event a review starts from
DELIVERIES: list[tuple[str, str, dict[str, Any]]] = [
    ("bitbucket", "pullrequest:created", cloud.pull_request_event()),
    ("bitbucket", "pullrequest:updated", cloud.pull_request_event()),
    ("bitbucket", "pullrequest:comment_created", cloud.comment_event("/codeprism review")),
    ("bitbucket-dc", "pr:opened", dc.pull_request_event("pr:opened")),
    ("bitbucket-dc", "pr:from_ref_updated", dc.pull_request_event("pr:from_ref_updated")),
    ("bitbucket-dc", "pr:comment:added", dc.comment_event("/codeprism review")),
    ("azure", "", azure.pull_request_event("git.pullrequest.created")),
    ("azure", "", azure.pull_request_event("git.pullrequest.updated")),
]
IDS = [f"{provider}:{body.get('eventType', event)}" for provider, event, body in DELIVERIES]


def ingress(provider: str, event: str, body: bytes) -> str:
    """The decision's kind, or "bad_json" where the body is not JSON the ingress takes."""
    parsed, payload = parse_json_body(body)
    if not parsed:
        assert isinstance(payload, str) and 0 < len(payload) <= 120, payload
        return "bad_json"
    decision = CLASSIFY[provider](event, payload, TRIGGERS)
    check_decision(decision, provider)
    return decision.kind


@pytest.mark.parametrize(("provider", "event", "body"), DELIVERIES, ids=IDS)
def test_the_unbroken_delivery_is_reviewed(provider: str, event: str, body: Any) -> None:
    """The baseline of the fuzz below: each delivery as built starts a review."""
    assert ingress(provider, event, json.dumps(body).encode()) == "review"


@pytest.mark.parametrize(("provider", "event", "body"), DELIVERIES, ids=IDS)
def test_every_field_with_a_wrong_value_is_a_decision(provider: str, event: str, body: Any) -> None:
    """Each wrong Python value, then each raw JSON value of the GitHub fuzz, at each path."""
    payload = copy.deepcopy(body)
    kinds: Counter[str] = Counter()
    for _ in each_field_set(payload, WRONG_TYPES):
        decision = CLASSIFY[provider](event, payload, TRIGGERS)
        check_decision(decision, provider)
        kinds[decision.kind] += 1
    for path in paths(payload):
        for raw, expect in FIELD_VALUES.items():
            kind = ingress(provider, event, with_value(payload, path, raw))
            assert (kind == "bad_json") == (expect == "bad_json"), (path, raw[:24])
            kinds[kind] += 1
    # breaking a field the review needs refuses the delivery; others leave it reviewable
    assert kinds["invalid"] > 0 and kinds["review"] > 0, kinds


@pytest.mark.parametrize(("provider", "event", "body"), DELIVERIES, ids=IDS)
def test_broken_bodies_are_4xx_decisions(provider: str, event: str, body: Any) -> None:
    whole = json.dumps(body).encode()
    for cut in range(len(whole)):  # every strict prefix is incomplete JSON
        assert ingress(provider, event, whole[:cut]) == "bad_json", cut
    for top in WRONG_TOP_LEVEL:
        assert ingress(provider, event, top) == "invalid", top
    for bad in BAD_UTF8:
        assert ingress(provider, event, whole[:10] + bad + whole[10:]) == "bad_json", bad
    for encoding in ("utf-16", "utf-32"):
        assert ingress(provider, event, whole.decode().encode(encoding)) == "bad_json"
    rng = random.Random(f"{SEED}:{provider}:{event}")
    kinds: Counter[str] = Counter()
    for _ in range(FLIPS):
        flipped = bytearray(whole)
        for _ in range(rng.randint(1, 8)):
            flipped[rng.randrange(len(flipped))] = rng.randrange(256)
        kinds[ingress(provider, event, bytes(flipped))] += 1
    assert kinds["bad_json"] > 0, kinds


@pytest.mark.parametrize("provider", sorted(CLASSIFY))
@pytest.mark.parametrize(
    "event", ["", "PR:OPENED", "pullrequest:created ", "pull_request", "x" * 300, "\ud800"]
)
def test_odd_event_names_are_decisions(provider: str, event: str) -> None:
    for _, _, body in (d for d in DELIVERIES if d[0] != provider):  # another host's body too
        check_decision(CLASSIFY[provider](event, body, TRIGGERS), provider)
