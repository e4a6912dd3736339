#!/usr/bin/env python3
"""backup-tool: snapshot a tenant database and upload it to object storage.

usage: backup-tool TENANT [--compress LEVEL] [--restore FILE]
This tool is installed setuid-free but is invoked by the self-service portal's job runner with
tenant names taken from the portal form; --restore receives the archive the tenant uploaded.
"""

import os
import subprocess
import sys
import tarfile

BACKUP_DIR = "/var/backups/tenants"


def dump(tenant: str, level: str) -> str:
    target = os.path.join(BACKUP_DIR, f"{tenant}.sql.gz")
    subprocess.call(f"pg_dump --dbname=tenant_{tenant} | gzip -{level} > {target}", shell=True)  # VULN: command-injection
    return target


def upload(path: str) -> int:
    return subprocess.call(["aws", "s3", "cp", path, "s3://acme-tenant-backups/"])  # SAFE: command-injection


def checksum(path: str) -> str:
    return subprocess.check_output(["sha256sum", path], text=True).split()[0]  # SAFE: command-injection


def restore(archive_path: str):
    with tarfile.open(archive_path) as tar:
        tar.extractall(BACKUP_DIR)  # VULN: path-traversal


def restore_checked(archive_path: str):
    with tarfile.open(archive_path) as tar:
        tar.extractall(BACKUP_DIR, filter="data")  # SAFE: path-traversal


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    tenant = argv[1]
    level = "6"
    if "--compress" in argv:
        level = argv[argv.index("--compress") + 1]
    if "--restore" in argv:
        restore(argv[argv.index("--restore") + 1])
        return 0
    path = dump(tenant, level)
    print(checksum(path))
    os.system("logger -t backup-tool 'backup finished for " + tenant + "'")  # VULN: command-injection
    return upload(path)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
