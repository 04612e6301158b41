"""Runs requests through real DRF's obtain_auth_token view and prints what it answers, as JSON.

Input (stdin): {"users": [{"username", "password", "is_active"}], "requests": [{"method", "content_type" | null,
"body_b64", "authorization" | null}]}. Output (stdout): [{"status", "body", "allow"}]. Django settings live here, in
code: an in-memory SQLite database and DRF's default authentication classes. Run with /usr/bin/python3.
"""
import base64
import json
import sys

import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="portcullis-parity",
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes", "rest_framework", "rest_framework.authtoken"],
    PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    USE_TZ=True,
)
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from rest_framework.authtoken.views import obtain_auth_token  # noqa: E402

call_command("migrate", verbosity=0)
spec = json.load(sys.stdin)
for u in spec["users"]:
    get_user_model().objects.create_user(u["username"], password=u["password"], is_active=u.get("is_active", True))

factory = RequestFactory()
answers = []
for r in spec["requests"]:
    extra = {}
    if r.get("authorization") is not None:
        extra["HTTP_AUTHORIZATION"] = r["authorization"]
    body = base64.b64decode(r["body_b64"])
    request = factory.generic(r["method"], "/api-token-auth/", data=body, content_type=r.get("content_type") or "", **extra)
    if r.get("content_type") is None:
        request.META.pop("CONTENT_TYPE", None)
    response = obtain_auth_token(request)
    response.render()
    answers.append({"status": response.status_code, "body": json.loads(response.content or b"null"), "allow": response.get("Allow")})
json.dump(answers, sys.stdout)
