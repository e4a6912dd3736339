"""Twelve-factor settings for the API service, read with django-environ."""

import environ

env = environ.Env(DEBUG=(bool, False))
environ.Env.read_env()

DEBUG = env("DEBUG")  # SAFE: debug-mode
SECRET_KEY = env("SECRET_KEY")  # SAFE: hardcoded-secret
DATABASES = {"default": env.db("DATABASE_URL")}
CACHES = {"default": env.cache("REDIS_URL")}

SENTRY_DSN = env("SENTRY_DSN", default="")
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY")
PASSWORD_RESET_URL_TEMPLATE = "https://app.example.com/reset/{token}"  # SAFE: hardcoded-secret

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["api.example.com"])
CSRF_TRUSTED_ORIGINS = ["https://app.example.com"]

API_KEY_HEADER = "HTTP_X_API_KEY"  # SAFE: hardcoded-secret
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "pythonjsonlogger.jsonlogger.JsonFormatter"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["stdout"], "level": env("LOG_LEVEL", default="INFO")},
}
