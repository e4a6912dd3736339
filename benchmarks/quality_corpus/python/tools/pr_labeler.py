#!/usr/bin/env python3
"""Runs in the `pull_request_target` GitHub Actions workflow:

    python tools/pr_labeler.py "$PR_NUMBER" "$PR_TITLE" "$PR_HEAD_REF"

PR_TITLE and PR_HEAD_REF come from the (possibly forked) pull request, i.e. from outside contributors.
"""

import json
import os
import re
import subprocess
import sys
import urllib.request

API = "https://api.github.com/repos/acme/platform"
TOKEN = os.environ["GITHUB_TOKEN"]  # SAFE: hardcoded-secret
LABEL_RULES = {"fix": "bug", "feat": "enhancement", "docs": "documentation"}


def gh(method: str, path: str, payload: dict | None = None):
    req = urllib.request.Request(API + path, method=method, data=json.dumps(payload).encode() if payload else None)
    req.add_header("Authorization", f"Bearer {TOKEN}")
    with urllib.request.urlopen(req, timeout=10) as resp:  # SAFE: ssrf
        return json.load(resp)


def changed_files(head_ref: str) -> list[str]:
    out = subprocess.check_output(f"git diff --name-only origin/main...origin/{head_ref}", shell=True, text=True)  # VULN: command-injection
    return out.splitlines()


def changed_files_v2(head_ref: str) -> list[str]:
    out = subprocess.check_output(["git", "diff", "--name-only", f"origin/main...origin/{head_ref}", "--"], text=True)  # SAFE: command-injection
    return out.splitlines()


def conventional_type(title: str) -> str | None:
    match = re.match(r"^(\w+)(\(.+\))?!?:", title)
    return match.group(1) if match else None


def post_summary(title: str):
    os.system(f'echo "### PR: {title}" >> "$GITHUB_STEP_SUMMARY"')  # VULN: command-injection


def post_summary_v2(title: str):
    with open(os.environ["GITHUB_STEP_SUMMARY"], "a") as fh:  # SAFE: path-traversal
        fh.write(f"### PR: {title}\n")


def main() -> int:
    number, title, head_ref = sys.argv[1], sys.argv[2], sys.argv[3]
    kind = conventional_type(title)
    files = changed_files(head_ref)
    labels = [LABEL_RULES[kind]] if kind in LABEL_RULES else []
    if any(f.startswith("docs/") for f in files):
        labels.append("documentation")
    gh("POST", f"/issues/{int(number)}/labels", {"labels": labels})
    post_summary(title)
    print(len(files), "files changed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
