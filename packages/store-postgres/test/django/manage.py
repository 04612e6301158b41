#!/usr/bin/env python3
"""The minimal Django project of the store-postgres tests: `/usr/bin/python3 manage.py migrate` with
PORTCULLIS_DJANGO_DB_URL naming the test database (see portcullis_fixture/settings.py)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portcullis_fixture.settings")

if __name__ == "__main__":
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
