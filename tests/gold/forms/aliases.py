"""Gold: `as` aliases on both import forms, and re-binding a name to a new one."""
import flask as f
from flask import make_response as mr  # expect: flask.helpers.make_response import
from flask import jsonify as to_json  # expect: flask.json.jsonify import

build = mr  # expect: flask.helpers.make_response value


def view():
    first = mr("a")  # expect: flask.helpers.make_response call
    second = build("b")  # expect: flask.helpers.make_response call
    third = f.make_response("c")  # expect: flask.helpers.make_response call
    return first, second, third, to_json({})  # expect: flask.json.jsonify call
