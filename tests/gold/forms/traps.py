"""Gold: names that look like uses but are not."""
from flask import Flask, current_app, make_response, url_for  # expect: flask.app.Flask import; flask.globals.current_app import; flask.helpers.make_response import; flask.helpers.url_for import
from quart import jsonify
from werkzeug.utils import redirect

app = Flask(__name__)  # expect: flask.app.Flask call


def method_not_function():
    app.make_response("x")
    return current_app.make_response("y")  # expect: flask.globals.current_app attribute


def parameter(make_response):
    return make_response("z")


def local_variable():
    url_for = lambda endpoint: endpoint
    return url_for("index"), jsonify({}), redirect("/")


def local_def():
    def make_response(body):
        return body

    return make_response("w")


def comprehension(names):
    return [url_for for url_for in names]


class Holder:
    make_response = staticmethod(len)

    def method(self):
        return make_response("module-level one")  # expect: flask.helpers.make_response call


def global_statement():
    global url_for
    url_for = str
    return url_for


def nonlocal_statement():
    make_response = None

    def inner():
        nonlocal make_response
        make_response = 1
        return make_response

    return inner


def dynamic(flask_module):
    return getattr(flask_module, "make_response")


SOMETHING = "make_response url_for flask.make_response"
