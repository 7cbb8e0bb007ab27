"""Examples a reader would pick: each defect class seen on a real corpus, on a small fixture."""

from __future__ import annotations

import textwrap

import pytest

from miner.model import SourceFile, UseKind
from miner.scan import ScanContext, scan_file
from miner.targets import discover


@pytest.fixture(scope="module")
def context():
    return ScanContext.for_library(discover("flask"))


def shapes(context, text: str, qualname: str) -> list[str]:
    scan = scan_file(SourceFile("app.py", "sha", textwrap.dedent(text).encode()), context)
    return [u.shape for u in scan.uses if u.qualname == qualname and u.kind is not UseKind.IMPORT]


def test_a_name_passed_as_an_argument_keeps_its_place_in_the_call(context):
    found = shapes(context, """\
        from flask import g
        user = getattr(g, "user", None)
        """, "flask.globals.g")
    assert found == ["getattr(g, str, None)"]


def test_flags_and_none_stay_as_written_in_a_shape(context):
    found = shapes(context, """\
        from flask import url_for
        link = url_for("index", _external=True, page=3)
        """, "flask.helpers.url_for")
    assert found == ["url_for(str, _external=True, page=int)"]
