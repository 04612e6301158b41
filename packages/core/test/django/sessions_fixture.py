"""Makes Django sessions and CSRF tokens with REAL Django (run by /usr/bin/python3) for Portcullis's tests.

Mode "make" (default): prints JSON with users, django_session rows (database backend, read back from SQLite),
signed_cookies session cookies and get_token() results. Mode "check": reads JSON cases from stdin and runs
Django's CsrfViewMiddleware on a RequestFactory request for each, printing the outcome.
"""
import json
import os
import sqlite3
import sys
import tempfile

import django
from django.conf import settings

SECRET_KEY = "portcullis-test-secret-key-not-for-production-0123456789"
OLD_SECRET_KEY = "portcullis-old-secret-key-rotated-away-9876543210"
tmp = tempfile.mkdtemp(prefix="portcullis-django-")
settings.configure(
    SECRET_KEY=SECRET_KEY,
    DEBUG=False,
    ALLOWED_HOSTS=["app.test", "testserver"],
    INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.path.join(tmp, "db.sqlite3")}},
    PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"],
    USE_TZ=True,
    CSRF_TRUSTED_ORIGINS=["https://app.test"],
)
django.setup()

from django.contrib.auth import login  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.contrib.sessions.middleware import SessionMiddleware  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.middleware.csrf import CsrfViewMiddleware, get_token  # noqa: E402
from django.test import RequestFactory, override_settings  # noqa: E402

factory = RequestFactory()


def logged_in(user, engine):
    """Logs `user` in through Django's own login() on a request, and answers the session cookie's value."""
    with override_settings(SESSION_ENGINE=engine):
        request = factory.get("/")
        middleware = SessionMiddleware(lambda r: HttpResponse("ok"))
        middleware.process_request(request)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        response = middleware.process_response(request, HttpResponse("ok"))
        return response.cookies[settings.SESSION_COOKIE_NAME].value


def make():
    call_command("migrate", verbosity=0)
    alice = User.objects.create_user("alice", password="pw-alice")
    bob = User.objects.create_user("bob", password="pw-bob")
    carol = User.objects.create_user("carol", password="pw-carol")
    db_engine, cookie_engine = "django.contrib.sessions.backends.db", "django.contrib.sessions.backends.signed_cookies"
    keys = {
        "alice_db": logged_in(alice, db_engine),
        "bob_db": logged_in(bob, db_engine),
        "carol_db": logged_in(carol, db_engine),
        "alice_cookie": logged_in(alice, cookie_engine),
        "bob_cookie": logged_in(bob, cookie_engine),
    }
    with override_settings(SECRET_KEY=OLD_SECRET_KEY):
        keys["alice_old_key_db"] = logged_in(alice, db_engine)
        keys["alice_old_key_cookie"] = logged_in(alice, cookie_engine)
    # bob changes his password afterwards; carol is deactivated.
    bob.set_password("pw-bob-2")
    bob.save()
    carol.is_active = False
    carol.save()
    request = factory.get("/")
    CsrfViewMiddleware(lambda r: HttpResponse()).process_request(request)
    token = get_token(request)
    db = sqlite3.connect(settings.DATABASES["default"]["NAME"])
    rows = dict(db.execute("SELECT session_key, session_data FROM django_session").fetchall())
    users = [
        {"id": str(u.pk), "username": u.username, "password": u.password, "is_active": u.is_active, "is_staff": u.is_staff}
        for u in User.objects.order_by("pk")
    ]
    print(json.dumps({
        "django": django.get_version(),
        "secretKey": SECRET_KEY,
        "oldSecretKey": OLD_SECRET_KEY,
        "users": users,
        "sessionKeys": keys,
        "sessionRows": rows,
        "csrf": {"cookie": request.META["CSRF_COOKIE"], "token": token},
    }))


def check():
    """Runs CsrfViewMiddleware.process_view on each case: {method, url, headers, cookie, token, form}."""
    results = []
    for case in json.load(sys.stdin):
        secure = case["url"].startswith("https://")
        extra = {"HTTP_HOST": "app.test", "wsgi.url_scheme": "https" if secure else "http"}
        extra["HTTP_COOKIE"] = "csrftoken=" + case["cookie"]
        if case.get("header") is not None:
            extra["HTTP_X_CSRFTOKEN"] = case["header"]
        if case.get("origin") is not None:
            extra["HTTP_ORIGIN"] = case["origin"]
        if case.get("referer") is not None:
            extra["HTTP_REFERER"] = case["referer"]
        data = {"csrfmiddlewaretoken": case["form"]} if case.get("form") is not None else {}
        request = factory.post("/", data=data, secure=secure, **extra)
        middleware = CsrfViewMiddleware(lambda r: HttpResponse())
        middleware.process_request(request)
        response = middleware.process_view(request, lambda r: HttpResponse(), (), {})
        results.append("accepted" if response is None else "rejected %d" % response.status_code)
    print(json.dumps(results))


if __name__ == "__main__":
    check() if sys.argv[1:] == ["check"] else make()
