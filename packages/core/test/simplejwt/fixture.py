"""Real djangorestframework-simplejwt (Django + DRF + simplejwt, run by /usr/bin/python3), driven by JSON on stdin.

Input: {"settings": {SIMPLE_JWT overrides; lifetimes in seconds}, "secret_key": str, "users": [{"id", "username",
"password", "is_active"}], "actions": [...]}. Output: one JSON list, one result per action. Actions:
  {"do": "mint", "kind": "access|refresh|sliding|refresh_access", "user": id, "user_id_as_string": bool,
   "exp_offset": seconds (optional, shifts exp), "drop": [claims], "set": {claim: value}, "blacklist": bool}
  {"do": "request", "view": "auth|auth_stateless|obtain|refresh|verify|blacklist|obtain_sliding|refresh_sliding",
   "authorization": str|null, "body": json}      -> {"status", "headers", "body"}
  {"do": "access_token", "token": str}          -> {"ok": bool, "payload"|"error"}
  {"do": "blacklist_rows"}                       -> the two blacklist tables, as rows
"{{n}}" in an action's strings is replaced by the token that action n minted.
Everything runs in one process against a SQLite database in a temporary directory.
"""
import json
import os
import sys
import tempfile
from datetime import timedelta

INPUT = json.load(sys.stdin)
TMP = tempfile.mkdtemp(prefix="portcullis-simplejwt-")

LIFETIMES = ("ACCESS_TOKEN_LIFETIME", "REFRESH_TOKEN_LIFETIME", "SLIDING_TOKEN_LIFETIME", "SLIDING_TOKEN_REFRESH_LIFETIME")
simple_jwt = dict(INPUT.get("settings", {}))
for name in LIFETIMES:
    if name in simple_jwt:
        simple_jwt[name] = timedelta(seconds=simple_jwt[name])
for name in ("AUTH_HEADER_TYPES", "AUTH_TOKEN_CLASSES"):
    if name in simple_jwt:
        simple_jwt[name] = tuple(simple_jwt[name])

from django.conf import settings  # noqa: E402

settings.configure(
    SECRET_KEY=INPUT["secret_key"],
    DEBUG=False,
    USE_TZ=True,
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.path.join(TMP, "db.sqlite3")}},
    INSTALLED_APPS=[
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "rest_framework",
        "rest_framework_simplejwt.token_blacklist",
    ],
    PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    REST_FRAMEWORK={"UNAUTHENTICATED_USER": None},
    SIMPLE_JWT=simple_jwt,
)

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import path  # noqa: E402
from rest_framework.permissions import IsAuthenticated  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework.views import APIView  # noqa: E402
from rest_framework_simplejwt import views  # noqa: E402
from rest_framework_simplejwt.authentication import JWTAuthentication, JWTStatelessUserAuthentication  # noqa: E402
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken  # noqa: E402
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken, SlidingToken, TokenError  # noqa: E402


class Me(APIView):
    authentication_classes = [JWTAuthentication]
    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response({"id": str(request.user.pk), "username": request.user.username})


class MeStateless(Me):
    authentication_classes = [JWTStatelessUserAuthentication]


urlpatterns = [
    path("auth", Me.as_view()),
    path("auth_stateless", MeStateless.as_view()),
    path("obtain", views.TokenObtainPairView.as_view()),
    path("refresh", views.TokenRefreshView.as_view()),
    path("verify", views.TokenVerifyView.as_view()),
    path("blacklist", views.TokenBlacklistView.as_view()),
    path("obtain_sliding", views.TokenObtainSlidingView.as_view()),
    path("refresh_sliding", views.TokenRefreshSlidingView.as_view()),
]

call_command("migrate", verbosity=0, interactive=False)
for spec in INPUT.get("users", []):
    user = User(id=spec["id"], username=spec["username"], is_active=spec.get("is_active", True))
    user.set_password(spec.get("password", "pw"))
    user.save()

CLASSES = {"access": AccessToken, "sliding": SlidingToken}


def mint(action):
    user = User.objects.get(id=action["user"])
    kind = action["kind"]
    if kind in ("refresh", "refresh_access"):
        token = RefreshToken.for_user(user)
        if action.get("blacklist"):
            token.blacklist()
        if kind == "refresh_access":
            token = token.access_token
    else:
        token = CLASSES[kind].for_user(user)
    if action.get("user_id_as_string"):
        token["user_id"] = str(token["user_id"])
    if "exp_offset" in action:
        token["exp"] = token["exp"] + action["exp_offset"]
    for claim in action.get("drop", []):
        del token[claim]
    for claim, value in action.get("set", {}).items():
        token[claim] = value
    return {"token": str(token), "payload": token.payload}


def request(action):
    client = Client()
    extra = {}
    if action.get("authorization") is not None:
        extra["HTTP_AUTHORIZATION"] = action["authorization"]
    url = "/" + action["view"]
    if "body" in action:
        response = client.post(url, data=json.dumps(action["body"]), content_type="application/json", **extra)
    else:
        response = client.get(url, **extra)
    body = response.content.decode("utf-8")
    try:
        body = json.loads(body)
    except ValueError:
        pass
    wanted = {"www-authenticate", "allow"} if response.status_code == 405 else {"www-authenticate"}
    headers = {name.lower(): value for name, value in response.items() if name.lower() in wanted}
    return {"status": response.status_code, "headers": headers, "body": body}


def access_token(action):
    try:
        return {"ok": True, "payload": AccessToken(action["token"]).payload}
    except TokenError as error:
        return {"ok": False, "error": str(error.args[0])}


def blacklist_rows(_action):
    outstanding = [
        {"jti": row.jti, "user_id": row.user_id, "expires_at": row.expires_at.timestamp()}
        for row in OutstandingToken.objects.all()
    ]
    blacklisted = [row.token.jti for row in BlacklistedToken.objects.all()]
    return {"outstanding": outstanding, "blacklisted": blacklisted}


def substitute(value):
    """Replaces "{{n}}" in strings with the token of result n (so requests can use tokens minted earlier)."""
    if isinstance(value, str):
        for index, result in enumerate(results):
            if isinstance(result, dict) and "token" in result:
                value = value.replace("{{%d}}" % index, result["token"])
        return value
    if isinstance(value, dict):
        return {key: substitute(item) for key, item in value.items()}
    return value


ACTIONS = {"mint": mint, "request": request, "access_token": access_token, "blacklist_rows": blacklist_rows}
results = []
for item in INPUT.get("actions", []):
    results.append(ACTIONS[item["do"]](substitute(item)))
json.dump(results, sys.stdout, default=str)
