"""The state file: a graph document read back into the Project it was written from, bad state
files refused with a sentence, and `lineage snapshot`."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from test_docs import Validator, schema

from lineage import projects, state
from lineage.cli import main
from lineage.config import load_config
from lineage.entities import (
    BlindSpot,
    Column,
    ColumnRef,
    Consumer,
    ConsumerKind,
    Coverage,
    DataTest,
    Diagnostic,
    DiagnosticCode,
    Edge,
    EdgeKind,
    Location,
    Owner,
    Project,
    ReadLevel,
    Relation,
    RelationKind,
    Severity,
)
from lineage.errors import UsageError
from lineage.report.graph_formats import GRAPH_SCHEMA_VERSION, graph_json
from lineage.state import load_state

FIXTURES = Path(__file__).parent.parent / "fixtures"


def built(name: str) -> Project:
    root = FIXTURES / name
    return projects.build(root, load_config(root))


def write_state(folder: Path, text: str, name: str = "state.json") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


EVERY_FIELD = Project(
    root="somewhere",
    dialect="snowflake",
    relations=(
        Relation(
            "app:shop.users",
            RelationKind.APP_TABLE,
            (
                Column("id", "bigint", Location("db/V1.sql", 2), nullable=False),
                Column(
                    "login_email",
                    "text",
                    Location("db/V13.sql", 1),
                    former_names=("email_address", "email"),
                ),
                Column("gone", None, None, inferred=True, dropped=True, nullable=True),
            ),
            Location("db/V1.sql", 1),
            former_names=("accounts",),
            owner=Owner("@shop/app", None),
        ),
        Relation(
            "model.shop.dim_customers.v2",
            RelationKind.MODEL,
            (),
            None,
            dropped=True,
            columns_complete=False,
            contract=True,
            version="2",
            owner=Owner("Data Platform", "dp@shop.example"),
            tests=(
                DataTest("has_rows", None, Location("models/x.yml", 4)),
                DataTest("unique", "customer_id", None),
            ),
            description="One row per customer, «v2».\n{{ doc('customers') }}",
            tags=("finance", "marts", "pii"),
        ),
        Relation(
            "source.shop.app.users",
            RelationKind.SOURCE,
            (
                Column("id", "bigint", None, description="Primary key."),
                Column("email", "text", None),
            ),
            Location("models/_sources.yml", 3),
            description="One row per account.",
            tags=("fivetran",),
        ),
    ),
    edges=(
        Edge(
            ColumnRef("app:shop.users", "login_email"),
            ColumnRef("model.shop.dim_customers.v2", None),
            EdgeKind.FILTER,
            "WHERE TRIM(login_email) <> ''",
            Location("models/x.sql", 9),
            inner=("TRIM(u.login_email)", "LOWER(TRIM(u.login_email))"),
        ),
    ),
    blind_spots=(
        BlindSpot(
            ColumnRef("model.shop.dim_customers.v2", None),
            "a * could not be expanded",
            Location("models/x.sql", 1),
            ("ext.a", "ext.b"),
        ),
    ),
    diagnostics=(
        Diagnostic(
            Location("models/x.sql", 3),
            DiagnosticCode.UNKNOWN_RELATION,
            Severity.ERROR,
            "ext.a is read",
            "ext.a",
        ),
        Diagnostic(Location("lineage.yml", 1), DiagnosticCode.CONFIG_ERROR, Severity.INFO, "é"),
    ),
    coverage=Coverage(3, 5, 4, 10, 7, 2, "models"),
    consumers=(
        Consumer(
            "exposure.shop.churn",
            ConsumerKind.DASHBOARD,
            "Churn",
            Owner(None, "a@shop.example"),
            ReadLevel.MODEL,
            (ColumnRef("model.shop.dim_customers.v2", "customer_id"),),
            Location("models/exposures.yml", 3),
            url="https://bi.example/1",
            maturity="high",
        ),
        Consumer(
            "code:app/x.py:3",
            ConsumerKind.APPLICATION,
            "x.py",
            Owner(),
            ReadLevel.COLUMN,
            (),
            None,
            origin="code",
        ),
    ),
)


# -- round trip -------------------------------------------------------------------------------


def test_descriptions_and_tags_are_written_and_read_back(tmp_path: Path) -> None:
    document = json.loads(graph_json(EVERY_FIELD))
    assert document["schema_version"] == "1.2"
    customers, source = document["relations"][1], document["relations"][2]
    assert customers["tags"] == ["finance", "marts", "pii"]
    assert customers["description"].startswith("One row per customer")
    assert source["columns"][0]["description"] == "Primary key."
    assert source["columns"][1]["description"] is None
    assert document["relations"][0]["description"] is None
    assert document["relations"][0]["tags"] == []
    loaded = load_state(write_state(tmp_path, graph_json(EVERY_FIELD)))
    assert loaded.relations[1].tags == ("finance", "marts", "pii")
    assert loaded.relations[2].columns[0].description == "Primary key."
    # a hand-edited document's tags are read sorted and distinct, as Relation.tags always is
    document["relations"][1]["tags"] = ["pii", "finance", "pii"]
    edited = load_state(write_state(tmp_path, json.dumps(document), "edited.json"))
    assert edited.relations[1].tags == ("finance", "pii")


def test_the_shop_carries_its_dbt_descriptions_and_tags() -> None:
    document = json.loads(graph_json(built("shop")))
    relations = {r["name"]: r for r in document["relations"]}
    features = relations["model.shop.customer_churn_features"]
    assert features["tags"] == ["feature_store", "marts", "ml"]
    assert features["description"].startswith("Features of the churn model")
    users = relations["source.shop.app.users"]
    assert {c["name"]: c["description"] for c in users["columns"]}["id"] == "Primary key."
    assert relations["app:shop.users"]["tags"] == []


@pytest.mark.parametrize("name", ["shop", "example"])
def test_a_built_project_round_trips_byte_for_byte(name: str, tmp_path: Path) -> None:
    project = built(name)
    text = graph_json(project)
    loaded = load_state(write_state(tmp_path, text))
    assert graph_json(loaded) == text
    # everything but the root comes back equal: the document does not carry the root
    assert loaded.root == str(tmp_path)
    assert replace(loaded, root=project.root) == project


def test_the_shop_document_matches_the_documented_schema() -> None:
    """The example of tests/test_docs.py has no owner, test or version: the shop has all."""
    document = json.loads(graph_json(built("shop")))
    relations = {r["name"]: r for r in document["relations"]}
    assert relations["model.shop.dim_customers.v2"]["version"] == "2"
    assert relations["model.shop.fct_orders"]["owner"]["name"] == "Data Platform"
    assert relations["model.shop.product_affinity"]["tests"][0]["column"] is None
    graph = schema("graph")
    assert Validator(graph).errors(document, graph) == []
    every = json.loads(graph_json(EVERY_FIELD))
    assert Validator(graph).errors(every, graph) == []


def test_every_field_round_trips(tmp_path: Path) -> None:
    loaded = load_state(write_state(tmp_path, graph_json(EVERY_FIELD)))
    assert replace(loaded, root=EVERY_FIELD.root) == EVERY_FIELD
    # DataTest compares without its location: compare it on its own
    assert [t.location for t in loaded.relations[1].tests] == [Location("models/x.yml", 4), None]


def test_unknown_keys_are_ignored(tmp_path: Path) -> None:
    document = json.loads(graph_json(EVERY_FIELD))
    document["later"] = {"a": 1}
    document["relations"][0]["colour"] = "blue"
    document["schema_version"] = "1.7"
    loaded = load_state(write_state(tmp_path, json.dumps(document)))
    assert replace(loaded, root=EVERY_FIELD.root) == EVERY_FIELD


def _without_the_keys_of_1_2(document: dict[str, Any]) -> None:
    for relation in document["relations"]:
        del relation["description"], relation["tags"]
        for column in relation["columns"]:
            del column["description"]


def test_a_1_1_document_is_read_without_the_keys_of_1_2(tmp_path: Path) -> None:
    document = json.loads(graph_json(EVERY_FIELD))
    document["schema_version"] = "1.1"
    _without_the_keys_of_1_2(document)
    loaded = load_state(write_state(tmp_path, json.dumps(document)))
    assert [(r.description, r.tags) for r in loaded.relations] == [(None, ())] * 3
    assert {c.description for r in loaded.relations for c in r.columns} == {None}
    # everything else comes back as it was written
    undocumented = tuple(
        replace(
            r,
            description=None,
            tags=(),
            columns=tuple(replace(c, description=None) for c in r.columns),
        )
        for r in EVERY_FIELD.relations
    )
    assert loaded.relations == undocumented
    assert loaded.edges == EVERY_FIELD.edges


def test_a_1_0_document_is_read_without_the_keys_of_1_1(tmp_path: Path) -> None:
    document = json.loads(graph_json(EVERY_FIELD))
    document["schema_version"] = "1.0"
    _without_the_keys_of_1_2(document)
    for relation in document["relations"]:
        for key in ("contract", "version", "owner", "tests", "former_names"):
            del relation[key]
        for column in relation["columns"]:
            del column["former_names"]
    for edge in document["edges"]:
        del edge["inner"]
    loaded = load_state(write_state(tmp_path, json.dumps(document)))
    users = loaded.relations[0]
    assert (users.owner, users.former_names, users.tests) == (None, (), ())
    assert [c.former_names for c in users.columns] == [(), (), ()]
    assert loaded.relations[1].contract is False and loaded.relations[1].version is None
    assert loaded.edges[0].inner == ()
    assert loaded.consumers == EVERY_FIELD.consumers


# -- bad state files ----------------------------------------------------------------------------


def refused(path: Path) -> str:
    with pytest.raises(UsageError) as caught:
        load_state(path)
    message = str(caught.value)
    assert message.startswith(f"state file {path}: "), message
    assert "Traceback" not in message
    return message


def edited(tmp_path: Path, change: Any) -> Path:
    document = json.loads(graph_json(EVERY_FIELD))
    change(document)
    return write_state(tmp_path, json.dumps(document))


def test_not_json(tmp_path: Path) -> None:
    message = refused(write_state(tmp_path, '{"schema_version": "1.1",\n  "relations": [}'))
    assert "not JSON" in message and "line 2" in message


def test_not_a_graph_document(tmp_path: Path) -> None:
    assert "no schema_version" in refused(write_state(tmp_path, "[1, 2]"))
    assert "no schema_version" in refused(write_state(tmp_path, '{"nodes": {}}'))


@pytest.mark.parametrize("version", ["2.0", "0.9", "3.1"])
def test_another_major_version(tmp_path: Path, version: str) -> None:
    path = edited(tmp_path, lambda d: d.update(schema_version=version))
    message = refused(path)
    assert f"schema_version {version} is not supported" in message
    assert "1.x" in message


@pytest.mark.parametrize("version", [1.1, "1", "v1.1", "1.1.0", None])
def test_a_malformed_version(tmp_path: Path, version: Any) -> None:
    path = edited(tmp_path, lambda d: d.update(schema_version=version))
    assert "is not a version like '1.1'" in refused(path)


def test_missing_keys(tmp_path: Path) -> None:
    def drop_column_name(d: dict[str, Any]) -> None:
        del d["relations"][0]["columns"][1]["name"]

    assert refused(edited(tmp_path, drop_column_name)).endswith(
        "relations[0].columns[1].name is missing"
    )
    assert refused(edited(tmp_path, lambda d: d.pop("edges"))).endswith("edges is missing")

    def drop_contract(d: dict[str, Any]) -> None:
        del d["relations"][0]["contract"]

    # a key of 1.1 is required in a 1.1 document
    assert refused(edited(tmp_path, drop_contract)).endswith("relations[0].contract is missing")

    def drop_tags(d: dict[str, Any]) -> None:
        del d["relations"][1]["tags"]

    def drop_column_description(d: dict[str, Any]) -> None:
        del d["relations"][2]["columns"][0]["description"]

    # and a key of 1.2 in a 1.2 document
    assert refused(edited(tmp_path, drop_tags)).endswith("relations[1].tags is missing")
    assert refused(edited(tmp_path, drop_column_description)).endswith(
        "relations[2].columns[0].description is missing"
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["relations"][0]["columns"][0].update(name=5),
            "relations[0].columns[0].name must be a string, not a number",
        ),
        (
            lambda d: d["relations"][0].update(dropped="no"),
            "relations[0].dropped must be a boolean, not a string",
        ),
        (
            lambda d: d["edges"][0]["location"].update(line=True),
            "edges[0].location.line must be a number, not a boolean",
        ),
        (
            lambda d: d["edges"][0]["location"].update(line=0),
            "edges[0].location.line must be 1 or more, not 0",
        ),
        (
            lambda d: d["edges"][0]["source"].update(column=None),
            "edges[0].source.column must be a string, not null",
        ),
        (
            lambda d: d["relations"][1].update(kind="banana"),
            "relations[1].kind has an unknown value 'banana'",
        ),
        (
            lambda d: d["diagnostics"][0].update(severity="ERROR"),
            "diagnostics[0].severity has an unknown value 'ERROR'",
        ),
        (
            lambda d: d["relations"][0].update(owner="me"),
            "relations[0].owner must be an object or null, not a string",
        ),
        (
            lambda d: d.update(relations={}),
            "relations must be an array, not an object",
        ),
        (
            lambda d: d["coverage"].update(files=-1),
            "coverage.files must be 0 or more, not -1",
        ),
        (
            lambda d: d["blind_spots"][0].update(upstream=["a", 2]),
            "blind_spots[0].upstream[1] must be a string, not a number",
        ),
        (
            lambda d: d["relations"][1]["tests"][0].update(column=[]),
            "relations[1].tests[0].column must be a string or null, not an array",
        ),
        (
            lambda d: d["relations"][1].update(tags="pii"),
            "relations[1].tags must be an array, not a string",
        ),
        (
            lambda d: d["relations"][1].update(tags=["pii", None]),
            "relations[1].tags[1] must be a string, not null",
        ),
        (
            lambda d: d["relations"][2]["columns"][0].update(description=1),
            "relations[2].columns[0].description must be a string or null, not a number",
        ),
        (
            lambda d: d["edges"][0].update(kind=["identity"]),
            "edges[0].kind must be a string, not an array",
        ),
        (
            lambda d: d["edges"][0].update(inner=["a", 3]),
            "edges[0].inner[1] must be a string, not a number",
        ),
        (
            lambda d: d["edges"][0]["target"].update(column=7),
            "edges[0].target.column must be a string or null, not a number",
        ),
        (
            lambda d: d["edges"][0].pop("direct"),
            "edges[0].direct is missing",
        ),
        (
            lambda d: d["relations"][0]["columns"][1].update(nullable="yes"),
            "relations[0].columns[1].nullable must be a boolean or null, not a string",
        ),
        (
            lambda d: d["relations"][0]["columns"][1].pop("type"),
            "relations[0].columns[1].type is missing",
        ),
        (
            lambda d: d["relations"][0]["columns"][1].update(location={"path": "a", "line": 0}),
            "relations[0].columns[1].location.line must be 1 or more, not 0",
        ),
    ],
)
def test_wrong_types_and_values_name_the_key(tmp_path: Path, change: Any, expected: str) -> None:
    message = refused(edited(tmp_path, change))
    assert message.endswith(expected), message


def test_missing_file_directory_and_not_utf8(tmp_path: Path) -> None:
    assert refused(tmp_path / "absent.json").endswith("not found")
    (tmp_path / "folder").mkdir()
    assert refused(tmp_path / "folder").endswith("not a regular file")
    binary = tmp_path / "binary.json"
    binary.write_bytes(b'{"a": "\xff"}')
    assert "not UTF-8" in refused(binary)


def test_deeply_nested_json_is_refused(tmp_path: Path) -> None:
    assert "not readable JSON" in refused(write_state(tmp_path, "[" * 100_000 + "]" * 100_000))


def test_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_state(tmp_path, graph_json(EVERY_FIELD))
    monkeypatch.setattr(state, "MAX_STATE_BYTES", path.stat().st_size - 1)
    assert "the most a state file may be" in refused(path)
    monkeypatch.setattr(state, "MAX_STATE_BYTES", path.stat().st_size)
    assert load_state(path).relations == EVERY_FIELD.relations


def test_the_limit_is_512_megabytes() -> None:
    assert state.MAX_STATE_BYTES == 512 * 1024 * 1024


# -- lineage snapshot ---------------------------------------------------------------------------


def test_snapshot_writes_the_graph_document(tmp_path: Path) -> None:
    runner = CliRunner()
    example = str(FIXTURES / "example")
    graph = runner.invoke(main, ["graph", "--project-dir", example, "--format", "json"])
    target = tmp_path / "out" / "s.json"
    target.parent.mkdir()
    result = runner.invoke(main, ["snapshot", "--project-dir", example, "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert f"wrote {target}" in result.stderr
    assert target.read_text(encoding="utf-8") == graph.stdout
    assert json.loads(graph.stdout)["schema_version"] == GRAPH_SCHEMA_VERSION == "1.2"


def test_snapshot_default_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    example = str((FIXTURES / "example").resolve())
    result = CliRunner().invoke(main, ["snapshot", "--project-dir", example])
    assert result.exit_code == 0, result.output
    assert load_state(tmp_path / "lineage-state.json").coverage.statements == 19


def test_snapshot_to_an_unwritable_place_is_a_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "missing-folder" / "s.json"
    result = CliRunner().invoke(
        main, ["snapshot", "--project-dir", str(FIXTURES / "example"), "-o", str(target)]
    )
    assert result.exit_code == 2
    assert "cannot write" in result.stderr
