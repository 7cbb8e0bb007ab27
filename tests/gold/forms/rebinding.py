"""Gold: names re-bound to other names, at module level and in functions."""
from flask import jsonify, make_response, url_for  # expect: flask.json.jsonify import; flask.helpers.make_response import; flask.helpers.url_for import

reply = make_response  # expect: flask.helpers.make_response value
link = url_for  # expect: flask.helpers.url_for value


def view():
    serialise = jsonify  # expect: flask.json.jsonify value
    return reply(serialise({"url": link("view")}))  # expect: flask.helpers.make_response call; flask.json.jsonify call; flask.helpers.url_for call


def not_rebound():
    reply = str
    return reply("x")
