"""Gold: another library's names imported through Flask's modules are foreign, never uses."""
import flask.signals
from flask.signals import Namespace  # expect: flask.signals.Namespace foreign
from flask.signals import template_rendered  # expect: flask.signals.template_rendered import
from flask.json.tag import Markup as SafeText  # expect: flask.json.tag.Markup foreign

my_signals = Namespace()  # expect: flask.signals.Namespace foreign
signals_too = flask.signals.Namespace()  # expect: flask.signals.Namespace foreign
template_rendered.connect(print)  # expect: flask.signals.template_rendered attribute


def escaped(text):
    return SafeText(text)  # expect: flask.json.tag.Markup foreign


def shadowed(Namespace):
    return Namespace()
