"""HTTP/TLS clients used by background sync jobs."""

import http.client
import smtplib
import ssl
import urllib.request

import httpx
import urllib3

from .settings import CRM_BASE_URL, INTERNAL_CA_BUNDLE, SMTP_HOST


class CrmClient:
    def __init__(self, api_token: str):
        self.http = httpx.Client(base_url=CRM_BASE_URL, headers={"Authorization": f"Bearer {api_token}"}, verify=False)  # VULN: tls-verification

    def contact(self, contact_id: int):
        return self.http.get(f"/contacts/{contact_id}").json()


class LedgerClient:
    def __init__(self, api_token: str):
        self.http = httpx.Client(base_url="https://ledger.internal.example.com", verify=INTERNAL_CA_BUNDLE, timeout=10)  # SAFE: tls-verification
        self.http.headers["Authorization"] = f"Bearer {api_token}"


def legacy_erp_opener():
    ctx = ssl._create_unverified_context()  # VULN: tls-verification
    return urllib.request.build_opener(urllib.request.HTTPSHandler(context=ctx))


def erp_opener():
    ctx = ssl.create_default_context(cafile=INTERNAL_CA_BUNDLE)  # SAFE: tls-verification
    return urllib.request.build_opener(urllib.request.HTTPSHandler(context=ctx))


def inventory_feed_connection(host: str):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # VULN: tls-verification
    return http.client.HTTPSConnection(host, context=ctx, timeout=15)


def mutual_tls_context(cert_file: str, key_file: str):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_cert_chain(cert_file, key_file)
    ctx.load_verify_locations(INTERNAL_CA_BUNDLE)
    ctx.verify_mode = ssl.CERT_REQUIRED  # SAFE: tls-verification
    return ctx


def metrics_pool():
    return urllib3.PoolManager(cert_reqs="CERT_NONE", retries=3)  # VULN: tls-verification


def send_digest(sender: str, recipients: list[str], body: str):
    with smtplib.SMTP(SMTP_HOST, 587) as smtp:
        smtp.starttls(context=ssl.create_default_context())  # SAFE: tls-verification
        smtp.sendmail(sender, recipients, body)


async def fetch_exchange_rates():
    async with httpx.AsyncClient(timeout=5) as client:
        resp = await client.get("https://api.exchangerate.example.com/latest?base=EUR")
        return resp.json()["rates"]
