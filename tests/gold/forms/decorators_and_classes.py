"""Gold: decorators, subclasses, raise and except through every binding form."""
import flask
import flask.views
from flask import after_this_request, copy_current_request_context, stream_with_context  # expect: flask.ctx.after_this_request import; flask.ctx.copy_current_request_context import; flask.helpers.stream_with_context import
from flask.cli import NoAppException as NoApp  # expect: flask.cli.NoAppException import
from flask.views import MethodView, View  # expect: flask.views.MethodView import; flask.views.View import


class Items(MethodView):  # expect: flask.views.MethodView subclass
    def get(self):
        @after_this_request  # expect: flask.ctx.after_this_request decorator
        def add_header(response):
            return response

        @copy_current_request_context  # expect: flask.ctx.copy_current_request_context decorator
        def work():
            return 1

        @stream_with_context  # expect: flask.helpers.stream_with_context decorator
        def generate():
            yield "x"

        return work(), generate()


class Legacy(flask.views.View, object):  # expect: flask.views.View subclass
    pass


class Plain(View):  # expect: flask.views.View subclass
    decorators = [flask.cli.with_appcontext]  # expect: flask.cli.with_appcontext value


@flask.cli.with_appcontext  # expect: flask.cli.with_appcontext decorator
def command():
    try:
        raise flask.cli.NoAppException("none")  # expect: flask.cli.NoAppException raise
    except NoApp as error:  # expect: flask.cli.NoAppException except
        raise NoApp("again") from error  # expect: flask.cli.NoAppException raise
    except (KeyError, flask.cli.NoAppException):  # expect: flask.cli.NoAppException except
        raise NoApp  # expect: flask.cli.NoAppException raise
