"""Creates the cast of the parity test through Django's ORM and answers their DRF token keys as JSON.
Users: direct (model perms through the user), grouped (through the group "editors"), none, inactive (model perms,
but inactive), root (superuser). Object permissions on article 1: direct holds view+change through the user
table; grouped holds view through the group table. Article 2 has none."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perms_project.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group, Permission, User  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from blog.models import Article, GroupObjectPermission, UserObjectPermission  # noqa: E402

ct = ContentType.objects.get_for_model(Article)
model_perms = list(Permission.objects.filter(content_type=ct))
perm = {p.codename: p for p in model_perms}
editors = Group.objects.create(name="editors")
editors.permissions.set(model_perms)

users = {}
for name in ["direct", "grouped", "none", "inactive", "root"]:
    if name == "root":
        user = User.objects.create_superuser(name, "", None)
    else:
        user = User.objects.create_user(name, "", None, is_active=name != "inactive")
    users[name] = user
users["direct"].user_permissions.set(model_perms)
users["inactive"].user_permissions.set(model_perms)
users["grouped"].groups.add(editors)

first = Article.objects.create(id=1, title="first")
Article.objects.create(id=2, title="second")
for codename in ["view_article", "change_article"]:
    UserObjectPermission.objects.create(permission=perm[codename], content_type=ct, object_pk=str(first.pk), user=users["direct"])
GroupObjectPermission.objects.create(permission=perm["view_article"], content_type=ct, object_pk=str(first.pk), group=editors)

print(json.dumps({name: Token.objects.create(user=user).key for name, user in users.items()}))
