"""Settings of the fixture Django project, all in code. The database is PORTCULLIS_DJANGO_DB_URL
(postgres://user:password@host:port/name). To test another Django app against Portcullis (sessions, simplejwt's
token blacklist), append it to INSTALLED_APPS; `manage.py migrate` then creates its tables too."""
import os
from urllib.parse import unquote, urlsplit

_url = urlsplit(os.environ["PORTCULLIS_DJANGO_DB_URL"])

SECRET_KEY = "portcullis-test-fixture-not-secret"
DEBUG = False
USE_TZ = True
TIME_ZONE = "UTC"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "rest_framework",
    "rest_framework.authtoken",
    "rest_framework_simplejwt.token_blacklist",
]

# The views of the end-to-end tests (urls.py): Django's own session login/logout, DRF views behind
# SessionAuthentication and simplejwt's JWTAuthentication, simplejwt's obtain/refresh/blacklist views.
ROOT_URLCONF = "portcullis_fixture.urls"
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
SESSION_ENGINE = "django.contrib.sessions.backends.db"
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework_simplejwt.authentication.JWTAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
}
SIMPLE_JWT = {
    "SIGNING_KEY": "portcullis-test-fixture-jwt-signing-key-not-secret-0123456789abcdef",
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
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

# PORTCULLIS_DJANGO_HASHERS: the project's PASSWORD_HASHERS by algorithm name, preferred first (e.g.
# "argon2,pbkdf2_sha256"); unset, Django's default list.
_HASHER_CLASSES = {
    "pbkdf2_sha256": "PBKDF2PasswordHasher",
    "pbkdf2_sha1": "PBKDF2SHA1PasswordHasher",
    "argon2": "Argon2PasswordHasher",
    "bcrypt_sha256": "BCryptSHA256PasswordHasher",
    "bcrypt": "BCryptPasswordHasher",
    "scrypt": "ScryptPasswordHasher",
}
if os.environ.get("PORTCULLIS_DJANGO_HASHERS"):
    PASSWORD_HASHERS = [
        "django.contrib.auth.hashers." + _HASHER_CLASSES[name] for name in os.environ["PORTCULLIS_DJANGO_HASHERS"].split(",")
    ]
