"""Django's own password hashing, for the hasher parity tests: `check_password` with a setter (did Django ask to
rewrite the row?) and `make_password`, under a given PASSWORD_HASHERS.

Input (stdin): {"hashers": ["argon2", "pbkdf2_sha256", ...], "overrides": {"pbkdf2_sha256": {"iterations": 1}},
"checks": [{"password", "encoded"}], "make": ["password", ...]}.
Output (stdout): {"checks": [{"valid", "rehash"}], "made": ["<encoded>", ...], "defaults": {...}}.
An override becomes a subclass of Django's hasher, as a project would write it. Secrets travel on stdin/stdout.
"""
import json
import sys

import django
from django.conf import settings
from django.contrib.auth import hashers as django_hashers

CLASSES = {
    "pbkdf2_sha256": "PBKDF2PasswordHasher",
    "pbkdf2_sha1": "PBKDF2SHA1PasswordHasher",
    "argon2": "Argon2PasswordHasher",
    "bcrypt_sha256": "BCryptSHA256PasswordHasher",
    "bcrypt": "BCryptPasswordHasher",
    "scrypt": "ScryptPasswordHasher",
    "md5": "MD5PasswordHasher",
    "sha1": "SHA1PasswordHasher",
    "unsalted_md5": "UnsaltedMD5PasswordHasher",
    "unsalted_sha1": "UnsaltedSHA1PasswordHasher",
}
ATTRIBUTES = {"iterations": "iterations", "rounds": "rounds", "timeCost": "time_cost", "memoryCost": "memory_cost",
              "parallelism": "parallelism", "n": "work_factor", "r": "block_size", "p": "parallelism"}

request = json.load(sys.stdin)
paths = []
for name in request["hashers"]:
    base = getattr(django_hashers, CLASSES[name])
    override = request.get("overrides", {}).get(name)
    if override:
        custom = type(f"Custom_{name}", (base,), {ATTRIBUTES[key]: value for key, value in override.items()})
        setattr(sys.modules[__name__], custom.__name__, custom)
        paths.append(f"{__name__}.{custom.__name__}")
    else:
        paths.append(f"django.contrib.auth.hashers.{base.__name__}")

settings.configure(PASSWORD_HASHERS=paths)
django.setup()


def check(row):
    calls = []
    valid = django_hashers.check_password(row["password"], row["encoded"], setter=lambda raw: calls.append(raw))
    return {"valid": bool(valid), "rehash": len(calls) > 0}


preferred = django_hashers.get_hasher("default")
print(json.dumps({
    "checks": [check(row) for row in request.get("checks", [])],
    "made": [django_hashers.make_password(password) for password in request.get("make", [])],
    "preferred": preferred.algorithm,
}))
