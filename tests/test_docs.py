"""The README is part of the product: every command, option and table is documented."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from miner.cli import cli
from miner.store import schema_markdown

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(cli.commands)


def test_readme_has_the_schema_exactly():
    assert schema_markdown() in README, "regenerate the schema section from store.schema_markdown()"


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_documented_with_an_example(name):
    command = cli.commands[name]
    assert f"### `miner {name}`" in README
    assert re.search(rf"\$ miner {name}\b", README), f"no example of `miner {name}` in the README"
    assert command.help and "Example:" in command.help


@pytest.mark.parametrize(
    "name,option",
    [
        (name, option)
        for name in COMMANDS
        for param in cli.commands[name].params
        if isinstance(param, click.Option)
        for option in param.opts
        if option.startswith("--")
    ],
)
def test_every_option_is_documented(name, option):
    assert f"`{option}" in README, f"miner {name} {option} is not in the README"
