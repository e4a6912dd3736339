"""Encryption of PII columns (national ID, IBAN) before they are written to the database."""

import hashlib
import hmac
import os

from Crypto.Cipher import AES, ARC4, DES
from Crypto.Util.Padding import pad, unpad
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FIELD_KEY = bytes.fromhex(os.environ["FIELD_ENCRYPTION_KEY"])
LEGACY_DES_KEY = bytes.fromhex(os.environ["LEGACY_DES_KEY"])


def encrypt_iban_legacy(iban: str) -> bytes:
    cipher = DES.new(LEGACY_DES_KEY, DES.MODE_CBC)  # VULN: weak-crypto
    return cipher.iv + cipher.encrypt(pad(iban.encode(), DES.block_size))


def encrypt_national_id(national_id: str) -> bytes:
    cipher = AES.new(FIELD_KEY, AES.MODE_ECB)  # VULN: weak-crypto
    return cipher.encrypt(pad(national_id.encode(), AES.block_size))


def decrypt_national_id(blob: bytes) -> str:
    return unpad(AES.new(FIELD_KEY, AES.MODE_ECB).decrypt(blob), AES.block_size).decode()


def encrypt_field(plaintext: str, associated: bytes) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(FIELD_KEY).encrypt(nonce, plaintext.encode(), associated)  # SAFE: weak-crypto


def encrypt_field_eax(plaintext: str) -> bytes:
    cipher = AES.new(FIELD_KEY, AES.MODE_EAX)  # SAFE: weak-crypto
    ciphertext, tag = cipher.encrypt_and_digest(plaintext.encode())
    return cipher.nonce + tag + ciphertext


def obfuscate_card_token(token: str) -> bytes:
    return ARC4.new(FIELD_KEY).encrypt(token.encode())  # VULN: weak-crypto


def new_signing_keypair():
    return rsa.generate_private_key(public_exponent=65537, key_size=1024)  # VULN: weak-crypto


def new_signing_keypair_v2():
    return rsa.generate_private_key(public_exponent=65537, key_size=3072)  # SAFE: weak-crypto


def sign_export(payload: bytes) -> str:
    return hmac.new(FIELD_KEY, payload, hashlib.sha256).hexdigest()  # SAFE: weak-crypto


def sign_export_legacy(payload: bytes) -> str:
    return hashlib.md5(FIELD_KEY + payload).hexdigest()  # VULN: weak-crypto


def blind_index(value: str) -> str:
    """Deterministic lookup key so we can search encrypted IBANs without decrypting them."""
    return hmac.new(FIELD_KEY, value.upper().encode(), hashlib.sha256).hexdigest()
