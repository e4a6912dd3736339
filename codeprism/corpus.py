"""A corpus of real public code: well-known projects' published sources.

Used by the demo audit, the tests and the benchmarks, so that codeprism is exercised on code
nobody here wrote:
- Python: source distributions from PyPI, through pip;
- JavaScript: npm packages (`npm pack NAME@VERSION` fetches the published tarball);
- Go and Java: Debian packages that ship source (`golang-*-dev` packages carry Go source,
  `libxerces2-java-doc` the Xerces samples' Java source), through `apt-get download`, unpacked
  with `dpkg-deb -x`.
Downloads are cached; archives are unpacked with tarfile's "data" filter, which refuses
absolute paths, `..` and links that leave the destination. Nothing is ever installed or run.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

from codeprism.errors import CodeprismError

# Pure-Python projects of different shapes and sizes, pinned so results are reproducible.
DEMO_PROJECTS: tuple[str, ...] = (
    "six==1.16.0",
    "idna==3.7",
    "itsdangerous==2.2.0",
    "click==8.1.7",
    "packaging==24.1",
    "attrs==24.2.0",
    "requests==2.32.3",
    "jinja2==3.1.4",
)
EXTRA_PROJECTS: tuple[str, ...] = (
    "flask==3.0.3",
    "markupsafe==2.1.5",
    "urllib3==2.2.2",
    "certifi==2024.8.30",
)


def _archive_for(requirement: str, downloads: Path) -> Path | None:
    name, _, version = requirement.partition("==")
    stem = f"{name}-{version}".lower().replace("_", "-")
    for archive in downloads.iterdir():
        if archive.name.lower().replace("_", "-").startswith(stem + "."):
            return archive
    return None


def download_sdists(requirements: Sequence[str], downloads: Path) -> list[Path]:
    """Download (once) the source distribution of each `name==version`."""
    downloads.mkdir(parents=True, exist_ok=True)
    missing = [r for r in requirements if _archive_for(r, downloads) is None]
    if missing:
        print(f"downloading {len(missing)} source distributions from PyPI", file=sys.stderr)
        names = ",".join(r.partition("==")[0] for r in missing)
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"]
        command += ["--no-binary", names, "--dest", str(downloads), *missing]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise CodeprismError(f"pip download failed: {done.stderr.strip()[-2000:]}")
    archives = []
    for requirement in requirements:
        archive = _archive_for(requirement, downloads)
        if archive is None:
            raise CodeprismError(f"no source distribution found for {requirement}")
        archives.append(archive)
    return archives


def unpack(archive: Path, destination: Path) -> Path:
    """Unpack an sdist into `destination/<name-version>` (once) and return that directory."""
    name = archive.name
    for suffix in (".tar.gz", ".tgz", ".zip"):
        name = name.removesuffix(suffix)
    target = destination / name
    if target.is_dir():
        return target
    staging = destination / f".{name}.partial"
    staging.mkdir(parents=True, exist_ok=True)
    if archive.suffix == ".zip":
        with zipfile.ZipFile(archive) as zipped:
            for member in zipped.namelist():
                if member.startswith("/") or ".." in Path(member).parts:
                    raise CodeprismError(f"{archive.name}: unsafe path {member!r}")
            zipped.extractall(staging)
    else:
        with tarfile.open(archive) as tar:
            tar.extractall(staging, filter="data")
    # sdists hold one top-level directory; make it the project root.
    entries = list(staging.iterdir())
    root = entries[0] if len(entries) == 1 and entries[0].is_dir() else staging
    root.rename(target)
    if staging.exists():
        staging.rmdir()
    return target


# Pinned so that tests can expect exact findings. Debian versions are bookworm's main archive.
NPM_PACKAGES: tuple[str, ...] = ("node-serialize@0.0.4", "ejs@2.5.7", "shelljs@0.8.4")
DEBIAN_GO_PACKAGES: tuple[str, ...] = (
    "golang-github-gorilla-mux-dev=1.8.0-1",
    "golang-github-elazarl-goproxy-dev=1.1-1",
)
# Xerces-J's samples (its -doc package ships their source): XML parsing as people write it
DEBIAN_JAVA_PACKAGES: tuple[str, ...] = ("libxerces2-java-doc=2.12.2-1",)


def _run(command: list[str], cwd: Path, what: str) -> None:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise CodeprismError(f"{what} failed: {(done.stderr or done.stdout).strip()[-2000:]}")


def prepare_npm(packages: Sequence[str], cache_dir: Path) -> list[Path]:
    """`name@version` npm packages, each unpacked into its own directory (once)."""
    downloads, projects = cache_dir / "npm", cache_dir / "projects"
    downloads.mkdir(parents=True, exist_ok=True)
    roots = []
    for package in packages:
        name, _, version = package.rpartition("@")
        tarball = downloads / f"{name.lstrip('@').replace('/', '-')}-{version}.tgz"
        if not tarball.exists():
            print(f"downloading {package} from npm", file=sys.stderr)
            _run(["npm", "pack", "--silent", package], downloads, f"npm pack {package}")
        if not tarball.exists():
            raise CodeprismError(f"npm pack {package} did not write {tarball.name}")
        roots.append(unpack(tarball, projects))
    return roots


def prepare_debian(packages: Sequence[str], cache_dir: Path) -> list[Path]:
    """`name=version` Debian packages, each unpacked into its own directory (once)."""
    downloads, projects = cache_dir / "debs", cache_dir / "projects"
    downloads.mkdir(parents=True, exist_ok=True)
    roots = []
    for package in packages:
        name, _, version = package.partition("=")
        target = projects / f"{name}-{version.replace('~', '_')}"
        if target.is_dir():
            roots.append(target)
            continue
        deb = _downloaded_deb(downloads, name, version)
        if deb is None:
            print(f"downloading {package} from Debian", file=sys.stderr)
            _run(["apt-get", "download", "-q", package], downloads, f"apt-get download {package}")
            deb = _downloaded_deb(downloads, name, version)
        if deb is None:
            raise CodeprismError(f"apt-get download {package} wrote no package file")
        staging = projects / f".{target.name}.partial"
        staging.mkdir(parents=True, exist_ok=True)
        _run(["dpkg-deb", "-x", str(deb), str(staging)], projects, f"dpkg-deb -x {deb.name}")
        staging.rename(target)
        roots.append(target)
    return roots


def _downloaded_deb(downloads: Path, name: str, version: str) -> Path | None:
    """The .deb of `name` at `version` in `downloads` (a version's epoch ':' is '%3a' in
    the file name), if it was downloaded."""
    wanted = version.replace(":", "%3a")
    found = [d for d in downloads.glob(f"{name}_*.deb") if d.name.split("_")[1] == wanted]
    return found[0] if found else None


def prepare_corpus(requirements: Sequence[str], cache_dir: Path) -> list[Path]:
    """Download and unpack the projects; returns one directory per project."""
    archives = download_sdists(requirements, cache_dir / "sdists")
    return [unpack(archive, cache_dir / "projects") for archive in archives]
