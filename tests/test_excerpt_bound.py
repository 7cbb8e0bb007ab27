"""The focused excerpt's readable bound: one use of each usage shape first, repeats only while
the block stays readable, and an end marker that never says "no further" when uses follow."""

from __future__ import annotations

import pytest

from miner.excerpt import (
    CONTEXT_LINES,
    FURTHER,
    READABLE_LINES,
    TOTAL_LINES,
    make_excerpt,
)
from miner.model import Project, SourceFile
from miner.scan import ScanContext, scan_file
from miner.store import FileCandidate
from miner.targets import discover

NAME = "with_appcontext"
ABBREVIATED = f"\n\n## ... source file abbreviated to get to {NAME} examples ...\n\n\n"
CONTINUES = f"\n\n## ... source file continues with no further {NAME} examples...\n\n"
FURTHER_TEXT = f"\n\n## ... source file continues with further {NAME} examples...\n\n"
PRELUDE = "import click\nfrom flask.cli import with_appcontext\n"
SHAPE = "@with_appcontext"


def command(i: int, body: int = 10, use: str = "@with_appcontext") -> str:
    """A click command of 3 + `body` + 1 lines, the use on its second line."""
    lines = "".join(f"    v{i}_{j} = {j}\n" for j in range(body))
    return f'@click.command("c{i}")\n{use}\ndef command_{i}():\n{lines}    return v{i}_0\n'


def module(*commands: str) -> tuple[str, list[int]]:
    """The prelude, then the commands two blank lines apart; the import and use lines."""
    source, uses = PRELUDE, [2]
    for text in commands:
        source += "\n\n"
        uses.append(source.count("\n") + 2)
        source += text
    return source, uses


def test_the_marker_texts_are_the_spec_s_and_one_for_uses_left_out_after_the_last_block() -> None:
    assert FURTHER.format(name=NAME) == FURTHER_TEXT.strip()
    assert FURTHER.format(name=NAME) != CONTINUES.strip()


def test_repeats_of_one_shape_stop_at_the_readable_bound_and_the_end_marker_says_more_follow() -> None:
    source, lines = module(*(command(i) for i in range(6)))
    excerpt = make_excerpt(source, lines, NAME, "cli.py", shapes=[(n, SHAPE) for n in lines[1:]])
    # title 1 + prelude 2 + 3 commands of 2 blank + 14 lines + the end marker 4 = 55; a 4th: 71
    shown = "".join(f"\n\n{command(i)}" for i in range(3)).replace("@with", "~~@with")
    assert excerpt.text == (
        "# cli.py\nimport click\n~~from flask.cli import with_appcontext\n"
        + shown.rstrip("\n")
        + "\n"
        + FURTHER_TEXT
    )
    assert excerpt.highlighted == tuple(lines[:4])
    assert excerpt.text.count("\n") == 55 <= READABLE_LINES < 55 + 16


def test_without_shapes_every_use_is_its_own_shape_within_the_total_bound() -> None:
    source, lines = module(*(command(i) for i in range(6)))
    excerpt = make_excerpt(source, lines, NAME, "cli.py")
    assert excerpt.highlighted == tuple(lines)  # 99 lines: all six fit TOTAL_LINES
    assert excerpt.text.count("\n") == 99 <= TOTAL_LINES
    assert not excerpt.text.endswith((CONTINUES, FURTHER_TEXT))  # nothing follows


def test_a_new_shape_comes_before_repeats_even_late_in_the_file() -> None:
    last = command(5, use="@with_appcontext(factory)")
    source, lines = module(*(command(i) for i in range(5)), last)
    shapes = [(n, SHAPE) for n in lines[1:-1]] + [(lines[-1], "@with_appcontext(value)")]
    excerpt = make_excerpt(source, lines, NAME, "cli.py", shapes=shapes)
    # first each shape (command 0, command 5), then repeats while within READABLE_LINES:
    # command 1 (54 lines); command 2 would make 70, commands 3 and 4 each 73 and 70
    head = "".join(f"\n\n{command(i)}" for i in range(2)).replace("@with", "~~@with")
    assert excerpt.text == (
        "# cli.py\nimport click\n~~from flask.cli import with_appcontext\n"
        + head.rstrip("\n")
        + "\n"
        + ABBREVIATED
        + last.replace("@with", "~~@with")
    )
    assert excerpt.highlighted == (2, lines[1], lines[2], lines[-1])
    assert excerpt.text.count("\n") == 54


def test_a_use_in_a_definition_shown_whole_comes_before_one_cut_to_its_context() -> None:
    long, short = command(0, body=50), command(1, body=30)
    source, lines = module(long, short)
    excerpt = make_excerpt(source, lines, NAME, "cli.py", shapes=[(n, SHAPE) for n in lines[1:]])
    # command 1 (34 lines) whole; command 0 cut to its header and opening would make 65 lines
    assert excerpt.text == (
        "# cli.py\nimport click\n~~from flask.cli import with_appcontext\n"
        + ABBREVIATED
        + short.replace("@with", "~~@with")
    )
    assert excerpt.anchor == (lines[2] - 1, lines[2] + 32)  # the link pins the shown command
    unshaped = make_excerpt(source, lines, NAME, "cli.py")  # two shapes: both shown
    assert unshaped.highlighted == tuple(lines)


def test_a_header_use_of_a_long_command_shows_its_signature_and_opening_not_the_body() -> None:
    options = "".join(f'@click.option("--o{j}")\n' for j in range(12))
    body = "".join(f"    s{j} = {j}\n" for j in range(90))
    source = f"{PRELUDE}\n\n{options}@with_appcontext\ndef create(**kwargs):\n{body}    return s0\n"
    use = 2 + 2 + 12 + 1
    excerpt = make_excerpt(source, [2, use], NAME, "cli.py", shapes=[(use, SHAPE)])
    opening = "".join(f"    s{j} = {j}\n" for j in range(CONTEXT_LINES))
    assert excerpt.text == (
        f"# cli.py\nimport click\n~~from flask.cli import with_appcontext\n\n\n{options}"
        f"~~@with_appcontext\ndef create(**kwargs):\n{opening}" + CONTINUES
    )


def test_a_line_repeats_a_shape_only_when_all_its_shapes_were_shown() -> None:
    source, lines = module(*(command(i) for i in range(6)))
    shapes = [(n, SHAPE) for n in lines[1:]] + [(lines[5], "with_appcontext(value)")]
    excerpt = make_excerpt(source, lines, NAME, "cli.py", shapes=shapes)
    # command 4's line holds a second use of a new shape: shown before the repeats (42 lines),
    # then command 1 (58); commands 2, 3 and 5 would make 74, 74 and 70
    assert excerpt.highlighted == (2, lines[1], lines[2], lines[5])
    assert excerpt.text.count(ABBREVIATED) == 1
    assert excerpt.text.endswith(FURTHER_TEXT)  # command 5 follows, left out
    assert excerpt.text.count("\n") == 58


# --- through ranking: the shapes the scan found decide ------------------------------------------


@pytest.fixture(scope="module")
def context() -> ScanContext:
    return ScanContext.for_library(discover("flask"))


def candidate(context: ScanContext, text: str) -> FileCandidate:
    scan = scan_file(SourceFile("cli.py", "sha", text.encode()), context)
    return FileCandidate(Project("P", "https://example.org/P"), "c0ffee", None, "cli.py", text,
                         scan.uses)


def test_pages_and_scores_see_the_same_bounded_excerpt(context: ScanContext) -> None:
    from miner import rank

    source, lines = module(*(command(i) for i in range(6)))
    file = candidate(context, source)
    qualname = "flask.cli.with_appcontext"
    assert rank.use_shapes(rank.real_uses(file, qualname)) == tuple((n, SHAPE) for n in lines[1:])
    excerpt = rank.file_excerpt(file, qualname, "focused")
    assert excerpt.highlighted == tuple(lines[:4])
    assert excerpt.text.endswith(FURTHER_TEXT)
    usage = rank.usage_of([file], qualname)
    score = rank.score_file(file, qualname, usage, "flask")
    assert score.excerpt_lines == excerpt.text.count("\n") == 55


def test_a_page_s_html_shows_the_further_marker_as_a_marker() -> None:
    from miner.highlight import split_excerpt

    source, lines = module(*(command(i) for i in range(6)))
    excerpt = make_excerpt(source, lines, NAME, "cli.py", shapes=[(n, SHAPE) for n in lines[1:]])
    block = split_excerpt(excerpt.text, marked=set(excerpt.marked))
    last = block.code.rstrip("\n").split("\n")
    assert last[-1] == FURTHER.format(name=NAME)
    assert block.markers == (len(last),)


def test_a_crawl_scores_the_excerpt_its_page_shows(make_repo, tmp_path) -> None:
    from miner import store
    from miner.crawl import crawl

    source, _ = module(*(command(i) for i in range(6)))
    repo = make_repo({"app/cli.py": source})
    db = store.open_db(tmp_path / "miner.db")
    crawl(db, [Project("demo", repo.url)], discover("flask"), tmp_path / "cache", jobs=1)
    (stored,) = db.execute(
        "SELECT excerpt_lines FROM candidates WHERE qualname = 'flask.cli.with_appcontext'"
    ).fetchall()
    assert stored == (55,)  # the bounded excerpt, as pages show it (all six commands: 99)
