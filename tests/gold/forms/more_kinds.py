"""Gold: more places a name can be used: defaults, keywords, containers, returns, walrus."""
import flask
from flask import Blueprint, abort, current_app, g, session  # expect: flask.blueprints.Blueprint import; flask.helpers.abort import; flask.globals.current_app import; flask.globals.g import; flask.globals.session import

bp = Blueprint("bp", __name__)  # expect: flask.blueprints.Blueprint call
HANDLERS = {"abort": abort, "bp": bp}  # expect: flask.helpers.abort value


def guarded(user=None):
    if (current := g.get("user")) is None:  # expect: flask.globals.g attribute
        abort(401)  # expect: flask.helpers.abort call
    config = current_app.config  # expect: flask.globals.current_app attribute
    values = sorted(session.keys(), key=len)  # expect: flask.globals.session attribute
    return current, config, values, flask.Blueprint  # expect: flask.blueprints.Blueprint value


async def asynchronous():
    async with flask.current_app.app_context():  # expect: flask.globals.current_app attribute
        return [g.user async for _ in flask.stream_with_context(iter([]))]  # expect: flask.globals.g attribute; flask.helpers.stream_with_context call


def uses_annotation(blueprint: flask.Blueprint) -> flask.Response:  # expect: flask.blueprints.Blueprint annotation; flask.wrappers.Response annotation
    return blueprint
