"""Operations through Django's ORM and knox (JSON list on stdin, JSON list of results on stdout): create_user,
set_active, create_token (knox's AuthToken.objects.create, with an expiry in seconds or none, and a prefix), rows
(the user's knox_authtoken rows: token_key, expiry as epoch ms)."""
import json
import os
import sys
from datetime import timedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "knox_project.settings")
import django  # noqa: E402

django.setup()
from django.contrib.auth import get_user_model  # noqa: E402
from knox.models import AuthToken  # noqa: E402

User = get_user_model()


def run(op):
    kind = op["op"]
    if kind == "create_user":
        user = User.objects.create_user(op["username"], password=op["password"], is_active=op.get("is_active", True))
        return {"id": str(user.pk)}
    user = User.objects.get(username=op["username"])
    if kind == "set_active":
        user.is_active = op["is_active"]
        user.save(update_fields=["is_active"])
        return None
    if kind == "create_token":
        seconds = op.get("expiry_seconds")
        expiry = None if seconds is None else timedelta(seconds=seconds)
        _, token = AuthToken.objects.create(user, expiry=expiry, prefix=op.get("prefix", ""))
        return {"token": token}
    if kind == "rows":
        rows = user.auth_token_set.order_by("created")
        return [{"token_key": r.token_key, "expiry": None if r.expiry is None else int(r.expiry.timestamp() * 1000)} for r in rows]
    raise ValueError(kind)


print(json.dumps([run(op) for op in json.load(sys.stdin)]))
