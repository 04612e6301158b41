#!/usr/bin/env python3
"""Runs Django operations for the tests, through Django's own ORM and auth: reads a JSON list of operations on
stdin, prints a JSON list of results. Operations:
  {"op": "create_user", "username", "password", "is_staff"?, "is_active"?} -> {"id"}
  {"op": "create_token", "username"} -> {"key"}            (Token.objects.create, DRF's own key)
  {"op": "authenticate", "username", "password"} -> {"ok", "id"?}  (django.contrib.auth.authenticate)
  {"op": "user", "username"} -> {"id", "username", "password", "is_active", "is_staff", ...} or null
  {"op": "has_token", "username"} -> {"exists"}
  {"op": "login_session", "username", "password"} -> {"key"} or null  (authenticate(), then login() into a db session)
  {"op": "session_user", "key"} -> {"id"}  (django.contrib.auth.get_user on that session: id, or None once logged out)
Passwords and keys travel on stdin/stdout only, never on the command line."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portcullis_fixture.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import authenticate, get_user, get_user_model, login  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.http import HttpRequest  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

User = get_user_model()


def run(op):
    kind = op["op"]
    if kind == "create_user":
        user = User.objects.create_user(
            op["username"], password=op["password"], is_staff=op.get("is_staff", False), is_active=op.get("is_active", True)
        )
        return {"id": user.pk}
    if kind == "create_token":
        return {"key": Token.objects.create(user=User.objects.get(username=op["username"])).key}
    if kind == "authenticate":
        user = authenticate(username=op["username"], password=op["password"])
        return {"ok": user is not None, "id": user.pk if user else None}
    if kind == "user":
        user = User.objects.filter(username=op["username"]).first()
        if user is None:
            return None
        fields = ("id", "username", "password", "is_active", "is_staff", "is_superuser", "first_name", "last_name", "email")
        row = {name: getattr(user, name) for name in fields}
        row["date_joined"] = user.date_joined.isoformat()
        row["last_login"] = user.last_login.isoformat() if user.last_login else None
        row["full_clean"] = _full_clean(user)
        return row
    if kind == "login_session":
        user = authenticate(username=op["username"], password=op["password"])
        if user is None:
            return None
        request = HttpRequest()
        request.session = SessionStore()
        login(request, user)
        request.session.save()
        return {"key": request.session.session_key}
    if kind == "session_user":
        request = HttpRequest()
        request.session = SessionStore(session_key=op["key"])
        user = get_user(request)
        return {"id": user.pk if user.is_authenticated else None}
    if kind == "has_token":
        return {"exists": Token.objects.filter(user__username=op["username"]).exists()}
    raise ValueError(f"unknown op {kind}")


def _full_clean(user):
    try:
        user.full_clean()
        return "ok"
    except Exception as error:  # noqa: BLE001 - the test reads the message
        return str(error)


print(json.dumps([run(op) for op in json.load(sys.stdin)]))
