"""Gold: grammar newer than the interpreter running the tests, read the same on any Python.

PEP 695 type aliases and type parameters, PEP 701 f-strings that reuse their quotes, PEP 758
`except` without parentheses, PEP 750 t-strings: `ast` on Python 3.11 rejects this whole file.
"""
from flask import Response, current_app, jsonify, request  # expect: flask.wrappers.Response import; flask.globals.current_app import; flask.json.jsonify import; flask.globals.request import

type Reply = Response | None  # expect: flask.wrappers.Response annotation


def first[T: Response](items: list[T]) -> T:  # expect: flask.wrappers.Response annotation
    return items[0]


class Page[T]:
    def title(self) -> str:
        return f"{current_app.config["TITLE"]}: {request.args.get("page")}"  # expect: flask.globals.current_app attribute; flask.globals.request attribute


def parse(text):
    try:
        return int(text)
    except ValueError, TypeError:
        return jsonify(error=text)  # expect: flask.json.jsonify call


def greeting(name):
    return t"Hello {request.path} {name}"  # expect: flask.globals.request attribute
