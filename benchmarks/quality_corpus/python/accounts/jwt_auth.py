"""Bearer-token authentication for the public REST API (PyJWT 2.x and python-jose)."""

import logging
import os
from functools import wraps

import jwt
from flask import g, jsonify, request
from jose import jwt as jose_jwt

logger = logging.getLogger(__name__)

JWT_SECRET = os.environ["JWT_SECRET"]
JWKS_CLIENT = jwt.PyJWKClient("https://auth.example.com/.well-known/jwks.json")


def _bearer() -> str:
    header = request.headers.get("Authorization", "")
    return header.removeprefix("Bearer ").strip()


def current_user_claims():
    token = _bearer()
    return jwt.decode(token, options={"verify_signature": False})  # VULN: jwt


def current_user_claims_v2():
    token = _bearer()
    return jwt.decode(token, JWT_SECRET, algorithms=["HS256"], audience="api.example.com")  # SAFE: jwt


def claims_from_identity_provider(token: str):
    header = jwt.get_unverified_header(token)  # SAFE: jwt
    signing_key = JWKS_CLIENT.get_signing_key(header["kid"])
    return jwt.decode(token, signing_key.key, algorithms=["RS256"], audience="api.example.com")  # SAFE: jwt


def tenant_from_token(token: str) -> str:
    claims = jose_jwt.get_unverified_claims(token)  # VULN: jwt
    return claims["tenant"]


def decode_refresh_token(token: str):
    return jwt.decode(token, JWT_SECRET, algorithms=["HS256"], options={"verify_exp": False, "verify_signature": False})  # VULN: jwt


def decode_mobile_token(token: str):
    return jose_jwt.decode(token, JWT_SECRET, algorithms=["HS256"], options={"verify_signature": False})  # VULN: jwt


def issue_token(user_id: int) -> str:
    token = jwt.encode({"sub": str(user_id)}, JWT_SECRET, algorithm="HS256")
    logger.info("issued token %s for user %s", token, user_id)  # VULN: sensitive-logging
    return token


def require_auth(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        try:
            g.claims = current_user_claims()
            g.tenant = tenant_from_token(_bearer())
        except jwt.PyJWTError:
            return jsonify({"error": "unauthorized"}), 401
        return view(*args, **kwargs)

    return wrapper
