"""Django's PasswordResetTokenGenerator and validate_password on the stack this runs on.

Input (stdin, JSON): {"secret", "fallbacks", "timeZone", "timeout", "make": [case], "check": [case], "passwords": [...]}
where a case is {"user": {"id", "passwordHash", "lastLogin" (epoch ms or null), "email", "username", "firstName",
"lastName"}, "now": epoch ms, "token"?}. Output: {"made": [token], "checked": [bool], "validated": [[message]]}.
"""
import json
import sys
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

data = json.load(sys.stdin)

import django
from django.conf import settings

settings.configure(
    SECRET_KEY=data["secret"],
    SECRET_KEY_FALLBACKS=data["fallbacks"],
    PASSWORD_RESET_TIMEOUT=data["timeout"],
    TIME_ZONE=data["timeZone"],
    USE_TZ=data.get("useTz", True),
    INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes"],
    DATABASES={},
    AUTH_PASSWORD_VALIDATORS=[
        {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
        {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
        {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
        {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    ],
)
django.setup()

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode


def user_of(u):
    last = None if u.get("lastLogin") is None else datetime.fromtimestamp(u["lastLogin"] / 1000, timezone.utc)
    if last is not None and not settings.USE_TZ:
        # USE_TZ = False: Django reads last_login back as the naive wall clock of TIME_ZONE.
        last = last.astimezone(ZoneInfo(data["timeZone"])).replace(tzinfo=None)
    return User(
        pk=int(u["id"]), password=u["passwordHash"], last_login=last, email=u.get("email", ""),
        username=u.get("username", ""), first_name=u.get("firstName", ""), last_name=u.get("lastName", ""),
    )


def generator_at(now_ms):
    zone = ZoneInfo(data["timeZone"])

    class At(PasswordResetTokenGenerator):
        def _now(self):
            # datetime.now() under TZ=TIME_ZONE: the zone's wall clock, naive.
            return datetime.fromtimestamp(now_ms / 1000, zone).replace(tzinfo=None)

    return At()


made = [generator_at(c["now"]).make_token(user_of(c["user"])) for c in data["make"]]
checked = [generator_at(c["now"]).check_token(user_of(c["user"]), c["token"]) for c in data["check"]]
uids = [urlsafe_base64_encode(force_bytes(int(c["user"]["id"]))) for c in data["make"]]
validated = []
for p in data["passwords"]:
    try:
        validate_password(p["password"], user_of(p["user"]) if p.get("user") else None)
        validated.append([])
    except ValidationError as error:
        validated.append(list(error.messages))
print(json.dumps({"made": made, "checked": checked, "uids": uids, "validated": validated}))
