#!/usr/bin/env bash
# The main job: set up .venv, download real public projects from PyPI, audit them, print the summary.
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh"
exec codeprism demo "$@"
