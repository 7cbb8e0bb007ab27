"""Alias slugs: pages are found under the package path people import the name from."""

from __future__ import annotations

from miner.aliases import alias_slugs, redirect_map, redirects_text
from miner.model import Target


def target(qualname: str, *aliases: str) -> Target:
    module, _, name = qualname.rpartition(".")
    return Target(qualname, module, name, "class", aliases=aliases)


CHARFIELD = target(
    "django.db.models.fields.CharField",
    "django.db.models.CharField",  # a package above the defining module: an alias slug
    "django.contrib.postgres.search.CharField",  # an incidental import: the same object
)
REQUEST = target("flask.globals.request", "flask.request")
INTEGER = target(
    "sqlalchemy.sql.sqltypes.Integer", "sqlalchemy.Integer", "sqlalchemy.types.Integer"
)


def test_alias_slugs_come_from_every_import_path_shallowest_first() -> None:
    assert alias_slugs(CHARFIELD) == [
        "django-db-models-charfield",
        "django-contrib-postgres-search-charfield",
    ]
    assert alias_slugs(REQUEST) == ["flask-request"]
    assert alias_slugs(INTEGER) == ["sqlalchemy-integer", "sqlalchemy-types-integer"]


def test_a_page_slug_is_never_redirected_and_the_first_target_keeps_a_shared_slug() -> None:
    page = target("pkg.Thing")  # its page is pkg-thing
    other = target("pkg.sub.Thing", "pkg.Thing")  # would redirect pkg-thing: it is a page
    first = target("pkg.a.x.Tool", "pkg.Tool")
    second = target("pkg.b.Tool", "pkg.Tool")
    assert redirect_map([page, other, first, second]) == {"pkg-tool": "pkg-a-x-tool"}


def test_the_redirect_map_is_one_line_per_alias() -> None:
    text = redirects_text(redirect_map([CHARFIELD, REQUEST]))
    assert text == (
        "/django-contrib-postgres-search-charfield-examples.html /django-db-models-fields-charfield-examples.html\n"
        "/django-db-models-charfield-examples.html /django-db-models-fields-charfield-examples.html\n"
        "/flask-request-examples.html /flask-globals-request-examples.html\n"
    )


def test_a_path_projects_import_a_name_by_gets_a_line_though_it_is_no_alias() -> None:
    no_result = target("sqlalchemy.exc.NoResultFound")  # sqlalchemy.orm.exc imports it unmarked
    imported = {no_result.qualname: ["sqlalchemy.orm.exc.NoResultFound", "sqlalchemy.exc.NoResultFound"]}
    assert redirect_map([no_result]) == {}
    assert redirect_map([no_result], imported=imported) == {
        "sqlalchemy-orm-exc-noresultfound": "sqlalchemy-exc-noresultfound"
    }


def test_an_incidental_import_path_gets_a_line_only_when_a_project_imports_by_it(tmp_path) -> None:
    from test_render import ALPHA, ALPHA_FILES, build_db

    from miner.render import render_pages

    files = {**ALPHA_FILES, "alpha/odd.py": "from flask.app import request\n\nrequest.args\n"}
    report = render_pages(build_db(projects=[(ALPHA, files, None)]), tmp_path, intros=tmp_path / "x")
    lines = report.redirects[0].read_text().splitlines()
    assert "/flask-app-request-examples.html /flask-globals-request-examples.html" in lines
    # flask.helpers imports request for its own use too, but no project imports it from there
    assert not [line for line in lines if line.startswith("/flask-helpers-request-")]


def test_render_writes_the_map_and_explain_finds_a_page_by_its_alias_slug(tmp_path) -> None:
    from test_render import build_db

    from miner.render import find_page, render_pages

    db = build_db()
    report = render_pages(db, tmp_path, intros=tmp_path / "no-intros")
    assert report.redirects == (tmp_path / "redirects" / "flask.txt",)
    lines = report.redirects[0].read_text().splitlines()
    assert "/flask-request-examples.html /flask-globals-request-examples.html" in lines
    assert "/flask-make-response-examples.html /flask-helpers-make-response-examples.html" in lines
    assert find_page(db, "flask-request-examples")[1].qualname == "flask.globals.request"


def test_module_members_include_names_of_modules_below_that_it_re_exports() -> None:
    from miner.aliases import module_members

    admin = target("django.contrib.admin.options.ModelAdmin", "django.contrib.admin.ModelAdmin")
    site = target(
        "django.contrib.admin.sites.site",
        "django.contrib.admin.site",
        "django.contrib.gis.admin.site",
    )
    members = module_members([site, admin])
    assert list(members) == [
        "django.contrib.admin",
        "django.contrib.admin.options",
        "django.contrib.admin.sites",
    ]  # not django.contrib.gis.admin: it is not above django.contrib.admin.sites
    assert members["django.contrib.admin"] == [admin, site]


def test_render_writes_a_markdown_page_per_module_with_pages(tmp_path) -> None:
    from test_render import build_db

    from miner.render import render_pages

    report = render_pages(build_db(), tmp_path, intros=tmp_path / "no-intros")
    names = sorted(path.name for path in report.modules)
    assert names == [
        "flask-app-examples.markdown",
        "flask-examples.markdown",
        "flask-globals-examples.markdown",
        "flask-helpers-examples.markdown",
    ]
    text = (tmp_path / "modules" / "flask" / "flask-examples.markdown").read_text()
    head, body = text.split("\n\n\n", 1)
    assert head.splitlines()[:3] == [
        "title: flask Example Code",
        "category: page",
        "slug: flask-examples",
    ]
    assert (
        '* <a href="/flask-helpers-make-response-examples.html">make_response</a> (from `flask.helpers`)'
        in body
    )


def test_names_whose_slugs_collide_are_told_apart_by_use() -> None:
    from miner.aliases import page_slugs

    integer = target("sqlalchemy.sql.sqltypes.Integer")
    upper = target("sqlalchemy.sql.sqltypes.INTEGER")
    other = target("sqlalchemy.sql.sqltypes.Text")
    counts = {integer.qualname: (50, 9), upper.qualname: (80, 2)}  # (uses, projects)
    assert page_slugs([upper, integer, other], counts) == {
        upper.qualname: "sqlalchemy-sql-sqltypes-integer-2"
    }
    # both are sqlalchemy.types.X: the slug redirects to the page of the name that keeps it
    integer = target("sqlalchemy.sql.sqltypes.Integer", "sqlalchemy.types.Integer")
    upper = target("sqlalchemy.sql.sqltypes.INTEGER", "sqlalchemy.types.INTEGER")
    slugs = page_slugs([upper, integer], counts)
    assert redirect_map([upper, integer], slugs) == {
        "sqlalchemy-types-integer": "sqlalchemy-sql-sqltypes-integer"
    }


def test_a_module_underscore_spelled_with_a_dash_leads_to_the_page() -> None:
    q = target("django.db.models.query_utils.Q", "django.db.models.Q")
    redirects = redirect_map([q], modules=["django.db.models.query_utils", "django.db.models"])
    assert redirects == {
        "django-db-models-q": "django-db-models-query_utils-q",
        "django-db-models-query-utils-q": "django-db-models-query_utils-q",  # the reference's spelling
        "django-db-models-query-utils": "django-db-models-query_utils",  # the module page
    }
