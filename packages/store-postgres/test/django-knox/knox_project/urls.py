"""knox's three views and /api/whoami/ behind knox's TokenAuthentication."""
from django.contrib.auth import get_user_model
from django.urls import path
from knox import views as knox_views
from knox.auth import TokenAuthentication
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = get_user_model()
        fields = ("username",)


class WhoAmI(APIView):
    authentication_classes = (TokenAuthentication,)
    permission_classes = (IsAuthenticated,)

    def get(self, request):
        return Response({"username": request.user.username})


urlpatterns = [
    path("api/whoami/", WhoAmI.as_view()),
    path("api/auth/login/", knox_views.LoginView.as_view()),
    path("api/auth/logout/", knox_views.LogoutView.as_view()),
    path("api/auth/logoutall/", knox_views.LogoutAllView.as_view()),
]
