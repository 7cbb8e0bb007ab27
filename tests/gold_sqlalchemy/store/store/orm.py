"""Gold (SQLAlchemy): declarative models, relationships and sessions."""
from __future__ import annotations

from sqlalchemy import ForeignKey, String, select  # expect: sqlalchemy.sql.schema.ForeignKey import; sqlalchemy.sql.sqltypes.String import; sqlalchemy.sql.select import
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship, sessionmaker  # expect: sqlalchemy.orm.decl_api.DeclarativeBase import; sqlalchemy.orm.base.Mapped import; sqlalchemy.orm.session.Session import; sqlalchemy.orm.mapped_column import; sqlalchemy.orm.relationship import; sqlalchemy.orm.session.sessionmaker import


class Base(DeclarativeBase):  # expect: sqlalchemy.orm.decl_api.DeclarativeBase subclass
    pass


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)  # expect: sqlalchemy.orm.base.Mapped annotation; sqlalchemy.orm.mapped_column call
    name: Mapped[str] = mapped_column(String(30))  # expect: sqlalchemy.orm.base.Mapped annotation; sqlalchemy.orm.mapped_column call; sqlalchemy.sql.sqltypes.String call
    invoices: Mapped[list[Invoice]] = relationship(back_populates="customer")  # expect: sqlalchemy.orm.base.Mapped annotation; sqlalchemy.orm.relationship call


class Invoice(Base):
    __tablename__ = "invoices"

    id: Mapped[int] = mapped_column(primary_key=True)  # expect: sqlalchemy.orm.base.Mapped annotation; sqlalchemy.orm.mapped_column call
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))  # expect: sqlalchemy.orm.base.Mapped annotation; sqlalchemy.orm.mapped_column call; sqlalchemy.sql.schema.ForeignKey call
    customer: Mapped[Customer] = relationship(back_populates="invoices")  # expect: sqlalchemy.orm.base.Mapped annotation; sqlalchemy.orm.relationship call


SessionLocal = sessionmaker()  # expect: sqlalchemy.orm.session.sessionmaker call


def customers_named(engine, name: str) -> list[Customer]:
    with Session(engine) as session:  # expect: sqlalchemy.orm.session.Session call
        return list(session.scalars(select(Customer).where(Customer.name == name)))  # expect: sqlalchemy.sql.select call


def add(session: Session, customer: Customer) -> None:  # expect: sqlalchemy.orm.session.Session annotation
    session.add(customer)
    session.commit()
