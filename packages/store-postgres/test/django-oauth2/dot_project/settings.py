"""Settings of the django-oauth-toolkit fixture project: DOT's provider (token and introspection endpoints) and DRF
views behind OAuth2Authentication with DOT's permissions. The database is PORTCULLIS_DJANGO_DB_URL."""
import os
from urllib.parse import unquote, urlsplit

_url = urlsplit(os.environ["PORTCULLIS_DJANGO_DB_URL"])

SECRET_KEY = "portcullis-dot-fixture-not-secret"
DEBUG = False
USE_TZ = True
TIME_ZONE = "UTC"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "oauth2_provider",
    "rest_framework",
]
ROOT_URLCONF = "dot_project.urls"
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["oauth2_provider.contrib.rest_framework.OAuth2Authentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
OAUTH2_PROVIDER = {
    "SCOPES": {
        "read": "Read", "write": "Write", "music": "Music", "admin": "Admin",
        "songs:read": "Read songs", "songs:write": "Write songs", "introspection": "Introspect tokens",
    },
    "ERROR_RESPONSE_WITH_SCOPES": os.environ.get("PORTCULLIS_DOT_ERROR_WITH_SCOPES") == "1",
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
