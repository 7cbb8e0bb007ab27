"""Gold (Django): URL configuration."""
from django.contrib import admin
from django.urls import include, path, re_path  # expect: django.urls.conf.include import; django.urls.conf.path import; django.urls.conf.re_path import

from . import views

app_name = "blog"

urlpatterns = [
    path("", views.index, name="index"),  # expect: django.urls.conf.path call
    path("<int:pk>/", views.detail, name="detail"),  # expect: django.urls.conf.path call
    re_path(r"^like/(?P<pk>\d+)/$", views.like, name="like"),  # expect: django.urls.conf.re_path call
    path("admin/", admin.site.urls),  # expect: django.urls.conf.path call; django.contrib.admin.sites.site attribute
    path("accounts/", include("django.contrib.auth.urls")),  # expect: django.urls.conf.path call; django.urls.conf.include call
]
