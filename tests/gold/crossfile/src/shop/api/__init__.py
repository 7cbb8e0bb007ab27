"""A package that passes a re-export on: a chain api -> compat -> flask."""
from ..compat import build_url  # expect: flask.helpers.url_for import
