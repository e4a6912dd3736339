"""Pulls partner invoice files over FTPS/HTTPS into the tenant's inbox (Celery worker).

PartnerConnection rows (host, download_url, credentials) are entered by tenant admins in the web UI.
"""

import ftplib
import hashlib
import os
import random
import ssl
import tempfile
from pathlib import Path

import requests
from celery import shared_task

from .models import PartnerConnection

INBOX = Path("/srv/inbox")


def ftps_connect(conn: PartnerConnection) -> ftplib.FTP_TLS:
    ftps = ftplib.FTP_TLS(context=ssl._create_unverified_context())  # VULN: tls-verification
    ftps.connect(conn.host, conn.port or 21)
    ftps.login(conn.username, conn.password)
    ftps.prot_p()
    return ftps


def ftps_connect_v2(conn: PartnerConnection) -> ftplib.FTP_TLS:
    ftps = ftplib.FTP_TLS(context=ssl.create_default_context())  # SAFE: tls-verification
    ftps.connect(conn.host, conn.port or 21)
    ftps.login(conn.username, conn.password)
    ftps.prot_p()
    return ftps


@shared_task
def pull_ftps(connection_id: int):
    conn = PartnerConnection.objects.get(pk=connection_id)
    ftps = ftps_connect_v2(conn)
    for remote_name in ftps.nlst("outgoing"):
        local = INBOX / str(conn.tenant_id) / remote_name
        with open(local, "wb") as fh:  # VULN: path-traversal
            ftps.retrbinary(f"RETR {remote_name}", fh.write)


@shared_task
def pull_ftps_v2(connection_id: int):
    conn = PartnerConnection.objects.get(pk=connection_id)
    ftps = ftps_connect_v2(conn)
    for remote_name in ftps.nlst("outgoing"):
        local = INBOX / str(conn.tenant_id) / os.path.basename(remote_name)
        with open(local, "wb") as fh:  # SAFE: path-traversal
            ftps.retrbinary(f"RETR {remote_name}", fh.write)


@shared_task
def pull_https(connection_id: int):
    conn = PartnerConnection.objects.get(pk=connection_id)
    resp = requests.get(conn.download_url, auth=(conn.username, conn.password), timeout=30)  # VULN: ssrf
    expected = resp.headers.get("Content-MD5-Hex", "")
    if expected and hashlib.md5(resp.content).hexdigest() != expected:  # SAFE: weak-crypto
        raise ValueError("checksum mismatch")
    tmp_name = f"dl-{random.randint(0, 10**6)}.part"  # SAFE: weak-random
    with tempfile.NamedTemporaryFile(dir=INBOX, prefix="dl-", delete=False) as tmp:  # SAFE: path-traversal
        tmp.write(resp.content)
    return tmp.name, tmp_name


def connection_fingerprint(conn: PartnerConnection) -> str:
    """Stored next to the connection so that rotated passwords can be detected."""
    return hashlib.sha1(conn.password.encode()).hexdigest()  # VULN: weak-crypto
