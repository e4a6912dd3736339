#!/usr/bin/env bash
# The whole test suite: lint, types, tests. Fails when no test ran (pytest exit 5).
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh"
# From Debian: chromium for the KPI report test (Playwright downloads no browser) and
# the linter of the GitHub Action's script, shellcheck.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v shellcheck >/dev/null || missing+=(shellcheck)
if [ "${#missing[@]}" -gt 0 ] && command -v apt-get >/dev/null; then
  echo "installing ${missing[*]} for the tests" >&2
  as_root=""; [ "$(id -u)" -eq 0 ] || as_root="sudo -n"
  { $as_root apt-get update -qq && $as_root env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq "${missing[@]}"; } >&2 \
    || echo "could not install ${missing[*]}: the KPI report test fails, shellcheck's is skipped" >&2
fi
ruff check .
ruff format --check .
mypy
set +e
pytest "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests: failing" >&2
  exit 1
fi
exit "$rc"
