from django.http import HttpResponseRedirect
from django.shortcuts import redirect as dj_redirect
from django.utils.http import url_has_allowed_host_and_scheme
from fastapi.responses import RedirectResponse
from flask import Flask, redirect, request, url_for

app = Flask(__name__)


@app.route("/login", methods=["POST"])
def login():
    next_url = request.args.get("next")
    # ruleid: py-open-redirect-taint
    return redirect(next_url)


@app.route("/go")
def go():
    # ruleid: py-open-redirect-taint
    return redirect(request.values["to"], code=302)


@app.route("/out")
def out():
    target = request.args.get("url", "/")
    resp = app.make_response("")
    # ruleid: py-open-redirect-taint
    resp.headers["Location"] = target
    return resp, 302


def logout_view(request):
    nxt = request.GET.get("next", "/")
    # ruleid: py-open-redirect-taint
    return HttpResponseRedirect(nxt)


def switch_lang(request):
    # ruleid: py-open-redirect-taint
    return dj_redirect(request.POST["return_to"])


def prefix_only(request):
    dest = request.GET["dest"]
    # ruleid: py-open-redirect-taint
    return HttpResponseRedirect("/" + dest)


@app.get("/callback")
async def callback(redirect_uri: str):
    # ruleid: py-open-redirect-taint
    return RedirectResponse(redirect_uri)


# ---------------------------------------------------------------- safe code


@app.route("/login/safe", methods=["POST"])
def login_safe():
    next_url = request.args.get("next")
    if not next_url or not url_has_allowed_host_and_scheme(next_url, allowed_hosts={"example.com"}):
        next_url = url_for("index")
        return redirect(next_url)
    # ok: py-open-redirect-taint
    return redirect(next_url)


@app.route("/profile")
def profile():
    uid = request.args["uid"]
    # ok: py-open-redirect-taint
    return redirect(url_for("user_page", uid=uid))


@app.route("/user")
def user():
    uid = request.args["uid"]
    # ok: py-open-redirect-taint
    return redirect(f"/users/{uid}")


def logout_safe(request):
    nxt = request.GET.get("next", "/")
    if url_has_allowed_host_and_scheme(url=nxt, allowed_hosts={request.get_host()}):
        # ok: py-open-redirect-taint
        return HttpResponseRedirect(nxt)
    # ok: py-open-redirect-taint
    return HttpResponseRedirect("/")


ALLOWED_REDIRECTS = {"/home", "/dashboard"}


def pick(request):
    dest = request.GET.get("dest")
    if dest in ALLOWED_REDIRECTS:
        # ok: py-open-redirect-taint
        return dj_redirect(dest)
    # ok: py-open-redirect-taint
    return dj_redirect("home")


class AuthorizeHandler:
    async def handle(self, request):
        params = request.query_params
        client = await self.get_client(params["client_id"])
        redirect_uri = client.validate_redirect_uri(params["redirect_uri"])
        # ok: py-open-redirect-taint
        return RedirectResponse(url=redirect_uri)
