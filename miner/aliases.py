"""Alias slugs: a page is also found under the path people import its name from.

Pages are keyed by the defining module (`django.db.models.fields.CharField`), but people
write, and the reference site names pages by, a shorter module that re-exports it
(`django.db.models CharField`, `flask request`, `sqlalchemy.types Integer` for
`sqlalchemy.sql.sqltypes.Integer`). Each such path gets its slug in a redirect map beside the
pages: a name's aliases (the paths that re-export it on purpose, see miner/targets.py) and the
other paths projects import it by (`sqlalchemy.orm.exc NoResultFound` for
`sqlalchemy.exc.NoResultFound`, `django.forms ValidationError`). A path a library module binds
only for its own use and no project imports (`django.shortcuts.Http404`) gets no line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from miner.model import Target

#: Folder of the output holding {library}.txt: one `/{alias slug}.html /{page slug}.html` line
#: per alias, the format static hosts (Netlify, Cloudflare Pages) read; kept out of the page
#: folders, which hold pages only.
REDIRECTS = "redirects"


def slug_base(module: str, name: str) -> str:
    """The slug without -examples: module with `.` -> `-`, then the name lower-cased."""
    return f"{module.replace('.', '-')}-{name.lower().replace('_', '-')}"


def alias_slugs(target: Target) -> list[str]:
    """Slugs of the target under each other path it can be imported by, shallowest first."""
    paths = sorted(target.aliases, key=lambda alias: (alias.count("."), alias))
    return [
        slug_base(module, target.name)
        for module, _, name in (alias.rpartition(".") for alias in paths)
        if name == target.name
    ]


def page_slugs(targets: Iterable[Target], counts: Mapping[str, tuple[int, int]]) -> dict[str, str]:
    """Qualname -> slug base for the pages of one library whose slugs would collide.

    Slugs are lower case, so `sqlalchemy.sql.sqltypes.Integer` and `INTEGER`, or
    `django.conf.settings` and `Settings`, share one. The name more projects use (then more
    uses, then the qualname) keeps it; the others get `-2`, `-3`, ... Names that collide with
    nothing are left out: their slug is the plain one.
    """
    targets = list(targets)
    groups: dict[str, list[Target]] = {}
    for target in targets:
        groups.setdefault(slug_base(target.module, target.name), []).append(target)
    taken = set(groups)
    slugs: dict[str, str] = {}
    for plain, group in groups.items():
        group.sort(key=lambda t: (*(-n for n in counts.get(t.qualname, (0, 0))[::-1]), t.qualname))
        number = 1
        for target in group[1:]:
            number += 1
            while f"{plain}-{number}" in taken:
                number += 1
            slugs[target.qualname] = f"{plain}-{number}"
            taken.add(slugs[target.qualname])
    return slugs


def redirect_map(
    targets: Iterable[Target],
    slugs: Mapping[str, str] | None = None,
    imported: Mapping[str, Iterable[str]] | None = None,
    modules: Iterable[str] = (),
) -> dict[str, str]:
    """Alias slug -> page slug (both without -examples) for the pages of one library.

    `slugs` are the pages' own where they differ from the plain one (see `page_slugs`);
    `imported`, qualname -> the other paths projects import it by, adds those paths to its
    aliases; `modules` are the modules with module pages. A slug that is some page's own is
    never redirected, and the first target (in the order given) keeps a slug two targets share.
    A slug whose module path has an underscore is also reached with a dash there, as the
    reference site spells it (`django-db-models-query-utils-q` for `query_utils`' Q).
    """
    imported = imported or {}
    targets = [
        replace(t, aliases=tuple(sorted({*t.aliases, *imported.get(t.qualname, ())} - {t.qualname})))
        for t in targets
    ]
    slugs = slugs or {}
    targets = sorted(targets, key=lambda t: t.qualname in slugs)  # a slug's own name first
    pages = {t.qualname: slugs.get(t.qualname) or slug_base(t.module, t.name) for t in targets}
    taken = set(pages.values())
    redirects: dict[str, str] = {}
    module_pages = [module.replace(".", "-") for module in modules]
    taken.update(module_pages)
    for target in targets:
        for slug in alias_slugs(target):
            if slug not in taken:
                redirects.setdefault(slug, pages[target.qualname])
    spelled = [*((page, page) for page in (*pages.values(), *module_pages)), *redirects.items()]
    for slug, page in spelled:
        dashed = slug.replace("_", "-")
        if dashed not in taken:
            redirects.setdefault(dashed, page)
    return redirects


def redirects_text(redirects: dict[str, str]) -> str:
    return "".join(
        f"/{alias}-examples.html /{page}-examples.html\n"
        for alias, page in sorted(redirects.items())
    )


def module_members(targets: Iterable[Target]) -> dict[str, list[Target]]:
    """Module -> the targets importable from it: its own, and those of modules below it that
    it re-exports (`django.contrib.admin` holds `ModelAdmin` of `django.contrib.admin.options`).
    Modules and targets in (module, name) order."""
    members: dict[str, list[Target]] = {}
    for target in sorted(targets, key=lambda t: (t.module, t.name)):
        above = {
            module
            for module, _, name in (alias.rpartition(".") for alias in target.aliases)
            if name == target.name and target.module.startswith(module + ".")
        }
        for module in {target.module, *above}:
            members.setdefault(module, []).append(target)
    return dict(sorted(members.items()))
