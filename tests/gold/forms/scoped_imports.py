"""Gold: imports inside functions, classes, try/except ImportError and TYPE_CHECKING."""
from typing import TYPE_CHECKING

try:
    from quart import make_response
except ImportError:
    from flask import make_response  # expect: flask.helpers.make_response import

if TYPE_CHECKING:
    from flask import Response  # expect: flask.wrappers.Response import


def view() -> "Response":
    from flask import url_for  # expect: flask.helpers.url_for import

    return make_response(url_for("view"))  # expect: flask.helpers.make_response call; flask.helpers.url_for call


class Views:
    from flask import jsonify  # expect: flask.json.jsonify import

    as_json = jsonify  # expect: flask.json.jsonify value


def outside():
    return url_for("x")
