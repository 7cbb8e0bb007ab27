"""Gold: `from flask import *` resolved through the library's public names."""
from flask import *


def view():
    if session.get("user"):  # expect: flask.globals.session attribute
        return redirect(url_for("home"))  # expect: flask.helpers.redirect call; flask.helpers.url_for call
    return make_response("hello")  # expect: flask.helpers.make_response call


def shadowed(url_for):
    return url_for("x")
