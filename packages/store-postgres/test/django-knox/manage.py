#!/usr/bin/env python3
"""The Django project of the knox comparison test: django-rest-knox 5's views and a view behind knox's
TokenAuthentication. The database is PORTCULLIS_DJANGO_DB_URL; PORTCULLIS_KNOX_VARIANT picks REST_KNOX."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "knox_project.settings")

if __name__ == "__main__":
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
