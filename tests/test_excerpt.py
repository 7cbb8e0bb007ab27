"""The excerpt styles: fsp's fixed windows and focused's syntax-aware cuts (pages.md, section 3)."""

from __future__ import annotations

import ast
import random
import textwrap
from dataclasses import dataclass, field

import pytest

from miner.excerpt import (
    DOCSTRING_LINES,
    STYLES,
    TOTAL_LINES,
    Excerpt,
    focused_excerpt,
    fsp_excerpt,
    make_excerpt,
)

NAME = "make_response"
ABBREVIATED = f"\n\n## ... source file abbreviated to get to {NAME} examples ...\n\n\n"
CONTINUES = f"\n\n## ... source file continues with no further {NAME} examples...\n\n"
FURTHER = f"\n\n## ... source file continues with further {NAME} examples...\n\n"
MARKERS = (ABBREVIATED.strip(), CONTINUES.strip(), FURTHER.strip())


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def numbered(count: int) -> str:
    """A file of `count` distinct one-line statements, v0 = 0 to v{count-1}, ending in a newline."""
    return "".join(f"v{index} = {index}\n" for index in range(count))


def lines_of(first: int, last: int, marks: tuple[int, ...] = ()) -> str:
    """The text fsp shows for v{first}..v{last} of numbered(), `marks` highlighted."""
    return "".join(f"{'~~' * (i in marks)}v{i} = {i}\n" for i in range(first, last + 1))


def code_lines(excerpt: Excerpt) -> list[str]:
    """The source lines an excerpt shows, blank ones included, without its title and markers."""
    body = excerpt.text.split("\n", 1)[1]
    for marker in (ABBREVIATED, CONTINUES, FURTHER):
        body = body.replace(marker, "\n")
    return body.split("\n")


# --- fsp ---------------------------------------------------------------------------------------


def test_fsp_reproduces_a_small_file_exactly() -> None:
    source = dedent('''
        #!/usr/bin/env python
        """Module docstring.

        # this line is inside the docstring
        """
        import os
        from flask import make_response  # inline comments stay

        TEMPLATE = """
        # a heading inside a string, not a comment
        """


        def view():
            """One-line docstring."""
            # a comment line
            return make_response(TEMPLATE)
        ''')
    excerpt = fsp_excerpt(source, [7, 17], NAME, "app.py")
    assert excerpt.text == (
        "# app.py\n"
        "import os\n"
        "~~from flask import make_response  # inline comments stay\n"
        "\n"
        'TEMPLATE = """\n'
        "# a heading inside a string, not a comment\n"
        '"""\n'
        "\n"
        "\n"
        "def view():\n"
        "~~    return make_response(TEMPLATE)\n"
        "\n"  # the empty last line after the final newline, as the reference counts lines
        f"{CONTINUES}"
    )
    assert excerpt.segments == ((6, 18),)
    assert excerpt.highlighted == (7, 17)


def test_fsp_puts_the_top_in_front_of_a_first_window_at_index_35() -> None:
    excerpt = fsp_excerpt(numbered(100), [61], NAME, "f.py")  # index 60: window [35, 85)
    assert excerpt.text == (
        "# f.py\n" + lines_of(0, 34) + ABBREVIATED + lines_of(35, 84, marks=(60,)) + CONTINUES
    )
    assert excerpt.segments == ((1, 35), (36, 85))


def test_fsp_drops_the_top_silently_for_a_first_window_at_index_34() -> None:
    excerpt = fsp_excerpt(numbered(100), [60], NAME, "f.py")  # index 59: window [34, 84)
    assert excerpt.text == "# f.py\n" + lines_of(34, 83, marks=(59,)) + CONTINUES
    assert excerpt.segments == ((35, 84),)


@pytest.mark.parametrize(
    ("indexes", "segments"),
    [
        ((10, 60), ((1, 85),)),  # [0, 35) and [35, 85) touch: merged
        ((10, 40), ((1, 65),)),  # overlapping: merged
        ((10, 61), ((1, 35), (37, 86))),  # [0, 35) and [36, 86): one line apart, kept apart
    ],
)
def test_fsp_merges_touching_and_overlapping_windows_only(
    indexes: tuple[int, ...], segments: tuple[tuple[int, int], ...]
) -> None:
    excerpt = fsp_excerpt(numbered(200), [i + 1 for i in indexes], NAME, "f.py")
    assert excerpt.segments == segments
    assert excerpt.text.count(ABBREVIATED) == len(segments) - 1


def test_fsp_writes_the_continues_marker_when_the_last_window_reaches_the_end() -> None:
    excerpt = fsp_excerpt(numbered(30), [21], NAME, "f.py")
    # 30 lines and the empty one after the final newline, then the marker all the same
    assert excerpt.text == "# f.py\n" + lines_of(0, 29, marks=(20,)) + "\n" + CONTINUES
    assert excerpt.segments == ((1, 31),)


def test_fsp_counts_windows_on_the_stripped_file() -> None:
    docstring = '    """\n' + "    Long docstring line.\n" * 40 + '    """\n'
    source = "def f():\n" + docstring + "    # comment\n" * 10 + "    return make_response()\n"
    excerpt = fsp_excerpt(source, [54], NAME, "f.py")  # 52 lines stripped: index 1 afterwards
    assert excerpt.text == "# f.py\ndef f():\n~~    return make_response()\n\n" + CONTINUES
    assert excerpt.segments == ((1, 55),)


def test_stripping_removes_string_statements_and_comment_lines_only() -> None:
    source = dedent('''
        class A:
            """Class docstring
            over two lines."""

            b"bytes statement"
            x = "assigned, not a statement"  # inline comment
                # indented comment
            def f(self): "shares its line: stays"
            "a"; y = 1
        ''')
    shown = code_lines(fsp_excerpt(source, [6], NAME, "a.py"))
    assert shown[:6] == [
        "class A:",
        "",
        '~~    x = "assigned, not a statement"  # inline comment',
        '    def f(self): "shares its line: stays"',
        '    "a"; y = 1',
        "",
    ]


def test_unparsable_source_loses_only_its_comment_lines() -> None:
    source = '"""Python 2 docstring."""\n# comment\nprint "hello"\nmake_response()\n'
    excerpt = fsp_excerpt(source, [4], NAME, "old.py")
    assert excerpt.text == (
        '# old.py\n"""Python 2 docstring."""\nprint "hello"\n~~make_response()\n\n' + CONTINUES
    )
    assert focused_excerpt(source, [4], NAME, "old.py") == excerpt


def test_untokenizable_source_is_not_stripped_at_all() -> None:
    source = "# comment\nmake_response()\n'''never closed\n"
    excerpt = make_excerpt(source, [2], NAME, "bad.py")
    assert excerpt.text == (
        "# bad.py\n# comment\n~~make_response()\n'''never closed\n\n" + CONTINUES
    )


def test_crlf_line_endings_are_read_as_lines() -> None:
    excerpt = fsp_excerpt("import os\r\nmake_response()\r\n", [2], NAME, "w.py")
    assert excerpt.text == "# w.py\nimport os\n~~make_response()\n\n" + CONTINUES


def test_unknown_style_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match=r"'fancy'.*focused, fsp"):
        make_excerpt("x = 1\n", [1], NAME, "x.py", style="fancy")
    assert set(STYLES) == {"focused", "fsp"}


def test_no_shown_highlighted_line_is_an_error() -> None:
    with pytest.raises(ValueError, match="no highlighted line"):
        make_excerpt('"""doc"""\nx = 1\n', [1, 99], NAME, "x.py", style="fsp")
    with pytest.raises(ValueError, match="no highlighted line"):  # a long docstring is left out
        make_excerpt('"""\n1\n2\n3\n"""\nx = 1\n', [2, 99], NAME, "x.py")


# --- focused: exact cases ----------------------------------------------------------------------

VIEWS = dedent('''
    """Views of a tiny app."""

    import json
    from typing import TYPE_CHECKING

    try:
        import ujson
    except ImportError:
        ujson = None

    from flask import make_response, request

    if TYPE_CHECKING:
        from flask import Response

    LIMIT = 10


    def helper(value):
        return json.dumps(value)


    class Resource:
        """A resource."""

        kind = "item"

        def get(self):
            return {"kind": self.kind}

        def post(self):
            # validate first
            data = request.get_json()
            return make_response(helper(data), 201)


    def unrelated():
        return LIMIT
    ''')


def test_focused_shows_the_prelude_and_a_method_under_its_class_line() -> None:
    excerpt = make_excerpt(VIEWS, [11, 34], NAME, "views.py")
    assert excerpt.text == (
        "# views.py\n"
        '"""Views of a tiny app."""\n'  # a short module docstring opens the prelude
        "\n"
        "import json\n"
        "from typing import TYPE_CHECKING\n"
        "\n"
        "try:\n"
        "    import ujson\n"
        "except ImportError:\n"
        "    ujson = None\n"
        "\n"
        "~~from flask import make_response, request\n"
        "\n"
        "if TYPE_CHECKING:\n"
        "    from flask import Response\n"
        + ABBREVIATED
        + "class Resource:\n"  # a small class is shown whole around its method
        '    """A resource."""\n'
        "\n"
        '    kind = "item"\n'
        "\n"
        "    def get(self):\n"
        '        return {"kind": self.kind}\n'
        "\n"
        "    def post(self):\n"
        "        # validate first\n"
        "        data = request.get_json()\n"
        "~~        return make_response(helper(data), 201)\n" + CONTINUES
    )
    assert excerpt.segments == ((1, 14), (23, 34))
    assert excerpt.highlighted == (11, 34)
    assert excerpt.anchor == (23, 34)  # links pin the first use, not the imports


REPORT = "\n".join(
    [
        "from flask import make_response",
        "",
        "",
        '@app.route("/report")',
        "def report(",
        "    year,",
        "    month,",
        "):",
        '    """Build the report."""',
        *[f"    step_{i:02} = compute({i})" for i in range(1, 21)],
        "    if year > 2000:",
        "        body = render(step_01)",
        "        response = make_response(body)",
        '        response.headers["X-Year"] = str(year)',
        "        return response",
        *[f"    late_{i:02} = compute({i})" for i in range(1, 21)],
        "    return None",
        "",
    ]
)


def test_focused_narrows_a_long_function_to_its_signature_and_the_statements_around() -> None:
    excerpt = make_excerpt(REPORT, [1, 32], NAME, "report.py")
    assert excerpt.text == (
        "# report.py\n"
        "~~from flask import make_response\n"
        "\n"
        "\n"
        '@app.route("/report")\n'
        "def report(\n"
        "    year,\n"
        "    month,\n"
        "):\n"
        + ABBREVIATED
        + "".join(f"    step_{i:02} = compute({i})\n" for i in range(13, 21))
        + "    if year > 2000:\n"
        "        body = render(step_01)\n"
        "~~        response = make_response(body)\n"
        '        response.headers["X-Year"] = str(year)\n'
        "        return response\n"
        + "".join(f"    late_{i:02} = compute({i})\n" for i in range(1, 8))
        + CONTINUES
    )
    assert excerpt.segments == ((1, 8), (22, 41))


# --- focused: rules ----------------------------------------------------------------------------


def test_focused_shows_a_header_use_of_a_long_function_with_its_first_statements() -> None:
    body = "".join(f"    s{i} = {i}\n" for i in range(45))
    source = (
        f'@with_response(make_response)\ndef view(request):\n    """Doc."""\n{body}    return 1\n'
    )
    excerpt = make_excerpt(source, [1], NAME, "v.py")
    assert excerpt.text == (
        '# v.py\n~~@with_response(make_response)\ndef view(request):\n    """Doc."""\n'
        + "".join(f"    s{i} = {i}\n" for i in range(19))  # CONTEXT_LINES of the body
        + CONTINUES
    )


def test_focused_never_splits_a_header_that_shares_its_line_with_the_body() -> None:
    items = "".join("        0,\n" for _ in range(25))
    rest = "".join(f"    s{i} = {i}\n" for i in range(15))
    source = (
        f"def view():\n    if make_response(\n        1,\n    ): value = [\n{items}    ]\n{rest}"
    )
    excerpt = make_excerpt(source + "    return value\n", [2], NAME, "v.py")
    assert excerpt.segments == ((1, 30),)  # the whole if statement, not its first two lines
    assert excerpt.text.endswith("        0,\n    ]\n" + CONTINUES)


def test_focused_prelude_is_the_opening_run_of_import_blocks() -> None:
    """Code longer than MERGE_GAP between two imports ends the prelude; the library import
    after it is still shown, because the use reads the name it binds."""
    source = dedent("""
        import os
        if DEBUG:
            import pdb
            pdb.set_trace()
        try:
            ujson = load()
        except ImportError:
            ujson = None
        if TYPE_CHECKING:
            from typing import Any
        from flask import make_response


        def view():
            return make_response()


        import late
        """)
    excerpt = make_excerpt(source, [15], NAME, "app.py", library="flask")
    assert excerpt.text == (
        "# app.py\nimport os\n"
        + ABBREVIATED
        + "from flask import make_response\n"
        "\n\ndef view():\n~~    return make_response()\n" + CONTINUES
    )


def test_focused_prelude_runs_past_a_short_statement_between_imports() -> None:
    source = dedent("""\
        import os
        import sys
        sys.path.insert(0, os.getcwd())
        from myapp import db
        from flask import make_response

        app = object()
        app.debug = True
        app.name = "x"

        # A model loaded at import time.
        from heavy import Model
        model = Model()


        def view():
            return make_response(db)
        """)
    excerpt = make_excerpt(source, [17], NAME, "app.py")
    assert excerpt.text == (
        "# app.py\nimport os\nimport sys\nsys.path.insert(0, os.getcwd())\n"
        "from myapp import db\nfrom flask import make_response\n"
        + ABBREVIATED
        + "def view():\n~~    return make_response(db)\n"
    )


def test_focused_shows_the_object_a_view_decorator_hangs_on() -> None:
    source = dedent("""\
        from flask import Blueprint, make_response

        bp = Blueprint("bp", __name__)
        other = Blueprint("other", __name__)
        for i in range(3):
            print(i)


        @bp.route("/")
        def index():
            return make_response("hi")
        """)
    excerpt = make_excerpt(source, [1, 11], NAME, "views.py", library="flask")
    assert excerpt.text == (
        "# views.py\n~~from flask import Blueprint, make_response\n\n"
        'bp = Blueprint("bp", __name__)\n'
        + ABBREVIATED
        + '@bp.route("/")\ndef index():\n~~    return make_response("hi")\n'
    )


def test_focused_shows_how_a_long_first_reader_of_a_module_level_object_begins() -> None:
    body = "".join(f"    s{i} = {i}\n" for i in range(50))
    source = (
        "from flask import Blueprint\n\nbp = Blueprint('bp', __name__)\n\n\n"
        f"@bp.route('/')\ndef index():\n    first = 1\n{body}    return first\n"
    )
    excerpt = make_excerpt(source, [1, 3], "Blueprint", "views.py", library="flask")
    shown = excerpt.text.splitlines()
    assert shown[:8] == [
        "# views.py",
        "~~from flask import Blueprint",
        "",
        "~~bp = Blueprint('bp', __name__)",
        "",
        "",
        "@bp.route('/')",
        "def index():",
    ]
    assert "    first = 1" in shown and "    return first" not in shown
    assert len(shown) < 40


@pytest.mark.parametrize(("imports", "kept"), [(24, True), (25, False)])
def test_focused_leaves_out_a_prelude_longer_than_25_lines(imports: int, kept: bool) -> None:
    prelude = "".join(f"import module_{i}\n" for i in range(imports))
    use = imports + 1
    source = (
        prelude + "from flask import make_response\n\n\ndef view():\n    return make_response()\n"
    )
    excerpt = make_excerpt(source, [use, use + 4], NAME, "app.py", library="flask")
    shown = "~~from flask import make_response\n\n\ndef view():\n~~    return make_response()\n"
    assert excerpt.text == "# app.py\n" + (prelude if kept else ABBREVIATED) + shown


def test_focused_keeps_decorators_and_ends_without_marker_when_nothing_follows() -> None:
    source = dedent("""
        from flask import make_response
        x = 1
        y = 2
        z = 3


        @first
        @second(
            "arg",
        )
        def view():
            return make_response()


        """)
    excerpt = make_excerpt(source, [12], NAME, "v.py")
    assert excerpt.text == (
        "# v.py\n"
        "from flask import make_response\n"
        + ABBREVIATED
        + '@first\n@second(\n    "arg",\n)\ndef view():\n~~    return make_response()\n'
    )


def test_focused_marks_code_left_out_before_the_first_block() -> None:
    source = "x = 1\n\n\n\n\ndef f():\n    return make_response()\n"
    excerpt = make_excerpt(source, [7], NAME, "f.py")
    assert excerpt.text == "# f.py\n" + ABBREVIATED + "def f():\n~~    return make_response()\n"


@pytest.mark.parametrize("filler", [1, 2])
def test_focused_merges_blocks_at_most_three_lines_apart(filler: int) -> None:
    between = "".join(f"    w{i} = {i}\n" for i in range(filler))
    source = f"def a():\n    return make_response(1)\n\ndef b():\n{between}def c():\n    return 2\n"
    excerpt = make_excerpt(source, [2, filler + 6], NAME, "m.py")
    head, tail = "def a():\n~~    return make_response(1)\n", "def c():\n~~    return 2\n"
    if filler == 1:  # blank line, def b(), w0: three lines between the blocks, shown
        assert excerpt.text == f"# m.py\n{head}\ndef b():\n    w0 = 0\n{tail}"
        assert excerpt.segments == ((1, 7),)
    else:
        assert excerpt.text == f"# m.py\n{head}{ABBREVIATED}{tail}"
        assert excerpt.segments == ((1, 2), (7, 8))


def test_focused_shows_a_small_outer_function_whole_for_a_nested_use() -> None:
    source = dedent("""
        import functools


        def outer(f):
            def wrapper(*args):
                return make_response(f(*args))
            return functools.wraps(f)(wrapper)


        def other():
            pass
        """)
    excerpt = make_excerpt(source, [6], NAME, "d.py")
    assert excerpt.text == (
        "# d.py\nimport functools\n\n\ndef outer(f):\n    def wrapper(*args):\n"
        "~~        return make_response(f(*args))\n    return functools.wraps(f)(wrapper)\n"
        + CONTINUES
    )
    assert excerpt.segments == ((1, 7),)  # blank lines between blocks are shown, not marked


def test_focused_shows_the_outer_signature_above_a_nested_function_of_a_long_one() -> None:
    body = "".join(f"    s{i} = {i}\n" for i in range(45))
    source = (
        f"def outer(f):\n{body}    def inner():\n        return make_response()\n    return inner\n"
    )
    excerpt = make_excerpt(source, [48], NAME, "d.py")
    assert excerpt.text == (
        "# d.py\ndef outer(f):\n"
        + ABBREVIATED
        + "    def inner():\n~~        return make_response()\n"
        + CONTINUES
    )


def test_focused_shows_a_module_level_use_as_its_whole_statement() -> None:
    source = dedent("""
        import os

        a = 1
        b = 2
        c = 3
        d = 4
        if __name__ == "__main__":
            port = int(os.environ["PORT"])
            print(make_response(
                port,
            ))
        e = 5
        """)
    excerpt = make_excerpt(source, [9], NAME, "run.py")
    assert excerpt.segments == ((1, 1), (7, 11))
    assert excerpt.text.endswith(
        'if __name__ == "__main__":\n    port = int(os.environ["PORT"])\n'
        "~~    print(make_response(\n        port,\n    ))\n" + CONTINUES
    )


def test_focused_keeps_the_earliest_uses_within_the_total_bound() -> None:
    body = "".join(f"    a{j} = {j}\n" for j in range(18)) + "    return make_response()\n"
    source = "\n\n".join(f"def view_{i}():\n{body}" for i in range(12))
    uses = [22 * i + 20 for i in range(12)]  # 20 lines per function, 2 blank lines between
    excerpt = make_excerpt(source, uses, NAME, "many.py")
    # 5 functions and their gaps take 108 lines; a sixth would make 130 > TOTAL_LINES
    assert excerpt.segments == ((1, 108),)
    assert excerpt.highlighted == tuple(uses[:5])
    assert excerpt.text.count("~~") == 5
    assert excerpt.text.endswith(FURTHER)  # the uses left out follow: "no further" would lie


# --- properties on generated modules -----------------------------------------------------------


@dataclass
class Module:
    """A generated module with what the test knows about it independently of miner."""

    rng: random.Random
    lines: list[str] = field(default_factory=list)
    #: 1-based lines the focused excerpt must drop: docstrings over DOCSTRING_LINES long
    stripped: set[int] = field(default_factory=set)
    uses: list[int] = field(default_factory=list)  #: 1-based lines holding make_response

    def emit(self, indent: int, text: str, *, stripped: bool = False, use: bool = False) -> None:
        self.lines.append("    " * indent + text if text else "")
        if stripped:
            self.stripped.add(len(self.lines))
        if use:
            self.uses.append(len(self.lines))

    def block(self, indent: int, depth: int, size: int) -> None:
        self.emit(indent, f"value_{len(self.lines)} = {depth}")
        for _ in range(size):
            self.statement(indent, depth)

    def statement(self, indent: int, depth: int) -> None:
        kind = self.rng.choice(
            ["simple", "simple", "use", "call", "comment", "blank", "string"]
            + ["if", "for", "try", "def"] * (depth < 3)
        )
        rng, inner = self.rng, self.rng.randint(0, 6)
        if kind == "simple":
            self.emit(indent, f"total = total + {len(self.lines)}")
        elif kind == "use":
            self.emit(indent, "response = make_response(", use=True)
            self.emit(indent + 1, "payload,")
            self.emit(indent, ")")
        elif kind == "call":
            self.emit(indent, "log(make_response(value), 'x')  # inline", use=True)
        elif kind == "comment":
            self.emit(indent, "# a comment")
        elif kind == "blank":
            self.emit(0, "")
        elif kind == "string":
            self.emit(indent, '"""A stray string')
            self.emit(0, '# not a comment"""')
        elif kind == "if":
            self.emit(indent, "if (flag and")
            self.emit(indent + 2, "other):")
            self.block(indent + 1, depth + 1, inner)
            if rng.random() < 0.5:
                self.emit(indent, "else:")
                self.block(indent + 1, depth + 1, rng.randint(0, 4))
        elif kind == "for":
            self.emit(indent, "for item in items:")
            self.block(indent + 1, depth + 1, inner)
        elif kind == "try":
            self.emit(indent, "try:")
            self.block(indent + 1, depth + 1, inner)
            self.emit(indent, "except ValueError as error:  # why")
            self.block(indent + 1, depth + 1, rng.randint(0, 3))
        else:
            self.function(indent, depth + 1)

    def function(self, indent: int, depth: int) -> None:
        if self.rng.random() < 0.3:
            self.emit(indent, "@decorator")
        if self.rng.random() < 0.3:
            self.emit(indent, "@route(")
            self.emit(indent + 1, '"/path",')
            self.emit(indent, ")")
        self.emit(indent, f"def function_{len(self.lines)}(")
        self.emit(indent + 1, "payload, value=make_response,", use=self.rng.random() < 0.2)
        self.emit(indent, "):")
        if self.rng.random() < 0.5:
            self.emit(indent + 1, '"""Docstring.')
            self.emit(0, "")
            self.emit(indent + 1, '"""')
        elif self.rng.random() < 0.5:  # long: left out with a marker
            self.emit(indent + 1, '"""Long docstring.', stripped=True)
            for _ in range(DOCSTRING_LINES):
                self.emit(indent + 1, "More words.", stripped=True)
            self.emit(indent + 1, '"""', stripped=True)
        sizes = [2, 5, 12, 45] if depth == 1 else [1, 3]  # long enough to be narrowed
        self.block(indent + 1, depth, self.rng.choice(sizes))

    def klass(self) -> None:
        self.emit(0, f"class Class{len(self.lines)}(Base):")
        self.emit(1, '"""Class docstring."""')
        self.emit(1, "attribute = make_response", use=self.rng.random() < 0.3)
        for _ in range(self.rng.randint(1, 3)):
            self.emit(0, "")
            self.function(1, 1)

    @classmethod
    def generate(cls, seed: int) -> Module:
        module = cls(random.Random(seed))
        if module.rng.random() < 0.5:
            module.emit(0, '"""Module docstring.')
            module.emit(0, '"""')
        module.emit(0, "# header comment")
        if module.rng.random() < 0.3:
            module.emit(0, "__all__ = ['view']")  # code above the imports: a leading marker
        module.emit(0, "import os")
        module.emit(0, "from flask import make_response", use=True)
        if module.rng.random() < 0.5:
            for text in ("try:", "    import ujson", "except ImportError:", "    ujson = None"):
                module.emit(0, text)
        for _ in range(module.rng.randint(1, 6)):
            module.emit(0, "")
            module.emit(0, "")
            choice = module.rng.random()
            if choice < 0.5:
                module.function(0, 1)
            elif choice < 0.8:
                module.klass()
            else:
                module.statement(0, 2)
        module.emit(0, "")
        return module

    @property
    def source(self) -> str:
        return "\n".join(self.lines)


def statement_boundaries(source: str) -> tuple[set[int], set[int], list[tuple[int, int]]]:
    """Lines a shown block may start on, lines it may end on, and the spans it may not cut.

    Unsplittable: simple statements, and compound statements from their first decorator to
    their colon (found as the last code line before the body).
    """
    lines = source.split("\n")
    starts, ends, whole = set(), set(), []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.stmt | ast.ExceptHandler):
            continue
        decorators = getattr(node, "decorator_list", None)
        first = decorators[0].lineno if decorators else node.lineno
        starts.add(first)
        ends.add(node.end_lineno)
        body = getattr(node, "body", None)
        if not body:
            whole.append((first, node.end_lineno))
            continue
        colon = min(getattr(body[0], "decorator_list", None) or [body[0]], key=lambda n: n.lineno)
        colon_line = colon.lineno - 1
        while not lines[colon_line - 1].strip() or lines[colon_line - 1].strip().startswith("#"):
            colon_line -= 1
        ends.add(colon_line)
        whole.append((first, colon_line))
    return starts, ends, whole


def blocks_of(excerpt: Excerpt) -> tuple[bool, list[list[str]], bool]:
    """Whether a marker leads, the shown lines of each block, and whether a marker trails."""
    body = excerpt.text.split("\n", 1)[1]
    tail = body.endswith((CONTINUES, FURTHER))
    body = body.removesuffix(CONTINUES).removesuffix(FURTHER)
    lead = body.startswith(ABBREVIATED)
    body = body.removeprefix(ABBREVIATED)
    return lead, [chunk.split("\n")[:-1] for chunk in body.split(ABBREVIATED)], tail


@pytest.mark.parametrize("seed", range(150))
def test_focused_cuts_only_between_statements_and_marks_every_cut(seed: int) -> None:
    module = Module.generate(seed)
    source, lines = module.source, module.source.split("\n")
    rng = random.Random(seed)
    highlighted = rng.sample(module.uses, min(len(module.uses), 4))
    shapes = [(line, rng.choice("ab")) for line in highlighted] if seed % 2 else None
    excerpt = focused_excerpt(source, highlighted, NAME, "gen.py", shapes=shapes)
    starts, ends, whole = statement_boundaries(source)

    def text(first: int, last: int) -> bool:  # any text among original lines first..last
        return any(lines[n - 1].strip() for n in range(first, last + 1))

    lead, blocks, tail = blocks_of(excerpt)
    assert len(blocks) == len(excerpt.segments)
    for (first, last), block in zip(excerpt.segments, blocks, strict=True):
        assert first in starts and last in ends, (first, last)
        for low, high in whole:
            assert not low < first <= high and not low <= last < high, (first, last, low, high)
        expected = [n for n in range(first, last + 1) if n not in module.stripped]
        assert [line.removeprefix("~~") for line in block] == [lines[n - 1] for n in expected]
        marked = [n for n, line in zip(expected, block, strict=True) if line.startswith("~~")]
        assert set(marked) <= set(highlighted)
    assert lead == text(1, excerpt.segments[0][0] - 1)
    assert tail == text(excerpt.segments[-1][1] + 1, len(lines))
    # "no further examples" only when no highlighted use was left out after the last block
    assert excerpt.text.endswith(FURTHER) == any(n > excerpt.segments[-1][1] for n in highlighted)
    for (_, end), (start, _) in zip(excerpt.segments, excerpt.segments[1:], strict=False):
        assert text(end + 1, start - 1)  # the marker stands for lines really left out
        kept = [n for n in range(end + 1, start) if n not in module.stripped]
        assert len(kept) > 3 or not kept  # a short gap is shown, unless only a long docstring
    if len(source.split("\n")) - len(module.stripped) <= TOTAL_LINES and shapes is None:
        assert set(excerpt.highlighted) == set(highlighted)


@pytest.mark.parametrize("style", sorted(STYLES))
@pytest.mark.parametrize("seed", range(150, 200))
def test_highlighted_lines_give_back_source_lines(style: str, seed: int) -> None:
    module = Module.generate(seed)
    lines = set(module.source.split("\n"))
    excerpt = make_excerpt(module.source, module.uses, NAME, "gen.py", style=style)
    shown = code_lines(excerpt)
    marked = [line for line in shown if line.startswith("~~")]
    assert len(marked) == len(excerpt.highlighted) > 0
    assert all(line.removeprefix("~~") in lines for line in shown)
    assert all(line not in MARKERS for line in shown)
    assert excerpt.text.count("~~") == len(marked)


def test_focused_shows_the_short_base_a_model_derives_from() -> None:
    source = dedent("""\
        import sqlalchemy as sa
        from sqlalchemy.orm import DeclarativeBase

        LIMIT = 10
        for i in range(3):
            print(i)


        class Base(DeclarativeBase):
            pass


        class User(Base):
            __tablename__ = "user"
            id = sa.Column(sa.Integer, primary_key=True)
        """)
    excerpt = make_excerpt(source, [15], "Column", "models.py", library="sqlalchemy")
    assert "class Base(DeclarativeBase):\n    pass\n" in excerpt.text
    assert "LIMIT" not in excerpt.text
    assert excerpt.text.endswith('    __tablename__ = "user"\n~~    id = sa.Column(sa.Integer, primary_key=True)\n')
