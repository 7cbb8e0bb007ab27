"""Gold (SQLAlchemy): names that look like SQLAlchemy's but are not."""
from .core import users


class Session:
    """A project class that shares SQLAlchemy's name."""

    def __init__(self):
        self.items = []


def select(rows, column):
    return [row[column] for row in rows]


def text(value):
    return str(value)


def report(rows):
    session = Session()
    session.items.extend(select(rows, "name"))
    column = users.c.name
    return text(column), session.query if hasattr(session, "query") else None
