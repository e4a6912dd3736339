import hashlib
import os

from Crypto.Cipher import AES, ARC4, DES
from Crypto.PublicKey import RSA
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC


def hash_password(password):
    # ruleid: py-weak-hash-security
    return hashlib.md5(password.encode()).hexdigest()


def store_user(db, username, raw_pw):
    # ruleid: py-weak-hash-security
    pw_digest = hashlib.sha1(raw_pw.encode("utf-8")).hexdigest()
    db.insert(username, pw_digest)


def make_reset_token(user_id):
    seed = f"{user_id}:{os.urandom(4).hex()}"
    # ruleid: py-weak-hash-security
    reset_token = hashlib.md5(seed.encode()).hexdigest()
    return reset_token


def build_signature(payload, secret):
    # ruleid: py-weak-hash-security
    h = hashlib.new("md5")
    h.update(payload)
    h.update(secret)
    return h.hexdigest()


class ApiClient:
    def __init__(self, key, secret):
        # ruleid: py-weak-hash-security
        self.request_signature = hashlib.sha1((key + secret).encode()).hexdigest()


def save_account(user, pw):
    # ruleid: py-weak-hash-security
    user.password_hash = hashlib.md5(pw.encode()).hexdigest()
    user.save()


def tokenize_and_cache(text):
    # ok: py-weak-hash-security
    digest = hashlib.md5(text.encode()).hexdigest()
    return digest


def cache_key(url):
    # ok: py-weak-hash-security
    return hashlib.md5(url.encode()).hexdigest()


def file_checksum(path):
    with open(path, "rb") as fh:
        # ok: py-weak-hash-security
        return hashlib.md5(fh.read()).hexdigest()


def etag_for(body):
    # ok: py-weak-hash-security
    etag = hashlib.sha1(body, usedforsecurity=False).hexdigest()
    return etag


def hash_password_nonsecurity(password):
    # ok: py-weak-hash-security
    return hashlib.md5(password.encode(), usedforsecurity=False).hexdigest()


def hash_password_sha256(password):
    # ruleid: py-password-fast-hash
    return hashlib.sha256(password.encode()).hexdigest()


def check_login(user, password):
    # ruleid: py-password-fast-hash
    digest = hashlib.sha512((user.salt + password).encode()).hexdigest()
    return digest == user.password_hash


def register(form):
    hasher = hashlib.sha256()
    # ruleid: py-password-fast-hash
    hasher.update(form["password"].encode())
    return hasher.hexdigest()


def hash_password_kdf(password):
    salt = os.urandom(16)
    # ok: py-password-fast-hash
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 600_000)


def document_digest(data):
    # ok: py-password-fast-hash
    return hashlib.sha256(data).hexdigest()


def encrypt_legacy(key, data):
    # ruleid: py-weak-cipher
    cipher = DES.new(key, DES.MODE_CBC, iv=os.urandom(8))
    return cipher.encrypt(data)


def rc4(key, data):
    # ruleid: py-weak-cipher
    return ARC4.new(key).encrypt(data)


def tdes(key):
    # ruleid: py-weak-cipher
    return Cipher(algorithms.TripleDES(key), modes.CBC(os.urandom(8)))


def aes_gcm(key):
    # ok: py-weak-cipher, py-ecb-mode
    return AES.new(key, AES.MODE_GCM)


def aes_ecb(key, data):
    # ruleid: py-ecb-mode
    cipher = AES.new(key, AES.MODE_ECB)
    return cipher.encrypt(data)


def aes_ecb_cryptography(key):
    # ruleid: py-ecb-mode
    return Cipher(algorithms.AES(key), modes.ECB()).encryptor()


def aes_cbc_cryptography(key, iv):
    # ok: py-ecb-mode
    return Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()


def small_rsa():
    # ruleid: py-weak-key-size
    return rsa.generate_private_key(public_exponent=65537, key_size=1024)


def small_rsa_pycryptodome():
    # ruleid: py-weak-key-size
    return RSA.generate(1024)


def weak_curve():
    # ruleid: py-weak-key-size
    return ec.generate_private_key(ec.SECP192R1())


def good_rsa():
    # ok: py-weak-key-size
    return rsa.generate_private_key(public_exponent=65537, key_size=3072)


def good_curve():
    # ok: py-weak-key-size
    return ec.generate_private_key(ec.SECP256R1())


def derive(password, salt):
    # ruleid: py-pbkdf2-low-iterations
    return hashlib.pbkdf2_hmac("sha256", password, salt, 1000)


def derive_kdf(salt):
    # ruleid: py-pbkdf2-low-iterations
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=10000)
    return kdf


def derive_strong(password, salt):
    # ok: py-pbkdf2-low-iterations
    return hashlib.pbkdf2_hmac("sha256", password, salt, 600000)
