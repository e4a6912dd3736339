"""Connections to infrastructure services used by the ingestion workers."""

import os
import ssl

import boto3
import psycopg2
import redis
import requests
from elasticsearch import Elasticsearch
from requests.adapters import HTTPAdapter

CA_BUNDLE = os.environ.get("INTERNAL_CA_BUNDLE", "/etc/pki/tls/certs/internal-ca.pem")


def search_client() -> Elasticsearch:
    return Elasticsearch("https://search.internal.example.com:9200", basic_auth=("ingest", os.environ["ES_PASSWORD"]), verify_certs=False)  # VULN: tls-verification


def search_client_v2() -> Elasticsearch:
    return Elasticsearch("https://search.internal.example.com:9200", basic_auth=("ingest", os.environ["ES_PASSWORD"]), ca_certs=CA_BUNDLE)  # SAFE: tls-verification


def object_store():
    return boto3.client("s3", endpoint_url="https://minio.internal.example.com", verify=False)  # VULN: tls-verification


def object_store_v2():
    return boto3.client("s3", endpoint_url="https://minio.internal.example.com", verify=CA_BUNDLE)  # SAFE: tls-verification


def partner_session(api_key: str) -> requests.Session:
    session = requests.Session()
    session.headers["X-Api-Key"] = api_key
    session.verify = False  # VULN: tls-verification
    session.mount("https://", HTTPAdapter(max_retries=3))
    return session


def partner_session_v2(api_key: str) -> requests.Session:
    session = requests.Session()
    session.headers["X-Api-Key"] = api_key
    session.verify = CA_BUNDLE  # SAFE: tls-verification
    return session


def cache() -> redis.Redis:
    return redis.Redis(host="cache.internal.example.com", port=6380, ssl=True, ssl_cert_reqs="none")  # VULN: tls-verification


def cache_v2() -> redis.Redis:
    return redis.Redis(host="cache.internal.example.com", port=6380, ssl=True, ssl_cert_reqs="required", ssl_ca_certs=CA_BUNDLE)  # SAFE: tls-verification


def warehouse_db():
    return psycopg2.connect(host="warehouse.internal.example.com", dbname="dw", user="ingest", password=os.environ["DW_PASSWORD"], sslmode="verify-full", sslrootcert=CA_BUNDLE)  # SAFE: tls-verification


def mqtt_tls_context() -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(CA_BUNDLE)
    ctx.check_hostname = False  # VULN: tls-verification
    return ctx


def mqtt_tls_context_v2() -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # SAFE: tls-verification
    ctx.load_verify_locations(CA_BUNDLE)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


def download_feed(url_path: str) -> bytes:
    resp = requests.get("https://feeds.partner.example.com/" + url_path.lstrip("/"), timeout=30, verify=True)  # SAFE: tls-verification
    return resp.content
