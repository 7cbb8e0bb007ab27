"""Shared fixtures: real git repositories built on disk, never the network."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import git
import pytest


@dataclass
class FixtureRepo:
    """A real git repository with a helper to commit files into it."""

    path: Path
    repo: git.Repo

    @property
    def url(self) -> str:
        """A file:// URL, so that shallow fetches behave as they do over the network."""
        return self.path.as_uri()

    def commit(
        self, files: dict[str, str | bytes], message: str = "change", delete: tuple[str, ...] = ()
    ) -> str:
        """Write (or delete) files and commit them; returns the new commit sha."""
        for relative, content in files.items():
            target = self.path / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8")
            self.repo.index.add([relative])
        if delete:
            self.repo.index.remove(list(delete), working_tree=True)
        return self.repo.index.commit(message).hexsha


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[..., FixtureRepo]:
    """Build a git repository under tmp_path with `files` committed on `branch`."""

    def build(
        files: dict[str, str | bytes], name: str = "demo", branch: str = "main"
    ) -> FixtureRepo:
        path = tmp_path / "remotes" / name
        path.mkdir(parents=True)
        repo = git.Repo.init(path, initial_branch=branch)
        with repo.config_writer() as config:
            config.set_value("user", "name", "Fixture Author")
            config.set_value("user", "email", "fixture@example.org")
        fixture = FixtureRepo(path, repo)
        fixture.commit(files, message="initial")
        return fixture

    return build


def pytest_addoption(parser: pytest.Parser) -> None:
    """`pytest --update-golden` rewrites tests/golden/ instead of comparing against it."""
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite the golden files in tests/golden/ from the current output; review the diff",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """Whether golden files are being regenerated (pytest --update-golden)."""
    return bool(request.config.getoption("--update-golden"))
