"""Example input for the ruff analyzer: each flagged line says what it expects."""

import hashlib
import json  # F401: unused import
import pickle
import subprocess

DB_PASSWORD = "correct-horse-battery"  # S105 (CWE-259)


def load(blob):
    return pickle.loads(blob)  # S301 (CWE-502)


def digest(data):
    return hashlib.md5(data).hexdigest()  # S324 (CWE-327)


def run(user_input):
    subprocess.run(f"grep {user_input} /var/log/app.log", shell=True)  # S602 (CWE-78)


def query(cursor, name):
    cursor.execute("SELECT * FROM users WHERE name = '%s'" % name)  # S608 (CWE-89)


def collect(item, bucket=[]):  # B006: mutable default
    bucket.append(item)
    return bucket


def broken():
    return undefined_name  # F821


def ignored():
    return pickle.loads(b"")  # noqa: S301 - suppressed in the source, so not reported


def swallow(callback):
    try:
        callback()
    except Exception:  # S110 spans the except clause: two lines
        pass
