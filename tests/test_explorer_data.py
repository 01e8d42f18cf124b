"""The explorer's document (`lineage.explorer_data`) and page (`lineage.report.explorer_html`):
every edge, column, read and blind spot of the project is in it, decodable as docs/explorer.md
says; expectations come from the example's SQL and YAML files, not from the document."""

from __future__ import annotations

import base64
import gzip
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lineage import projects
from lineage.cli import main
from lineage.config import load_config
from lineage.entities import (
    BlindSpot,
    Column,
    ColumnRef,
    Coverage,
    Edge,
    EdgeKind,
    Location,
    Project,
    Relation,
    RelationKind,
)
from lineage.explorer_data import explorer_document
from lineage.explorer_encoding import PLACEHOLDER, expand_template, resolve_names
from lineage.report.explorer_html import COMPRESS_ABOVE, explorer_html

SHOP = Path(__file__).parent.parent / "fixtures" / "shop"
Key = tuple[str, str | None]
DIRECT = {k.value for k in EdgeKind if k.is_direct}


@pytest.fixture(scope="module")
def shop() -> Project:
    return projects.build(SHOP, load_config(SHOP))


@pytest.fixture(scope="module")
def document(shop: Project) -> dict[str, Any]:
    return explorer_document(shop)


class Decoded:
    """The document read back the way the page's 10_model.js reads it."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.d = document
        s = document["strings"]
        nodes, columns = document["nodes"], document["columns"]
        self.node_ids = [s[i] for i in nodes["id"]]
        self.node_of: list[int] = []
        for node, (first, count) in enumerate(zip(nodes["first"], nodes["count"], strict=True)):
            assert first == len(self.node_of), "columns are grouped by node, in node order"
            self.node_of += [node] * count
        edges = document["edges"]
        triples: list[tuple[int, int, str]] = []
        target = source = 0
        for step, jump, kind in zip(edges["target"], edges["source"], edges["kind"], strict=True):
            target, source = target + step, source + jump
            triples.append((source, target, document["edge_kinds"][kind]))
        self.inputs: dict[int, list[int]] = {}
        first_direct = [-1] * len(self.node_of)
        for source, target, kind in triples:
            self.inputs.setdefault(target, []).append(source)
            if first_direct[target] < 0 and kind in DIRECT:
                first_direct[target] = source
        rows = set(nodes["first"])
        self.names = [s[n] for n in resolve_names(columns["name"], first_direct, rows)]
        self.keys: list[Key] = [
            (self.node_ids[n], self.names[c] or None) for c, n in enumerate(self.node_of)
        ]
        self.index = {key: c for c, key in enumerate(self.keys)}
        self.edges = [(self.keys[a], self.keys[b], kind) for a, b, kind in triples]
        self.expressions: list[str] = []
        aliases = iter(s[a] for a in columns["aliases"])
        for c, template in enumerate(columns["expression"]):
            text = s[template]
            used = [next(aliases) for _ in range(text.count(PLACEHOLDER))]
            inputs = [self.names[i] for i in self.inputs.get(c, [])]
            self.expressions.append(expand_template(text, used, inputs))
        assert next(aliases, None) is None, "every alias is used once"

    def column(self, relation: str, column: str | None) -> int:
        return self.index[relation, column]

    def text(self, table: str, field: str, index: int) -> str:
        if (table, field) == ("columns", "expression"):
            return self.expressions[index]
        return str(self.d["strings"][self.d[table][field][index]])


@pytest.fixture(scope="module")
def decoded(document: dict[str, Any]) -> Decoded:
    return Decoded(document)


def test_strings_are_interned_once_with_none_first(document: dict[str, Any]) -> None:
    strings = document["strings"]
    assert strings[0] == ""
    assert len(strings) == len(set(strings))


def test_every_lineage_edge_is_in_the_document_once(shop: Project, decoded: Decoded) -> None:
    expected = {
        ((e.source.relation, e.source.column), (e.target.relation, e.target.column), e.kind.value)
        for e in shop.edges
    }
    assert len(decoded.edges) == len(set(decoded.edges)) == len(expected)
    assert set(decoded.edges) == expected
    targets = [decoded.index[t] for _, t, _ in decoded.edges]
    assert targets == sorted(targets)


def test_every_column_definition_is_restored_exactly(shop: Project, decoded: Decoded) -> None:
    """Templates and shared names decode to the project's own expressions and names."""
    defining: dict[Key, Edge] = {}
    for edge in sorted(shop.edges, key=lambda e: e.sort_key):
        key = (edge.target.relation, edge.target.column)
        held = defining.get(key)
        if held is None or (edge.kind.is_direct and not held.kind.is_direct):
            defining[key] = edge
    for key, edge in defining.items():
        assert decoded.expressions[decoded.index[key]] == edge.expression, key
    for relation in shop.relations:
        for column in relation.columns:
            if not column.dropped:
                assert (relation.name, column.name) in decoded.index
    templated = [
        t for t in decoded.d["columns"]["expression"] if PLACEHOLDER in decoded.d["strings"][t]
    ]
    shared = [
        n
        for c, n in enumerate(decoded.d["columns"]["name"])
        if n == 0 and c not in set(decoded.d["nodes"]["first"])
    ]
    assert templated and shared, "the example exercises both encodings"


def test_every_relation_has_its_rows_first_then_its_columns_in_order(
    shop: Project, decoded: Decoded
) -> None:
    relation = shop.relation("model.shop.stg_app__users")
    assert relation is not None
    first = decoded.column("model.shop.stg_app__users", None)
    names = [decoded.keys[c][1] for c in range(first, first + 1 + len(relation.columns))]
    # the model's select list, in order (models/staging/app/stg_app__users.sql:12-19)
    assert names == [
        None,
        "user_id",
        "email",
        "full_name",
        "country_code",
        "is_marketing_opted_in",
        "is_internal_user",
        "signed_up_at",
        "updated_at",
    ]


def test_a_column_is_defined_by_its_select_expression_at_its_line(decoded: Decoded) -> None:
    email = decoded.column("model.shop.stg_app__users", "email")
    # line 13: `lower(trim(email)) as email`, qualified and upper-cased by the parser
    assert decoded.text("columns", "expression", email) == "LOWER(TRIM(source.email))"
    assert decoded.text("columns", "path", email) == "models/staging/app/stg_app__users.sql"
    assert decoded.d["columns"]["line"][email] == 13
    # line 14-16: a CASE on customer_order_number decides customer_type (no direct input)
    kind = decoded.column("model.shop.fct_orders", "customer_type")
    assert decoded.text("columns", "expression", kind).startswith(
        "CASE WHEN orders.customer_order_number = 1"
    )
    assert decoded.d["columns"]["line"][kind] == 14


def test_the_where_clause_is_an_edge_into_the_rows_with_its_own_expression(
    decoded: Decoded,
) -> None:
    rows = decoded.column("model.shop.stg_app__users", None)
    deleted = decoded.column("source.shop.app.users", "is_deleted")
    found = [
        k
        for k, (source, target, kind) in enumerate(decoded.edges)
        if decoded.index[target] == rows and decoded.index[source] == deleted
    ]
    assert len(found) == 1
    assert decoded.edges[found[0]][2] == "filter"
    expression = decoded.d["edges"]["expression"][found[0]]
    # `where not is_deleted` (line 23), the only filter: the rows' own definition
    shown = decoded.d["strings"][expression] or decoded.text("columns", "expression", rows)
    assert shown == "WHERE NOT source.is_deleted"


def test_nodes_are_the_overview_boxes_with_their_facts(shop: Project, decoded: Decoded) -> None:
    nodes = decoded.d["nodes"]
    fct = decoded.node_ids.index("model.shop.fct_orders")
    assert decoded.text("nodes", "name", fct) == "fct_orders"
    assert decoded.d["kinds"][nodes["kind"][fct]] == "model"
    assert decoded.d["groups"][nodes["group"][fct]] == "marts"
    assert decoded.text("nodes", "path", fct) == "models/marts/core/fct_orders.sql"
    relation = shop.relation("model.shop.fct_orders")
    assert relation is not None and relation.owner is not None
    assert decoded.text("nodes", "owner", fct) == str(relation.owner)
    tests = {(decoded.d["strings"][name], column) for name, column, _ in nodes["tests"][fct]}
    expected = {
        (t.name, -1 if t.column is None else decoded.column(relation.name, t.column))
        for t in relation.tests
    }
    assert tests == expected and tests
    consumers = [i for i, g in enumerate(nodes["group"]) if decoded.d["groups"][g] == "consumer"]
    assert len(consumers) == len(shop.consumers)
    assert all(nodes["count"][i] == 0 for i in consumers)


def test_every_consumer_read_is_kept(shop: Project, decoded: Decoded) -> None:
    reads = decoded.d["reads"]
    found = {
        (decoded.node_ids[n], decoded.keys[c])
        for c, n in zip(reads["column"], reads["consumer"], strict=True)
    }
    expected = {(c.id, (r.relation, r.column)) for c in shop.consumers for r in c.reads}
    assert found == expected


def test_blind_spots_and_diagnostics_are_listed_and_marked(shop: Project, decoded: Decoded) -> None:
    spots = decoded.d["blind_spots"]
    assert len(spots) == len(shop.blind_spots)
    # the Python model churn_predictions cannot be analysed: its node is hatched
    python = decoded.node_ids.index("model.shop.churn_predictions")
    assert decoded.d["nodes"]["blind"][python] == 1
    assert decoded.d["nodes"]["blind"][decoded.node_ids.index("model.shop.fct_orders")] == 0
    assert len(decoded.d["diagnostics"]) == len(shop.diagnostics)
    assert decoded.d["coverage"]["columns"] == shop.coverage.columns


def test_the_page_is_deterministic_and_loads_nothing(shop: Project) -> None:
    first = explorer_html(shop)
    assert first == explorer_html(projects.build(SHOP, load_config(SHOP)))
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", first)
    assert "default-src 'none'" in first


def _embedded(page: str) -> tuple[str, str]:
    match = re.search(
        r'<script type="[^"]+" id="explorer-data" data-encoding="([^"]+)">(.*?)</script>',
        page,
        re.S,
    )
    assert match is not None
    return match[1], match[2]


def test_large_data_is_gzip_in_base64_and_inflates_to_the_document(
    shop: Project, document: dict[str, Any]
) -> None:
    encoding, data = _embedded(explorer_html(shop, compress=True))
    assert encoding == "gzip+base64"
    assert json.loads(gzip.decompress(base64.b64decode(data))) == document
    encoding, data = _embedded(explorer_html(shop, compress=False))
    assert encoding == "json" and json.loads(data) == document
    # by default only a document above the threshold is compressed: the example is small
    assert len(json.dumps(document)) < COMPRESS_ABOVE
    assert _embedded(explorer_html(shop))[0] == "json"


def _hostile_project() -> Project:
    evil = "</script><img src=x onerror=alert(1)>\u2028'\"&"
    where = Location("models/evil.sql", 1)
    relation = Relation(
        f"model.p.{evil}",
        RelationKind.MODEL,
        (Column(evil, evil, where, description=evil),),
        where,
        description=evil,
        tags=(evil,),
    )
    parent = Relation("model.p.parent", RelationKind.MODEL, (Column("a", None, where),), where)
    edge = Edge(
        ColumnRef("model.p.parent", "a"),
        ColumnRef(relation.name, evil),
        EdgeKind.TRANSFORMATION,
        evil,
        where,
    )
    spot = BlindSpot(ColumnRef(relation.name, evil), evil, where)
    coverage = Coverage(1, 1, 1, 1, 1, 0, "models")
    return Project(evil, "postgres", (parent, relation), (edge,), (spot,), (), coverage)


@pytest.mark.parametrize("compress", [False, True])
def test_project_strings_cannot_end_the_data_element(compress: bool) -> None:
    page = explorer_html(_hostile_project(), compress=compress)
    assert "<img" not in page
    assert page.count("</script>") == 2  # the data's and the script's own
    encoding, data = _embedded(page)
    if encoding == "json":
        assert "\u2028" not in data
        document = json.loads(data)
    else:
        document = json.loads(gzip.decompress(base64.b64decode(data)))
    assert "</script><img src=x onerror=alert(1)>\u2028'\"&" in document["strings"]


def test_control_and_bidi_characters_are_shown_as_escapes() -> None:
    where = Location("m.sql", 1)
    relation = Relation("model.p.a\u202eb\x1b", RelationKind.MODEL, (), where)
    coverage = Coverage(1, 1, 1, 0, 0, 0)
    project = Project("p", "postgres", (relation,), (), (), (), coverage)
    strings = explorer_document(project)["strings"]
    assert "model.p.a\\u202eb\\x1b" in strings
    assert not any("\u202e" in s or "\x1b" in s for s in strings)


def test_lineage_explore_writes_the_page(tmp_path: Path) -> None:
    output = tmp_path / "site" / "lineage.html"
    output.parent.mkdir()
    result = CliRunner().invoke(
        main, ["explore", "--project-dir", str(SHOP), "-o", str(output), "--compress", "always"]
    )
    assert result.exit_code == 0, result.output
    assert _embedded(output.read_text(encoding="utf-8"))[0] == "gzip+base64"
    assert "explorer: 56 relations, 20 consumers" in result.stderr


def test_head_without_base_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["explore", "--project-dir", str(SHOP), "-o", str(tmp_path / "x.html"), "--head", "x"]
    )
    assert result.exit_code == 2
    assert "--head needs --base" in result.output


@pytest.fixture(scope="module")
def overlay(tmp_path_factory: pytest.TempPathFactory) -> tuple[Decoded, dict[str, Any]]:
    from lineage.cli_impact import example_states

    report, head = example_states(tmp_path_factory.mktemp("states"))
    document = explorer_document(head, report)
    return Decoded(document), document["diff"]


def _status(decoded: Decoded, diff: dict[str, Any], relation: str, column: str | None) -> str:
    pairs = dict(zip(diff["columns"][::2], diff["columns"][1::2], strict=True))
    return str(diff["statuses"][pairs.get(decoded.column(relation, column), 6)])


def test_the_diff_overlay_marks_what_the_pull_request_breaks(
    overlay: tuple[Decoded, dict[str, Any]],
) -> None:
    decoded, diff = overlay
    # the head's stg_app__users.sql:13 still reads `email`, renamed to login_email by V13
    assert _status(decoded, diff, "model.shop.stg_app__users", "email") == "breaks"
    assert _status(decoded, diff, "app:shop.users", "login_email") == "changed"
    # the head's product_affinity YAML contract still declares the column its SQL dropped
    affinity = "model.shop.product_affinity"
    assert _status(decoded, diff, affinity, "related_product_name") == "breaks"
    assert _status(decoded, diff, "model.shop.fct_orders", "order_id") == "none"
    # the old name is no column of the head: a ghost row of app:shop.users
    removed = [
        (decoded.node_ids[node], decoded.d["strings"][name], diff["statuses"][status])
        for node, name, status, _ in diff["removed"]
    ]
    assert removed == [("app:shop.users", "email", "changed")]
    # the removed column the head's YAML contract still declares is a ghost with a path
    assert diff["gone"] == [decoded.column(affinity, "related_product_name")]
    nodes = dict(zip(diff["nodes"][::2], diff["nodes"][1::2], strict=True))
    assert diff["statuses"][nodes[decoded.node_ids.index(affinity)]] == "breaks"
    assert diff["glyphs"][diff["statuses"].index("breaks")] == "✖"
    kinds = sorted(decoded.d["strings"][change[0]] for change in diff["changes"])
    assert kinds == ["column removed", "column renamed", "column type changed", "filter changed"]
    assert diff["verdict"].startswith("Breaks 2 models, 1 snapshot and 1 source")
