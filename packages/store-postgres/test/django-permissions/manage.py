#!/usr/bin/env python3
"""The Django project of the permission parity test: one model (blog.Article), django-guardian's two object
permission tables emulated with the same schema, and DRF views guarded by DjangoModelPermissions,
DjangoModelPermissionsOrAnonReadOnly and DjangoObjectPermissions. The database is PORTCULLIS_DJANGO_DB_URL."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perms_project.settings")

if __name__ == "__main__":
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
