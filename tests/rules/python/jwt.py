import jwt
from flask import Flask, abort, g, request
from jose import jwt as jose_jwt

app = Flask(__name__)
SECRET_KEY = "load-me-from-env"  # placeholder in tests
JWKS = {}


def current_user():
    token = request.headers["Authorization"].split()[1]
    # ruleid: py-jwt-verification-disabled
    claims = jwt.decode(token, options={"verify_signature": False})
    return claims["sub"]


def current_user_legacy(token):
    # ruleid: py-jwt-verification-disabled
    payload = jwt.decode(token, SECRET_KEY, verify=False)
    return payload["user_id"]


def current_user_opts(token):
    opts = {"verify_signature": False, "verify_exp": True}
    # ruleid: py-jwt-verification-disabled
    data = jwt.decode(token, SECRET_KEY, algorithms=["HS256"], options=opts)
    return data


def jose_user(token):
    # ruleid: py-jwt-verification-disabled
    return jose_jwt.decode(token, "", options={"verify_signature": False})


def verified_user(token):
    # ok: py-jwt-verification-disabled, py-jwt-decode-without-algorithms
    return jwt.decode(token, SECRET_KEY, algorithms=["HS256"])


def pick_key_then_verify(token):
    # ok: py-jwt-verification-disabled
    unverified = jwt.decode(token, options={"verify_signature": False})
    key = JWKS[unverified["iss"]]
    claims = jwt.decode(token, key, algorithms=["RS256"], audience="api")
    return claims


@app.before_request
def load_user():
    token = request.cookies.get("session")
    # ruleid: py-jwt-unverified-claims
    claims = jose_jwt.get_unverified_claims(token)
    if claims.get("role") != "admin":
        abort(403)
    g.user = claims["sub"]


def issuer_then_verify(token):
    # ok: py-jwt-unverified-claims
    claims = jose_jwt.get_unverified_claims(token)
    key = JWKS[claims["iss"]]
    verified = jose_jwt.decode(token, key, algorithms=["RS256"])
    return verified


def accept_none(token):
    # ruleid: py-jwt-none-algorithm
    return jwt.decode(token, SECRET_KEY, algorithms=["HS256", "none"])


def issue_unsigned(payload):
    # ruleid: py-jwt-none-algorithm
    return jwt.encode(payload, None, algorithm="none")


def issue_signed(payload):
    # ok: py-jwt-none-algorithm
    return jwt.encode(payload, SECRET_KEY, algorithm="HS256")


def decode_any_alg(token, public_key):
    # ruleid: py-jwt-decode-without-algorithms
    return jwt.decode(token, public_key)


def decode_jose_any_alg(token, key):
    # ruleid: py-jwt-decode-without-algorithms
    return jose_jwt.decode(token, key, audience="api")


def decode_positional_algs(token, key):
    # ok: py-jwt-decode-without-algorithms
    return jwt.decode(token, key, ["RS256"])
