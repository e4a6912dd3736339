import os
import sqlite3

from flask import (Flask, abort, g, redirect, render_template, render_template_string, request, send_file,
                   send_from_directory, url_for)
from markupsafe import Markup, escape

app = Flask(__name__)
app.config["DATABASE"] = os.environ.get("BLOG_DB", "/var/lib/blog/blog.sqlite3")
ATTACHMENT_DIR = "/var/lib/blog/attachments"


def get_db():
    if "db" not in g:
        g.db = sqlite3.connect(app.config["DATABASE"])
        g.db.row_factory = sqlite3.Row
    return g.db


@app.route("/posts")
def list_posts():
    tag = request.args.get("tag", "")
    rows = get_db().execute("SELECT id, title FROM posts WHERE tag = '" + tag + "' ORDER BY id DESC").fetchall()  # VULN: sql-injection
    return render_template("posts.html", posts=rows, tag=tag)


@app.route("/posts/<int:post_id>")
def show_post(post_id):
    row = get_db().execute("SELECT id, title, body FROM posts WHERE id = ?", (post_id,)).fetchone()  # SAFE: sql-injection
    if row is None:
        abort(404)
    return render_template("post.html", post=row)


@app.route("/greet")
def greet():
    name = request.args.get("name", "reader")
    page = f"<h1>Welcome back, {name}!</h1><p>{{{{ config.SITE_NAME }}}}</p>"
    return render_template_string(page)  # VULN: code-injection


@app.route("/hello")
def hello():
    name = request.args.get("name", "reader")
    return render_template_string("<h1>Hello {{ name }}</h1>", name=name)  # SAFE: code-injection


@app.route("/tag-title")
def tag_title():
    tag = request.args.get("tag", "")
    return f"<h1>Posts tagged {tag}</h1>"  # VULN: xss


@app.route("/tag-title-escaped")
def tag_title_escaped():
    tag = request.args.get("tag", "")
    return f"<h1>Posts tagged {escape(tag)}</h1>"  # SAFE: xss


@app.route("/comments/preview", methods=["POST"])
def preview_comment():
    comment = request.form.get("body", "")
    rendered = Markup(f"<div class='comment'>{comment}</div>")  # VULN: xss
    return render_template("preview.html", comment=rendered)


@app.route("/comments/quote", methods=["POST"])
def quote_comment():
    author = request.form.get("author", "anonymous")
    rendered = Markup("<blockquote>Quoted from <b>{}</b></blockquote>").format(author)  # SAFE: xss
    return render_template("preview.html", comment=rendered)


@app.route("/logout")
def logout():
    g.pop("user", None)
    return redirect(request.args.get("next") or "/")  # VULN: open-redirect


@app.route("/home")
def home():
    return redirect(url_for("list_posts"))  # SAFE: open-redirect


@app.route("/attachments/raw")
def attachment_raw():
    name = request.args["name"]
    return send_file(os.path.join(ATTACHMENT_DIR, name))  # VULN: path-traversal


@app.route("/attachments/<path:name>")
def attachment(name):
    return send_from_directory(ATTACHMENT_DIR, name)  # SAFE: path-traversal


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=8080, debug=True)  # VULN: debug-mode
