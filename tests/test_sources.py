"""Tests for miner.sources: the project list, fetching into the cache, reading .py blobs."""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
import time
from pathlib import Path

import git
import pytest

from miner.model import Checkout, Project
from miner.sources import (
    FetchError,
    ProjectListError,
    _cache_lock,
    fetch_project,
    history,
    iter_source_files,
    list_python_blobs,
    load_projects,
    read_files,
    web_url,
)

GOOD_LIST = """\
[[project]]
name = "Flask-HTTPAuth"
url = "https://github.com/miguelgrinberg/Flask-HTTPAuth.git"
docs = "https://flask-httpauth.readthedocs.io"
pypi = "Flask-HTTPAuth"
blurb = "Basic and digest HTTP authentication"
license = "MIT"

[[project]]
name = "local"
url = "clones/local"
web = "https://example.org/local"
"""

LIST_ERRORS = [  # pytest.param(file content, message after "<path>: ", id=...)
    pytest.param(
        "[[project]\nname = 1",
        "invalid TOML: Expected ']]' at the end of an array declaration"
        " (at line 1, column 10) (fix the syntax there)",
        id="invalid-toml",
    ),
    pytest.param(
        "", "no [[project]] tables (add one per project, with name and url)", id="empty-file"
    ),
    pytest.param(
        "project = []",
        "no [[project]] tables (add one per project, with name and url)",
        id="empty-array",
    ),
    pytest.param(
        '[project]\nname = "a"\nurl = "b"',
        '"project" must be [[project]] tables, one per project',
        id="single-table",
    ),
    pytest.param(
        '[[projects]]\nname = "a"\nurl = "b"',
        'unknown top-level key "projects"; did you mean "project"?',
        id="misspelt-table",
    ),
    pytest.param(
        '[[project]]\nurl = "b"', 'project 1 has no "name" (add name = "...")', id="no-name"
    ),
    pytest.param(
        '[[project]]\nname = " "\nurl = "b"',
        'project 1 has no "name" (add name = "...")',
        id="blank-name",
    ),
    pytest.param(
        '[[project]]\nname = "a"', 'project 1 ("a") has no "url" (add url = "...")', id="no-url"
    ),
    pytest.param(
        '[[project]]\nname = "a"\nurl = ""',
        'project 1 ("a") has no "url" (add url = "...")',
        id="empty-url",
    ),
    pytest.param(
        '[[project]]\nname = 7\nurl = "b"',
        'project 1 key "name" must be a string, not integer (quote it)',
        id="name-not-string",
    ),
    pytest.param(
        '[[project]]\nname = "a"\nurl = "b"\ndocs = ["x"]',
        'project 1 ("a") key "docs" must be a string, not array (quote it)',
        id="array-value",
    ),
    pytest.param(
        '[[project]]\nname = "a"\nurl = "b"\nweb = {x = 1}',
        'project 1 ("a") key "web" must be a string, not table (quote it)',
        id="table-value",
    ),
    pytest.param(
        '[[project]]\nname = "a"\nurl = "b"\nblurb = 2024-05-01',
        'project 1 ("a") key "blurb" must be a string, not date/time (quote it)',
        id="date-value",
    ),
    pytest.param(
        '[[project]]\nname = "a"\nurl = "b"\n'
        '[[project]]\nname = "b"\nurl = "c"\n'
        '[[project]]\nname = "newspie"\nurl = "d"\nlisence = "MIT"',
        'project 3 ("newspie") has unknown key "lisence"; did you mean "license"?',
        id="unknown-key-close",
    ),
    pytest.param(
        '[[project]]\nname = "a"\nurl = "b"\nstars = 5',
        'project 1 ("a") has unknown key "stars";'
        " known keys: name, url, docs, pypi, blurb, license, web, subdir",
        id="unknown-key-far",
    ),
    pytest.param(
        '[[project]]\nname = "Flask"\nurl = "b"\n[[project]]\nname = "flask"\nurl = "c"',
        'project 2 ("flask") has the same name as project 1; give each project its own name',
        id="duplicate-name",
    ),
]

WEB_URLS = [
    ("https://github.com/pallets/flask", "https://github.com/pallets/flask"),
    ("https://github.com/pallets/flask.git", "https://github.com/pallets/flask"),
    ("https://github.com/pallets/flask/", "https://github.com/pallets/flask"),
    ("https://user:token@GitHub.com/pallets/flask.git", "https://github.com/pallets/flask"),
    ("http://gitlab.com/group/sub/project.git", "http://gitlab.com/group/sub/project"),
    ("https://bitbucket.org/owner/name.git/", "https://bitbucket.org/owner/name"),
    ("git@github.com:pallets/flask.git", "https://github.com/pallets/flask"),
    ("ssh://git@github.com/pallets/flask.git", "https://github.com/pallets/flask"),
    ("https://github.com/", None),
    ("https://git.example.org/pallets/flask.git", None),
    ("git@example.org:pallets/flask.git", None),
    ("/srv/clones/flask", None),
    ("file:///srv/clones/flask", None),
]


def _git_in(git_dir: Path, *args: str) -> str:
    return git.Git().execute(["git", f"--git-dir={git_dir}", *args])


def _write_list(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "projects.toml"
    path.write_text(text, encoding="utf-8")
    return path


# -- load_projects -----------------------------------------------------------------------------


def test_load_projects_reads_every_key_and_position(tmp_path: Path) -> None:
    path = _write_list(tmp_path, GOOD_LIST)

    projects = load_projects(path)

    assert projects == [
        Project(
            name="Flask-HTTPAuth",
            url="https://github.com/miguelgrinberg/Flask-HTTPAuth.git",
            docs="https://flask-httpauth.readthedocs.io",
            pypi="Flask-HTTPAuth",
            blurb="Basic and digest HTTP authentication",
            license="MIT",
            position=0,
        ),
        Project(
            name="local",
            url=str(tmp_path.resolve() / "clones" / "local"),
            web="https://example.org/local",
            position=1,
        ),
    ]


@pytest.mark.parametrize(
    "url",
    ["https://h.example/x.git", "git@github.com:o/n.git", "file:///srv/x", "/srv/clones/x"],
)
def test_load_projects_keeps_urls_and_absolute_paths(tmp_path: Path, url: str) -> None:
    path = _write_list(tmp_path, f'[[project]]\nname = "a"\nurl = "{url}"')

    assert load_projects(path)[0].url == url


def test_load_projects_resolves_relative_path_against_the_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "lists").mkdir()
    path = _write_list(tmp_path / "lists", '[[project]]\nname = "a"\nurl = "../clones/a"')
    monkeypatch.chdir("/")

    assert load_projects(path)[0].url == str(tmp_path.resolve() / "clones" / "a")


@pytest.mark.parametrize(("text", "message"), LIST_ERRORS)
def test_load_projects_rejects_with_one_line(tmp_path: Path, text: str, message: str) -> None:
    path = _write_list(tmp_path, text)

    with pytest.raises(ProjectListError) as raised:
        load_projects(path)

    assert str(raised.value) == f"{path}: {message}"


def test_load_projects_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"

    with pytest.raises(ProjectListError) as raised:
        load_projects(path)

    assert str(raised.value) == (
        f"{path}: cannot read the project list: No such file or directory (check the path)"
    )


def test_load_projects_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "projects.toml"
    path.write_bytes(b'[[project]]\nname = "caf\xe9"\nurl = "x"\n')

    with pytest.raises(
        ProjectListError, match=r"projects\.toml: not UTF-8 text \(save it as UTF-8\)$"
    ):
        load_projects(path)


# -- web_url -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "expected"), WEB_URLS)
def test_web_url(url: str, expected: str | None) -> None:
    assert web_url(Project("p", url)) == expected


def test_web_url_prefers_the_declared_page() -> None:
    project = Project("p", "/srv/clones/flask", web="https://example.org/flask")

    assert web_url(project) == "https://example.org/flask"


# -- fetch_project -----------------------------------------------------------------------------


def test_fetch_records_commit_branch_date_and_license(make_repo, tmp_path: Path) -> None:
    remote = make_repo(
        {"app.py": "import flask\n", "COPYING": "gpl", "LICENSE.rst": "mit", "docs/LICENSE": "x"},
        branch="trunk",
    )
    cache = tmp_path / "cache"

    checkout = fetch_project(Project("Demo", remote.url), cache)

    head = remote.repo.head.commit
    assert checkout.commit == head.hexsha
    assert checkout.branch == "trunk"
    assert checkout.committed_at == head.committed_datetime.isoformat()
    assert checkout.license_path == "LICENSE.rst"
    assert checkout.git_dir.parent == cache.resolve()
    assert _git_in(checkout.git_dir, "rev-parse", "--is-bare-repository") == "true"
    assert not list(checkout.git_dir.rglob("app.py"))  # read from objects, never checked out


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (("COPYING.txt", "copyright"), "COPYING.txt"),
        (("licence", "COPYING"), "licence"),
        (("LICENSE.md", "LICENSE"), "LICENSE"),
        (("README.md", "LICENSES.md/x"), None),
    ],
)
def test_license_path(
    make_repo, tmp_path: Path, names: tuple[str, ...], expected: str | None
) -> None:
    remote = make_repo(dict.fromkeys(names, "text"))

    assert fetch_project(Project("p", remote.url), tmp_path / "cache").license_path == expected


def test_fetch_is_shallow(make_repo, tmp_path: Path) -> None:
    remote = make_repo({"a.py": "1"})
    remote.commit({"a.py": "2"})
    remote.commit({"a.py": "3"})

    checkout = fetch_project(Project("p", remote.url), tmp_path / "cache")

    assert _git_in(checkout.git_dir, "rev-list", "--count", checkout.commit) == "1"


def test_refetch_moves_to_the_new_head_in_the_same_cache(make_repo, tmp_path: Path) -> None:
    remote = make_repo({"a.py": "1"})
    first = fetch_project(Project("p", remote.url), tmp_path / "cache")
    new_head = remote.commit({"a.py": "2"})

    second = fetch_project(Project("p", remote.url), tmp_path / "cache")

    assert second.commit == new_head
    assert second.git_dir == first.git_dir
    # A fresh shallow clone would not hold the old commit: the object store was kept.
    _git_in(second.git_dir, "cat-file", "-e", first.commit)
    assert [file.data for file in iter_source_files(second)] == [b"2"]


def test_refetch_of_an_unchanged_remote_fetches_nothing(make_repo, tmp_path: Path) -> None:
    remote = make_repo({"a.py": "1"})
    first = fetch_project(Project("p", remote.url), tmp_path / "cache")
    (first.git_dir / "FETCH_HEAD").unlink()

    second = fetch_project(Project("p", remote.url), tmp_path / "cache")

    assert second == first
    assert not (first.git_dir / "FETCH_HEAD").exists()


def test_force_pushed_history_is_followed(make_repo, tmp_path: Path) -> None:
    remote = make_repo({"a.py": "old root"})
    remote.commit({"a.py": "old tip"})
    first = fetch_project(Project("p", remote.url), tmp_path / "cache")
    remote.repo.git.checkout("--orphan", "rewritten")
    rewritten = remote.commit({"a.py": "new root"})
    remote.repo.git.branch("-M", "rewritten", "main")  # main now has no commit in common

    second = fetch_project(Project("p", remote.url), tmp_path / "cache")

    assert (second.commit, second.branch) == (rewritten, "main")
    assert second.commit != first.commit
    assert [file.data for file in iter_source_files(second)] == [b"new root"]


def test_renamed_default_branch_is_followed(make_repo, tmp_path: Path) -> None:
    remote = make_repo({"a.py": "1"}, branch="master")
    first = fetch_project(Project("p", remote.url), tmp_path / "cache")
    remote.repo.git.branch("-m", "master", "develop")
    new_head = remote.commit({"a.py": "2"})

    second = fetch_project(Project("p", remote.url), tmp_path / "cache")

    assert (second.branch, second.commit) == ("develop", new_head)
    heads = _git_in(first.git_dir, "for-each-ref", "--format=%(refname)", "refs/heads/")
    assert heads == "refs/heads/develop"


def test_similar_names_get_separate_safe_cache_dirs(make_repo, tmp_path: Path) -> None:
    one, two = make_repo({"a.py": "1"}, name="one"), make_repo({"a.py": "2"}, name="two")
    cache = tmp_path / "cache"

    first = fetch_project(Project("Flask X", one.url), cache)
    second = fetch_project(Project("flask-x", two.url), cache)
    sneaky = fetch_project(Project("../..", one.url), cache)

    assert first.git_dir != second.git_dir
    for checkout in (first, second, sneaky):
        assert checkout.git_dir.parent == cache.resolve()
        assert checkout.git_dir.name.startswith(("flask-x-", "project-"))


def test_cache_entry_pointing_outside_the_cache_is_refused(make_repo, tmp_path: Path) -> None:
    remote = make_repo({"a.py": "1"})
    checkout = fetch_project(Project("p", remote.url), tmp_path / "cache")
    shutil.rmtree(checkout.git_dir)
    (tmp_path / "elsewhere").mkdir()
    checkout.git_dir.symlink_to(tmp_path / "elsewhere")

    with pytest.raises(FetchError) as raised:
        fetch_project(Project("p", remote.url), tmp_path / "cache")

    assert str(raised.value) == (
        f"p: cannot fetch {remote.url}: cache entry {checkout.git_dir} points outside "
        f"{(tmp_path / 'cache').resolve()} (remove it)"
    )


def test_local_path_is_fetched_shallow_and_shares_the_file_url_cache(
    make_repo, tmp_path: Path
) -> None:
    remote = make_repo({"a.py": "1"}, name="with space")
    remote.commit({"a.py": "2"})

    by_path = fetch_project(Project("p", str(remote.path)), tmp_path / "cache")
    by_url = fetch_project(Project("p", remote.url), tmp_path / "cache")

    assert by_path.commit == remote.repo.head.commit.hexsha
    assert _git_in(by_path.git_dir, "rev-list", "--count", by_path.commit) == "1"
    assert by_url.git_dir == by_path.git_dir


def test_missing_repository(tmp_path: Path) -> None:
    url = (tmp_path / "does-not-exist").as_uri()

    with pytest.raises(FetchError) as raised:
        fetch_project(Project("Flask-HTTPAuth", url), tmp_path / "cache")

    assert str(raised.value) == (
        f"Flask-HTTPAuth: cannot fetch {url}: repository not found"
        " (check the url in the project list)"
    )


def test_empty_repository(tmp_path: Path) -> None:
    git.Repo.init(tmp_path / "empty.git", bare=True).close()
    url = (tmp_path / "empty.git").as_uri()

    with pytest.raises(FetchError) as raised:
        fetch_project(Project("p", url), tmp_path / "cache")

    assert str(raised.value) == (
        f"p: cannot fetch {url}: repository is empty (check the url in the project list)"
    )


def test_detached_remote_head(make_repo, tmp_path: Path) -> None:
    remote = make_repo({"a.py": "1"})
    remote.repo.git.checkout("--detach")

    with pytest.raises(FetchError) as raised:
        fetch_project(Project("p", remote.url), tmp_path / "cache")

    assert str(raised.value) == (
        f"p: cannot fetch {remote.url}: its HEAD is not a branch (point HEAD at the default branch)"
    )


def test_ext_url_is_refused_without_running_it(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    url = f"ext::sh -c touch% {marker}"

    with pytest.raises(FetchError) as raised:
        fetch_project(Project("p", url), tmp_path / "cache")

    assert str(raised.value) == (
        f"p: cannot fetch {url}: remote-helper URLs such as ext:: can run commands "
        "(use https, ssh or file)"
    )
    assert not marker.exists()


def test_stalled_remote_is_killed_after_the_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_SSH_COMMAND", "exec sleep 30;:")  # an ssh that never answers
    started = time.monotonic()

    with pytest.raises(FetchError) as raised:
        fetch_project(
            Project("p", "ssh://git@host.invalid/o/n.git"), tmp_path / "cache", timeout=0.3
        )

    assert time.monotonic() - started < 5
    assert str(raised.value) == (
        "p: cannot fetch ssh://git@host.invalid/o/n.git: timed out after 0.3 s "
        "(raise --timeout or try again later)"
    )


def test_refused_ssh_key_is_reported_as_access_denied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    refusal = "echo 'git@host.invalid: Permission denied (publickey).' >&2; exit 255;:"
    monkeypatch.setenv("GIT_SSH_COMMAND", refusal)  # what ssh says when no key is accepted

    with pytest.raises(FetchError) as raised:
        fetch_project(Project("p", "git@host.invalid:o/n.git"), tmp_path / "cache")

    assert str(raised.value) == (
        "p: cannot fetch git@host.invalid:o/n.git: access denied: private or missing repository"
        " (check the url in the project list)"
    )


def test_credentials_never_reach_the_message(tmp_path: Path) -> None:
    url = "https://user:s3cret@127.0.0.1:1/o/n.git"  # nothing listens on port 1

    with pytest.raises(FetchError) as raised:
        fetch_project(Project("p", url), tmp_path / "cache", timeout=20)

    message = str(raised.value)
    assert "s3cret" not in message
    assert "\n" not in message
    assert message.startswith("p: cannot fetch https://127.0.0.1:1/o/n.git: cannot connect to "
                              "127.0.0.1 port 1: ")  # fmt: skip
    assert raised.value.brief.startswith("cannot connect to 127.0.0.1 port 1: ")


def test_unusable_cache_dir(make_repo, tmp_path: Path) -> None:
    remote = make_repo({"a.py": "1"})
    (tmp_path / "cache").write_text("a file, not a directory")

    with pytest.raises(FetchError, match=r"^p: cannot fetch .*: cannot create the cache .*: Not a"):
        fetch_project(Project("p", remote.url), tmp_path / "cache")


# -- reading files -----------------------------------------------------------------------------

ODD_NAME = "odd dir/naïve \"quoted\" 'name'.py"


@pytest.fixture
def mixed_checkout(make_repo, tmp_path: Path) -> Checkout:
    """A commit holding .py files next to a symlink, a gitlink and files that are not Python."""
    remote = make_repo(
        {"pkg/b.py": "b = 1\n", "pkg/data.txt": "x", "README.md": "# r", ODD_NAME: "odd = 1\n"}
    )
    (remote.path / "tool.py").write_text("#!/usr/bin/env python\n")
    (remote.path / "tool.py").chmod(0o755)
    os.symlink("pkg/b.py", remote.path / "link.py")
    remote.repo.git.add("tool.py", "link.py")
    remote.repo.git.update_index("--add", "--cacheinfo", f"160000,{'1' * 40},vendored.py")
    remote.repo.git.commit("-m", "mixed")
    return fetch_project(Project("p", remote.url), tmp_path / "cache")


def test_iter_source_files_yields_only_regular_py_files(mixed_checkout: Checkout) -> None:
    files = list(iter_source_files(mixed_checkout))

    assert [(file.path, file.data) for file in files] == [
        (ODD_NAME, b"odd = 1\n"),
        ("pkg/b.py", b"b = 1\n"),
        ("tool.py", b"#!/usr/bin/env python\n"),
    ]
    assert [file.blob_sha for file in files] == [_blob_sha(file.data) for file in files]


def _blob_sha(data: bytes) -> str:
    """The id git gives a blob, computed independently of git."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def test_non_utf8_name_keeps_its_bytes_as_escapes(make_repo, tmp_path: Path) -> None:
    remote = make_repo({"a.py": "a = 1\n"})
    blob = remote.repo.git.hash_object("-w", str(remote.path / "a.py"))
    latin1_name = os.fsdecode(b"caf\xe9.py")  # a name written on a Latin-1 system
    remote.repo.git.update_index("--add", "--cacheinfo", f"100644,{blob},{latin1_name}")
    remote.repo.git.commit("-m", "latin-1 name")

    checkout = fetch_project(Project("p", remote.url), tmp_path / "cache")

    assert [file.path for file in iter_source_files(checkout)] == ["a.py", "caf\\xe9.py"]


def test_list_python_blobs_gives_path_sha_and_size(mixed_checkout: Checkout) -> None:
    blobs = list_python_blobs(mixed_checkout)

    assert blobs == [
        (ODD_NAME, _blob_sha(b"odd = 1\n"), 8),
        ("pkg/b.py", _blob_sha(b"b = 1\n"), 6),
        ("tool.py", _blob_sha(b"#!/usr/bin/env python\n"), 22),
    ]


def test_wanted_skips_reading_blobs(
    mixed_checkout: Checkout, monkeypatch: pytest.MonkeyPatch
) -> None:
    skipped = _blob_sha(b"b = 1\n")
    asked, read = [], []
    real_read = git.Git.get_object_data

    def spy(runner: git.Git, ref: str) -> tuple[str, str, int, bytes]:
        read.append(ref)
        return real_read(runner, ref)

    def wanted(path: str, blob_sha: str) -> bool:
        asked.append((path, blob_sha))
        return blob_sha != skipped

    monkeypatch.setattr(git.Git, "get_object_data", spy)
    files = list(iter_source_files(mixed_checkout, wanted=wanted))

    assert [file.path for file in files] == [ODD_NAME, "tool.py"]
    assert asked == [(path, sha) for path, sha, _size in list_python_blobs(mixed_checkout)]
    assert read == [file.blob_sha for file in files]


def _drop_object(checkout: Checkout, sha: str) -> None:
    """Delete a loose object from the cache, as a broken or pruned cache would lack it."""
    (checkout.git_dir / "objects" / sha[:2] / sha[2:]).unlink()


def test_blob_missing_from_the_cache(mixed_checkout: Checkout) -> None:
    sha = _blob_sha(b"b = 1\n")
    _drop_object(mixed_checkout, sha)
    expected = (
        f"p: cannot read commit {mixed_checkout.commit[:12]} from the cache "
        f"{mixed_checkout.git_dir}: blob {sha} of pkg/b.py is missing"
        " (delete that directory and fetch again)"
    )

    with pytest.raises(FetchError) as raised:
        list_python_blobs(mixed_checkout)

    assert str(raised.value) == expected
    assert raised.value.brief == (
        f"its cache entry is damaged: blob {sha} of pkg/b.py is missing (delete "
        f"{mixed_checkout.git_dir.name} in --cache, then crawl again)"
    )


def test_blob_vanishing_while_reading(mixed_checkout: Checkout) -> None:
    files = iter_source_files(mixed_checkout)
    assert next(files).path == ODD_NAME
    sha = _blob_sha(b"b = 1\n")
    _drop_object(mixed_checkout, sha)

    with pytest.raises(FetchError) as raised:
        next(files)

    assert str(raised.value).endswith(
        f": blob {sha} of pkg/b.py is missing (delete that directory and fetch again)"
    )


def test_corrupt_up_to_date_cache_raises_fetch_error(make_repo, tmp_path: Path) -> None:
    remote = make_repo({"LICENSE": "mit"})
    checkout = fetch_project(Project("p", remote.url), tmp_path / "cache")
    sha = _blob_sha(b"mit")
    _drop_object(checkout, sha)

    with pytest.raises(FetchError) as raised:
        fetch_project(Project("p", remote.url), tmp_path / "cache")

    assert str(raised.value) == (
        f"p: cannot fetch {remote.url}: blob {sha} of LICENSE is missing in "
        f"{checkout.git_dir} (delete it and fetch again)"
    )


def test_vanished_cache_raises_fetch_error(mixed_checkout: Checkout) -> None:
    shutil.rmtree(mixed_checkout.git_dir)

    with pytest.raises(
        FetchError, match=r"^p: cannot read commit .* \(delete that directory and fetch again\)$"
    ):
        list_python_blobs(mixed_checkout)


def test_a_thousand_files_are_read_quickly(make_repo, tmp_path: Path) -> None:
    remote = make_repo({"setup.py": ""})
    for number in range(1000):
        (remote.path / f"m{number:04}.py").write_text(f"value = {number}\n")
    remote.repo.git.add("--all")
    remote.repo.git.commit("-m", "many")
    checkout = fetch_project(Project("p", remote.url), tmp_path / "cache")

    started = time.perf_counter()
    files = list(iter_source_files(checkout))
    elapsed = time.perf_counter() - started

    assert len(files) == 1001
    assert (files[0].path, files[0].data) == ("m0000.py", b"value = 0\n")
    assert elapsed < 1.0, f"{elapsed:.2f} s: blobs must be read by one cat-file process"


# -- subdir projects ------------------------------------------------------------------------


def test_a_subdir_limits_the_project_to_that_directory(make_repo, tmp_path: Path) -> None:
    repo = make_repo(
        {
            "LICENSE": "BSD 3-Clause License\n",
            "python/flask/app.py": "from flask import Flask\n",
            "python/flask/requirements.txt": "flask>=2\n",
            "python/django/app.py": "import django\n",
            "README.md": "# examples\n",
        }
    )
    project = Project("Trace", repo.url, subdir="python/flask")
    checkout = fetch_project(project, tmp_path / "cache")

    assert [path for path, _sha, _size in list_python_blobs(checkout)] == ["python/flask/app.py"]
    files = read_files(checkout, lambda path: path in ("requirements.txt", "README.md"))
    assert files == {"requirements.txt": b"flask>=2\n", "LICENSE": b"BSD 3-Clause License\n"}


@pytest.mark.parametrize("subdir", ["../outside", "/etc", "a/../../b", "  "])
def test_a_subdir_that_could_leave_the_tree_is_refused(tmp_path: Path, subdir: str) -> None:
    path = tmp_path / "projects.toml"
    path.write_text(f'[[project]]\nname = "x"\nurl = "https://h/x"\nsubdir = "{subdir}"\n')
    with pytest.raises(ProjectListError, match='key "subdir" must be a relative directory'):
        load_projects(path)


def test_a_subdir_is_normalised(tmp_path: Path) -> None:
    path = tmp_path / "projects.toml"
    path.write_text('[[project]]\nname = "x"\nurl = "https://h/x"\nsubdir = "./python/flask/"\n')
    assert load_projects(path)[0].subdir == "python/flask"


def test_history_counts_recent_commits_and_authors(make_repo, tmp_path: Path) -> None:
    repo = make_repo({"a.py": "a = 1\n"})
    repo.commit({"b.py": "b = 1\n"})
    with repo.repo.config_writer() as config:
        config.set_value("user", "email", "second@example.org")
    repo.commit({"c.py": "c = 1\n"})
    checkout = fetch_project(Project("demo", repo.url), tmp_path / "cache")
    assert git.Repo(checkout.git_dir).git.rev_list("--count", checkout.commit) == "1"

    recent = history(checkout)

    assert (recent.sampled, recent.commits_last_year, recent.authors_last_year) == (3, 3, 2)
    assert history(checkout, now=time.time() + 2 * 365 * 86400).commits_last_year == 0


def test_the_history_of_a_local_repository_brings_commits_without_their_files(
    make_repo, tmp_path: Path
) -> None:
    """Forges honour `--filter=tree:0`; the upload-pack miner runs for a local repository
    must too, or the history fetch brings every tree and blob of 200 commits."""
    repo = make_repo({"a.py": "a = 1\n"})
    old_tree = repo.repo.head.commit.tree.hexsha
    repo.commit({"a.py": "a = 2\n"})
    checkout = fetch_project(Project("demo", repo.url), tmp_path / "cache")
    cache = git.Repo(checkout.git_dir)

    assert history(checkout).sampled == 2

    assert cache.git.rev_list("--count", checkout.commit) == "2"  # the commits came ...
    listed = cache.git.rev_list("--objects", "--missing=print", checkout.commit).splitlines()
    assert f"?{old_tree}" in listed  # ... without the older commit's files (not fetched)


def test_a_history_the_server_cannot_send_never_fails_the_project(make_repo, tmp_path: Path) -> None:
    repo = make_repo({"a.py": "a = 1\n"})
    checkout = fetch_project(Project("demo", repo.url), tmp_path / "cache")
    shutil.rmtree(repo.path)  # the remote is gone after the fetch

    recent = history(checkout)

    assert (recent.sampled, recent.commits_last_year) == (1, 1)  # the head the cache holds


def test_projects_in_flight_create_one_new_cache_folder_together(tmp_path: Path) -> None:
    """Project threads (and other crawls) start at once on a cache folder that does not exist
    yet: each creates it, and none fails with "File exists"."""
    cache = tmp_path / "cache"
    start = threading.Barrier(16)
    errors: list[Exception] = []

    def lock(i: int) -> None:
        start.wait()
        try:
            with _cache_lock(Project(f"p{i}", "unused"), cache / f"p{i}-0123456789", 5):
                pass
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=lock, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(path.name for path in cache.iterdir()) == sorted(
        f"p{i}-0123456789.lock" for i in range(16)
    )
