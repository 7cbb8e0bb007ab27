"""Static project metadata: license, description, links and declared versions, from file maps.

The license texts below are written out from the standard texts (MIT, BSD, Apache-2.0 header,
the opening of the GPL-3.0); the projects are small file maps as the crawler reads them from git.
"""

from __future__ import annotations

import pytest

from miner.metadata import (
    LicenseInfo,
    declared_versions,
    detect_description,
    detect_license,
    detect_links,
    wants_file,
)

MIT = """\
MIT License

Copyright (c) 2019 Jane Doe

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""

_BSD_DISCLAIMER = """\
THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS"
AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE
IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE
FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
"""

BSD_2 = (
    """\
BSD 2-Clause License

Copyright (c) 2020, Jane Doe
All rights reserved.

Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are met:

1. Redistributions of source code must retain the above copyright notice, this
   list of conditions and the following disclaimer.

2. Redistributions in binary form must reproduce the above copyright notice,
   this list of conditions and the following disclaimer in the documentation
   and/or other materials provided with the distribution.

"""
    + _BSD_DISCLAIMER
)

# A BSD-3 variant naming the project, as many projects write it.
BSD_3_NAMED = (
    """\
Copyright (c) 2015, Acme Widgets Ltd.
All rights reserved.

Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are met:

* Redistributions of source code must retain the above copyright notice, this
  list of conditions and the following disclaimer.

* Redistributions in binary form must reproduce the above copyright notice,
  this list of conditions and the following disclaimer in the documentation
  and/or other materials provided with the distribution.

* Neither the name of Acme Widgets nor the names of its
  contributors may be used to endorse or promote products derived from
  this software without specific prior written permission.

"""
    + _BSD_DISCLAIMER
)

# The wording the Pallets projects used for years: "as well as documentation", "The names of".
BSD_3_PALLETS = """\
Copyright (c) 2014 by the Example Team and contributors. Some rights reserved.

Redistribution and use in source and binary forms of the software as well
as documentation, with or without modification, are permitted provided
that the following conditions are met:

* Redistributions of source code must retain the above copyright
  notice, this list of conditions and the following disclaimer.

* Redistributions in binary form must reproduce the above
  copyright notice, this list of conditions and the following
  disclaimer in the documentation and/or other materials provided
  with the distribution.

* The names of the contributors may not be used to endorse or
  promote products derived from this software without specific
  prior written permission.
"""

APACHE_HEADER = """\
Copyright 2018 Jane Doe

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
"""

GPL_3_OPENING = """\
                    GNU GENERAL PUBLIC LICENSE
                       Version 3, 29 June 2007

 Copyright (C) 2007 Free Software Foundation, Inc. <https://fsf.org/>
 Everyone is permitted to copy and distribute verbatim copies
 of this license document, but changing it is not allowed.

                            Preamble

  The GNU General Public License is a free, copyleft license for
software and other kinds of works.

  The licenses for most software and other practical works are designed
to take away your freedom to share and change the works.  By contrast,
the GNU General Public License is intended to guarantee your freedom to
share and change all versions of a program--to make sure it remains free
software for all its users.  We, the Free Software Foundation, use the
GNU General Public License for most of our software; it applies also to
any other work released this way by its authors.  You can apply it to
your programs, too.
"""

LGPL_3_OPENING = """\
                   GNU LESSER GENERAL PUBLIC LICENSE
                       Version 3, 29 June 2007

 Copyright (C) 2007 Free Software Foundation, Inc. <https://fsf.org/>
 Everyone is permitted to copy and distribute verbatim copies
 of this license document, but changing it is not allowed.

  This version of the GNU Lesser General Public License incorporates
the terms and conditions of version 3 of the GNU General Public
License, supplemented by the additional permissions listed below.
"""

GPL_3_NOTICE = """\
Science Thing: a template for research web tools.
Copyright (C) 2017  Jane Doe

This program is free software: you can redistribute it and/or modify
it under the terms of the GNU General Public License as published by
the Free Software Foundation, either version 3 of the License, or
(at your option) any later version.

This program is distributed in the hope that it will be useful,
but WITHOUT ANY WARRANTY; without even the implied warranty of
MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
GNU General Public License for more details.
"""

ISC = """\
Copyright (c) 2021, Jane Doe

Permission to use, copy, modify, and/or distribute this software for any
purpose with or without fee is hereby granted, provided that the above
copyright notice and this permission notice appear in all copies.
"""

UNLICENSE = """\
This is free and unencumbered software released into the public domain.

Anyone is free to copy, modify, publish, use, compile, sell, or
distribute this software, either in source code form or as a compiled
binary, for any purpose, commercial or non-commercial, and by any
means.
"""

MPL_HEADER = """\
This Source Code Form is subject to the terms of the Mozilla Public
License, v. 2.0. If a copy of the MPL was not distributed with this
file, You can obtain one at https://mozilla.org/MPL/2.0/.
"""

CUSTOM = """\
Copyright (c) 2020 Acme Widgets Ltd. All rights reserved.

You may read this source code for reference. You may not copy, modify,
host or redistribute it without a written agreement with Acme Widgets Ltd.
"""


def project(mapping: dict[str, str | bytes]) -> dict[str, bytes]:
    return {
        path: value.encode() if isinstance(value, str) else value for path, value in mapping.items()
    }


# -- license -------------------------------------------------------------------------------------


def test_mit_license_file() -> None:
    assert detect_license(project({"LICENSE": MIT})) == LicenseInfo("MIT", "LICENSE", "LICENSE")


def test_bsd_3_clause_with_the_project_name_agrees_with_vague_metadata() -> None:
    setup_py = 'from setuptools import setup\nsetup(name="acme", license="BSD")\n'
    result = detect_license(project({"LICENSE.rst": BSD_3_NAMED, "setup.py": setup_py}))
    assert result == LicenseInfo("BSD-3-Clause", "LICENSE.rst", "LICENSE.rst + setup.py")


def test_bsd_3_clause_pallets_wording() -> None:
    assert detect_license(project({"LICENSE.txt": BSD_3_PALLETS})).spdx == "BSD-3-Clause"


def test_bsd_2_clause() -> None:
    assert detect_license(project({"LICENSE": BSD_2})).spdx == "BSD-2-Clause"


def test_apache_header_form_in_markdown() -> None:
    text = "# License\n\n" + APACHE_HEADER
    assert detect_license(project({"LICENSE.md": text})) == LicenseInfo(
        "Apache-2.0", "LICENSE.md", "LICENSE.md"
    )


def test_gpl_3_full_text_is_silent_on_or_later() -> None:
    assert detect_license(project({"COPYING": GPL_3_OPENING})) == LicenseInfo(
        "GPL-3.0", "COPYING", "COPYING"
    )


def test_gpl_3_text_narrowed_by_an_or_later_classifier() -> None:
    setup_py = (
        "import setuptools\n"
        "setuptools.setup(\n"
        "    name='thing',\n"
        "    classifiers=[\n"
        "        'Programming Language :: Python :: 3',\n"
        "        'License :: OSI Approved :: GNU General Public License v3 or later (GPLv3+)',\n"
        "    ],\n"
        ")\n"
    )
    result = detect_license(project({"COPYING": GPL_3_OPENING, "setup.py": setup_py}))
    assert result == LicenseInfo("GPL-3.0-or-later", "COPYING", "COPYING + setup.py classifiers")


def test_gpl_notice_says_or_later() -> None:
    assert detect_license(project({"LICENSE": GPL_3_NOTICE})).spdx == "GPL-3.0-or-later"


def test_lgpl_project_ships_gpl_and_lesser() -> None:
    result = detect_license(project({"COPYING": GPL_3_OPENING, "COPYING.LESSER": LGPL_3_OPENING}))
    assert result == LicenseInfo("LGPL-3.0", "COPYING.LESSER", "COPYING.LESSER")


@pytest.mark.parametrize(
    ("text", "spdx"), [(ISC, "ISC"), (UNLICENSE, "Unlicense"), (MPL_HEADER, "MPL-2.0")]
)
def test_other_common_licenses(text: str, spdx: str) -> None:
    assert detect_license(project({"LICENSE": text})).spdx == spdx


def test_unknown_license_text_is_none() -> None:
    assert detect_license(project({"LICENSE": CUSTOM})) == LicenseInfo(
        None, "LICENSE", "not recognised: LICENSE"
    )


def test_unknown_license_text_is_none_whatever_the_metadata_says() -> None:
    pyproject = '[project]\nname = "acme"\nlicense = "MIT"\n'
    result = detect_license(project({"LICENSE": CUSTOM, "pyproject.toml": pyproject}))
    assert result == LicenseInfo(
        None, "LICENSE", "not recognised: LICENSE (pyproject.toml says MIT)"
    )


def test_file_and_metadata_disagree() -> None:
    pyproject = '[project]\nname = "acme"\nlicense = "Apache-2.0"\n'
    result = detect_license(project({"LICENSE": MIT, "pyproject.toml": pyproject}))
    assert result == LicenseInfo(
        None, "LICENSE", "disagree: LICENSE says MIT, pyproject.toml says Apache-2.0"
    )


def test_mit_with_commons_clause_is_not_mit() -> None:
    text = MIT + '\n"Commons Clause" License Condition v1.0\n\nThe Software is provided to you...\n'
    assert detect_license(project({"LICENSE": text})).spdx is None


def test_bundled_licenses_need_metadata_to_choose() -> None:
    bundled = MIT + "\n\nThe bundled icons:\n\n" + APACHE_HEADER
    assert detect_license(project({"LICENSE": bundled})) == LicenseInfo(
        None, "LICENSE", "ambiguous: LICENSE says Apache-2.0 or MIT"
    )
    setup_cfg = "[metadata]\nname = acme\nlicense = MIT License\n"
    result = detect_license(project({"LICENSE": bundled, "setup.cfg": setup_cfg}))
    assert result == LicenseInfo("MIT", "LICENSE", "LICENSE + setup.cfg")


def test_dual_license_files_and_an_or_expression() -> None:
    pyproject = '[project]\nname = "acme"\nlicense = "MIT OR Apache-2.0"\n'
    mapping = {"LICENSE-APACHE": APACHE_HEADER, "LICENSE-MIT": MIT, "pyproject.toml": pyproject}
    assert detect_license(project(mapping)) == LicenseInfo(
        "MIT OR Apache-2.0", "LICENSE-APACHE", "LICENSE-APACHE + LICENSE-MIT + pyproject.toml"
    )


@pytest.mark.parametrize(
    ("path", "text", "spdx", "source"),
    [
        ("pyproject.toml", '[project]\nname = "a"\nlicense = "mit"\n', "MIT", "pyproject.toml"),
        (
            "pyproject.toml",
            '[project]\nname = "a"\nlicense-expression = "GPL-2.0-or-later"\n',
            "GPL-2.0-or-later",
            "pyproject.toml",
        ),
        (
            "pyproject.toml",
            '[project]\nname = "a"\nlicense = {text = "Apache License, Version 2.0"}\n',
            "Apache-2.0",
            "pyproject.toml",
        ),
        (
            "pyproject.toml",
            '[tool.poetry]\nname = "a"\nlicense = "GPL-3.0+"\n',
            "GPL-3.0-or-later",
            "pyproject.toml [tool.poetry]",
        ),
        ("setup.cfg", "[metadata]\nname = a\nlicense = new BSD\n", "BSD-3-Clause", "setup.cfg"),
        (
            "setup.py",
            "from setuptools import setup\nsetup(license='LGPLv3+')\n",
            "LGPL-3.0-or-later",
            "setup.py",
        ),
        (
            "setup.py",
            "from setuptools import setup\n"
            "CLASSIFIERS = ['License :: OSI Approved :: MIT License']\n"
            "setup(name='a', classifiers=CLASSIFIERS)\n",
            "MIT",
            "setup.py classifiers",
        ),
    ],
)
def test_license_from_metadata_alone(path: str, text: str, spdx: str, source: str) -> None:
    assert detect_license(project({path: text})) == LicenseInfo(spdx, None, source)


def test_vague_metadata_alone_is_none() -> None:
    setup_py = "from setuptools import setup\nsetup(name='a', license='BSD')\n"
    assert detect_license(project({"setup.py": setup_py})) == LicenseInfo(
        None, None, "ambiguous: setup.py says BSD-2-Clause or BSD-3-Clause"
    )


def test_pyproject_license_file_is_followed() -> None:
    pyproject = '[project]\nname = "a"\nlicense = {file = "docs/LICENSE.txt"}\n'
    result = detect_license(project({"pyproject.toml": pyproject, "docs/LICENSE.txt": MIT}))
    assert result == LicenseInfo("MIT", "docs/LICENSE.txt", "docs/LICENSE.txt")


def test_no_license_at_all() -> None:
    assert detect_license(project({"README.md": "# Hi\n"})) == LicenseInfo(None, None, "not found")


# -- description ---------------------------------------------------------------------------------


def test_description_from_pyproject() -> None:
    pyproject = '[project]\nname = "acme"\ndescription = "  Widgets   for Flask apps.  "\n'
    assert detect_description(project({"pyproject.toml": pyproject, "README.md": "Other."})) == (
        "Widgets for Flask apps."
    )


def test_description_from_poetry() -> None:
    pyproject = '[tool.poetry]\nname = "acme"\ndescription = "Poetry-built widgets."\n'
    assert detect_description(project({"pyproject.toml": pyproject})) == "Poetry-built widgets."


def test_description_from_setup_cfg() -> None:
    setup_cfg = "[metadata]\nname = acme\ndescription = Widgets, configured.\n"
    assert detect_description(project({"setup.cfg": setup_cfg})) == "Widgets, configured."


def test_description_from_setup_py_is_read_not_run() -> None:
    setup_py = (
        "import sys\n"
        "raise SystemExit('setup.py was executed')\n"
        "DESCRIPTION = 'Widgets ' + 'from setup.py.'\n"
        "from setuptools import setup\n"
        "setup(name='acme', description=DESCRIPTION, long_description=open('README').read())\n"
    )
    assert detect_description(project({"setup.py": setup_py})) == "Widgets from setup.py."


def test_placeholder_metadata_falls_back_to_the_readme() -> None:
    setup_cfg = "[metadata]\nname = acme\ndescription = Add a short description here!\n"
    readme = "# acme\n\nThe real description.  It has two sentences.\n"
    result = detect_description(project({"setup.cfg": setup_cfg, "README.md": readme}))
    assert result == "The real description. It has two sentences."


README_MD = """\
<!-- a comment that is not text -->
<h1 align="center">Widgetizer</h1>
<p align="center">
  <img src="https://example.org/logo.png" width="200">
</p>

[![Build](https://ci.example.org/badge.svg)](https://ci.example.org) [![PyPI](https://img.shields.io/pypi/v/widgetizer.svg)](https://pypi.org/project/widgetizer/)
![screenshot](docs/screenshot.png)

[Docs](https://widgetizer.readthedocs.io) | [Changelog](CHANGES.md)

Widgetizer
==========

**Widgetizer** turns [Flask](https://flask.palletsprojects.com) views into _reusable_
widgets with `@widget` and :sparkles: no boilerplate. It works with e.g. Jinja macros too.
A third sentence that is cut.

## Install

    pip install widgetizer
"""


def test_readme_markdown_first_real_paragraph() -> None:
    assert detect_description(project({"README.md": README_MD})) == (
        "Widgetizer turns Flask views into reusable widgets with @widget and no boilerplate. "
        "It works with e.g. Jinja macros too."
    )


README_RST = """\
==========
Widgetizer
==========

.. image:: https://img.shields.io/pypi/v/widgetizer.svg
   :target: https://pypi.org/project/widgetizer/
   :alt: PyPI

|build| |coverage|

.. |build| image:: https://ci.example.org/badge.svg
.. |coverage| image:: https://cov.example.org/badge.svg

Widgetizer is a `Flask <https://flask.palletsprojects.com/>`_ extension that
renders **widgets** with :func:`~widgetizer.render` and ``{% widget %}`` tags.
See the docs_ for more. Nobody reads this third sentence.

.. _docs: https://widgetizer.readthedocs.io

Installing
----------

Install it::

    pip install widgetizer
"""


def test_readme_rest_first_real_paragraph() -> None:
    assert detect_description(project({"README.rst": README_RST})) == (
        "Widgetizer is a Flask extension that renders widgets with render and "
        "{% widget %} tags. See the docs for more."
    )


def test_readme_skips_maintenance_notices_and_lists() -> None:
    readme = (
        "# Old thing\n\n> **Note** This project is no longer maintained.\n\n"
        "- clone it\n- run it\n\n"
        "A tiny Flask app that tracks your reading list.\n"
    )
    assert detect_description(project({"README.md": readme})) == (
        "A tiny Flask app that tracks your reading list."
    )


def test_readme_in_utf_16_is_read() -> None:
    readme = "# Short\n\nA Flask web app and API used to shorten long URLs.\n"
    assert detect_description({"README.md": readme.encode("utf-16")}) == (
        "A Flask web app and API used to shorten long URLs."
    )


def test_no_description() -> None:
    assert detect_description(project({"README.md": "# Title\n\n[![b](x.svg)](y)\n"})) is None
    assert detect_description({}) is None


# -- links ---------------------------------------------------------------------------------------


def test_links_from_pyproject() -> None:
    pyproject = (
        '[project]\nname = "Flask-Widgets"\n'
        '[project.urls]\nSource = "https://github.com/acme/flask-widgets"\n'
        'Documentation = "https://flask-widgets.readthedocs.io/"\n'
    )
    assert detect_links(project({"pyproject.toml": pyproject})) == {
        "docs": "https://flask-widgets.readthedocs.io/",
        "pypi": "Flask-Widgets",
    }


def test_links_from_setup_py_project_urls() -> None:
    setup_py = (
        "from setuptools import setup\n"
        "NAME = 'widgetizer'\n"
        "setup(name=NAME, project_urls={'Docs': 'https://widgetizer.example.org/docs/',"
        " 'Code': 'https://github.com/acme/widgetizer'})\n"
    )
    assert detect_links(project({"setup.py": setup_py})) == {
        "docs": "https://widgetizer.example.org/docs/",
        "pypi": "widgetizer",
    }


def test_links_from_setup_cfg_and_poetry() -> None:
    setup_cfg = (
        "[metadata]\nname = widgetizer\nproject_urls =\n"
        "    Documentation = https://widgetizer.example.org/\n"
        "    Source = https://github.com/acme/widgetizer\n"
    )
    assert detect_links(project({"setup.cfg": setup_cfg})) == {
        "docs": "https://widgetizer.example.org/",
        "pypi": "widgetizer",
    }
    pyproject = '[tool.poetry]\nname = "poem"\ndocumentation = "https://poem.example.org"\n'
    assert detect_links(project({"pyproject.toml": pyproject})) == {
        "docs": "https://poem.example.org",
        "pypi": "poem",
    }


def test_read_the_docs_home_page_counts_as_docs() -> None:
    setup_py = "from setuptools import setup\nsetup(name='a', url='https://a.readthedocs.io/')\n"
    assert detect_links(project({"setup.py": setup_py})) == {
        "docs": "https://a.readthedocs.io/",
        "pypi": "a",
    }


def test_no_links() -> None:
    assert detect_links(project({"README.md": "# x\n"})) == {"docs": None, "pypi": None}


# -- declared versions ---------------------------------------------------------------------------


def test_requirements_with_nested_includes() -> None:
    mapping = {
        "requirements.txt": "-r requirements/base.txt\ngunicorn==21.2\n",
        "requirements/base.txt": "-r common.txt\nFlask >= 2.0 , < 3.0  # web framework\n",
        "requirements/common.txt": "--index-url https://example.org/simple\nflask!=2.0.1\n",
    }
    assert declared_versions(project(mapping)) == ">=2.0,<3.0,!=2.0.1"


def test_requirement_include_loops_end() -> None:
    mapping = {
        "requirements.txt": "-r other.txt\nflask==2.3.3\n",
        "other.txt": "-r requirements.txt\n",
    }
    assert declared_versions(project(mapping)) == "==2.3.3"


def test_setup_py_install_requires_through_a_name() -> None:
    setup_py = (
        "from setuptools import setup\n"
        "requirements = ['Flask>=1.0.4', 'SQLAlchemy>=1.2']\n"
        "setup(name='a', install_requires=requirements + ['click'])\n"
    )
    assert declared_versions(project({"setup.py": setup_py})) == ">=1.0.4"


def test_setup_cfg_install_requires() -> None:
    setup_cfg = (
        "[metadata]\nname = a\n[options]\ninstall_requires =\n"
        "    Flask-Login>=0.6\n"
        "    flask>=2.2,<4; python_version >= '3.8'\n"
    )
    assert declared_versions(project({"setup.cfg": setup_cfg})) == ">=2.2,<4"


def test_pyproject_dependencies() -> None:
    pyproject = '[project]\nname = "a"\ndependencies = ["flask[async] >= 2.2", "jinja2"]\n'
    assert declared_versions(project({"pyproject.toml": pyproject})) == ">=2.2"


@pytest.mark.parametrize(
    ("constraint", "expected"),
    [
        ('"^2.0"', ">=2.0,<3"),
        ('"~2.1.3"', ">=2.1.3,<2.2"),
        ('"^0.12"', ">=0.12,<0.13"),
        ('"2.0.1"', "==2.0.1"),
        ('">=1.1,<2.0"', ">=1.1,<2.0"),
        ('"*"', ""),
        ('{version = "^3.0", extras = ["async"]}', ">=3.0,<4"),
    ],
)
def test_poetry_dependencies(constraint: str, expected: str) -> None:
    pyproject = (
        '[tool.poetry]\nname = "a"\n[tool.poetry.dependencies]\n'
        f'python = "^3.10"\nFlask = {constraint}\n'
    )
    assert declared_versions(project({"pyproject.toml": pyproject})) == expected


def test_pipfile_packages() -> None:
    assert declared_versions(project({"Pipfile": '[packages]\nflask = "*"\n'})) == ""
    pipfile = '[packages]\nFlask = {version = ">=1.1", extras = ["dotenv"]}\n[dev-packages]\npytest = "*"\n'
    assert declared_versions(project({"Pipfile": pipfile})) == ">=1.1"


def test_unpinned_declaration_defers_to_a_pin() -> None:
    mapping = {
        "pyproject.toml": '[project]\nname = "a"\ndependencies = ["flask"]\n',
        "requirements.txt": "flask==3.0.3\n",
    }
    assert declared_versions(project(mapping)) == "==3.0.3"


def test_development_requirements_only_when_nothing_else_names_it() -> None:
    mapping = {
        "pyproject.toml": '[project]\nname = "ext"\ndependencies = ["flask"]\n',
        "requirements/tests.txt": "flask==3.0.3\n",
    }
    assert declared_versions(project(mapping)) == ""
    assert declared_versions(project({"requirements/tests.txt": "flask==3.0.3\n"})) == "==3.0.3"


def test_not_declared_and_other_libraries() -> None:
    mapping = {
        "requirements.txt": "Flask-Login==0.6.3\nflask-sqlalchemy\n",
        "setup.py": "from setuptools import setup\nsetup(extras_require={'web': ['flask']})\n",
    }
    assert declared_versions(project(mapping)) is None
    assert declared_versions(project({"requirements.txt": "Werkzeug>=3\n"}), "werkzeug") == ">=3"


def test_extra_only_requirement_does_not_count() -> None:
    pyproject = '[project]\nname = "a"\ndependencies = [\'flask>=2; extra == "web"\']\n'
    assert declared_versions(project({"pyproject.toml": pyproject})) is None


# -- garbage in, None out ------------------------------------------------------------------------

GARBAGE = [
    {},
    {"pyproject.toml": b"[project\nname = = 'x'"},
    {"pyproject.toml": b'[project]\nname = 3\nlicense = ["MIT"]\ndependencies = "flask"\n'},
    {"setup.cfg": b"[metadata\nname: x\n  \x7f"},
    {"setup.cfg": b"no sections here\nlicense = MIT\n"},
    {"setup.py": b"def setup(:\n  pass"},
    {"setup.py": b"setup(" + b"[" * 5000 + b"]" * 5000 + b")"},
    {"setup.py": b"x = 1\0\0setup(name='a')"},
    {"LICENSE": bytes(range(256)) * 10, "README.md": b"\x89PNG\r\n\x1a\n\0\0\0"},
    {"README.rst": b"\xff\xfe\x00"},
    {"Pipfile": b"[packages]\nflask = [1, 2]\n"},
    {"requirements.txt": b"-r\n-r ../../etc/passwd\nflask>=\n===\n\\\n"},
    {"LICENSE": None, "setup.py": 42},  # type: ignore[dict-item]
]


@pytest.mark.parametrize("mapping", GARBAGE)
def test_garbage_never_raises(mapping: dict[str, bytes]) -> None:
    license_info = detect_license(mapping)
    assert isinstance(license_info, LicenseInfo)
    assert license_info.spdx is None
    assert detect_description(mapping) is None
    assert detect_links(mapping) == {"docs": None, "pypi": None}
    assert declared_versions(mapping) is None


# -- which files the caller reads ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "wanted"),
    [
        ("LICENSE", True),
        ("COPYING.LESSER", True),
        ("README.rst", True),
        ("setup.py", True),
        ("Pipfile", True),
        ("requirements-dev.txt", True),
        ("requirements/base.in", True),
        ("docker/requirements.txt", True),
        ("src/pkg/setup.py", False),
        ("docs/README.md", False),
        ("a/b/requirements.txt", False),
        ("app.py", False),
    ],
)
def test_wants_file(path: str, wanted: bool) -> None:
    assert wants_file(path) is wanted


def test_a_one_line_setup_cfg_requirement_keeps_the_commas_of_its_specifier():
    files = {"setup.cfg": b"[options]\ninstall_requires = flask>=2.2,<4; requests\n"}
    assert declared_versions(files) == ">=2.2,<4"
