"""Shapes of real Django and SQLAlchemy repositories that the Flask corpus never had."""

from __future__ import annotations

from miner.model import SourceFile
from miner.scan import ScanContext, module_names, scan_project
from miner.targets import discover


def test_an_init_file_at_the_top_of_a_repository_is_scanned() -> None:
    """Some Django projects are a package at the repository root (dccnsys crashed the crawl)."""
    assert module_names(["__init__.py", "views.py"]) == {
        "__init__.py": ("__init__", True),
        "views.py": ("views", False),
    }
    files = [
        SourceFile("__init__.py", "a", b""),
        SourceFile("views.py", "b", b"from django.shortcuts import render\n"),
    ]
    scans = scan_project(files, ScanContext.for_library(discover("django")))
    assert [use.qualname for scan in scans for use in scan.uses] == ["django.shortcuts.render"]


def test_each_library_has_a_bundled_project_list_with_a_blurb_for_every_project() -> None:
    import pytest

    from miner import sources
    from miner.cli import default_projects
    from miner.model import MinerError

    sizes = {}
    for library in ("flask", "django", "sqlalchemy"):
        projects = sources.load_projects(default_projects(library))
        assert all(project.blurb for project in projects), library
        sizes[library] = len(projects)
    assert sizes == {"flask": 34, "django": 61, "sqlalchemy": 22}
    assert default_projects("django==5.1") == default_projects("django")
    with pytest.raises(MinerError, match="no bundled project list for 'numpy': pass --projects"):
        default_projects("numpy")
