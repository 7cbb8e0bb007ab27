"""Relative imports of the re-exports, one level up and at the same level."""
from . import homegrown
from .compat import build_url, make_response, request  # expect: flask.helpers.url_for import; flask.helpers.make_response import; flask.globals.request import
from .compat import respond  # expect: flask.helpers.make_response import
from .quartish import make_response as quart_response


def show(item_id):
    if request.method == "HEAD":  # expect: flask.globals.request attribute
        return respond("")  # expect: flask.helpers.make_response call
    body = homegrown.make_response(item_id)
    response = make_response(body)  # expect: flask.helpers.make_response call
    response.headers["Link"] = build_url("show", item_id=item_id)  # expect: flask.helpers.url_for call
    return response, quart_response("")
