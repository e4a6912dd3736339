"""Card-vault helpers for the payments service."""

import hashlib
import logging
import os

import stripe
from argon2 import PasswordHasher
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

logger = logging.getLogger("payments.vault")

stripe.api_key = "sk_live_51HxQeLKz0aB9TsecretR4nd0mStr1ngForStr1peAcc0unt"  # VULN: hardcoded-secret
VAULT_KEY = bytes.fromhex(os.environ["VAULT_KEY_HEX"])
argon = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=2)


def encrypt_pan_legacy(pan: str) -> bytes:
    encryptor = Cipher(algorithms.TripleDES(VAULT_KEY[:24]), modes.ECB()).encryptor()  # VULN: weak-crypto
    padded = pan.encode().ljust(24, b"\0")
    return encryptor.update(padded) + encryptor.finalize()


def encrypt_pan(pan: str) -> bytes:
    nonce = os.urandom(12)
    encryptor = Cipher(algorithms.AES(VAULT_KEY), modes.GCM(nonce)).encryptor()  # SAFE: weak-crypto
    ciphertext = encryptor.update(pan.encode()) + encryptor.finalize()
    return nonce + encryptor.tag + ciphertext


def encrypt_cvv_cache(cvv: str) -> bytes:
    encryptor = Cipher(algorithms.AES(VAULT_KEY), modes.ECB()).encryptor()  # VULN: weak-crypto
    return encryptor.update(cvv.encode().ljust(16, b"\0")) + encryptor.finalize()


def hash_merchant_pin(pin: str) -> str:
    return argon.hash(pin)  # SAFE: weak-crypto


def hash_merchant_pin_legacy(pin: str, merchant_id: int) -> str:
    return hashlib.sha1(f"{merchant_id}:{pin}".encode()).hexdigest()  # VULN: weak-crypto


def card_fingerprint(pan: str) -> str:
    return hashlib.md5(pan.encode()).hexdigest()  # VULN: weak-crypto


def card_fingerprint_v2(pan: str) -> str:
    return hashlib.scrypt(pan.encode(), salt=VAULT_KEY, n=2**14, r=8, p=1).hex()  # SAFE: weak-crypto


def derive_subkey(purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(VAULT_KEY)  # SAFE: weak-crypto


def charge(customer_id: str, amount_cents: int, card: dict):
    logger.info("charging customer=%s amount=%d card=%s", customer_id, amount_cents, card)  # VULN: sensitive-logging
    logger.info("charging customer=%s amount=%d card=****%s", customer_id, amount_cents, card["number"][-4:])  # SAFE: sensitive-logging
    return stripe.PaymentIntent.create(amount=amount_cents, currency="eur", customer=customer_id, confirm=True)
