"""Gold (Django): names that look like Django's but are not."""
import json

from .models import Post


class HttpResponse:
    """A project class that shares Django's name."""

    def __init__(self, body):
        self.body = body


def render(template, context):
    return template.format(**context)


def view(request, settings=None):
    settings = settings or {"DEBUG": False}
    path = request.path
    page = render("{title}", {"title": Post.__name__})
    return HttpResponse(json.dumps({"page": page, "path": path, "debug": settings["DEBUG"]}))


class Renderer:
    def render(self, request):
        return self.render_to_string(request)

    def render_to_string(self, request):
        return str(request)


def reverse(items):
    return list(reversed(items))


def redirect_all(models):
    return [reverse(m) for m in models.values()]
