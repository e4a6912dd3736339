#!/usr/bin/env bash
# The whole test suite: lint, types, tests. Fails when no test ran (pytest exit 5).
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh"
# The KPI report test opens the report in Debian's chromium (Playwright downloads no browser).
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null; then
  echo "installing chromium for the KPI report test" >&2
  as_root=""; [ "$(id -u)" -eq 0 ] || as_root="sudo -n"
  { $as_root apt-get update -qq && $as_root env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq chromium; } >&2 \
    || echo "could not install chromium: the KPI report test will fail" >&2
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
