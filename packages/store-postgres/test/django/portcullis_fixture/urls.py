"""The views of the end-to-end tests: Django's half of an API that shares its database with a Portcullis half."""
from django.contrib.auth import authenticate, login, logout
from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.urls import path
from django.views.decorators.csrf import csrf_exempt, ensure_csrf_cookie
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenBlacklistView, TokenObtainPairView, TokenRefreshView
import json


@csrf_exempt
def login_view(request):
    """Django's own login(): a database session and a rotated CSRF token (the first request has no cookie yet)."""
    body = json.loads(request.body or b"{}")
    user = authenticate(request, username=body.get("username"), password=body.get("password"))
    if user is None:
        return JsonResponse({"detail": "bad credentials"}, status=400)
    login(request, user)
    return JsonResponse({"id": user.pk, "csrfToken": get_token(request)})


@ensure_csrf_cookie
def csrf_view(request):
    """Django's get_token: sets the csrftoken cookie."""
    return JsonResponse({"csrfToken": get_token(request)})


class Me(APIView):
    """Who the request is, through DRF's SessionAuthentication (CSRF-checked on POST) or simplejwt."""

    def get(self, request):
        return Response({"id": request.user.pk, "username": request.user.username, "auth": type(request.successful_authenticator).__name__})

    def post(self, request):
        return self.get(request)


class Logout(APIView):
    """Django's own logout(), CSRF-checked by SessionAuthentication."""

    def post(self, request):
        logout(request)
        return Response(status=204)


class SetPassword(APIView):
    """A password change without update_session_auth_hash: every session of the user ends, as Django does."""

    def post(self, request):
        request.user.set_password(request.data["password"])
        request.user.save()
        return Response(status=204)


urlpatterns = [
    path("django/csrf/", csrf_view),
    path("django/login/", login_view),
    path("django/me/", Me.as_view()),
    path("django/logout/", Logout.as_view()),
    path("django/password/", SetPassword.as_view()),
    path("django/token/", TokenObtainPairView.as_view()),
    path("django/token/refresh/", TokenRefreshView.as_view()),
    path("django/token/blacklist/", TokenBlacklistView.as_view()),
]
