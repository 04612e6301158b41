"""Prints Django's PBKDF2PasswordHasher.must_update for each encoded row, as JSON, with Django 5.2's count.

Input (stdin): a JSON list of encoded pbkdf2_sha256 rows. Output (stdout): a JSON list of booleans. Django 5.2's
hasher is any Django's PBKDF2PasswordHasher with iterations = 1,000,000. Run with /usr/bin/python3.
"""
import json
import sys

import django
from django.conf import settings

settings.configure(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"])
django.setup()

from django.contrib.auth.hashers import PBKDF2PasswordHasher  # noqa: E402


class Django52(PBKDF2PasswordHasher):
    iterations = 1_000_000


hasher = Django52()
print(json.dumps([hasher.must_update(row) for row in json.load(sys.stdin)]))
