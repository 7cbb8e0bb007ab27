"""Gold: module objects: `import flask`, `import flask.helpers`, `from flask import helpers`."""
import flask
import flask.json
from flask import helpers


def view():
    flask.flash("hi")  # expect: flask.helpers.flash call
    link = flask.helpers.url_for("view")  # expect: flask.helpers.url_for call
    body = flask.json.jsonify(link)  # expect: flask.json.jsonify call
    return helpers.make_response(body)  # expect: flask.helpers.make_response call


def configure(app):
    app.json_provider_class = flask.json.provider.DefaultJSONProvider  # expect: flask.json.provider.DefaultJSONProvider value
    return flask.current_app.name  # expect: flask.globals.current_app attribute
