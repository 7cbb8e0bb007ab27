"""Gold (Django): function and class-based views, shortcuts, responses and exceptions."""
from django.contrib.auth.decorators import login_required  # expect: django.contrib.auth.decorators.login_required import
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied  # expect: django.core.exceptions.ObjectDoesNotExist import; django.core.exceptions.PermissionDenied import
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse  # expect: django.http.response.Http404 import; django.http.request.HttpRequest import; django.http.response.HttpResponse import; django.http.response.JsonResponse import
from django.shortcuts import get_object_or_404, redirect, render  # expect: django.shortcuts.get_object_or_404 import; django.shortcuts.redirect import; django.shortcuts.render import
from django.urls import reverse, reverse_lazy  # expect: django.urls.base.reverse import; django.urls.base.reverse_lazy import
from django.views import generic
from django.views.decorators.http import require_POST  # expect: django.views.decorators.http.require_POST import

from .models import Author, Post


def index(request: HttpRequest) -> HttpResponse:  # expect: django.http.request.HttpRequest annotation; django.http.response.HttpResponse annotation
    posts = Post.live.all()[:10]
    return render(request, "blog/index.html", {"posts": posts})  # expect: django.shortcuts.render call


def detail(request, pk):
    post = get_object_or_404(Post, pk=pk)  # expect: django.shortcuts.get_object_or_404 call
    return render(request, "blog/detail.html", {"post": post})  # expect: django.shortcuts.render call


@login_required  # expect: django.contrib.auth.decorators.login_required decorator
@require_POST  # expect: django.views.decorators.http.require_POST decorator
def like(request, pk):
    try:
        post = Post.objects.get(pk=pk)
    except ObjectDoesNotExist:  # expect: django.core.exceptions.ObjectDoesNotExist except
        raise Http404("no such post")  # expect: django.http.response.Http404 raise
    if not request.user.is_active:
        raise PermissionDenied  # expect: django.core.exceptions.PermissionDenied raise
    post.bump()
    return redirect(reverse("blog:detail", args=[pk]))  # expect: django.shortcuts.redirect call; django.urls.base.reverse call


def author_json(request, pk):
    try:
        author = Author.objects.get(pk=pk)
    except Author.DoesNotExist:
        return JsonResponse({"error": "not found"}, status=404)  # expect: django.http.response.JsonResponse call
    response = HttpResponse(author.name, content_type="text/plain")  # expect: django.http.response.HttpResponse call
    response["Cache-Control"] = "no-cache"
    return response


class PostList(generic.ListView):  # expect: django.views.generic.list.ListView subclass
    model = Post
    paginate_by = 20


class PostCreate(generic.CreateView):  # expect: django.views.generic.edit.CreateView subclass
    model = Post
    fields = ["title", "body"]
    success_url = reverse_lazy("blog:index")  # expect: django.urls.base.reverse_lazy call
