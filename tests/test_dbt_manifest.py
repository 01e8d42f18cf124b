"""Manifest mode: dbt's target/manifest.json (and catalog.json) read safely, and a dbt build
that follows the manifest's compiled code, relation names and depends_on.

The "both modes agree" tests need a manifest of the bundled example. dbt is not installed
here, so `write_manifest` (a test helper, not a dbt emulation) builds the example once from
its files while recording what our renderer produced, and writes that as a manifest in dbt's
v12 shape; optionally with ephemeral models injected as `__dbt__cte__` CTEs the way dbt does.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lineage.config import load_config
from lineage.dbt_build import _Index, build_dbt_project
from lineage.entities import DiagnosticCode, Project
from lineage.render.renderer import ParseResult, RelationRef, Renderer, RenderResult
from lineage.sources.dbt.load import load_dbt_project
from lineage.sources.dbt.manifest import (
    ManifestNode,
    pre_injection_code,
    read_catalog,
    read_manifest,
    strip_injected_ctes,
)
from lineage.sources.dbt.nodes import DbtNode, ResourceType

SHOP = Path(__file__).parent.parent / "fixtures" / "shop"
V12 = "https://schemas.getdbt.com/dbt/manifest/v12.json"


# -- hand-written artifacts ----------------------------------------------------------------


def _model(name: str, **fields: Any) -> dict[str, Any]:
    """A model node as dbt 1.8+ writes it (the fields lineage reads, and a few others)."""
    node: dict[str, Any] = {
        "database": "analytics",
        "schema": "dbt_staging",
        "name": name,
        "resource_type": "model",
        "package_name": "shop",
        "path": f"staging/{name}.sql",
        "original_file_path": f"models/staging/{name}.sql",
        "unique_id": f"model.shop.{name}",
        "fqn": ["shop", "staging", name],
        "alias": name,
        "checksum": {"name": "sha256", "checksum": "0" * 64},
        "config": {"enabled": True, "materialized": "view", "tags": []},
        "tags": [],
        "description": "",
        "columns": {
            "id": {"name": "id", "description": "the key", "data_type": "integer", "meta": {}},
            "email": {"name": "email", "description": "", "data_type": None, "meta": {}},
        },
        "relation_name": f'"analytics"."dbt_staging"."{name}"',
        "raw_code": "select id, email from {{ source('app', 'users') }}",
        "language": "sql",
        "depends_on": {"macros": [], "nodes": ["source.shop.app.users"]},
        "compiled_path": f"target/compiled/shop/models/staging/{name}.sql",
        "compiled": True,
        "compiled_code": 'select id, email from "raw"."app"."users"',
        "extra_ctes_injected": True,
        "extra_ctes": [],
        "contract": {"enforced": False, "alias_types": True},
        "access": "protected",
        "constraints": [],
        "version": None,
        "latest_version": None,
    }
    node.update(fields)
    return node


def _manifest(version: str = V12, **nodes: dict[str, Any]) -> dict[str, Any]:
    return {
        "metadata": {"dbt_schema_version": version, "dbt_version": "1.8.7"},
        "nodes": {n["unique_id"]: n for n in nodes.values()},
        "sources": {
            "source.shop.app.users": {
                "database": "raw",
                "schema": "app",
                "name": "users",
                "resource_type": "source",
                "package_name": "shop",
                "path": "models/staging/_sources.yml",
                "original_file_path": "models/staging/_sources.yml",
                "unique_id": "source.shop.app.users",
                "source_name": "app",
                "identifier": "users",
                "columns": {"id": {"name": "id", "data_type": "bigint", "description": ""}},
                "relation_name": '"raw"."app"."users"',
            }
        },
        "macros": {},
        "exposures": {},
        "parent_map": {},
        "child_map": {},
    }


def _write(tmp_path: Path, data: Any, name: str = "manifest.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, indent=2) if not isinstance(data, str) else data)
    return path


def test_read_manifest_reads_models_and_sources(tmp_path: Path) -> None:
    versioned = _model("dim_users", unique_id="model.shop.dim_users.v2", version=2)
    versioned.update(latest_version=2, alias="dim_users_v2", compiled_code=None)
    path = _write(tmp_path, _manifest(users=_model("stg_users"), dim=versioned))
    manifest, problems = read_manifest(path)
    assert problems == ()
    assert manifest is not None and manifest.schema_version == 12
    node = manifest.nodes["model.shop.stg_users"]
    assert node.compiled_code == 'select id, email from "raw"."app"."users"'
    assert node.raw_code is not None and "source('app', 'users')" in node.raw_code
    assert (node.database, node.schema, node.alias) == ("analytics", "dbt_staging", "stg_users")
    assert node.relation_name == '"analytics"."dbt_staging"."stg_users"'
    assert node.depends_on == ("source.shop.app.users",)
    assert (node.materialized, node.enabled, node.path) == (
        "view",
        True,
        "models/staging/stg_users.sql",
    )
    assert [(c.name, c.data_type) for c in node.columns] == [("id", "integer"), ("email", None)]
    v2 = manifest.nodes["model.shop.dim_users.v2"]
    assert (v2.version, v2.latest_version, v2.compiled_code) == ("2", "2", None)
    source = manifest.sources["source.shop.app.users"]
    assert (source.database, source.schema, source.alias) == ("raw", "app", "users")
    assert [(c.name, c.data_type) for c in source.columns] == [("id", "bigint")]


def test_tests_and_other_resources_are_not_relations(tmp_path: Path) -> None:
    test = _model("not_null_id", resource_type="test", unique_id="test.shop.not_null_id")
    path = _write(tmp_path, _manifest(t=test, m=_model("stg_users")))
    manifest, _ = read_manifest(path)
    assert manifest is not None and list(manifest.nodes) == ["model.shop.stg_users"]


def test_malformed_json_is_a_diagnostic_at_its_line(tmp_path: Path) -> None:
    path = _write(tmp_path, '{\n  "metadata": {},\n  "nodes": {,\n}')
    manifest, [problem] = read_manifest(path, "target/manifest.json")
    assert manifest is None
    assert str(problem.location) == "target/manifest.json:3"
    assert problem.code is DiagnosticCode.PARSE_ERROR and "not valid JSON" in problem.message


def test_not_an_object_and_missing_sections(tmp_path: Path) -> None:
    manifest, [problem] = read_manifest(_write(tmp_path, "[1, 2]"))
    assert manifest is None and "not a JSON object" in problem.message
    data = _manifest()
    del data["sources"]
    data["nodes"] = []
    manifest, problems = read_manifest(_write(tmp_path, data))
    assert manifest is not None and manifest.nodes == {} and manifest.sources == {}
    assert sorted(p.message for p in problems) == [
        "the dbt manifest has no 'sources'",
        "the dbt manifest's 'nodes' is not an object",
    ]


def test_a_v5_manifest_is_read_with_a_warning(tmp_path: Path) -> None:
    old = _model("stg_users")
    old["compiled_sql"] = old.pop("compiled_code")
    old["raw_sql"] = old.pop("raw_code")
    data = _manifest("https://schemas.getdbt.com/dbt/manifest/v5.json", m=old)
    manifest, [problem] = read_manifest(_write(tmp_path, data), "target/manifest.json")
    assert "version v5" in problem.message and str(problem.location) == "target/manifest.json:1"
    assert manifest is not None and manifest.schema_version == 5
    node = manifest.nodes["model.shop.stg_users"]
    assert node.compiled_code == 'select id, email from "raw"."app"."users"'
    assert node.raw_code == "select id, email from {{ source('app', 'users') }}"


def test_every_supported_version_reads_without_warning(tmp_path: Path) -> None:
    for version in range(7, 13):
        url = f"https://schemas.getdbt.com/dbt/manifest/v{version}.json"
        manifest, problems = read_manifest(_write(tmp_path, _manifest(url)))
        assert manifest is not None and manifest.schema_version == version and problems == ()
    manifest, [problem] = read_manifest(_write(tmp_path, {"nodes": {}, "sources": {}}))
    assert manifest is not None and "version unknown" in problem.message


def test_missing_fields_are_reported_and_the_rest_is_used(tmp_path: Path) -> None:
    parsed_only = _model("stg_orders")
    del parsed_only["compiled_code"]
    del parsed_only["depends_on"]
    broken = _model("stg_broken")
    del broken["schema"]
    data = _manifest(a=parsed_only, b=broken, c=_model("stg_users"))
    data["nodes"]["model.shop.junk"] = "not a node"
    manifest, problems = read_manifest(_write(tmp_path, data), "m.json")
    assert manifest is not None
    assert sorted(manifest.nodes) == ["model.shop.stg_orders", "model.shop.stg_users"]
    orders = manifest.nodes["model.shop.stg_orders"]
    assert (orders.compiled_code, orders.depends_on) == (None, ())  # a `dbt parse` manifest
    assert sorted(p.message for p in problems) == [
        "manifest node model.shop.stg_broken has no 'schema'; it is read from the project files",
        "manifest nodes entry model.shop.junk is not an object",
    ]
    assert {str(p.location) for p in problems} == {"m.json:1"}


def test_unreadable_and_oversized_files(tmp_path: Path) -> None:
    manifest, [problem] = read_manifest(tmp_path / "nowhere.json")
    assert manifest is None and problem.code is DiagnosticCode.UNREADABLE_FILE
    path = _write(tmp_path, _manifest(m=_model("stg_users")))
    manifest, [problem] = read_manifest(path, max_bytes=100)
    assert manifest is None and problem.code is DiagnosticCode.FILE_TOO_LARGE
    columns, [problem] = read_catalog(path, max_bytes=100)
    assert columns == {} and problem.code is DiagnosticCode.FILE_TOO_LARGE


def _catalog() -> dict[str, Any]:
    return {
        "metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/catalog/v1.json"},
        "nodes": {
            "model.shop.stg_users": {
                "metadata": {"type": "VIEW", "schema": "dbt_staging", "name": "stg_users"},
                "columns": {
                    "email": {"type": "text", "index": 2, "name": "email", "comment": None},
                    "id": {"type": "integer", "index": 1, "name": "id", "comment": None},
                },
                "stats": {},
                "unique_id": "model.shop.stg_users",
            },
            "model.shop.broken": {"metadata": {}},
        },
        "sources": {
            "source.shop.app.users": {
                "metadata": {"type": "BASE TABLE", "schema": "app", "name": "users"},
                "columns": {"ID": {"type": "NUMBER", "index": 1, "name": "ID"}},
                "unique_id": "source.shop.app.users",
            }
        },
        "errors": None,
    }


def test_read_catalog_gives_columns_in_index_order(tmp_path: Path) -> None:
    columns, [problem] = read_catalog(_write(tmp_path, _catalog(), "catalog.json"))
    assert columns == {
        "model.shop.stg_users": [("id", "integer"), ("email", "text")],
        "source.shop.app.users": [("ID", "NUMBER")],
    }
    assert "model.shop.broken has no 'columns'" in problem.message
    columns, [problem] = read_catalog(_write(tmp_path, "{", "catalog.json"), "c.json")
    assert columns == {} and str(problem.location) == "c.json:1"


def test_injected_ephemeral_ctes_are_taken_out() -> None:
    cte = " __dbt__cte__int_paid as (\nselect 1 as id\n)"
    own_with = f"with{cte}, orders as (select 2)\nselect * from __dbt__cte__int_paid"
    assert strip_injected_ctes(own_with, [cte]) == (
        "with orders as (select 2)\nselect * from __dbt__cte__int_paid"
    )
    added = f"\n\nwith{cte}select * from __dbt__cte__int_paid"
    assert strip_injected_ctes(added, [cte]) == "\n\nselect * from __dbt__cte__int_paid"
    assert strip_injected_ctes("select 1", [cte]) is None
    node = ManifestNode(
        "model.shop.fct", "model", "shop", "fct", "models/fct.sql", "a", "b", "fct",
        compiled_code=own_with, extra_ctes=(("model.shop.int_paid", cte),),
    )  # fmt: skip
    assert pre_injection_code(node, {"model.shop.int_paid": '"a"."b"."int_paid"'}) == (
        'with orders as (select 2)\nselect * from "a"."b"."int_paid"'
    )


# -- the example in both modes -------------------------------------------------------------


def _recorded_build(
    root: Path,
) -> tuple[dict[str, RelationRef], dict[str, ParseResult], dict[str, str]]:
    """Build `root` from its files, recording each relation named, each parse and each SQL
    rendered (test helper: the recording stands in for `dbt compile`)."""
    relations: dict[str, RelationRef] = {}
    parsed: dict[str, ParseResult] = {}
    rendered: dict[str, str] = {}
    remember, parse, render = _Index.remember, Renderer.parse, Renderer.render

    def remembering(self: _Index, unique_id: str, relation: RelationRef) -> str:
        relations.setdefault(unique_id, relation)
        return remember(self, unique_id, relation)

    def parsing(self: Renderer, node: DbtNode) -> ParseResult:
        parsed[node.unique_id] = result = parse(self, node)
        return result

    def rendering(self: Renderer, node: DbtNode, config: Any) -> RenderResult:
        result = render(self, node, config)
        if result.sql is not None:
            rendered[node.unique_id] = result.sql
        return result

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_Index, "remember", remembering)
        patch.setattr(Renderer, "parse", parsing)
        patch.setattr(Renderer, "render", rendering)
        build_dbt_project(root, load_config(root))
    return relations, parsed, rendered


def write_manifest(root: Path, *, dbt_ctes: bool = False) -> dict[str, Any]:
    """Test helper: write `root`/target/manifest.json in dbt's v12 shape from what our own
    renderer makes of the project (compiled code, relation names, depends_on, config).

    With `dbt_ctes`, readers of ephemeral models get them as dbt injects them: each ref
    becomes `__dbt__cte__<alias>` and the CTEs are injected, recursively, into the SQL.
    """
    relations, parsed, rendered = _recorded_build(root)
    project = load_dbt_project(root, {})
    index = _Index(project, load_config(root).dialect)
    nodes: dict[str, dict[str, Any]] = {}
    for node in project.nodes:
        if node.resource_type in (ResourceType.MODEL, ResourceType.SEED, ResourceType.SNAPSHOT):
            result = parsed.get(node.unique_id)
            nodes[node.unique_id] = _manifest_node(
                node, relations[node.unique_id], result, rendered.get(node.unique_id), index
            )
    if dbt_ctes:
        _inject_ephemerals(nodes, relations)
    sources = {
        s.unique_id: {
            "unique_id": s.unique_id, "resource_type": "source", "package_name": s.package,
            "name": s.name, "source_name": s.source_name,
            "database": relations[s.unique_id].database, "schema": relations[s.unique_id].schema,
            "identifier": relations[s.unique_id].identifier,
            "relation_name": str(relations[s.unique_id]),
            "original_file_path": s.location.path if s.location else "",
            "columns": {c.name: {"name": c.name, "data_type": c.data_type} for c in s.columns},
        }
        for s in project.sources
    }  # fmt: skip
    manifest = {"metadata": {"dbt_schema_version": V12}, "nodes": nodes, "sources": sources}
    (root / "target").mkdir(exist_ok=True)
    (root / "target" / "manifest.json").write_text(json.dumps(manifest, indent=1, default=str))
    return manifest


def _manifest_node(
    node: DbtNode,
    relation: RelationRef,
    parsed: ParseResult | None,
    compiled: str | None,
    index: _Index,
) -> dict[str, Any]:
    config = dict(parsed.config if parsed else node.config)
    refs = parsed.refs if parsed else ()
    parents = [index.node(p, n, v) for p, n, v in refs]
    sources = [index.source(s, t) for s, t in (parsed.sources if parsed else ())]
    ephemeral = config.get("materialized") == "ephemeral"
    return {
        "unique_id": node.unique_id, "resource_type": node.resource_type.value,
        "package_name": node.package, "name": node.name, "path": node.path,
        "original_file_path": node.path, "database": relation.database,
        "schema": relation.schema, "alias": relation.identifier,
        "relation_name": None if ephemeral else str(relation),
        "raw_code": node.raw_code, "language": node.language,
        "compiled": compiled is not None, "compiled_code": compiled,
        "extra_ctes_injected": True, "extra_ctes": [],
        "depends_on": {"macros": [], "nodes": sorted(
            {p.unique_id for p in parents if p} | {s.unique_id for s in sources if s})},
        "config": config, "version": node.version, "latest_version": node.latest_version,
        "columns": {c.name: {"name": c.name, "data_type": c.data_type} for c in node.columns},
    }  # fmt: skip


_LEADING_WITH = re.compile(r"^(?:\s+|--[^\n]*\n|/\*.*?\*/)*with\b", re.IGNORECASE | re.DOTALL)


def _inject_ephemerals(nodes: dict[str, dict[str, Any]], relations: dict[str, RelationRef]) -> None:
    """What dbt does to code reading ephemeral models (compilation.py, inject_ctes_into_sql)."""
    ephemeral = {u for u, n in nodes.items() if n["config"].get("materialized") == "ephemeral"}
    own: dict[str, str] = {}
    for unique_id, node in nodes.items():
        code = node["compiled_code"]
        for parent in ephemeral & set(node["depends_on"]["nodes"]):
            code = code.replace(str(relations[parent]), f"__dbt__cte__{nodes[parent]['alias']}")
        own[unique_id] = code
    for unique_id, node in nodes.items():
        ctes = list(_ctes(unique_id, nodes, ephemeral, own))
        if not ctes or own[unique_id] is None:
            continue
        joined = ", ".join(sql for _, sql in ctes)
        code = own[unique_id]
        found = _LEADING_WITH.match(code)
        if found:
            code = code[: found.end()] + joined + "," + code[found.end() :]
        else:
            start = len(code) - len(code.lstrip())
            code = code[:start] + "with" + joined + code[start:]
        node.update(compiled_code=code, extra_ctes=[{"id": i, "sql": s} for i, s in ctes])


def _ctes(
    unique_id: str, nodes: dict[str, dict[str, Any]], ephemeral: set[str], own: dict[str, str]
) -> Iterator[tuple[str, str]]:
    seen: set[str] = set()
    for parent in sorted(ephemeral & set(nodes[unique_id]["depends_on"]["nodes"])):
        for cte in [*_ctes(parent, nodes, ephemeral, own), (parent, "")]:
            if cte[0] in seen:
                continue
            seen.add(cte[0])
            alias = nodes[cte[0]]["alias"]
            yield cte[0], f" __dbt__cte__{alias} as (\n{own[cte[0]]}\n)"


def _copy(tmp_path: Path) -> Path:
    """The example and its applications, as in the repository (a `.git` marks its root)."""
    root = tmp_path / "shop"
    shutil.copytree(SHOP, root, ignore=shutil.ignore_patterns("target"))
    shutil.copytree(SHOP.parent / "shop_app", tmp_path / "shop_app")
    (tmp_path / ".git").mkdir()
    return root


def _graph(project: Project) -> tuple[object, ...]:
    return (project.relations, project.edges, project.blind_spots)


@pytest.fixture(scope="module")
def files_mode() -> Project:
    return build_dbt_project(SHOP, load_config(SHOP))


def test_the_helper_manifest_has_compiled_code_for_every_sql_model(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    manifest = write_manifest(root, dbt_ctes=True)
    read, problems = read_manifest(root / "target" / "manifest.json")
    assert problems == () and read is not None
    models = [n for n in read.nodes.values() if n.resource_type != "seed"]
    assert len(models) == 40  # the models (both versions of a versioned one) and snapshot
    without = sorted(n.unique_id for n in models if n.compiled_code is None)
    assert without == ["model.shop.churn_predictions"]  # the Python model
    injected = [u for u, n in manifest["nodes"].items() if n["extra_ctes"]]
    assert "model.shop.int_orders_enriched" in injected


@pytest.mark.parametrize("dbt_ctes", [False, True], ids=["plain", "injected-ctes"])
def test_both_modes_agree_on_the_example(
    tmp_path: Path, files_mode: Project, dbt_ctes: bool
) -> None:
    root = _copy(tmp_path)
    write_manifest(root, dbt_ctes=dbt_ctes)
    manifest_mode = build_dbt_project(root, load_config(root))
    assert _graph(manifest_mode) == _graph(files_mode)
    assert manifest_mode.diagnostics == files_mode.diagnostics
    assert manifest_mode.coverage == files_mode.coverage


def test_manifest_mode_does_not_render_what_the_manifest_compiled(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    write_manifest(root)
    calls: list[str] = []
    render = Renderer.render

    def rendering(self: Renderer, node: DbtNode, config: Any) -> RenderResult:
        calls.append(node.unique_id)
        return render(self, node, config)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Renderer, "render", rendering)
        build_dbt_project(root, load_config(root))
    assert [c for c in calls if not c.startswith("yaml.")] == []


def _prod(manifest: dict[str, Any]) -> None:
    """Rename every model's schema from dbt_<layer> to <layer>, as a prod target builds it."""
    renames = {}
    for node in manifest["nodes"].values():
        if node["schema"].startswith("dbt_") and node["relation_name"]:
            old = node["relation_name"]
            node["schema"] = node["schema"].removeprefix("dbt_")
            node["relation_name"] = old.replace('"dbt_', '"', 1)
            renames[old] = node["relation_name"]
    for node in manifest["nodes"].values():
        for old, new in renames.items():
            if node["compiled_code"]:
                node["compiled_code"] = node["compiled_code"].replace(old, new)


def test_manifest_mode_follows_the_manifest_names_and_code(
    tmp_path: Path, files_mode: Project
) -> None:
    root = _copy(tmp_path)
    manifest = write_manifest(root)
    _prod(manifest)
    fct = manifest["nodes"]["model.shop.fct_orders"]
    reader = manifest["nodes"]["model.shop.fct_daily_revenue"]
    assert not fct["schema"].startswith("dbt_") and fct["relation_name"] in reader["compiled_code"]
    assert "end as customer_type" in fct["compiled_code"]
    fct["compiled_code"] = fct["compiled_code"].replace(
        "end as customer_type", "end as customer_type,\n        42 as only_in_the_manifest"
    )
    path = tmp_path / "elsewhere" / "manifest.json"
    path.parent.mkdir()
    path.write_text(json.dumps(manifest, default=str))
    shutil.rmtree(root / "target")
    built = build_dbt_project(root, load_config(root), manifest=path)
    relation = built.relation("model.shop.fct_orders")
    assert relation is not None and relation.column("only_in_the_manifest") is not None
    # everything else is as in files mode, though the prod schemas are named differently
    assert [d for d in built.diagnostics if d.code is DiagnosticCode.UNKNOWN_RELATION] == []
    others = [e for e in built.edges if e.target.relation != "model.shop.fct_orders"]
    assert others == [e for e in files_mode.edges if e.target.relation != "model.shop.fct_orders"]


def test_a_parse_only_or_stale_node_is_rendered_from_its_file(
    tmp_path: Path, files_mode: Project
) -> None:
    root = _copy(tmp_path)
    manifest = write_manifest(root)
    manifest["nodes"]["model.shop.stg_app__users"]["compiled_code"] = None  # `dbt parse`
    stale = manifest["nodes"]["model.shop.fct_orders"]
    stale["raw_code"] = "select 1 as old"
    stale["compiled_code"] = "select 1 as old"
    (root / "target" / "manifest.json").write_text(json.dumps(manifest, default=str))
    built = build_dbt_project(root, load_config(root))
    assert _graph(built) == _graph(files_mode)


def test_catalog_types_are_used(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    write_manifest(root)
    catalog = {
        "nodes": {
            "model.shop.stg_app__users": {"columns": {"EMAIL": {"type": "citext", "index": 1}}},
            "seed.shop.currency_rates": {
                "columns": {"rate_to_usd": {"type": "numeric(18,6)", "index": 1}}
            },
        },
        "sources": {
            "source.shop.app.users": {
                "columns": {
                    "id": {"type": "bigint", "index": 1},
                    "email": {"type": "varchar(320)", "index": 2},
                    "shadow_column": {"type": "text", "index": 3},
                }
            }
        },
    }
    (root / "target" / "catalog.json").write_text(json.dumps(catalog))
    built = build_dbt_project(root, load_config(root))

    def column_type(relation: str, column: str) -> str | None:
        found = built.relation(relation)
        spec = found.column(column) if found else None
        assert spec is not None, (relation, column)
        return spec.data_type

    assert column_type("model.shop.stg_app__users", "email") == "citext"
    assert column_type("seed.shop.currency_rates", "rate_to_usd") == "numeric(18,6)"
    assert column_type("source.shop.app.users", "email") == "varchar(320)"
    assert column_type("source.shop.app.users", "shadow_column") == "text"
    users = built.relation("source.shop.app.users")
    assert users is not None and [c.name for c in users.columns][:2] == ["id", "email"]


def test_a_bad_manifest_is_reported_and_the_files_are_used(
    tmp_path: Path, files_mode: Project
) -> None:
    root = _copy(tmp_path)
    (root / "target").mkdir()
    (root / "target" / "manifest.json").write_text("{\n oops")
    built = build_dbt_project(root, load_config(root))
    assert _graph(built) == _graph(files_mode)
    [problem] = [d for d in built.diagnostics if d.location.path == "target/manifest.json"]
    assert problem.location.line == 2 and "not valid JSON" in problem.message
    missing = build_dbt_project(root, load_config(root), manifest=tmp_path / "none.json")
    assert any(d.code is DiagnosticCode.UNREADABLE_FILE for d in missing.diagnostics)
