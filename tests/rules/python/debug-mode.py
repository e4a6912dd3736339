import os
from pathlib import Path

from flask import Flask
from werkzeug.debug import DebuggedApplication
from werkzeug.serving import run_simple

BASE_DIR = Path(__file__).resolve().parent.parent

# ruleid: py-django-debug-enabled
DEBUG = True

# ruleid: py-django-allowed-hosts-wildcard
ALLOWED_HOSTS = ["*"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
]

ROOT_URLCONF = "mysite.urls"

app = Flask(__name__)


class DevConfig:
    # ok: py-django-debug-enabled
    DEBUG = True


def configure(env):
    # ok: py-django-debug-enabled
    DEBUG = True
    return DEBUG


def make_app():
    application = Flask(__name__)
    # ruleid: py-flask-debug-enabled
    application.debug = True
    return application


def wsgi():
    # ruleid: py-werkzeug-debugger-enabled
    return DebuggedApplication(app, evalex=True)


def serve():
    # ruleid: py-werkzeug-debugger-enabled
    run_simple("0.0.0.0", 5000, app, use_reloader=True, use_debugger=True)


if __name__ == "__main__":
    # ruleid: py-flask-debug-enabled
    app.run(host="0.0.0.0", port=5000, debug=True)


def main_ok():
    # ok: py-flask-debug-enabled
    app.run(host="127.0.0.1", debug=os.environ.get("FLASK_DEBUG") == "1")


def main_ok2():
    # ok: py-flask-debug-enabled
    app.run(debug=False)
