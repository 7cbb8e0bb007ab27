"""Gold: every kind of use: call, attribute, subclass, decorator, raise, except, annotation, value."""
from flask import Flask, Response, g, request, session  # expect: flask.app.Flask import; flask.wrappers.Response import; flask.globals.g import; flask.globals.request import; flask.globals.session import
from flask.cli import NoAppException, with_appcontext  # expect: flask.cli.NoAppException import; flask.cli.with_appcontext import


class Application(Flask):  # expect: flask.app.Flask subclass
    response_class = Response  # expect: flask.wrappers.Response value


@with_appcontext  # expect: flask.cli.with_appcontext decorator
def command() -> Response:  # expect: flask.wrappers.Response annotation
    session["seen"] = True  # expect: flask.globals.session attribute
    g.user = None  # expect: flask.globals.g attribute
    try:
        raise NoAppException("no app")  # expect: flask.cli.NoAppException raise
    except (NoAppException, KeyError):  # expect: flask.cli.NoAppException except
        pass
    return isinstance(request, Response)  # expect: flask.globals.request value; flask.wrappers.Response value


def nested(items, default=request.method):  # expect: flask.globals.request attribute
    handler = lambda: request.path  # expect: flask.globals.request attribute
    paths = [request.args.get(key) for key in items]  # expect: flask.globals.request attribute
    return f"{request.host}: {handler()} {paths}"  # expect: flask.globals.request attribute


def annotated(value: "Response", other: Response | None = None) -> None:  # expect: flask.wrappers.Response annotation
    saved: Response = other  # expect: flask.wrappers.Response annotation
    return saved
