from django.urls import path

from blog import views

urlpatterns = [
    path("articles/", views.ArticleList.as_view()),
    path("open-articles/", views.OpenArticleList.as_view()),
    path("articles/<int:pk>/", views.ArticleDetail.as_view()),
]
