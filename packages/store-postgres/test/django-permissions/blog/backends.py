"""What guardian.backends.ObjectPermissionBackend answers, over the emulated tables: an object permission held
by an active user directly or through one of its groups (superusers are answered by Django before any backend)."""
from django.contrib.contenttypes.models import ContentType

from .models import GroupObjectPermission, UserObjectPermission


class ObjectPermissionBackend:
    def authenticate(self, request, **credentials):
        return None

    def has_perm(self, user_obj, perm, obj=None):
        if obj is None or not user_obj.is_active or user_obj.is_anonymous:
            return False
        app_label, codename = perm.split(".", 1)
        ct = ContentType.objects.get_for_model(obj)
        if ct.app_label != app_label:
            return False
        match = {"permission__codename": codename, "permission__content_type": ct, "content_type": ct, "object_pk": str(obj.pk)}
        return (
            UserObjectPermission.objects.filter(user=user_obj, **match).exists()
            or GroupObjectPermission.objects.filter(group__user=user_obj, **match).exists()
        )
