"""Embeddable help-centre widgets (Flask). Rendered inside customers' sites via <iframe>."""

import html
import json

from flask import Blueprint, Response, jsonify, make_response, render_template, request
from jinja2 import Template
from markupsafe import Markup, escape

from .kb import search_articles

bp = Blueprint("widgets", __name__, url_prefix="/widgets")


@bp.get("/search")
def search_widget():
    q = request.args.get("q", "")
    hits = search_articles(q)
    items = "".join(f"<li>{h.title}</li>" for h in hits)
    return make_response(f"<h3>Results for {q}</h3><ul>{items}</ul>")  # VULN: xss


@bp.get("/v2/search")
def search_widget_v2():
    q = request.args.get("q", "")
    return render_template("widgets/search.html", q=q, hits=search_articles(q))  # SAFE: xss


@bp.get("/greeting")
def greeting():
    visitor = request.args.get("visitor", "there")
    body = Template("<p>Hi {{ visitor }}, how can we help?</p>").render(visitor=visitor)
    return Response(body, mimetype="text/html")  # VULN: xss


@bp.get("/v2/greeting")
def greeting_v2():
    visitor = request.args.get("visitor", "there")
    body = Template("<p>Hi {{ visitor }}, how can we help?</p>", autoescape=True).render(visitor=visitor)
    return Response(body, mimetype="text/html")  # SAFE: xss


@bp.get("/chat")
def chat_frame():
    topic = request.args.get("topic", "general")
    config = json.dumps({"open": True, "agents": 3})
    return Response(f"<div id='chat'></div><script>startChat({config}, '{topic}');</script>", mimetype="text/html")  # VULN: xss


@bp.get("/announcement")
def announcement():
    text = request.args.get("last_search", "")
    banner = Markup("<div class='announce'>Still looking for <em>" + text + "</em>?</div>")  # VULN: xss
    return render_template("widgets/announce.html", banner=banner)


@bp.get("/v2/announcement")
def announcement_v2():
    text = request.args.get("last_search", "")
    banner = Markup("<div class='announce'>Still looking for <em>%s</em>?</div>") % text  # SAFE: xss
    return render_template("widgets/announce.html", banner=banner)


@bp.get("/title")
def title_attr():
    t = request.args.get("title", "")
    return f"<a href='/kb' title='{html.escape(t, quote=False)}'>Help</a>"  # VULN: xss


@bp.get("/v2/title")
def title_attr_v2():
    t = request.args.get("title", "")
    return f"<a href='/kb' title='{escape(t)}'>Help</a>"  # SAFE: xss


@bp.get("/status.json")
def status_json():
    return jsonify({"q": request.args.get("q", "")})  # SAFE: xss
