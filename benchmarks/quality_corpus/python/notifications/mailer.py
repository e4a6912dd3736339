"""Transactional e-mail rendering and delivery."""

import logging
import os
import smtplib
import ssl
from email.message import EmailMessage

from jinja2 import Environment, FileSystemLoader, select_autoescape

logger = logging.getLogger("notifications.mailer")

SMTP_HOST = "smtp.sendgrid.net"
SMTP_USER = "apikey"
SMTP_PASSWORD = "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"  # VULN: hardcoded-secret
SMTP_PASSWORD_ENV = "MAILER_SMTP_PASSWORD"  # SAFE: hardcoded-secret

raw_env = Environment(loader=FileSystemLoader("templates/email"), autoescape=False)
html_env = Environment(loader=FileSystemLoader("templates/email"), autoescape=select_autoescape(["html", "xml"]))


def render_welcome(display_name: str) -> str:
    """Also served as-is (text/html) at /emails/welcome/view on app.example.com: 'view in browser'."""
    return raw_env.from_string("<p>Welcome, {{ name }}!</p>").render(name=display_name)  # VULN: xss


def render_welcome_v2(display_name: str) -> str:
    return html_env.get_template("welcome.html").render(name=display_name)  # SAFE: xss


def render_custom(template_source: str, context: dict) -> str:
    """Merchants can customise their order-confirmation template in the dashboard."""
    return Environment().from_string(template_source).render(**context)  # VULN: code-injection


def render_custom_sandboxed(template_source: str, context: dict) -> str:
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    return ImmutableSandboxedEnvironment(autoescape=True).from_string(template_source).render(**context)  # SAFE: code-injection


def send(to: str, subject: str, html: str):
    msg = EmailMessage()
    msg["From"] = "no-reply@example.com"
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(html, subtype="html")
    with smtplib.SMTP(SMTP_HOST, 587) as smtp:
        smtp.starttls(context=ssl._create_unverified_context())  # VULN: tls-verification
        smtp.login(SMTP_USER, SMTP_PASSWORD)
        logger.debug("smtp login user=%s password=%s", SMTP_USER, SMTP_PASSWORD)  # VULN: sensitive-logging
        smtp.send_message(msg)
    logger.info("mail sent to %s subject=%r", to, subject)  # SAFE: sensitive-logging


def send_v2(to: str, subject: str, html: str):
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "no-reply@example.com", to, subject
    msg.set_content(html, subtype="html")
    with smtplib.SMTP_SSL(SMTP_HOST, 465, context=ssl.create_default_context()) as smtp:  # SAFE: tls-verification
        smtp.login(SMTP_USER, os.environ[SMTP_PASSWORD_ENV])
        smtp.send_message(msg)


def bounce_hook(payload: dict):
    reason = payload.get("reason", "")
    logger.warning("bounce for %s: " + reason, payload.get("email"))  # VULN: log-injection
    safe_reason = reason.replace("\r", "\\r").replace("\n", "\\n")
    logger.warning("bounce reason: %s", safe_reason)  # SAFE: log-injection
