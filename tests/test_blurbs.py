"""Blurbs and links are for a reader: only what is verified or fit to print."""

from __future__ import annotations

from pathlib import Path

import pytest

from miner import store
from miner.metadata import describe, reader_blurb
from miner.model import Checkout, FileScan, FileStatus, Project, Resolution, Use, UseKind


@pytest.mark.parametrize(
    "text",
    [
        "A fork of a boilerplate. I've noticed SaaS boilerplates sold for $1,000 a year.",
        "This repository holds the examples of my book Flask Web Development.",
        "We build the best dashboards for your data.",
        "A generator of fucking good sites.",
        "a project whose code uses Flask.",
        "TODO",
        "Simple and rapid application development framework, built on top of...",
        "Short one",
    ],
)
def test_a_description_not_fit_for_a_reader_is_no_blurb(text):
    assert reader_blurb(text) is None


def test_a_plain_description_is_kept_as_it_is():
    assert reader_blurb("Add SQLAlchemy support to your  Flask application.") == (
        "Add SQLAlchemy support to your Flask application."
    )
    assert reader_blurb("CTFs as you need them") == "CTFs as you need them"


def test_describe_drops_a_first_person_readme_line():
    readme = "# Saas\n\nI think boilerplates are too expensive, so here is mine.\n"
    assert describe({"README.md": readme.encode()}).description is None


def test_a_pypi_name_read_from_the_project_is_never_linked():
    db = store.open_db(":memory:")
    project = Project("CTFd", "https://github.com/CTFd/CTFd", position=1)
    use = Use("flask.helpers.abort", UseKind.CALL, Resolution.DIRECT, 1, 1, 1, 6, "", "abort", "x")
    scan = FileScan("app.py", "s1", FileStatus.SCANNED, lines=1, uses=(use,))
    checkout = Checkout(project, Path("/nowhere"), "c1", "main", "2024-01-01T00:00:00+00:00")
    from miner.model import ProjectMetadata

    store.save_crawl(db, checkout, [scan], {"s1": "abort()\n"}, "t0", "t1",
                     metadata=ProjectMetadata(pypi="ctfd"))  # fmt: skip
    (candidate,) = store.load_candidates(db, "flask.helpers.abort")
    assert candidate.project.pypi is None
    listed = Project("CTFd", "https://github.com/CTFd/CTFd", pypi="ctfd", position=1)
    store.save_project_list(db, [listed])
    (candidate,) = store.load_candidates(db, "flask.helpers.abort")
    assert candidate.project.pypi == "ctfd"
