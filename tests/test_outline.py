"""The outline the scan makes from its LibCST parse says what ``ast`` says (the excerpt rules
were written against ``ast``), and nothing after the scan parses a file again."""

from __future__ import annotations

import ast
import textwrap

import pytest
from outline_oracle import compare

from miner import excerpt, outline, rank, syntax
from miner.crawl import crawl
from miner.model import Project
from miner.render import render_pages
from miner.store import open_db
from miner.targets import discover

SNIPPETS = {
    "decorators and footers": '''
        """Module doc."""
        import os.path as p, sys
        from flask import (Flask,
            request as r)
        from . import x

        @app.route("/")
        @other(
            1)
        async def view(a, b: int = 1, /, *args, c, **kw) -> str:
            """doc
            more"""
            x = y = 1; z: int = 2
            if a:
                return f"""{a}
                {b}"""
            elif b:
                pass
                # a comment in the elif's footer
            else:
                raise X from e
            # trailing comment, not part of the def


        class C(Base, metaclass=M):
            def m(self): return self; del q
        ''',
    "try and handlers": """
        try:
            import json
        except (ImportError, ValueError) as e:
            json = None
        else:
            pass
        finally:
            pass
        try:
            go()
        except* OSError:
            raise
        """,
    "match": """
        match cmd:
            case Point(x=0) | [1, *rest]:
                pass
            case {"k": v, **kw} if v:
                pass
            case (
                1
            ):
                pass
        """,
    "loops, with, comprehensions": """
        for i, j in zip(a, b):
            continue
        else:
            break
        while x: x -= 1
        with open(f) as (g, h), other:
            print(*a, **kw, key=val, other=g)
        l = [x for x in range(3) if x]
        d2 = {k: v for k, v in d.items()}
        g = sorted(x for x in y)
        lam = lambda q, *r, s=1: q
        x = (w := 5)
        """,
    "strings": '''
        b"bytes"
        "a" "b"
        ("x"
         "y")
        f"{a}" "b"
        """long
        docstring"""; x = 1
        x = """not
        # a comment
        alone"""
        ''',
    "long statements": """
        d = {
            "a": 1,
            **extra,
            "b": [
                1,
                2,
            ],
            "c": call(
                x,
                *y,
                z=(
                    1,
                    2,
                ),
                **w,
            ),
            "d": s[1,
                   2],
        }
        from flask import (
            a,
            b,
            c,
            d,
            e,
            f,
            g,
            h,
            i,
            j,
            k,
        )
        """,
    "nested defs": """
        def create_app():
            def helper(create_app=None):
                app = Flask(__name__)
                return app
            return helper


        def other(x):
            class Inner:
                create_app = 1
            for create_app in x:
                pass
        """,
    "backslashes and semicolons": """
        x = 1 + \\
            2; y = 3
        if x: a(); b()
        assert x, \\
            "message"
        """,
}


@pytest.mark.parametrize("source", SNIPPETS.values(), ids=SNIPPETS.keys())
def test_an_outline_says_what_ast_says(source):
    assert compare(textwrap.dedent(source)) == []


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_an_outline_counts_lines_as_ast_does_whatever_the_newlines(newline):
    source = textwrap.dedent(SNIPPETS["decorators and footers"]).replace("\n", newline)
    assert compare(source) == []


def test_an_outline_survives_storing():
    text = textwrap.dedent(SNIPPETS["long statements"])
    made = outline.of_text(text)
    again = outline.loads(outline.dumps(made))
    assert again.body[0].elements is not None
    assert [c.parts for c in again.containers] == [c.parts for c in made.containers]
    assert again.loads == made.loads and again.imports == made.imports


def test_only_long_statements_keep_their_elements():
    made = outline.of_text("x = f(\n    1,\n    2,\n)\n")
    assert made.body[0].elements is None and made.containers == ()


def test_new_grammar_gets_a_focused_excerpt():
    """A Python 3.12 f-string: ``ast`` on 3.11 refused the file, which got the fsp cut."""
    text = (
        "from flask import current_app\n\n\n"
        "def path(name):\n"
        "    label = f\"{'a' + f\"{name}\"}\"\n"
        "    return current_app.root_path + label\n"
        + "\n" * 60
        + "def later():\n    return 1\n"
    )
    shown = excerpt.make_excerpt(text, [6], "current_app", "export.py", library="flask")
    assert shown.segments == ((1, 6),)


def test_ranking_and_pages_never_parse_a_file_again(make_repo, tmp_path, monkeypatch):
    repo = make_repo({
        "app/views.py": (
            "from flask import Flask, render_template\n\n"
            "app = Flask(__name__)\n\n\n"
            "@app.route('/')\n"
            "def index():\n"
            "    '''The home page.'''\n"
            "    return render_template('index.html')\n"
        ),
    })
    library = discover("flask")
    parses = []
    original = syntax.parse

    def counted(data):
        parses.append(data)
        return original(data)

    monkeypatch.setattr(syntax, "parse", counted)
    project_parses = []
    parse_ast = ast.parse

    def watched(source, *args, **kwargs):
        text = source if isinstance(source, str) else bytes(source).decode("utf-8", "replace")
        if "index.html" in text:
            project_parses.append(text)
        return parse_ast(source, *args, **kwargs)

    monkeypatch.setattr(ast, "parse", watched)
    excerpt._outlined.cache_clear()
    db = open_db(tmp_path / "miner.db")
    crawl(db, [Project("demo", repo.url)], library, tmp_path / "cache", jobs=1)
    assert len(parses) == 1  # the scan's
    stored = db.execute("SELECT outline FROM sources").fetchone()[0]
    assert outline.loads(stored).body[1].name == "app"
    rank._loaded.cache_clear()
    render_pages(db, tmp_path / "site", intros=tmp_path / "no-intros")
    assert len(parses) == 1
    page = next((tmp_path / "site").rglob("*render-template*.markdown")).read_text()
    assert "~~    return render_template('index.html')" in page
    assert project_parses == []  # no ``ast`` parse of project code anywhere


def test_the_scan_stores_the_outline_build_makes():
    """The scan notes the outline's positions in its own code generation: same outline."""
    from miner.model import SourceFile
    from miner.scan import ScanContext, scan_file

    text = "from flask import request\n\n" + textwrap.dedent(SNIPPETS["long statements"]).replace(
        "extra", "request"
    ) + textwrap.dedent(SNIPPETS["decorators and footers"])
    scan = scan_file(SourceFile("a.py", "0", text.encode()), ScanContext.for_library(discover("flask")))
    assert scan.uses
    assert scan.outline == outline.dumps(outline.of_text(text))


def test_an_outline_leaves_no_reference_cycle():
    """The scan freezes what a file leaves alive: a cycle would keep the file's tree with it."""
    import gc

    module = syntax.parse(textwrap.dedent(SNIPPETS["nested defs"]).encode())
    gc.collect()
    gc.disable()
    try:
        outline.loads(outline.dumps(outline.build(module)))
        assert gc.collect() == 0
    finally:
        gc.enable()
