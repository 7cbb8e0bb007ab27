"""The project's own re-export module: everything else imports flask names from here."""
from flask import make_response, request  # expect: flask.helpers.make_response import; flask.globals.request import
from flask import url_for as build_url  # expect: flask.helpers.url_for import

respond = make_response  # expect: flask.helpers.make_response value
