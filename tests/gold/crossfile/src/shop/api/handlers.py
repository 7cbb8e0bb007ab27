"""Absolute imports of the project's own modules, through a chain and a star import."""
from shop.api import build_url  # expect: flask.helpers.url_for import
from shop.compat import *
from shop.homegrown import make_response as own_response


def listing():
    link = build_url("listing")  # expect: flask.helpers.url_for call
    response = make_response(link)  # expect: flask.helpers.make_response call
    return response, request.args, own_response("x")  # expect: flask.globals.request attribute
