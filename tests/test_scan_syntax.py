"""The scan on LibCST: lines split as Python's tokenizer splits them, guarded parsing."""

from __future__ import annotations

import pytest

from miner.model import FileStatus, SourceFile
from miner.scan import ScanContext, scan_file

CONTEXT = ScanContext(
    "flask",
    frozenset({"flask", "flask.globals"}),
    {"flask.request": "flask.globals.request", "flask.globals.request": "flask.globals.request"},
)

#: Characters str.splitlines() ends a line at and Python's tokenizer does not.
NOT_LINE_ENDS = ["\x0c", "\x0b", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


@pytest.mark.parametrize("char", NOT_LINE_ENDS, ids=[f"U+{ord(c):04X}" for c in NOT_LINE_ENDS])
def test_characters_that_are_no_line_end_shift_nothing(char: str) -> None:
    source = (
        "from flask import request\n"
        f'TEXT = "a{char}b"  # c{char}d\n'
        "\n"
        "def view():\n"
        f"    return request.args, '{char}', request.form\n"
    )
    scan = scan_file(SourceFile("v.py", "sha", source.encode()), CONTEXT)

    assert scan.status is FileStatus.SCANNED, scan.error
    calls = [u for u in scan.uses if u.kind.value == "attribute"]
    assert [(u.line, u.column, u.end_column) for u in calls] == [(5, 12, 19), (5, 31, 38)]
    assert {u.line_text for u in calls} == {f"    return request.args, '{char}', request.form"}


def test_line_endings_of_every_kind_count_one_line_each() -> None:
    source = "from flask import request\r\nx = 1\rdef view():\n    return request.args\r\n"
    scan = scan_file(SourceFile("v.py", "sha", source.encode()), CONTEXT)

    [use] = [u for u in scan.uses if u.kind.value == "attribute"]
    assert (use.line, use.column, use.line_text) == (4, 12, "    return request.args")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"x = " + b"[" * 300 + b"]" * 300, "too many nested parentheses"),
        (b"x = " + b" + ".join([b"a"] * 1500), "expression too long to parse"),
    ],
)
def test_what_would_crash_or_stall_the_parser_is_refused_first(body: bytes, reason: str) -> None:
    scan = scan_file(SourceFile("g.py", "sha", b"import flask\n" + body + b"\n"), CONTEXT)

    assert scan.status is FileStatus.UNPARSABLE
    assert scan.error is not None and reason in scan.error


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    source = b"from flask import request\nSMILEYS = '" + b"(" * 500 + b"'\nrequest.args\n"
    scan = scan_file(SourceFile("s.py", "sha", source), CONTEXT)

    assert scan.status is FileStatus.SCANNED, scan.error
    assert [u.line for u in scan.uses if u.kind.value == "attribute"] == [3]
