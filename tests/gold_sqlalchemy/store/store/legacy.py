"""Gold (SQLAlchemy): the 1.x declarative style, scoped sessions and the orm module attribute form."""
from sqlalchemy import Column, Integer, Unicode  # expect: sqlalchemy.sql.schema.Column import; sqlalchemy.sql.sqltypes.Integer import; sqlalchemy.sql.sqltypes.Unicode import
from sqlalchemy import orm
from sqlalchemy.ext.declarative import declarative_base  # expect: sqlalchemy.ext.declarative.declarative_base import
from sqlalchemy.orm.exc import NoResultFound  # expect: sqlalchemy.exc.NoResultFound import

Model = declarative_base()  # expect: sqlalchemy.ext.declarative.declarative_base call
session = orm.scoped_session(orm.sessionmaker())  # expect: sqlalchemy.orm.scoping.scoped_session call; sqlalchemy.orm.session.sessionmaker call


class Tag(Model):
    __tablename__ = "tags"
    id = Column(Integer, primary_key=True)  # expect: sqlalchemy.sql.schema.Column call; sqlalchemy.sql.sqltypes.Integer value
    label = Column(Unicode(40), unique=True)  # expect: sqlalchemy.sql.schema.Column call; sqlalchemy.sql.sqltypes.Unicode call
    parent = orm.relationship("Tag", backref=orm.backref("children"))  # expect: sqlalchemy.orm.relationship call; sqlalchemy.orm.backref call


def find(label):
    try:
        return session.query(Tag).filter_by(label=label).one()
    except NoResultFound:  # expect: sqlalchemy.exc.NoResultFound except
        return None
