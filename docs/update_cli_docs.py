"""Rewrite the `--help` blocks of docs/cli.md from the real command line.

Run it after changing a command, an option or a help string:

    .venv/bin/python docs/update_cli_docs.py

Each block sits between `<!-- help: lineage COMMAND -->` and `<!-- /help -->`; the text in
between is replaced by the command's current help. tests/test_docs.py fails when a block is
out of date or a command has no block.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click
from click.testing import CliRunner

from lineage.cli import main

CLI_DOC = Path(__file__).with_name("cli.md")
#: The width click uses on an ordinary 80-column terminal, fixed so the text is reproducible.
HELP_WIDTH = 78
BLOCK = re.compile(
    r"(<!-- help: (?P<command>lineage[a-z\- ]*?) -->\n)(.*?)(<!-- /help -->)", re.DOTALL
)


def command_names() -> list[str]:
    """`lineage` and `lineage COMMAND` for every command, in help order."""
    assert isinstance(main, click.Group)
    return ["lineage"] + [f"lineage {name}" for name in sorted(main.commands)]


def help_text(command: str) -> str:
    """The `--help` output of `command` (for example `lineage who-uses`)."""
    args = [*command.split()[1:], "--help"]
    result = CliRunner().invoke(main, args, prog_name="lineage", terminal_width=HELP_WIDTH)
    if result.exit_code != 0:
        raise RuntimeError(f"{command} --help failed: {result.output}")
    return result.output


def fenced(text: str) -> str:
    return f"```text\n{text.rstrip()}\n```\n"


def rewrite(document: str) -> tuple[str, list[str]]:
    """The document with every help block regenerated, and the commands that have none."""
    seen: set[str] = set()

    def replace(match: re.Match[str]) -> str:
        seen.add(match["command"])
        return match.group(1) + fenced(help_text(match["command"])) + match.group(4)

    updated = BLOCK.sub(replace, document)
    return updated, [c for c in command_names() if c not in seen]


def run() -> int:
    document = CLI_DOC.read_text(encoding="utf-8")
    updated, missing = rewrite(document)
    if updated != document:
        CLI_DOC.write_text(updated, encoding="utf-8")
        print(f"updated {CLI_DOC}")
    else:
        print(f"{CLI_DOC} is up to date")
    for command in missing:
        print(
            f"{CLI_DOC}: no help block for `{command}`: add a section with\n"
            f"<!-- help: {command} -->\n<!-- /help -->",
            file=sys.stderr,
        )
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(run())
