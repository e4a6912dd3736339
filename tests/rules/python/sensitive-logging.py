import logging
import os

import requests
from flask import Flask, current_app, request

app = Flask(__name__)
logger = logging.getLogger(__name__)
log = logging.getLogger("auth")


def login(username, password):
    # ruleid: py-sensitive-data-logged
    logger.debug("Login attempt user=%s password=%s", username, password)
    # ok: py-sensitive-data-logged
    logger.info("Password reset requested for %s", username)


def call_api(api_key, url):
    # ruleid: py-sensitive-data-logged
    logger.info(f"Calling {url} with key {api_key}")
    return requests.get(url, headers={"X-Api-Key": api_key}, timeout=5)


class OAuthClient:
    def __init__(self):
        self.logger = logging.getLogger(__name__)
        self.client_secret = os.environ["CLIENT_SECRET"]

    def refresh(self, refresh_token):
        # ruleid: py-sensitive-data-logged
        self.logger.info("Refreshing with token %s" % refresh_token)
        # ruleid: py-sensitive-data-logged
        self.logger.debug("client secret: {}".format(self.client_secret))


@app.route("/api/data")
def data():
    # ruleid: py-sensitive-data-logged, py-log-injection
    current_app.logger.info("Auth header: " + request.headers.get("Authorization"))
    # ruleid: py-sensitive-data-logged
    logging.warning("DB password is %s", os.environ["DB_PASSWORD"])
    return "ok"


def safe_logging(user, token, tokens_used):
    # ok: py-sensitive-data-logged
    logger.info("User %s logged in", user.id)
    # ok: py-sensitive-data-logged
    logger.info("Token expires at %s", user.token_expiry)
    # ok: py-sensitive-data-logged
    logger.info("Used %d tokens", tokens_used)
    # ok: py-sensitive-data-logged
    logger.debug("token ends with %s", token[-4:])
    # ok: py-sensitive-data-logged
    logger.info("password changed for %s", user.email)
    # ok: py-sensitive-data-logged
    print("token", token)


@app.route("/search")
def search():
    term = request.args.get("q", "")
    # ruleid: py-log-injection
    logger.info(f"search term: {term}")
    # ok: py-log-injection
    logger.info("search term: %s", term)
    return "ok"


@app.route("/login", methods=["POST"])
def login_view():
    username = request.form["username"]
    # ruleid: py-log-injection
    log.warning("failed login for %s" % username)
    cleaned = username.replace("\n", "").replace("\r", "")
    # ok: py-log-injection
    log.warning("failed login for %s" % cleaned)
    user_id = int(request.args["id"])
    # ok: py-log-injection
    log.info(f"lookup of user {user_id}")
    return "ok"


def handler(event, context):
    # ruleid: py-log-injection
    logger.info("received order " + event["queryStringParameters"]["order"])
    return {"statusCode": 200}
