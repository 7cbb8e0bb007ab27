"""Gold: `from flask import name`, `from flask.helpers import name`, multi-line imports."""
from flask import make_response, url_for  # expect: flask.helpers.make_response import; flask.helpers.url_for import
from flask.helpers import flash  # expect: flask.helpers.flash import
from flask import (
    Flask,  # expect: flask.app.Flask import
    request,  # expect: flask.globals.request import
)

app = Flask(__name__)  # expect: flask.app.Flask call


def index():
    flash("saved")  # expect: flask.helpers.flash call
    response = make_response("body", 201)  # expect: flask.helpers.make_response call
    response.headers["Location"] = url_for("index")  # expect: flask.helpers.url_for call
    return response


def page_number():
    return int(request.args.get("page", 1))  # expect: flask.globals.request attribute
