"""Example input for the bandit analyzer: each flagged line says what it expects."""

import subprocess  # B404 (low, high confidence)

import yaml


def run(command):
    return subprocess.check_output(command, shell=True)  # B602 (high, CWE-78)


def settings(text):
    return yaml.load(text)  # B506 (medium, CWE-20)


def evaluate(expression):
    return eval(expression)  # B307 (medium, CWE-78)


def connect(host, password="hunter2-hunter2"):  # B107 (low, CWE-259), redacted
    return (host, password)


def check(value):
    assert value > 0  # B101 (low, CWE-703)
    return value


def quiet():
    return subprocess.check_output("ls", shell=True)  # nosec


def swallow(callback):
    try:
        callback()
    except Exception:  # B110 spans the except clause: two lines
        pass
