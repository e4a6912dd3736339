#!/usr/bin/env bash
# codeprism as a GitHub Action step: action.yml runs this script, and it runs the same way on a
# laptop given the variables GitHub sets (tests/test_github_action.py does exactly that).
#
# GitHub's environment: GITHUB_EVENT_NAME, GITHUB_EVENT_PATH (the event payload),
# GITHUB_WORKSPACE (the checkout; default: the current directory), GITHUB_OUTPUT and
# GITHUB_STEP_SUMMARY (optional), RUNNER_TEMP (the audit's throw-away warehouse goes there).
# The action's inputs, as action.yml passes them:
#   INPUT_MODE        auto (default): review on pull_request and pull_request_target events,
#                     audit on anything else (push, schedule, workflow_dispatch); or review, audit
#   INPUT_FAIL_ON     critical|high|medium|low|info, or none (default high)
#   INPUT_CONFIG      the organisation config file (TOML), optional
#   INPUT_BASELINE    a baseline file, optional
#   INPUT_SARIF_FILE  where the SARIF goes (default codeprism.sarif); relative paths, here and
#                     for INPUT_CONFIG and INPUT_BASELINE, are taken from GITHUB_WORKSPACE
#   INPUT_ALL_ROLES   true: count findings in tests, examples, vendored and generated files too
#   CODEPRISM_BIN     the codeprism executable (default: codeprism on PATH)
# Outputs written to GITHUB_OUTPUT: mode (review, audit or skipped), sarif-file (absolute; only
# when a SARIF file was written), findings (results without a suppression), exit-code.
#
# Exit code: codeprism's own: 0 clean, 1 findings at or above fail-on, 2 error (bad input, an
# event without the commits to review, codeprism failing).
#
# No GitHub API call is made here: the SARIF upload is github/codeql-action/upload-sarif's job.
# The only traffic to GitHub is `git fetch origin` when a pull request's commits are missing
# from a shallow checkout (actions/checkout with fetch-depth: 0 makes that unnecessary).
set -euo pipefail

PYTHON=${PYTHON:-python3}
CODEPRISM_BIN=${CODEPRISM_BIN:-codeprism}
WORKSPACE=${GITHUB_WORKSPACE:-$PWD}
EVENT_NAME=${GITHUB_EVENT_NAME:-}
MODE=${INPUT_MODE:-auto}
FAIL_ON=${INPUT_FAIL_ON-high}
SARIF=${INPUT_SARIF_FILE:-codeprism.sarif}
ran_mode=""
warehouse=""

log() { echo "codeprism action: $*" >&2; }

output() {  # output NAME VALUE: one step output (GITHUB_OUTPUT unset: nothing to write)
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"
  fi
}

# shellcheck disable=SC2317  # the EXIT trap runs it
cleanup() {
  if [ -n "$warehouse" ]; then
    rm -rf -- "$warehouse"
  fi
}
trap cleanup EXIT

finish() {  # finish CODE: write the outputs and the step summary, exit with CODE
  local code=$1 findings=""
  if [ -n "$ran_mode" ] && [ -s "$SARIF" ]; then
    findings=$(count_findings "$SARIF") || findings=""
    output sarif-file "$SARIF"
  fi
  output mode "${ran_mode:-skipped}"
  output findings "$findings"
  output exit-code "$code"
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ] && [ -n "$ran_mode" ]; then
    printf '### codeprism %s\n\n%s findings; fail-on %s; exit code %s\n' \
      "$ran_mode" "${findings:-no}" "${FAIL_ON:-none}" "$code" >>"$GITHUB_STEP_SUMMARY"
  fi
  exit "$code"
}

fail() {
  log "error: $*"
  finish 2
}

absolute() {  # absolute PATH: PATH, taken from the workspace when relative
  case "$1" in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s\n' "$WORKSPACE/$1" ;;
  esac
}

event_field() {  # event_field DOTTED.KEY: the value in the event payload, '' when absent
  "$PYTHON" - "$GITHUB_EVENT_PATH" "$1" <<'EOF'
import json
import sys

with open(sys.argv[1], encoding="utf-8") as f:
    value = json.load(f)
for key in sys.argv[2].split("."):
    value = value.get(key) if isinstance(value, dict) else None
print("" if value is None else str(value).lower() if isinstance(value, bool) else value)
EOF
}

count_findings() {  # count_findings SARIF: results that carry no suppression
  "$PYTHON" - "$1" <<'EOF'
import json
import sys

with open(sys.argv[1], encoding="utf-8") as f:
    log = json.load(f)
print(sum(1 for run in log["runs"] for r in run.get("results", []) if not r.get("suppressions")))
EOF
}

is_sha() {
  [[ $1 =~ ^[0-9a-f]{40}([0-9a-f]{24})?$ ]]
}

have_commit() {
  git -C "$WORKSPACE" cat-file -e "$1^{commit}" 2>/dev/null
}

ensure_commits() {  # ensure_commits SHA...: fetch from origin what the checkout lacks
  local sha missing=()
  for sha in "$@"; do
    have_commit "$sha" || missing+=("$sha")
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    return 0
  fi
  log "fetching ${missing[*]} from origin (check out with fetch-depth: 0 to skip this)"
  if [ "$(git -C "$WORKSPACE" rev-parse --is-shallow-repository)" = true ]; then
    git -C "$WORKSPACE" fetch --quiet --no-tags --unshallow origin >&2 || true
  fi
  git -C "$WORKSPACE" fetch --quiet --no-tags origin "${missing[@]}" >&2 || true
  for sha in "${missing[@]}"; do
    have_commit "$sha" || fail "commit $sha is not in $WORKSPACE and could not be fetched" \
      "from origin: check the repository out with actions/checkout and fetch-depth: 0"
  done
}

case "$FAIL_ON" in
  critical | high | medium | low | info) fail_on_args=(--fail-on "$FAIL_ON") ;;
  none | "") fail_on_args=() ;;
  *) fail "fail-on must be critical, high, medium, low, info or none, not '$FAIL_ON'" ;;
esac
case "$MODE" in
  auto)
    case "$EVENT_NAME" in
      pull_request | pull_request_target) MODE=review ;;
      *) MODE=audit ;;
    esac
    ;;
  review | audit) ;;
  *) fail "mode must be auto, review or audit, not '$MODE'" ;;
esac
[ -d "$WORKSPACE" ] || fail "workspace $WORKSPACE is not a directory"
SARIF=$(absolute "$SARIF")
mkdir -p -- "$(dirname -- "$SARIF")"
rm -f -- "$SARIF"  # a stale file from an earlier step must not be uploaded
common_args=(--format sarif --output "$SARIF" "${fail_on_args[@]}")
if [ -n "${INPUT_CONFIG:-}" ]; then
  common_args+=(--config "$(absolute "$INPUT_CONFIG")")
fi
if [ -n "${INPUT_BASELINE:-}" ]; then
  common_args+=(--baseline "$(absolute "$INPUT_BASELINE")")
fi
case "${INPUT_ALL_ROLES:-false}" in
  true) common_args+=(--all-roles) ;;
  false | "") ;;
  *) fail "all-roles must be true or false, not '$INPUT_ALL_ROLES'" ;;
esac

if [ -n "${GITHUB_EVENT_PATH:-}" ] && [ "$EVENT_NAME" = push ] \
  && [ "$(event_field deleted)" = true ]; then
  log "the push deleted ${GITHUB_REF:-a ref}: nothing to scan"
  finish 0
fi

if [ "$MODE" = review ]; then
  if [ -z "${GITHUB_EVENT_PATH:-}" ] || [ ! -f "$GITHUB_EVENT_PATH" ]; then
    fail "mode review needs the event payload (GITHUB_EVENT_PATH)"
  fi
  case "$EVENT_NAME" in
    pull_request | pull_request_target)
      base=$(event_field pull_request.base.sha) || fail "unreadable event $GITHUB_EVENT_PATH"
      head=$(event_field pull_request.head.sha) || fail "unreadable event $GITHUB_EVENT_PATH"
      ;;
    push)
      base=$(event_field before) || fail "unreadable event $GITHUB_EVENT_PATH"
      head=$(event_field after) || fail "unreadable event $GITHUB_EVENT_PATH"
      if [[ $base =~ ^0+$ ]]; then
        fail "the push created a branch: there is no base to review against (use mode audit)"
      fi
      ;;
    *) fail "mode review needs a pull_request or push event, not '${EVENT_NAME:-none}'" ;;
  esac
  is_sha "$base" || fail "the event has no base commit sha (got '$base')"
  is_sha "$head" || fail "the event has no head commit sha (got '$head')"
  ensure_commits "$base" "$head"
  # What GitHub shows as the pull request's change: from the merge base to the head.
  since=$(git -C "$WORKSPACE" merge-base "$base" "$head") || {
    log "no merge base of $base and $head (shallow history?): reviewing $base..$head"
    since=$base
  }
  ran_mode=review
  log "codeprism review --base $since --head $head"
  status=0
  "$CODEPRISM_BIN" review --repo "$WORKSPACE" --base "$since" --head "$head" \
    "${common_args[@]}" || status=$?
else
  warehouse=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/codeprism-warehouse.XXXXXX")
  ran_mode=audit
  log "codeprism audit $WORKSPACE"
  status=0
  "$CODEPRISM_BIN" audit "$WORKSPACE" --warehouse "$warehouse" --no-progress \
    "${common_args[@]}" || status=$?
fi

case "$status" in
  0 | 1) [ -s "$SARIF" ] || fail "codeprism exited $status without writing $SARIF" ;;
  *)
    log "codeprism $ran_mode failed (exit $status)"
    finish 2
    ;;
esac
finish "$status"
