"""Gold (SQLAlchemy): Core tables, engines, connections and SQL expressions."""
import sqlalchemy as sa
from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, create_engine, func, select, text  # expect: sqlalchemy.sql.schema.Column import; sqlalchemy.sql.schema.ForeignKey import; sqlalchemy.sql.sqltypes.Integer import; sqlalchemy.sql.schema.MetaData import; sqlalchemy.sql.sqltypes.String import; sqlalchemy.sql.schema.Table import; sqlalchemy.engine.create.create_engine import; sqlalchemy.sql.functions.func import; sqlalchemy.sql.select import; sqlalchemy.sql.text import
from sqlalchemy.exc import IntegrityError  # expect: sqlalchemy.exc.IntegrityError import

metadata = MetaData()  # expect: sqlalchemy.sql.schema.MetaData call

users = Table(  # expect: sqlalchemy.sql.schema.Table call
    "users",
    metadata,
    Column("id", Integer, primary_key=True),  # expect: sqlalchemy.sql.schema.Column call; sqlalchemy.sql.sqltypes.Integer value
    Column("name", String(50), nullable=False),  # expect: sqlalchemy.sql.schema.Column call; sqlalchemy.sql.sqltypes.String call
)

orders = sa.Table(  # expect: sqlalchemy.sql.schema.Table call
    "orders",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),  # expect: sqlalchemy.sql.schema.Column call; sqlalchemy.sql.sqltypes.Integer value
    sa.Column("user_id", ForeignKey("users.id")),  # expect: sqlalchemy.sql.schema.Column call; sqlalchemy.sql.schema.ForeignKey call
)


def connect(url="sqlite://"):
    engine = create_engine(url, echo=False)  # expect: sqlalchemy.engine.create.create_engine call
    metadata.create_all(engine)
    return engine


def count_orders(engine):
    query = select(users.c.name, func.count(orders.c.id)).join(orders).group_by(users.c.name)  # expect: sqlalchemy.sql.select call; sqlalchemy.sql.functions.func attribute
    with engine.connect() as connection:
        return connection.execute(query).all()


def add_user(engine, name):
    try:
        with engine.begin() as connection:
            connection.execute(users.insert().values(name=name))
    except IntegrityError:  # expect: sqlalchemy.exc.IntegrityError except
        return False
    return True


def raw(engine):
    with engine.connect() as connection:
        return connection.execute(text("SELECT 1")).scalar()  # expect: sqlalchemy.sql.text call


def newest(engine):
    query = sa.select(users).order_by(sa.desc(users.c.id)).limit(1)  # expect: sqlalchemy.sql.select call; sqlalchemy.sql.desc call
    with engine.connect() as connection:
        return connection.execute(query).first()
