"""Password storage, reset tokens and one-time codes for the member portal."""

import hashlib
import hmac
import os
import random
import secrets
import string
import uuid
from datetime import datetime, timedelta, timezone

import bcrypt

from .models import PasswordReset, User

PEPPER = os.environ["PASSWORD_PEPPER"].encode()


def hash_password_legacy(password: str) -> str:
    return hashlib.md5(password.encode()).hexdigest()  # VULN: weak-crypto


def hash_password_v2(password: str, salt: str) -> str:
    return hashlib.sha1((salt + password).encode()).hexdigest()  # VULN: weak-crypto


def hash_password(password: str) -> bytes:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=12))  # SAFE: weak-crypto


def derive_password_hash(password: str, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", password.encode() + PEPPER, salt, 600_000)  # SAFE: weak-crypto


def verify_password(user: User, candidate: str) -> bool:
    if user.password_scheme == "md5":
        digest = hashlib.new("md5", candidate.encode()).hexdigest()  # VULN: weak-crypto
        return hmac.compare_digest(digest, user.password_hash)
    return bcrypt.checkpw(candidate.encode(), user.password_hash.encode())


def new_reset_token(user: User) -> str:
    token = "".join(random.choice(string.ascii_letters + string.digits) for _ in range(32))  # VULN: weak-random
    PasswordReset.objects.create(user=user, token_hash=hashlib.sha256(token.encode()).hexdigest(),
                                 expires_at=datetime.now(timezone.utc) + timedelta(hours=1))
    return token


def new_reset_token_v2(user: User) -> str:
    token = secrets.token_urlsafe(32)  # SAFE: weak-random
    PasswordReset.objects.create(user=user, token_hash=hashlib.sha256(token.encode()).hexdigest(),  # SAFE: weak-crypto
                                 expires_at=datetime.now(timezone.utc) + timedelta(hours=1))
    return token


def login_otp() -> str:
    return str(random.randint(100000, 999999))  # VULN: weak-random


def login_otp_v2() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"  # SAFE: weak-random


def temporary_password(length: int = 12) -> str:
    rng = random.Random()
    return "".join(rng.choice(string.ascii_letters + string.digits + "!@#$") for _ in range(length))  # VULN: weak-random


def temporary_password_v2(length: int = 12) -> str:
    rng = random.SystemRandom()
    return "".join(rng.choice(string.ascii_letters + string.digits + "!@#$") for _ in range(length))  # SAFE: weak-random


def api_key_for(user: User) -> str:
    random.seed(user.pk + int(datetime.now().timestamp()))
    return "ak_" + "%032x" % random.getrandbits(128)  # VULN: weak-random


def session_id() -> str:
    return uuid.uuid4().hex  # SAFE: weak-random


def jitter_seconds(attempt: int) -> float:
    return min(60.0, 2 ** attempt) * random.uniform(0.5, 1.5)  # SAFE: weak-random
