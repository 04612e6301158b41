"""One model, and django-guardian's two object-permission tables with guardian's own schema (guardian is not
installed offline): `guardian_userobjectpermission` and `guardian_groupobjectpermission`."""
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import models


class Article(models.Model):
    title = models.CharField(max_length=100)


class UserObjectPermission(models.Model):
    permission = models.ForeignKey(Permission, on_delete=models.CASCADE)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_pk = models.CharField("object ID", max_length=255)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)

    class Meta:
        db_table = "guardian_userobjectpermission"
        unique_together = ["user", "permission", "object_pk"]


class GroupObjectPermission(models.Model):
    permission = models.ForeignKey(Permission, on_delete=models.CASCADE)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_pk = models.CharField("object ID", max_length=255)
    group = models.ForeignKey(Group, on_delete=models.CASCADE)

    class Meta:
        db_table = "guardian_groupobjectpermission"
        unique_together = ["group", "permission", "object_pk"]
