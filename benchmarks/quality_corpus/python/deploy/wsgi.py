"""WSGI/ASGI entry points used by the production containers (see deploy/Dockerfile: gunicorn deploy.wsgi:application)."""

import os

from flask import Flask
from starlette.applications import Starlette
from starlette.routing import Route
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.serving import run_simple

from blog.factory import create_app
from reports.api import bp as reports_bp

public_app = create_app()

reports_app = Flask("reports")
reports_app.register_blueprint(reports_bp)
reports_app.debug = True  # VULN: debug-mode

admin_app = Flask("admin")
admin_app.config["DEBUG"] = True  # VULN: debug-mode

status_app = Flask("status")
status_app.config["DEBUG"] = os.environ.get("STATUS_DEBUG", "0") == "1"  # SAFE: debug-mode

application = DispatcherMiddleware(public_app, {"/reports": reports_app, "/admin": admin_app, "/status": status_app})


async def healthz(request):
    from starlette.responses import PlainTextResponse

    return PlainTextResponse("ok")


events_app = Starlette(debug=True, routes=[Route("/healthz", healthz)])  # VULN: debug-mode
metrics_app = Starlette(debug=False, routes=[Route("/healthz", healthz)])  # SAFE: debug-mode


if __name__ == "__main__":
    if os.environ.get("LOCAL_DEV") == "1":
        run_simple("127.0.0.1", 5000, application, use_reloader=True, use_debugger=False)  # SAFE: debug-mode
    else:
        run_simple("0.0.0.0", 8080, application, use_debugger=True)  # VULN: debug-mode
