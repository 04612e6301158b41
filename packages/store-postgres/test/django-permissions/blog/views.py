"""Views whose handlers only echo the method: every difference is the permission classes' answer."""
from django.shortcuts import get_object_or_404
from rest_framework.permissions import (
    DjangoModelPermissions,
    DjangoModelPermissionsOrAnonReadOnly,
    DjangoObjectPermissions,
)
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import Article

VIEW = ["%(app_label)s.view_%(model_name)s"]


class GuardianPermissions(DjangoObjectPermissions):
    """guardian's documented setup: reads need the view permission."""

    perms_map = {**DjangoObjectPermissions.perms_map, "GET": VIEW, "HEAD": VIEW, "OPTIONS": VIEW}


class Echo(APIView):
    def answer(self, request, **kwargs):
        return Response({"method": request.method, **kwargs})

    get = post = put = patch = delete = answer

    def options(self, request, *args, **kwargs):
        return self.answer(request, **kwargs)


class ArticleList(Echo):
    queryset = Article.objects.none()
    permission_classes = [DjangoModelPermissions]


class OpenArticleList(Echo):
    queryset = Article.objects.none()
    permission_classes = [DjangoModelPermissionsOrAnonReadOnly]


class ArticleDetail(Echo):
    queryset = Article.objects.all()
    permission_classes = [GuardianPermissions]

    def answer(self, request, pk):
        article = get_object_or_404(Article, pk=pk)
        self.check_object_permissions(request, article)
        return Response({"method": request.method, "id": article.pk})

    get = post = put = patch = delete = answer

    def options(self, request, pk):
        return self.answer(request, pk)
