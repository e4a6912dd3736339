"""Application factory used by gunicorn: `gunicorn 'blog.factory:create_app()'`."""

import os

from flask import Flask, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()


def create_app(testing=False):
    app = Flask(__name__)
    app.config["SECRET_KEY"] = os.environ["BLOG_SECRET_KEY"]  # SAFE: hardcoded-secret
    app.config["SESSION_COOKIE_SECURE"] = True
    csrf.init_app(app)  # SAFE: csrf
    register_routes(app)
    return app


def register_routes(app):
    @app.route("/settings/newsletter", methods=["POST"])
    @csrf.exempt  # VULN: csrf
    def toggle_newsletter():
        if "user_id" not in session:
            return redirect(url_for("login"))
        enabled = request.form.get("enabled") == "1"
        app.extensions["users"].set_newsletter(session["user_id"], enabled)
        return redirect(url_for("settings_page"))

    @app.route("/settings")
    def settings_page():
        return render_template("settings.html")


def create_admin_app():
    admin = Flask("blog_admin")
    admin.config["SECRET_KEY"] = "admin-s3cret-key-do-not-share"  # VULN: hardcoded-secret
    admin.config["WTF_CSRF_ENABLED"] = False  # VULN: csrf
    csrf.init_app(admin)
    register_routes(admin)
    return admin


if __name__ == "__main__":
    create_app().run(host="127.0.0.1", port=5000, debug=False)  # SAFE: debug-mode
