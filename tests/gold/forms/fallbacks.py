"""Gold: conditional bindings, and class bodies that read a name before binding it themselves."""
try:
    from flask import jsonify  # expect: flask.json.jsonify import
except ImportError:
    jsonify = None

from flask import render_template  # expect: flask.templating.render_template import


def view():
    return jsonify(ok=True)  # expect: flask.json.jsonify call


class WPBase:
    # Indico's indico/web/views.py: the module-level function, kept before the method hides it.
    render_template_func = staticmethod(render_template)  # expect: flask.templating.render_template value

    def render_template(self, name):
        return self.render_template_func(name)


class Later:
    def show(self):
        return render_template("x.html")  # expect: flask.templating.render_template call

    render_template = None
