"""Django settings for the storefront project (deployed as-is to shop.example-retail.com)."""

from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = "django-insecure-7f$k2!v9q@x#1m3n8p0zr^t&w4y6u*e5a_b+c-d=h"  # VULN: hardcoded-secret

DEBUG = True  # VULN: debug-mode

ALLOWED_HOSTS = ["shop.example-retail.com", "www.example-retail.com"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "shop",
    "accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "config.urls"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "storefront",
        "USER": "storefront",
        "PASSWORD": "Tr0ub4dor&3-prod",  # VULN: hardcoded-secret
        "HOST": "db.internal.example-retail.com",
        "PORT": "5432",
    }
}

# Stripe publishable keys are meant to be embedded in the browser checkout page.
STRIPE_PUBLISHABLE_KEY = "pk_live_51HxQeLKz0aBcDeFgHiJkLmNoPqRsTuVwXyZ"  # SAFE: hardcoded-secret

PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

STATIC_URL = "/static/"
MEDIA_ROOT = BASE_DIR / "media"
