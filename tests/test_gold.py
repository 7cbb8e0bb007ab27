"""The gold set: every import form and kind of use, labelled by hand, must be found exactly."""

from __future__ import annotations

import pytest
from gold.evaluate import score  # tests/ is on sys.path under pytest

from miner.scan import ScanContext
from miner.targets import discover

SCORES = score(ScanContext.for_library(discover("flask")))


@pytest.mark.parametrize("result", SCORES, ids=[s.form for s in SCORES])
def test_form_is_resolved_exactly(result):
    missed = sorted(result.expected - result.found)
    wrong = sorted(result.found - result.expected)
    assert (missed, wrong) == ([], []), f"missed {missed}, wrong {wrong}"


def test_overall_precision_and_recall_are_perfect():
    expected = sum(len(s.expected) for s in SCORES)
    found = sum(len(s.found) for s in SCORES)
    hits = sum(s.true_positives for s in SCORES)
    assert expected > 100  # the gold set is not trivially small
    assert (hits / found, hits / expected) == (1.0, 1.0)
