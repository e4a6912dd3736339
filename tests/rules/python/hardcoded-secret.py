import os

import boto3
import psycopg2
import requests

# ruleid: py-hardcoded-secret-assignment
SECRET_KEY = "django-insecure-7x$k2!q9m@p3z#w8v&r5t1y6u0i4o2e"

# ruleid: py-hardcoded-secret-assignment
DB_PASSWORD = "Sup3rS3cret!"

# ruleid: py-hardcoded-secret-assignment
STRIPE_API_KEY = "sk_live_51HxYzAbCdEfGhIjKlMnOpQr"

# ok: py-hardcoded-secret-assignment
API_KEY = os.environ["API_KEY"]

# ok: py-hardcoded-secret-assignment
PASSWORD_FIELD = "password"

# ok: py-hardcoded-secret-assignment
TOKEN_URL = "https://auth.example.com/oauth/token"

# ok: py-hardcoded-secret-assignment
api_key = "your-api-key-here"

# ok: py-hardcoded-secret-assignment
SECRET_KEY_ENV = "DJANGO_SECRET_KEY"

# ok: py-hardcoded-secret-assignment
password = ""

# ruleid: py-hardcoded-secret-assignment
ADMIN_PASSWORD = "password123"

# ok: py-hardcoded-secret-assignment
ADMIN_PASSWORD = "<ADMIN_PASSWORD>"

# ok: py-hardcoded-secret-assignment
token_type = "Bearer"

# ok: py-hardcoded-secret-assignment
GRANT_TYPE_REFRESH_TOKEN = "refresh_token"

# ok: py-hardcoded-secret-assignment
IMAGE_TOKEN = "<image>"

# ok: py-hardcoded-secret-assignment
X_ACCESS_TOKEN_HEADER = "X-Access-Token"


def configure_flask(app):
    # ruleid: py-hardcoded-secret-assignment
    app.secret_key = "my-super-secret-key"
    # ruleid: py-hardcoded-secret-assignment
    app.config["SECRET_KEY"] = "super_secret_key_123"


def is_special(token):
    # ok: py-hardcoded-secret-assignment
    return token == "with"


class Tokenizer:
    # ok: py-hardcoded-secret-argument
    def __init__(self, vocab_file, unk_token="[UNK]", sep_token="[SEP]", bos_token="__start__"):
        self.vocab_file = vocab_file

CONFIG = {
    "host": "db.internal",
    # ruleid: py-hardcoded-secret-assignment
    "password": "hunter2-prod",
}


class Settings:
    def __init__(self):
        # ruleid: py-hardcoded-secret-assignment
        self.jwt_secret = "a8f5f167f44f4964e6c998dee827110c"


def check_admin(password):
    # ruleid: py-hardcoded-secret-assignment
    if password == "admin123":
        return True
    return False


def connect():
    return psycopg2.connect(
        host="localhost",
        user="app",
        # ruleid: py-hardcoded-secret-argument
        password="pg_Passw0rd!",
    )


def connect_env():
    return psycopg2.connect(
        host="localhost",
        # ok: py-hardcoded-secret-argument
        password=os.environ["PGPASSWORD"],
    )


# ruleid: py-hardcoded-secret-argument
def send(message, api_token="xoxb-1234567890-abcdefghij"):
    return requests.post("https://slack.com/api/chat.postMessage", data={"token": api_token})


def s3():
    return boto3.client(
        "s3",
        # ruleid: py-hardcoded-aws-access-key
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
        # ruleid: py-hardcoded-secret-argument
        aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    )


def s3_env():
    # ok: py-hardcoded-aws-access-key, py-hardcoded-secret-argument
    return boto3.client("s3", aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"])
