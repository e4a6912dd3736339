"""Production overrides, loaded with DJANGO_SETTINGS_MODULE=config.settings_production."""

import os

from .settings import *  # noqa: F401,F403

DEBUG = False  # SAFE: debug-mode

SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]  # SAFE: hardcoded-secret

DATABASES["default"]["PASSWORD"] = os.environ.get("DATABASE_PASSWORD", "")  # SAFE: hardcoded-secret

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "smtp.mailrelay.example-retail.com"
EMAIL_HOST_USER = "no-reply@example-retail.com"
EMAIL_HOST_PASSWORD = "Sm7p!relay-2023-Q4"  # VULN: hardcoded-secret
EMAIL_USE_TLS = True

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = True
SECURE_HSTS_SECONDS = 31536000

LOGGING = {
    "version": 1,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
}
