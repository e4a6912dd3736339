import ssl
import urllib.request

import aiohttp
import httpx
import requests
import urllib3


def fetch(url):
    # ruleid: py-tls-verify-disabled
    return requests.get(url, verify=False, timeout=5).json()


def post_webhook(url, payload):
    # ruleid: py-tls-verify-disabled
    resp = requests.post(url, json=payload, verify=False)
    return resp.status_code


class Client:
    def __init__(self, base):
        self.base = base
        self.session = requests.Session()
        # ruleid: py-tls-verify-disabled
        self.session.verify = False

    def get(self, path):
        # ruleid: py-tls-verify-disabled
        return self.session.get(self.base + path, verify=False)


def make_httpx():
    # ruleid: py-tls-verify-disabled
    return httpx.Client(verify=False)


async def fetch_async(url):
    async with aiohttp.ClientSession() as sess:
        # ruleid: py-tls-verify-disabled
        async with sess.get(url, ssl=False) as resp:
            return await resp.text()


def fetch_ok(url):
    # ok: py-tls-verify-disabled
    return requests.get(url, timeout=5, verify="/etc/ssl/certs/internal-ca.pem")


def fetch_ok2(url):
    # ok: py-tls-verify-disabled
    return requests.get(url, timeout=5, verify=True)


def decode_unverified(jwt, token):
    # ok: py-tls-verify-disabled
    return jwt.decode(token, verify=False)


def legacy_fetch(url):
    # ruleid: py-ssl-unverified-context
    ctx = ssl._create_unverified_context()
    return urllib.request.urlopen(url, context=ctx).read()


# ruleid: py-ssl-unverified-context
ssl._create_default_https_context = ssl._create_unverified_context


def good_context():
    # ok: py-ssl-unverified-context
    return ssl.create_default_context()


def insecure_context():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    # ruleid: py-ssl-cert-validation-disabled
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def no_hostname_check(cafile):
    ctx = ssl.create_default_context(cafile=cafile)
    # ruleid: py-ssl-cert-validation-disabled
    ctx.check_hostname = False
    return ctx


def pool():
    # ruleid: py-ssl-cert-validation-disabled
    return urllib3.PoolManager(cert_reqs="CERT_NONE")


def pool_ok():
    # ok: py-ssl-cert-validation-disabled
    return urllib3.PoolManager(cert_reqs="CERT_REQUIRED")


def strict_context():
    ctx = ssl.create_default_context()
    # ok: py-ssl-cert-validation-disabled
    ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx


def old_protocol(sock):
    # ruleid: py-ssl-weak-protocol
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLSv1)
    return ctx.wrap_socket(sock)


def min_version_low():
    ctx = ssl.create_default_context()
    # ruleid: py-ssl-weak-protocol
    ctx.minimum_version = ssl.TLSVersion.TLSv1
    return ctx


def modern_context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    # ok: py-ssl-weak-protocol
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


# ok: py-ssl-weak-protocol
_VERSION_NAMES = {ssl.PROTOCOL_TLSv1: "TLSv1", ssl.PROTOCOL_TLS_CLIENT: "TLS"}
