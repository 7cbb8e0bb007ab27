"""Helpers for module-scoped fixtures, which cannot use the function-scoped `make_repo`."""

from __future__ import annotations

from pathlib import Path

import git


def build_repo(path: Path, files: dict[str, str]) -> str:
    """Commit `files` into a new repository at `path`; returns its file:// URL."""
    repo = git.Repo.init(path, initial_branch="main")
    with repo.config_writer() as config:
        config.set_value("user", "name", "Fixture Author")
        config.set_value("user", "email", "fixture@example.org")
    for relative, content in files.items():
        (path / relative).parent.mkdir(parents=True, exist_ok=True)
        (path / relative).write_text(content, encoding="utf-8")
    repo.index.add(list(files))
    repo.index.commit("initial")
    return path.as_uri()
