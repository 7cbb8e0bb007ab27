"""Static target discovery: a library's public API read from its source, never by running it."""

from __future__ import annotations

import io
import logging
import tarfile
import textwrap
from pathlib import Path

import pytest

from miner.model import MinerError
from miner.targets import LibraryNotFound, discover

# A small library whose every module raises when imported: discovery must never run it.
LIBRARY = {
    "__init__.py": """
        raise RuntimeError("settings are not configured")
        from .core import Engine as Engine, connect
        from .models import *
        from ._impl import select as select, _hidden as _hidden
        from .shortcuts import render
    """,
    "core.py": """
        import typing as t
        if t.TYPE_CHECKING:
            from .models import Model
        T = t.TypeVar("T")
        class Engine:
            '''Talks to the database.'''
        class PooledEngine(Engine):
            pass
        def connect(url):
            '''Open a connection.'''
        class EngineError(LookupError):
            pass
        class PoolError(EngineError):
            '''Raised when the pool is empty.'''
        from .nsdir.shared import Shared
        class Child(Shared):
            pass
    """,
    "nsdir/shared.py": "class Shared:\n    '''Behaviour shared by children.'''\n",  # no __init__.py
    "models/__init__.py": """
        from .fields import *
        from .fields import __all__ as fields_all
        from .base import Model
        __all__ = ["Model"] + fields_all
    """,
    "models/fields.py": """
        __all__ = ["CharField", "IntegerField"]
        class Field:
            '''A column.'''
        class CharField(Field):
            '''A string column.'''
        class IntegerField(Field):
            pass
        class NotExported(Field):
            pass
    """,
    "models/base.py": "class Model:\n    '''A table row.'''\n",
    "_impl.py": """
        from typing import overload
        @overload
        def select(x: int) -> int: ...
        @overload
        def select(x: str) -> str: ...
        def select(x):
            '''Build a SELECT statement.'''
        def helper():
            pass
        def _hidden():
            pass
    """,
    "shortcuts.py": """
        from .core import connect, EngineError
        def render(request, template):
            '''Render a template.'''
            return connect(template)
    """,
    "broken.py": "def broken(:\n",
    "testing/__init__.py": "def fixture():\n    pass\n",
    "tests/test_core.py": "def test_it():\n    pass\n",
}


def write_library(root: Path, name: str = "fakelib", files: dict[str, str] = LIBRARY) -> Path:
    for path, text in files.items():
        target = root / name / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text))
    return root


@pytest.fixture
def fakelib(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.syspath_prepend(str(write_library(tmp_path)))
    return discover("fakelib")


def by_name(library):
    return {target.qualname: target for target in library.targets}


def test_never_runs_the_library_and_finds_public_names(fakelib) -> None:
    assert set(by_name(fakelib)) == {
        "fakelib.core.Engine", "fakelib.core.PooledEngine", "fakelib.core.connect",
        "fakelib.core.EngineError", "fakelib.core.PoolError", "fakelib.core.Child",
        "fakelib.models.base.Model", "fakelib.models.fields.Field",
        "fakelib.models.fields.CharField", "fakelib.models.fields.IntegerField",
        "fakelib.models.fields.NotExported", "fakelib.select", "fakelib.shortcuts.render",
    }  # fmt: skip
    assert (
        "fakelib.testing" not in fakelib.modules
        and "fakelib.tests.test_core" not in fakelib.modules
    )
    assert "fakelib._impl" not in fakelib.modules
    assert "fakelib.nsdir.shared" not in fakelib.modules  # a folder without __init__.py


def test_reexports_through_chains_all_and_star_imports(fakelib) -> None:
    names = by_name(fakelib)
    assert names["fakelib.core.Engine"].aliases == ("fakelib.Engine",)
    assert names["fakelib.core.connect"].aliases == ("fakelib.connect",)
    # shortcuts imports connect for its own use: resolved, but no alias (no redirect, no "also")
    assert fakelib.incidental == {"fakelib.shortcuts.connect": "fakelib.core.connect"}
    # an import the module never reads is there for others: a re-export
    assert names["fakelib.core.EngineError"].aliases == ("fakelib.shortcuts.EngineError",)
    assert fakelib.alias_index()["fakelib.shortcuts.connect"] == "fakelib.core.connect"
    # __all__ built from another module's __all__, bound through a star import, re-exported again
    assert names["fakelib.models.fields.CharField"].aliases == (
        "fakelib.CharField",
        "fakelib.models.CharField",
    )
    # not in __all__: no star import carries it
    assert names["fakelib.models.fields.NotExported"].aliases == ()
    assert names["fakelib.shortcuts.render"].aliases == ("fakelib.render",)


def test_a_private_definition_is_public_under_its_nearest_reexport(fakelib) -> None:
    select = by_name(fakelib)["fakelib.select"]
    assert (select.module, select.source_path) == ("fakelib", "fakelib/_impl.py")
    # the real definition, not the first @overload stub
    assert (select.line, select.summary) == (7, "Build a SELECT statement.")
    assert "fakelib._impl.helper" not in fakelib.alias_index()  # never re-exported on purpose


def test_kinds_docstrings_and_type_checking_imports(fakelib) -> None:
    names = by_name(fakelib)
    assert names["fakelib.core.PoolError"].kind == "exception"
    assert names["fakelib.core.EngineError"].kind == "exception"
    assert names["fakelib.models.fields.CharField"].kind == "class"
    assert names["fakelib.core.connect"].kind == "function"
    # inherited from the base class
    assert names["fakelib.core.PooledEngine"].summary == "Talks to the database."
    # also from a class in a folder without __init__.py (flask.Blueprint's base in flask.sansio)
    assert names["fakelib.core.Child"].summary == "Behaviour shared by children."
    # no docstring at all: no summary, never a made-up sentence quoted as the docstring (the
    # page's own first sentence already says what the name is and where it lives)
    assert names["fakelib.core.EngineError"].summary == ""
    assert "fakelib.core.Model" not in fakelib.alias_index()  # only under TYPE_CHECKING
    assert "fakelib.core.T" not in fakelib.alias_index()  # a type variable


def test_existing_names_include_private_ones(fakelib) -> None:
    assert {"fakelib._impl.helper", "fakelib._impl._hidden", "fakelib.core.T"} <= fakelib.existing


def test_an_unreadable_module_is_one_warning(tmp_path, monkeypatch, caplog) -> None:
    monkeypatch.syspath_prepend(str(write_library(tmp_path)))
    with caplog.at_level(logging.WARNING, logger="miner.targets"):
        discover("fakelib")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and warnings[0].startswith(
        "fakelib/broken.py: module fakelib.broken not read"
    )


def test_a_missing_library_is_one_error() -> None:
    with pytest.raises(LibraryNotFound, match="'no_such_lib' is not installed"):
        discover("no_such_lib")


def sdist(folder: Path, name: str, version: str, files: dict[str, str]) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as bundle:
        for path, text in files.items():
            data = textwrap.dedent(text).encode()
            info = tarfile.TarInfo(f"{name}-{version}/src/{name}/{path}")
            info.size = len(data)
            bundle.addfile(info, io.BytesIO(data))
    (folder / f"{name}-{version}.tar.gz").write_bytes(buffer.getvalue())


def test_a_release_is_read_from_its_sdist(tmp_path: Path) -> None:
    index = tmp_path / "index"
    index.mkdir()
    sdist(index, "oldlib", "1.0", {"__init__.py": "def gone():\n    pass\n"})
    sdist(index, "oldlib", "2.0", {"__init__.py": "def new():\n    pass\n"})
    library = discover("oldlib==1.0", index=str(index), cache_dir=tmp_path / "cache")
    assert (library.version, [t.qualname for t in library.targets]) == ("1.0", ["oldlib.gone"])
    assert library.targets[0].source_path == "oldlib/__init__.py"
    with pytest.raises(MinerError, match=r"oldlib==3.0: cannot fetch .* \(newest: 1.0, 2.0\)"):
        discover("oldlib==3.0", index=str(index), cache_dir=tmp_path / "cache")


def test_the_three_bundled_libraries_are_read_without_running_them() -> None:
    """Django without settings and SQLAlchemy's test plugin used to raise on import."""
    for name, qualname, alias in (
        ("flask", "flask.helpers.make_response", "flask.make_response"),
        ("django", "django.db.models.fields.CharField", "django.db.models.CharField"),
        ("sqlalchemy", "sqlalchemy.sql.select", "sqlalchemy.select"),
    ):
        index = discover(name).alias_index()
        assert index[alias] == qualname


def test_names_a_module_imports_from_another_library_are_foreign_not_targets(fakelib) -> None:
    assert fakelib.foreign["fakelib._impl.overload"] == "typing.overload"
    assert fakelib.foreign["fakelib.core.t"] == "typing"
    assert "fakelib.shortcuts.connect" not in fakelib.foreign  # the library's own function
    assert not set(fakelib.foreign) & set(fakelib.alias_index())


def test_an_app_s_numbered_migrations_are_not_public_but_the_migrations_api_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {
        "__init__.py": "",
        "db/__init__.py": "",
        "db/migrations/__init__.py": "from .migration import Migration\n",
        "db/migrations/migration.py": "class Migration:\n    '''A set of operations.'''\n",
        "auth/__init__.py": "",
        "auth/migrations/__init__.py": "",
        "auth/migrations/0001_initial.py": "class Migration:\n    pass\n",
        "auth/migrations/helpers.py": "def squash():\n    pass\n",
    }
    monkeypatch.syspath_prepend(str(write_library(tmp_path, "migrlib", files)))
    library = discover("migrlib")
    assert "migrlib.db.migrations" in library.modules
    assert "migrlib.auth.migrations" not in library.modules
    assert [t.qualname for t in library.targets] == ["migrlib.db.migrations.migration.Migration"]
