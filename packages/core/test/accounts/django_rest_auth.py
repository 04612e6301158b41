"""dj-rest-auth 7 on Django (modern stack), driven by Django's test client with CSRF checks enforced.

Input (stdin, JSON): {"mode": "token" | "session" | "jwt", "secret", "user": {...}, "steps": [step]}, where a step
is {"method", "path", "body"?, "cookies": bool, "csrf": bool, "auth"?: "token" | "bearer"}. "$uid" / "$token" in a
body stand for the last reset e-mail's. Output: {"answers": [{"status", "body", "cookies": [Set-Cookie]}],
"user": the user's row after the steps (pk, password, last_login epoch ms, email), "mail": [[uid, token]],
"initialPassword": the hash before the steps, "cookies": the client's cookies after them}. "cookies" in the input
are set before the first step.
"""
import json
import sys
import types

data = json.load(sys.stdin)
mode = data["mode"]

import django
from django.conf import settings

REST_AUTH = {
    "token": {"SESSION_LOGIN": False},
    "session": {"SESSION_LOGIN": True, "TOKEN_MODEL": None},
    "jwt": {
        "USE_JWT": True, "SESSION_LOGIN": False, "JWT_AUTH_COOKIE": "my-app-auth", "JWT_AUTH_REFRESH_COOKIE": "my-refresh-token",
        "JWT_AUTH_COOKIE_USE_CSRF": True, "JWT_AUTH_RETURN_EXPIRATION": True,
    },
}[mode]
AUTH_CLASSES = {
    "token": ["rest_framework.authentication.TokenAuthentication"],
    "session": ["rest_framework.authentication.SessionAuthentication"],
    "jwt": ["dj_rest_auth.jwt_auth.JWTCookieAuthentication"],
}[mode]

# "databaseUrl" (postgres://user:password@host:port/name): that PostgreSQL database, shared with Portcullis in Django
# mode; "fresh": false keeps the user row as it is (default: the user is deleted and created again).
DATABASE = {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
if data.get("databaseUrl"):
    from urllib.parse import unquote, urlsplit

    _url = urlsplit(data["databaseUrl"])
    DATABASE = {
        "ENGINE": "django.db.backends.postgresql", "NAME": _url.path.lstrip("/"), "USER": unquote(_url.username or ""),
        "PASSWORD": unquote(_url.password or ""), "HOST": _url.hostname or "127.0.0.1", "PORT": str(_url.port or 5432),
    }

# "useTz" / "timeZone": USE_TZ and TIME_ZONE (default True / "UTC"); TZ is set as Django's own settings module does,
# so datetime.now() is TIME_ZONE's wall clock.
import os
import time

os.environ["TZ"] = data.get("timeZone", "UTC")
time.tzset()

urls = types.ModuleType("rest_auth_urls")
sys.modules["rest_auth_urls"] = urls
settings.configure(
    SECRET_KEY=data["secret"],
    DEBUG=False,
    ALLOWED_HOSTS=["testserver"],
    ROOT_URLCONF="rest_auth_urls",
    USE_TZ=data.get("useTz", True),
    TIME_ZONE=data.get("timeZone", "UTC"),
    DATABASES={"default": DATABASE},
    INSTALLED_APPS=[
        "django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions", "rest_framework",
        "rest_framework.authtoken", "rest_framework_simplejwt.token_blacklist", "dj_rest_auth",
    ],
    MIDDLEWARE=[
        "django.contrib.sessions.middleware.SessionMiddleware", "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
    ],
    TEMPLATES=[{
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "OPTIONS": {"loaders": [("django.template.loaders.locmem.Loader", {
            "registration/password_reset_subject.txt": "reset",
            "registration/password_reset_email.html": "{{ uid }} {{ token }}",
        })]},
    }],
    EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    REST_FRAMEWORK={"DEFAULT_AUTHENTICATION_CLASSES": AUTH_CLASSES},
    REST_AUTH=REST_AUTH,
    SIMPLE_JWT={"ROTATE_REFRESH_TOKENS": True, "BLACKLIST_AFTER_ROTATION": True},
    PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"],
    AUTH_PASSWORD_VALIDATORS=[
        {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
        {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
        {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
        {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    ],
)
django.setup()

from django.urls import include, path

urls.urlpatterns = [path("auth/", include("dj_rest_auth.urls"))]

from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.test import Client

call_command("migrate", verbosity=0)
u = data["user"]
if data.get("fresh", True):
    User.objects.filter(pk=int(u["id"])).delete()
    user = User.objects.create_user(id=int(u["id"]), username=u["username"], password=u["password"], email=u["email"], first_name=u["firstName"], last_name=u["lastName"])
else:
    user = User.objects.get(pk=int(u["id"]))
if u.get("passwordHash"):
    User.objects.filter(pk=user.pk).update(password=u["passwordHash"])
initial_password = User.objects.get(pk=user.pk).password

client = Client(enforce_csrf_checks=True)
for name, value in data.get("cookies", {}).items():
    client.cookies[name] = value
answers, mails, state = [], [], {}
for step in data["steps"]:
    body = json.dumps(step.get("body", {}))
    if mails:
        body = body.replace("$uid", mails[-1][0]).replace("$token", mails[-1][1])
    if not step.get("cookies", True):
        saved, client.cookies = client.cookies, type(client.cookies)()
    extra = {}
    if step.get("csrf"):
        client.cookies["csrftoken"] = client.cookies["csrftoken"].value if "csrftoken" in client.cookies else data["csrfSecret"]
        extra["HTTP_X_CSRFTOKEN"] = client.cookies["csrftoken"].value
    if step.get("auth") == "token":
        extra["HTTP_AUTHORIZATION"] = f"Token {state.get('key', 'missing')}"
    method = getattr(client, step["method"].lower())
    if step["method"] in ("GET", "HEAD", "DELETE"):
        response = method(step["path"], **extra)
    else:
        response = method(step["path"], data=body, content_type="application/json", **extra)
    if not step.get("cookies", True):
        client.cookies = saved
    # As a browser does: a cookie deleted by the response (Max-Age=0) is not sent again.
    for name, morsel in response.cookies.items():
        if str(morsel["max-age"]) == "0" and name in client.cookies:
            del client.cookies[name]
    text = response.content.decode()
    parsed = json.loads(text) if text else None
    if isinstance(parsed, dict) and "key" in parsed:
        state["key"] = parsed["key"]
    answers.append({"status": response.status_code, "body": parsed, "cookies": [m.OutputString() for m in response.cookies.values()],
                    "challenge": response.get("WWW-Authenticate")})
    for message in getattr(mail, "outbox", [])[len(mails):]:
        mails.append(message.body.split())
user.refresh_from_db()
print(json.dumps({"answers": answers, "mail": mails, "initialPassword": initial_password, "cookies": {k: m.value for k, m in client.cookies.items()}, "user": {
    "id": str(user.pk), "password": user.password, "email": user.email,
    "lastLogin": None if user.last_login is None else int(user.last_login.timestamp() * 1000),  # naive: TZ's wall clock
}}))
