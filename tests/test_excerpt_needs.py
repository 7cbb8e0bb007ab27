"""A focused excerpt shows the import of every library name its shown code reads, whichever
way a line came to be shown (a unit, a joined gap, an import brought in for another name)."""

from __future__ import annotations

from miner.excerpt import CONTEXT_LINES, DEFINITION_LINES, MERGE_GAP, PRELUDE_LINES, make_excerpt

NAME = "make_response"


def test_a_name_read_in_the_gap_joined_between_two_blocks_gets_its_import() -> None:
    """The use's context is the long view's signature and the ``if`` block around the use; the
    two-line ``if`` before it is shown only because the gap is at most MERGE_GAP lines, and the
    ``jsonify`` it reads is imported far up, in a prelude too long to show."""
    prelude = "".join(f"import m{i}\n" for i in range(PRELUDE_LINES + 1))
    block = "".join(f"        y{i} = {i}\n" for i in range(CONTEXT_LINES - 3))
    rest = "".join(f"    z{i} = {i}\n" for i in range(DEFINITION_LINES))
    source = (
        "from flask import jsonify\n" + prelude + "from flask import make_response\n\n\n"
        "def view(x):\n    if x:\n        x = jsonify(x)\n    if x:\n"
        + block + "        return make_response(x)\n" + rest + "    return x\n"
    )
    lines = source.split("\n")
    use = lines.index("        return make_response(x)") + 1
    excerpt = make_excerpt(source, [PRELUDE_LINES + 3, use], NAME, "app.py", library="flask")
    shown = excerpt.text.split("\n")
    gap = shown.index("def view(x):"), shown.index("    if x:")
    assert 0 < gap[1] - gap[0] <= MERGE_GAP and "        x = jsonify(x)" in shown
    assert shown[1] == "from flask import jsonify"
    assert excerpt.segments[0] == (1, 1)


def _routes(use_at: int) -> tuple[str, int]:
    """A module-level list too long to show whole, comments before its first element and
    after its last; the use of make_response is in element `use_at`."""
    items = [f"    path('p{i}', view_{i})," for i in range(DEFINITION_LINES + 5)]
    items[use_at] = "    path('home', make_response('hi')),"
    lines = [
        "from flask import make_response", "", "routes = [",
        "    # the first routes", "    # come first", *items,
        "    # a route left commented out:", "    # path('old', old_view),", "]", "",
    ]
    return "\n".join(lines), lines.index(items[use_at]) + 1


def test_a_long_literal_cut_before_its_closing_leaves_the_comments_after_its_last_element_out() -> None:
    source, use = _routes(0)
    excerpt = make_excerpt(source, [1, use], NAME, "urls.py", library="flask")
    shown = excerpt.text.split("\n")
    assert "    path('p1', view_1)," not in shown and "]" in shown
    assert "    # path('old', old_view)," not in shown
    assert "    # come first" in shown  # the comments on the element shown stay
    assert excerpt.segments[-1] == (source.split("\n").index("]") + 1,) * 2


def test_a_long_literal_cut_after_its_opening_leaves_the_comments_before_its_first_element_out() -> None:
    source, use = _routes(DEFINITION_LINES + 4)
    excerpt = make_excerpt(source, [1, use], NAME, "urls.py", library="flask")
    shown = excerpt.text.split("\n")
    assert "routes = [" in shown and "    # come first" not in shown
    assert "    # path('old', old_view)," in shown  # after the element shown, nothing is cut
    assert excerpt.segments[0] == (1, 3)
