"""The gold set: every import form and kind of use, labelled by hand, must be found exactly."""

from __future__ import annotations

import pytest
from gold.evaluate import score  # tests/ is on sys.path under pytest

from miner.scan import ScanContext
from miner.targets import discover

LIBRARIES = ("flask", "django", "sqlalchemy")
SCORES = {name: score(ScanContext.for_library(discover(name))) for name in LIBRARIES}
FORMS = [(name, result) for name in LIBRARIES for result in SCORES[name]]


@pytest.mark.parametrize(("library", "result"), FORMS, ids=[f"{n}:{s.form}" for n, s in FORMS])
def test_form_is_resolved_exactly(library, result):
    missed = sorted(result.expected - result.found)
    wrong = sorted(result.found - result.expected)
    assert (missed, wrong) == ([], []), f"missed {missed}, wrong {wrong}"


@pytest.mark.parametrize(("library", "least"), [("flask", 100), ("django", 60), ("sqlalchemy", 60)])
def test_overall_precision_and_recall_are_perfect(library, least):
    scores = SCORES[library]
    expected = sum(len(s.expected) for s in scores)
    found = sum(len(s.found) for s in scores)
    hits = sum(s.true_positives for s in scores)
    assert expected > least  # the gold set is not trivially small
    assert (hits / found, hits / expected) == (1.0, 1.0)
