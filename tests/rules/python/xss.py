import html

import jinja2
from django.http import HttpResponse, JsonResponse
from django.template import Template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from flask import Flask, make_response, render_template, render_template_string, request, jsonify
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

app = Flask(__name__)


@app.route("/hello")
def hello():
    name = request.args.get("name", "world")
    # ruleid: py-xss-taint
    return f"<h1>Hello {name}!</h1>"


@app.route("/search")
def search():
    q = request.args["q"]
    # ruleid: py-xss-taint
    body = "<p>No results for " + q + "</p>"
    return make_response(body, 404)


@app.route("/comment", methods=["POST"])
def comment():
    text = request.form["text"]
    # ruleid: py-xss-taint, py-xss-mark-safe-formatted
    return render_template("comment.html", comment=Markup("<div class='c'>%s</div>" % text))


def greet(request):
    user = request.GET.get("user", "")
    # ruleid: py-xss-taint
    return HttpResponse("Hello, " + user)


def bio(request):
    bio_html = request.POST["bio"]
    # ruleid: py-xss-taint
    return render(request, "bio.html", {"bio": mark_safe(bio_html)})


def badge(request):
    label = request.GET["label"]
    # ruleid: py-xss-taint
    return format_html(f"<span class='badge'>{label}</span>")


@app.route("/tpl")
def tpl():
    name = request.args.get("name")
    # ruleid: py-xss-taint
    template = "<h1>Hello " + name + "</h1>"
    # ruleid: py-ssti-taint
    return render_template_string(template)


def render_snippet(request):
    # ruleid: py-ssti-taint
    t = Template(request.POST["snippet"])
    # ruleid: py-ssti-taint
    jt = jinja2.Template("Dear " + request.POST["name"])
    # ruleid: py-xss-taint
    return HttpResponse(t.render(Context({})) + jt.render())


# ruleid: py-jinja2-autoescape-disabled
env = Environment(loader=FileSystemLoader("templates"), autoescape=False)
# ruleid: py-jinja2-autoescape-default
env2 = jinja2.Environment(loader=FileSystemLoader("templates"))


def user_link(user):
    # ruleid: py-xss-mark-safe-formatted
    return mark_safe(f'<a href="/u/{user.id}">{user.name}</a>')


def row(cells):
    # ruleid: py-xss-mark-safe-formatted
    return mark_safe("<tr>" + "".join(cells) + "</tr>")


# ---------------------------------------------------------------- safe code


@app.route("/hello/safe")
def hello_safe():
    name = request.args.get("name", "world")
    # ok: py-xss-taint
    a = f"<h1>Hello {html.escape(name)}!</h1>"
    # ok: py-xss-taint
    b = render_template("hello.html", name=name)
    # ok: py-xss-taint, py-ssti-taint
    c = render_template_string("<h1>Hello {{ name }}</h1>", name=name)
    # ok: py-xss-taint
    d = jsonify({"html": f"<b>{name}</b>"})
    # ok: py-xss-taint
    return Markup("<b>{}</b>").format(name)


def greet_safe(request):
    user = request.GET.get("user", "")
    # ok: py-xss-taint
    r1 = HttpResponse("Hello, " + escape(user))
    # ok: py-xss-taint
    r2 = HttpResponse(json.dumps({"user": user}), content_type="application/json")
    # ok: py-xss-taint, py-xss-mark-safe-formatted
    r3 = format_html("<span class='badge'>{}</span>", user)
    # ok: py-xss-taint
    r4 = HttpResponse(f"user={user}", content_type="text/plain")
    return r1, r2, r3, r4


def static_html():
    # ok: py-xss-mark-safe-formatted
    a = mark_safe("<br>")
    # ok: py-xss-mark-safe-formatted
    b = mark_safe("<b>%s</b>" % escape(value))
    # ok: py-xss-mark-safe-formatted
    c = mark_safe(f"<i>{escape(value)}</i>")
    return a, b, c


# ok: py-jinja2-autoescape-disabled, py-jinja2-autoescape-default
env3 = Environment(loader=FileSystemLoader("templates"), autoescape=select_autoescape(["html", "xml"]))
# ok: py-jinja2-autoescape-disabled, py-jinja2-autoescape-default
env4 = jinja2.Environment(autoescape=True)
