"""The documentation in docs/ matches the code: CLI help, options, exit codes, JSON schemas,
edge kinds, diagnostic codes and configuration keys."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import click
import pytest
from click.testing import CliRunner

from lineage import cli
from lineage.config import Config
from lineage.entities import DiagnosticCode, EdgeKind, RelationKind, Severity
from lineage.report.answers import ANSWER_SCHEMA_VERSION
from lineage.report.graph_formats import GRAPH_SCHEMA_VERSION

ROOT = Path(__file__).parent.parent
DOCS = ROOT / "docs"
EXAMPLE = ROOT / "fixtures" / "example"
HELP_WIDTH = 78
HELP_BLOCK = re.compile(
    r"<!-- help: (lineage[a-z\- ]*?) -->\n```text\n(.*?)```\n<!-- /help -->", re.DOTALL
)


def read(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def commands() -> list[str]:
    assert isinstance(cli.main, click.Group)
    return ["lineage"] + [f"lineage {name}" for name in sorted(cli.main.commands)]


def click_command(command: str) -> click.Command:
    parts = command.split()[1:]
    return cli.main.commands[parts[0]] if parts else cli.main  # type: ignore[attr-defined]


def help_text(command: str) -> str:
    args = [*command.split()[1:], "--help"]
    result = CliRunner().invoke(cli.main, args, prog_name="lineage", terminal_width=HELP_WIDTH)
    assert result.exit_code == 0, result.output
    return result.output


def prose(text: str) -> str:
    """A document without its generated help blocks: what a person wrote."""
    return HELP_BLOCK.sub("", text)


def mentions(text: str, word: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text) is not None


# -- docs/cli.md -----------------------------------------------------------------------------


@pytest.mark.parametrize("command", commands())
def test_help_text_is_in_cli_doc_verbatim(command: str) -> None:
    blocks = dict(HELP_BLOCK.findall(read("cli.md")))
    assert command in blocks, f"docs/cli.md has no help block for `{command}`"
    assert blocks[command] == help_text(command).rstrip("\n") + "\n", (
        f"the help of `{command}` changed: run `.venv/bin/python docs/update_cli_docs.py`"
    )


@pytest.mark.parametrize("command", commands())
def test_every_command_and_option_is_described(command: str) -> None:
    text = prose(read("cli.md"))
    assert re.search(rf"^## {re.escape(command)}$", text, re.MULTILINE), (
        f"docs/cli.md has no section `## {command}`"
    )
    for param in click_command(command).params:
        if isinstance(param, click.Option):
            for name in [*param.opts, *param.secondary_opts]:
                assert mentions(text, name), f"docs/cli.md does not describe {command} {name}"


def test_every_exit_code_is_documented() -> None:
    text = read("cli.md")
    for code in (cli.EXIT_OK, cli.EXIT_INTERNAL, cli.EXIT_USAGE, cli.EXIT_INCOMPLETE):
        assert re.search(rf"^\| {code} \|", text, re.MULTILINE), f"exit code {code} undocumented"


def _load_update_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("update_cli_docs", DOCS / "update_cli_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_update_script_leaves_an_up_to_date_doc_unchanged() -> None:
    script = _load_update_script()
    document = read("cli.md")
    updated, missing = script.rewrite(document)
    assert missing == []
    assert updated == document


# -- docs/graph-schema.md --------------------------------------------------------------------


def schema(name: str) -> dict[str, Any]:
    found = re.search(
        rf"<!-- schema: {name} -->\n```json\n(.*?)```", read("graph-schema.md"), re.DOTALL
    )
    assert found, f"docs/graph-schema.md has no `{name}` schema block"
    loaded: dict[str, Any] = json.loads(found.group(1))
    return loaded


JSON_TYPES: dict[str, type] = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "null": type(None),
}


class Validator:
    """The part of JSON Schema the documented schemas use: type, const, enum, properties,
    required, additionalProperties: false, items, minimum, oneOf and local `$ref`s."""

    def __init__(self, *schemas: dict[str, Any]) -> None:
        self.documents = {s["$id"].rsplit("/", 1)[-1]: s for s in schemas}
        self.root = schemas[0]

    def errors(self, value: Any, node: dict[str, Any], where: str = "$") -> list[str]:
        if "$ref" in node:
            return self.errors(value, self.resolve(node["$ref"]), where)
        found: list[str] = []
        if "type" in node and not any(self.is_type(value, t) for t in _listed(node["type"])):
            return [f"{where}: {value!r} is not of type {node['type']}"]
        if "const" in node and value != node["const"]:
            found.append(f"{where}: {value!r} is not {node['const']!r}")
        if "enum" in node and value not in node["enum"]:
            found.append(f"{where}: {value!r} is not one of {node['enum']}")
        if "minimum" in node and value < node["minimum"]:
            found.append(f"{where}: {value!r} is below {node['minimum']}")
        if "oneOf" in node:
            matching = [n for n in node["oneOf"] if not self.errors(value, n, where)]
            if len(matching) != 1:
                found.append(f"{where}: {value!r} matches {len(matching)} of oneOf")
        if isinstance(value, dict):
            found += self.object_errors(value, node, where)
        if isinstance(value, list) and "items" in node:
            for index, item in enumerate(value):
                found += self.errors(item, node["items"], f"{where}[{index}]")
        return found

    def object_errors(self, value: dict[str, Any], node: dict[str, Any], where: str) -> list[str]:
        properties = node.get("properties", {})
        found = [
            f"{where}: missing key {key!r}" for key in node.get("required", []) if key not in value
        ]
        if node.get("additionalProperties") is False:
            found += [
                f"{where}: undocumented key {key!r}" for key in value if key not in properties
            ]
        for key, item in value.items():
            if key in properties:
                found += self.errors(item, properties[key], f"{where}.{key}")
        return found

    def resolve(self, ref: str) -> dict[str, Any]:
        document, _, pointer = ref.partition("#")
        node: dict[str, Any] = self.documents[document] if document else self.root
        for part in pointer.strip("/").split("/"):
            node = node[part]
        return node

    def is_type(self, value: Any, name: str) -> bool:
        if name == "integer":
            return isinstance(value, int) and not isinstance(value, bool)
        return isinstance(value, JSON_TYPES[name])


def _listed(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


def _objects(node: Any) -> list[dict[str, Any]]:
    """Every object schema (one with `properties`) inside `node`."""
    if isinstance(node, dict):
        own = [node] if "properties" in node else []
        return own + [o for value in node.values() for o in _objects(value)]
    if isinstance(node, list):
        return [o for value in node for o in _objects(value)]
    return []


def run_json(*args: str) -> tuple[int, Any]:
    result = CliRunner().invoke(
        cli.main, [*args, "--project-dir", str(EXAMPLE), "--format", "json"]
    )
    assert result.exit_code in (0, 3), result.output
    return result.exit_code, json.loads(result.stdout)


def test_graph_output_matches_the_documented_schema() -> None:
    _, document = run_json("graph")
    graph = schema("graph")
    assert document["relations"] and document["edges"], "the example should not be empty"
    assert Validator(graph).errors(document, graph) == []


@pytest.mark.parametrize("command", ["who-uses", "trace"])
def test_answer_output_matches_the_documented_schema(command: str) -> None:
    name = "raw.users.email" if command == "who-uses" else "marts.revenue_by_country.revenue"
    _, document = run_json(command, name)
    answer, graph = schema("answer"), schema("graph")
    assert document["hops"], "the example answer should not be empty"
    assert Validator(answer, graph).errors(document, answer) == []


def test_every_documented_key_is_always_present_and_described() -> None:
    text = read("graph-schema.md")
    for name in ("graph", "answer"):
        for node in _objects(schema(name)):
            if "type" not in node:  # the $defs container
                continue
            assert set(node["required"]) == set(node["properties"])
            for key in node["properties"]:
                assert f"| `{key}` |" in text, f"key {key!r} has no row in graph-schema.md"


def test_schema_enums_match_the_code() -> None:
    defs = schema("graph")["$defs"]
    assert defs["edge_kind"]["enum"] == [k.value for k in EdgeKind]
    assert defs["diagnostic"]["properties"]["code"]["enum"] == [c.value for c in DiagnosticCode]
    assert defs["relation"]["properties"]["kind"]["enum"] == [k.value for k in RelationKind]
    severities = [s.name.lower() for s in Severity]
    assert defs["diagnostic"]["properties"]["severity"]["enum"] == severities


def test_schema_versions_match_the_code() -> None:
    text = read("graph-schema.md")
    assert f"Graph document schema version: **{GRAPH_SCHEMA_VERSION}**" in text
    assert f"Answer document schema version: **{ANSWER_SCHEMA_VERSION}**" in text
    assert schema("graph")["properties"]["schema_version"]["const"] == GRAPH_SCHEMA_VERSION
    assert schema("answer")["properties"]["schema_version"]["const"] == ANSWER_SCHEMA_VERSION


# -- docs/concepts.md and docs/configuration.md ----------------------------------------------


def test_every_edge_kind_has_an_example() -> None:
    text = read("concepts.md")
    for kind in EdgeKind:
        assert re.search(rf"^#### `{kind.value}`", text, re.MULTILINE), f"no section for {kind}"


def test_every_diagnostic_code_is_explained_with_its_severity() -> None:
    text = read("concepts.md")
    severities = "|".join(s.name.lower() for s in Severity)
    for code in DiagnosticCode:
        row = rf"^\| `{re.escape(code.value)}` \| ({severities})"
        assert re.search(row, text, re.MULTILINE), f"concepts.md does not explain {code.value}"


def test_every_setting_is_documented() -> None:
    text = read("configuration.md")
    for setting in dataclasses.fields(Config):
        if setting.name != "diagnostics":
            assert f"### `{setting.name}`" in text, f"configuration.md lacks {setting.name}"
