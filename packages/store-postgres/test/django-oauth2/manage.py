#!/usr/bin/env python3
"""manage.py of the django-oauth-toolkit fixture project (DOT 3.0.1 on the modern stack, database from
PORTCULLIS_DJANGO_DB_URL)."""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dot_project.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
