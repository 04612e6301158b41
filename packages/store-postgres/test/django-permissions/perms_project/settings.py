"""Settings of the permission parity project, all in code (database: PORTCULLIS_DJANGO_DB_URL)."""
import os
from urllib.parse import unquote, urlsplit

_url = urlsplit(os.environ["PORTCULLIS_DJANGO_DB_URL"])

SECRET_KEY = "portcullis-permissions-fixture-not-secret"
DEBUG = False
USE_TZ = True
TIME_ZONE = "UTC"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
ROOT_URLCONF = "perms_project.urls"
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
APPEND_SLASH = False

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "rest_framework",
    "rest_framework.authtoken",
    "blog",
]

# Django's ModelBackend for model permissions, and a backend reading guardian's two tables for object permissions
# (what guardian.backends.ObjectPermissionBackend answers).
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend", "blog.backends.ObjectPermissionBackend"]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
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
