"""DOT's endpoints under /o/, and one DRF view per DOT permission; each answers who and which scope it saw."""
from django.urls import include, path
from oauth2_provider.contrib.rest_framework import (
    TokenHasReadWriteScope,
    TokenHasResourceScope,
    TokenHasScope,
    TokenMatchesOASRequirements,
)
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView


class Echo(APIView):
    def answer(self, request):
        user = request.user
        token = request.auth
        return Response({
            "user": user.get_username() if user is not None and user.is_authenticated else None,
            "scope": getattr(token, "scope", None),
        })

    get = post = put = delete = answer


def view(name, **attributes):
    return type(name, (Echo,), attributes).as_view()


urlpatterns = [
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("api/default/", view("Default", permission_classes=[IsAuthenticated])),
    path("api/open/", view("Open", permission_classes=[AllowAny])),
    path("api/scope/", view("Scope", permission_classes=[TokenHasScope], required_scopes=["music"])),
    path("api/rw/", view("ReadWrite", permission_classes=[TokenHasReadWriteScope])),
    path("api/resource/", view("Resource", permission_classes=[TokenHasResourceScope], required_scopes=["songs"])),
    path(
        "api/oas/",
        view(
            "Oas",
            permission_classes=[TokenMatchesOASRequirements],
            required_alternate_scopes={"GET": [["read"]], "POST": [["write", "music"], ["admin"]]},
        ),
    ),
]
