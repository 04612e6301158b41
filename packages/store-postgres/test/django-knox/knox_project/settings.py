"""Settings of the knox comparison project, all in code (database: PORTCULLIS_DJANGO_DB_URL). REST_KNOX is knox's
defaults, or with PORTCULLIS_KNOX_VARIANT=custom: a prefix, auto-refresh with a cap, a per-user limit and a user
serializer (the test configures Portcullis with the same values)."""
import os
from datetime import timedelta
from urllib.parse import unquote, urlsplit

_url = urlsplit(os.environ["PORTCULLIS_DJANGO_DB_URL"])

SECRET_KEY = "portcullis-knox-fixture-not-secret"
DEBUG = False
USE_TZ = True
TIME_ZONE = "UTC"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
ROOT_URLCONF = "knox_project.urls"
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
APPEND_SLASH = False

INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "rest_framework", "knox"]

REST_FRAMEWORK = {
    # knox's LoginView authenticates with these (HTTP Basic here).
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.BasicAuthentication"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}

if os.environ.get("PORTCULLIS_KNOX_VARIANT") == "custom":
    REST_KNOX = {
        "TOKEN_PREFIX": "kx_",
        "TOKEN_TTL": timedelta(hours=10),
        "AUTO_REFRESH": True,
        "AUTO_REFRESH_MAX_TTL": timedelta(hours=20),
        "MIN_REFRESH_INTERVAL": 60,
        "TOKEN_LIMIT_PER_USER": 3,
        "USER_SERIALIZER": "knox_project.urls.UserSerializer",
    }

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": _url.path.lstrip("/"),
        "USER": unquote(_url.username or ""),
        "PASSWORD": unquote(_url.password or ""),
        "HOST": _url.hostname or "127.0.0.1",
        "PORT": str(_url.port or 5432),
    }
}
