import random
import secrets
import string
from random import choice, randint

from flask import Flask, session

app = Flask(__name__)
ALPHABET = string.ascii_letters + string.digits


def generate_token(length=32):
    # ruleid: py-insecure-random-secret
    return "".join(random.choice(ALPHABET) for _ in range(length))


def make_password():
    chars = string.ascii_letters + string.digits + "!@#$"
    # ruleid: py-insecure-random-secret
    new_password = "".join(random.choices(chars, k=12))
    return new_password


@app.route("/otp")
def send_otp():
    # ruleid: py-insecure-random-secret
    otp = randint(100000, 999999)
    # ruleid: py-insecure-random-secret
    session["otp"] = str(random.randint(100000, 999999))
    return str(otp)


class User:
    def reset(self):
        # ruleid: py-insecure-random-secret
        self.reset_token = "%032x" % random.getrandbits(128)


def create_api_key():
    key = ""
    for _ in range(40):
        # ruleid: py-insecure-random-secret
        key += choice(ALPHABET)
    # ruleid: py-insecure-random-secret
    return key + str(random.random())


def new_session(db, user_id):
    # ruleid: py-insecure-random-secret
    db.insert(user_id=user_id, session_id=random.randrange(10**12))


def email_verification(user):
    # ruleid: py-insecure-random-secret
    verification_code = f"{random.randint(0, 999999):06d}"
    user.send(verification_code)


def generate_token_secure(length=32):
    # ok: py-insecure-random-secret
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def generate_password_systemrandom():
    rng = random.SystemRandom()
    # ok: py-insecure-random-secret
    password = "".join(rng.choice(ALPHABET) for _ in range(16))
    return password


def shuffle_deck(deck):
    # ok: py-insecure-random-secret
    random.shuffle(deck)
    return deck


def backoff(attempt):
    # ok: py-insecure-random-secret
    delay = 2**attempt + random.uniform(0, 1)
    return delay


def pick_sample(rows):
    # ok: py-insecure-random-secret
    subset = random.sample(rows, 10)
    return subset


def pick_server(servers):
    # ok: py-insecure-random-secret
    return random.choice(servers)


def test_token_roundtrip():
    # ok: py-insecure-random-secret
    token = random.choice(["a", "b"])
    assert token


def mask_tokens(inputs, vocab_size):
    # ok: py-insecure-random-secret
    return [random.randint(0, vocab_size) for _ in inputs]


class Env:
    def reset(self):
        # ok: py-insecure-random-secret
        self.token = random.choice([0, 1])
