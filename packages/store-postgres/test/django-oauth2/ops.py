"""Creates the fixture's users, application and access tokens through DOT's own models, and revokes tokens.
Input (stdin, JSON): a list of operations; output: their results, as JSON."""
import json
import os
import sys
from datetime import timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dot_project.settings")
import django

django.setup()
from django.contrib.auth import get_user_model
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application


def run(op):
    if op["op"] == "user":
        user = get_user_model().objects.create_user(op["username"], password=None, is_active=op.get("active", True))
        return {"id": str(user.pk)}
    if op["op"] == "application":
        app = Application.objects.create(
            name=op["name"],
            client_id=op["client_id"],
            client_secret=op["client_secret"],
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        )
        return {"id": str(app.pk)}
    if op["op"] == "token":
        user = get_user_model().objects.get(username=op["username"]) if op.get("username") else None
        token = AccessToken.objects.create(
            user=user,
            application=Application.objects.get(client_id=op["client_id"]),
            token=op["token"],
            scope=op["scope"],
            expires=timezone.now() + timedelta(seconds=op["expires_in"]),
        )
        return {"id": str(token.pk)}
    if op["op"] == "revoke":
        AccessToken.objects.get(token=op["token"]).revoke()
        return {}
    if op["op"] == "deactivate":
        get_user_model().objects.filter(username=op["username"]).update(is_active=False)
        return {}
    raise ValueError(op["op"])


print(json.dumps([run(op) for op in json.load(sys.stdin)]))
