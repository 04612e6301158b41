"""PBKDF2 with the iteration count of PORTCULLIS_DJANGO_PBKDF2_ITERATIONS (end-to-end tests only): both halves then
call the same hash current, so neither rehashes on login (a rehash changes the password hash, which ends the
other half's sessions, as any password change does)."""
import os

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class AlignedPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    iterations = int(os.environ.get("PORTCULLIS_DJANGO_PBKDF2_ITERATIONS", "0")) or PBKDF2PasswordHasher.iterations
