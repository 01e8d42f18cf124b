"""The dbt project loader: each test writes a small project and checks what dbt's documentation
says it means (dbt_project.yml, model/source/seed/snapshot properties, exposures, semantic
models, model versions). Bad content is a diagnostic at its file:line, never an exception."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lineage.entities import DiagnosticCode, Location, Severity
from lineage.errors import UsageError
from lineage.sources.dbt.load import load_dbt_project
from lineage.sources.dbt.nodes import DbtNode, DbtProject, Owner, ResourceType

PROJECT = "name: shop\nprofile: shop_profile\nconfig-version: 2\n"


def _write(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def _load(root: Path, files: dict[str, str | bytes], **kwargs: object) -> DbtProject:
    files = {"dbt_project.yml": PROJECT, **files}
    return load_dbt_project(_write(root, files), **kwargs)  # type: ignore[arg-type]


def _node(project: DbtProject, unique_id: str) -> DbtNode:
    found = [n for n in project.nodes if n.unique_id == unique_id]
    assert found, f"{unique_id} not in {[n.unique_id for n in project.nodes]}"
    return found[0]


def _diagnostics(project: DbtProject) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for d in project.diagnostics:
        found.setdefault(str(d.location), []).append(d.message)
    return found


# ---------------------------------------------------------------------------------------------
# dbt_project.yml


def test_project_settings_and_documented_defaults(tmp_path: Path) -> None:
    text = (
        PROJECT
        + "quoting:\n  database: false\n  identifier: true\n"
        + "dispatch:\n  - macro_namespace: dbt_utils\n    search_order: [shop, dbt_utils]\n"
    )
    project = _load(
        tmp_path,
        {
            "dbt_project.yml": text,
            "models/a.sql": "select 1 as x",
            "seeds/s.csv": "id\n1\n",
            "macros/m.sql": "{% macro m() %}{% endmacro %}",
            "analyses/an.sql": "select 1",  # analysis-paths has no default: not read
        },
    )
    assert (project.name, project.profile) == ("shop", "shop_profile")
    assert project.quoting == {"database": False, "identifier": True}
    assert project.dispatch == (("dbt_utils", ("shop", "dbt_utils")),)
    assert project.version_config["config-version"] == 2
    assert [n.unique_id for n in project.nodes] == ["model.shop.a", "seed.shop.s"]
    assert [m.path for m in project.macro_files] == ["macros/m.sql"]
    assert project.packages == () and project.diagnostics == ()


def test_custom_paths_and_analyses(tmp_path: Path) -> None:
    text = PROJECT + "model-paths: [transform]\nanalysis-paths: [analyses]\n"
    project = _load(
        tmp_path,
        {
            "dbt_project.yml": text,
            "transform/m.sql": "select 1",
            "models/ignored.sql": "select 2",
            "analyses/report.sql": "select * from {{ ref('m') }}",
            "analyses/props.yml": "analyses:\n  - name: report\n    description: Weekly\n",
        },
    )
    assert [n.unique_id for n in project.nodes] == ["analysis.shop.report", "model.shop.m"]
    report = _node(project, "analysis.shop.report")
    assert report.resource_type is ResourceType.ANALYSIS and report.description == "Weekly"


def test_config_tree_most_specific_folder_wins_and_yaml_config_wins_over_it(
    tmp_path: Path,
) -> None:
    text = PROJECT + (
        "models:\n"
        "  +tags: [all]\n"
        "  shop:\n"
        "    +materialized: view\n"
        "    +meta: {team: data}\n"
        "    staging:\n"
        "      +materialized: table\n"
        "      +tags: staging\n"
        "      schema: stage\n"  # a non-mapping value without + is a config too
        "      +meta: {tier: 2}\n"
    )
    yaml = (
        "version: 2\nmodels:\n  - name: stg_users\n    config:\n"
        "      materialized: incremental\n      tags: [pii]\n      meta: {owner: ann}\n"
    )
    project = _load(
        tmp_path,
        {
            "dbt_project.yml": text,
            "models/staging/stg_users.sql": "select 1 as id",
            "models/staging/stg_orders.sql": "select 1 as id",
            "models/marts/fct.sql": "select 1 as id",
            "models/staging/props.yml": yaml,
        },
    )
    assert _node(project, "model.shop.fct").config == {
        "tags": ["all"],
        "materialized": "view",
        "meta": {"team": "data"},
    }
    orders = _node(project, "model.shop.stg_orders").config
    assert orders["materialized"] == "table" and orders["schema"] == "stage"
    assert orders["tags"] == ["all", "staging"]
    users = _node(project, "model.shop.stg_users")
    assert users.config["materialized"] == "incremental"
    assert users.config["tags"] == ["all", "staging", "pii"]
    assert users.meta == {"team": "data", "tier": 2, "owner": "ann"}


def test_yaml_model_config_contract_group_and_legacy_keys(tmp_path: Path) -> None:
    yaml = """
models:
  - name: dim_users
    description: One row per user
    group: finance
    config:
      enabled: true
      alias: users
      schema: marts
      database: analytics
      materialized: table
      contract: {enforced: true}
      docs: {show: false}
      tags: [core]
"""
    project = _load(tmp_path, {"models/dim_users.sql": "select 1 as id", "models/p.yml": yaml})
    node = _node(project, "model.shop.dim_users")
    assert node.description == "One row per user" and node.group == "finance"
    assert node.config["contract"] == {"enforced": True}
    assert (node.config["alias"], node.config["schema"], node.config["database"]) == (
        "users",
        "marts",
        "analytics",
    )
    assert node.config["docs"] == {"show": False} and node.config["tags"] == ["core"]


def test_disabled_models_are_left_out_without_diagnostics(tmp_path: Path) -> None:
    text = PROJECT + "models:\n  shop:\n    legacy:\n      +enabled: false\n"
    yaml = "models:\n  - name: off_in_yaml\n    config: {enabled: false}\n"
    yaml += "  - name: never_written\n    config: {enabled: false}\n"
    project = _load(
        tmp_path,
        {
            "dbt_project.yml": text,
            "models/legacy/old.sql": "select 1",
            "models/off_in_yaml.sql": "select 1",
            "models/kept.sql": "select 1",
            "models/p.yml": yaml,
        },
    )
    assert [n.unique_id for n in project.nodes] == ["model.shop.kept"]
    assert project.diagnostics == ()


def test_duplicate_model_names_are_reported_at_both_files_and_the_first_is_kept(
    tmp_path: Path,
) -> None:
    project = _load(
        tmp_path,
        {"models/a/users.sql": "select 1 as first", "models/b/users.sql": "select 2 as second"},
    )
    [node] = project.nodes
    assert node.path == "models/a/users.sql"
    found = _diagnostics(project)
    for location in ("models/a/users.sql:1", "models/b/users.sql:1"):
        [message] = found[location]
        assert "models/a/users.sql:1" in message and "models/b/users.sql:1" in message
    severities = {str(d.location): d.severity for d in project.diagnostics}
    assert severities["models/b/users.sql:1"] is Severity.ERROR


def test_a_disabled_duplicate_is_not_a_clash(tmp_path: Path) -> None:
    text = PROJECT + "models:\n  shop:\n    old:\n      +enabled: false\n"
    project = _load(
        tmp_path,
        {"dbt_project.yml": text, "models/old/u.sql": "select 1", "models/new/u.sql": "select 2"},
    )
    assert [n.path for n in project.nodes] == ["models/new/u.sql"] and not project.diagnostics


def test_yaml_entry_for_a_model_without_a_file(tmp_path: Path) -> None:
    yaml = "version: 2\n\nmodels:\n  - name: ghost\n    description: nowhere\n"
    project = _load(tmp_path, {"models/p.yml": yaml})
    [diagnostic] = project.diagnostics
    assert diagnostic.location == Location("models/p.yml", 4)
    assert "'ghost'" in diagnostic.message and "ghost.sql" in diagnostic.message


def test_python_model(tmp_path: Path) -> None:
    code = "def model(dbt, session):\n    return dbt.ref('a')\n"
    project = _load(tmp_path, {"models/py_model.py": code})
    node = _node(project, "model.shop.py_model")
    assert node.language == "python" and node.raw_code == code


# ---------------------------------------------------------------------------------------------
# Columns, tests, constraints


def test_columns_with_tests_in_every_form_and_constraints(tmp_path: Path) -> None:
    yaml = """
version: 2
models:
  - name: orders
    constraints:
      - type: primary_key
        columns: [id]
      - type: foreign_key
        columns: [customer_id]
        to: ref('customers')
    columns:
      - name: id
        data_type: int
        description: The key
        constraints:
          - type: not_null
        tests:
          - not_null
          - unique
      - name: customer_id
        data_tests:
          - relationships:
              to: ref('customers')
              field: id
        meta: {pii: false}
        quote: true
      - name: status
        tests:
          - accepted_values:
              values: [placed, shipped]
          - dbt_utils.expression_is_true:
              expression: "is not null"
          - name: custom_status_check
            test_name: not_null
"""
    project = _load(tmp_path, {"models/orders.sql": "select 1", "models/orders.yml": yaml})
    columns = {c.name: c for c in _node(project, "model.shop.orders").columns}
    assert list(columns) == ["id", "customer_id", "status"]
    assert columns["id"].data_type == "int" and columns["id"].description == "The key"
    assert columns["id"].tests == ("not_null", "unique")
    assert columns["id"].constraints == ("not_null", "primary_key")
    assert columns["id"].location == Location("models/orders.yml", 12)
    assert columns["customer_id"].tests == ("relationships",)
    assert columns["customer_id"].constraints == ("foreign_key",)
    assert columns["customer_id"].meta == {"pii": False} and columns["customer_id"].quote is True
    assert columns["status"].tests == (
        "accepted_values",
        "dbt_utils.expression_is_true",
        "not_null",
    )
    assert project.diagnostics == ()


def test_bad_test_and_column_entries_are_reported_at_their_lines(tmp_path: Path) -> None:
    yaml = (
        "models:\n  - name: m\n    columns:\n      - description: no name\n"
        "      - name: ok\n        tests:\n          - {a: 1, b: 2}\n"
    )
    project = _load(tmp_path, {"models/m.sql": "select 1", "models/p.yml": yaml})
    found = _diagnostics(project)
    assert "column needs a 'name'" in found["models/p.yml:4"][0]
    assert "a test must be" in found["models/p.yml:7"][0]
    assert [c.name for c in _node(project, "model.shop.m").columns] == ["ok"]


# ---------------------------------------------------------------------------------------------
# Model versions


VERSIONS = """
models:
  - name: dim_customers
    latest_version: 2
    config:
      materialized: table
    columns:
      - name: customer_id
        data_type: int
      - name: country
        description: Where they live
      - name: first_purchase
    versions:
      - v: 4
      - v: 3
        columns:
          - include: "*"
          - name: country
            description: Where they first lived
      - v: 2
        columns:
          - include: all
            exclude: [country]
        config:
          materialized: view
      - v: 1
        defined_in: customers_legacy
        columns:
          - include: []
          - name: id
            data_type: int
"""


def test_versioned_model_one_node_per_version_with_include_exclude_columns(
    tmp_path: Path,
) -> None:
    project = _load(
        tmp_path,
        {
            "models/dim_customers.yml": VERSIONS,
            "models/dim_customers_v4.sql": "select 4",
            "models/dim_customers_v3.sql": "select 3",
            "models/dim_customers_v2.sql": "select 2",
            "models/customers_legacy.sql": "select 1",
        },
    )
    ids = [n.unique_id for n in project.nodes]
    assert ids == [f"model.shop.dim_customers.v{v}" for v in (1, 2, 3, 4)]
    assert {n.latest_version for n in project.nodes} == {"2"}
    v1, v2, v3, v4 = project.nodes
    assert (v1.version, v1.path, v1.raw_code) == ("1", "models/customers_legacy.sql", "select 1")
    assert v1.name == "dim_customers" and v1.config["alias"] == "dim_customers_v1"
    assert [(c.name, c.data_type) for c in v1.columns] == [("id", "int")]
    assert [c.name for c in v2.columns] == ["customer_id", "first_purchase"]
    assert v2.config["materialized"] == "view" and v4.config["materialized"] == "table"
    assert [c.name for c in v3.columns] == ["customer_id", "country", "first_purchase"]
    assert v3.columns[1].description == "Where they first lived"
    assert [c.name for c in v4.columns] == ["customer_id", "country", "first_purchase"]
    assert project.diagnostics == ()


def test_latest_version_defaults_to_the_highest_and_may_live_in_the_unsuffixed_file(
    tmp_path: Path,
) -> None:
    yaml = "models:\n  - name: m\n    versions:\n      - v: 2\n      - v: 10\n      - v: 3\n"
    project = _load(
        tmp_path,
        {
            "models/m.yml": yaml,
            "models/m.sql": "select 'latest'",
            "models/m_v2.sql": "select 2",
        },
    )
    assert [n.unique_id for n in project.nodes] == ["model.shop.m.v10", "model.shop.m.v2"]
    assert _node(project, "model.shop.m.v10").raw_code == "select 'latest'"
    assert {n.latest_version for n in project.nodes} == {"10"}
    [missing] = project.diagnostics
    assert "version 3" in missing.message and "m_v3.sql" in missing.message
    assert missing.location == Location("models/m.yml", 6)


# ---------------------------------------------------------------------------------------------
# Sources


def test_sources_with_documented_defaults(tmp_path: Path) -> None:
    text = PROJECT + "quoting:\n  identifier: false\n"
    yaml = """
version: 2
sources:
  - name: app
    database: raw
    loaded_at_field: _loaded_at
    quoting: {database: true}
    meta: {owner: platform}
    tables:
      - name: users
        identifier: tbl_users
        quoting: {identifier: true}
        meta: {pii: true}
        columns:
          - name: email
            description: Login
      - name: orders
        loaded_at_field: updated_at
  - name: stripe
    schema: stripe_raw
    tables:
      - name: charges
        config: {enabled: false}
      - name: refunds
"""
    project = _load(tmp_path, {"dbt_project.yml": text, "models/sources.yml": yaml})
    sources = {s.unique_id: s for s in project.sources}
    assert list(sources) == [
        "source.shop.app.orders",
        "source.shop.app.users",
        "source.shop.stripe.refunds",
    ]
    users = sources["source.shop.app.users"]
    assert (users.database, users.schema, users.identifier) == ("raw", "app", "tbl_users")
    assert users.quoting == {"identifier": True, "database": True}
    assert users.meta == {"owner": "platform", "pii": True}
    assert users.loaded_at_field == "_loaded_at"
    assert [c.name for c in users.columns] == ["email"]
    assert users.location == Location("models/sources.yml", 10)
    orders = sources["source.shop.app.orders"]
    assert (orders.identifier, orders.loaded_at_field) == ("orders", "updated_at")
    refunds = sources["source.shop.stripe.refunds"]
    assert (refunds.database, refunds.schema) == (None, "stripe_raw")


# ---------------------------------------------------------------------------------------------
# Seeds


def test_seed_headers_with_bom_and_quoted_names_and_yaml_column_types(tmp_path: Path) -> None:
    yaml = """
seeds:
  - name: countries
    config:
      column_types: {code: varchar(2)}
    columns:
      - name: code
        description: ISO code
"""
    project = _load(
        tmp_path,
        {
            "seeds/countries.csv": "\ufeffcode,name\r\nfr,France\r\n".encode(),
            "seeds/people.csv": '"id","full name","note, with comma"\n1,"A B",x\n',
            "seeds/multi.csv": '"id","a\nb"\n1,2\n',
            "seeds/props.yml": yaml,
        },
    )
    countries = _node(project, "seed.shop.countries")
    assert countries.raw_code == "code,name"
    assert countries.config["column_types"] == {"code": "varchar(2)"}
    assert countries.columns[0].description == "ISO code"
    assert _node(project, "seed.shop.people").raw_code == '"id","full name","note, with comma"'
    assert _node(project, "seed.shop.multi").raw_code == '"id","a\nb"'


# ---------------------------------------------------------------------------------------------
# Snapshots


def test_sql_snapshot_blocks_one_node_per_block(tmp_path: Path) -> None:
    text = """{% snapshot orders_snapshot %}
{{ config(unique_key='id', strategy='timestamp', updated_at='updated_at') }}
select * from {{ source('app', 'orders') }}
{% endsnapshot %}

{%- snapshot users_snapshot -%}
select * from {{ ref('stg_users') }}
{%- endsnapshot -%}
"""
    yaml = "snapshots:\n  - name: users_snapshot\n    description: Users over time\n"
    project = _load(tmp_path, {"snapshots/snaps.sql": text, "snapshots/props.yml": yaml})
    orders = _node(project, "snapshot.shop.orders_snapshot")
    assert "source('app', 'orders')" in orders.raw_code and "endsnapshot" not in orders.raw_code
    assert orders.location == Location("snapshots/snaps.sql", 1)
    users = _node(project, "snapshot.shop.users_snapshot")
    assert users.raw_code.strip() == "select * from {{ ref('stg_users') }}"
    assert users.location == Location("snapshots/snaps.sql", 6)
    assert users.description == "Users over time"


def test_unclosed_snapshot_block_is_reported(tmp_path: Path) -> None:
    text = "-- header\n{% snapshot s %}\nselect 1\n"
    project = _load(tmp_path, {"snapshots/s.sql": text})
    assert project.nodes == ()
    [diagnostic] = project.diagnostics
    assert diagnostic.location == Location("snapshots/s.sql", 2)
    assert diagnostic.code is DiagnosticCode.PARSE_ERROR


def test_yaml_snapshot_of_dbt_1_9(tmp_path: Path) -> None:
    yaml = """
snapshots:
  - name: orders_snapshot
    relation: source('app', 'orders')
    config:
      schema: snapshots
      unique_key: id
      strategy: timestamp
      updated_at: updated_at
      dbt_valid_to_current: "to_date('9999-12-31')"
      hard_deletes: new_record
  - name: users_snapshot
    relation: ref('stg_users')
    config:
      strategy: check
      check_cols: [email, status]
      hard_deletes: invalidate
  - name: bad_snapshot
    relation: ref('stg_users')
    config:
      hard_deletes: delete
"""
    project = _load(tmp_path, {"snapshots/snapshots.yml": yaml})
    orders = _node(project, "snapshot.shop.orders_snapshot")
    assert orders.raw_code == "select * from {{ source('app', 'orders') }}"
    assert orders.path == "snapshots/snapshots.yml"
    assert orders.location == Location("snapshots/snapshots.yml", 3)
    assert orders.config["hard_deletes"] == "new_record"
    assert orders.config["dbt_valid_to_current"] == "to_date('9999-12-31')"
    users = _node(project, "snapshot.shop.users_snapshot")
    assert users.raw_code == "select * from {{ ref('stg_users') }}"
    assert users.config["check_cols"] == ["email", "status"]
    [bad] = project.diagnostics
    assert bad.location == Location("snapshots/snapshots.yml", 21)
    assert "hard_deletes" in bad.message


# ---------------------------------------------------------------------------------------------
# Exposures, groups, semantic models, metrics


def test_exposures_of_all_five_types_with_owners(tmp_path: Path) -> None:
    entries = "".join(
        f"""
  - name: {kind}_exposure
    type: {kind}
    label: The {kind}
    maturity: high
    url: https://example.com/{kind}
    description: Uses users
    depends_on:
      - ref('dim_users')
      - source('app', 'users')
    owner:
      name: Ann {kind}
      email: {kind}@example.com
    meta: {{tier: 1}}
"""
        for kind in ("dashboard", "notebook", "analysis", "ml", "application")
    )
    bad = "  - name: broken\n    type: spreadsheet\n    owner: {}\n"
    project = _load(tmp_path, {"models/exposures.yml": "exposures:" + entries + bad})
    exposures = {e.name: e for e in project.exposures}
    dashboard = exposures["dashboard_exposure"]
    assert dashboard.unique_id == "exposure.shop.dashboard_exposure"
    assert dashboard.owner == Owner("Ann dashboard", "dashboard@example.com")
    assert dashboard.depends_on == ("ref('dim_users')", "source('app', 'users')")
    assert (dashboard.label, dashboard.maturity) == ("The dashboard", "high")
    assert dashboard.url == "https://example.com/dashboard" and dashboard.meta == {"tier": 1}
    assert {e.type for e in project.exposures} == {
        "dashboard",
        "notebook",
        "analysis",
        "ml",
        "application",
        "spreadsheet",
    }
    messages = " ".join(d.message for d in project.diagnostics)
    assert "exposure 'type' must be one of" in messages and "needs an owner" in messages


def test_groups_semantic_model_and_metric(tmp_path: Path) -> None:
    yaml = """
groups:
  - name: finance
    owner:
      name: Finance team
      email: finance@example.com
semantic_models:
  - name: orders
    model: ref('fct_orders')
    entities:
      - name: order
        type: primary
        expr: order_id
      - name: customer
        type: foreign
    dimensions:
      - name: ordered_at
        type: time
      - name: is_large
        type: categorical
        expr: amount > 100
    measures:
      - name: order_total
        agg: sum
        expr: amount
      - name: order_count
        agg: sum
        expr: 1
      - name: customers
        agg: count_distinct
metrics:
  - name: revenue
    label: Revenue
    type: simple
    type_params:
      measure: order_total
  - name: orders_and_customers
    type: derived
    type_params:
      measures:
        - order_count
        - name: customers
"""
    project = _load(tmp_path, {"models/semantic.yml": yaml})
    [group] = project.groups
    assert group.owner == Owner("Finance team", "finance@example.com")
    [model] = project.semantic_models
    assert model.unique_id == "semantic_model.shop.orders" and model.model == "ref('fct_orders')"
    assert model.entities == (("order", "order_id"), ("customer", "customer"))
    assert model.dimensions == (("ordered_at", "ordered_at"), ("is_large", "amount > 100"))
    assert model.measures == (
        ("order_total", "amount"),
        ("order_count", "1"),
        ("customers", "customers"),
    )
    metrics = {m.name: m for m in project.metrics}
    assert metrics["revenue"].unique_id == "metric.shop.revenue"
    assert metrics["revenue"].type == "simple" and metrics["revenue"].measures == ("order_total",)
    assert metrics["orders_and_customers"].measures == ("order_count", "customers")
    assert project.diagnostics == ()


# ---------------------------------------------------------------------------------------------
# Malformed content


def test_yaml_syntax_error_is_reported_at_its_line_and_the_rest_is_loaded(tmp_path: Path) -> None:
    broken = "models:\n  - name: a\n    description: fine\n  - name: [unclosed\n"
    good = "models:\n  - name: b\n    description: still read\n"
    project = _load(
        tmp_path,
        {
            "models/a.sql": "select 1",
            "models/b.sql": "select 2",
            "models/broken.yml": broken,
            "models/good.yml": good,
        },
    )
    [diagnostic] = project.diagnostics
    assert diagnostic.code is DiagnosticCode.PARSE_ERROR
    assert diagnostic.location.path == "models/broken.yml" and diagnostic.location.line in {4, 5}
    assert _node(project, "model.shop.b").description == "still read"
    assert _node(project, "model.shop.a").description == ""


def test_models_entry_that_is_not_a_list(tmp_path: Path) -> None:
    yaml = "version: 2\nmodels:\n  name: a\n  description: a mapping, not a list\n"
    project = _load(tmp_path, {"models/a.sql": "select 1", "models/p.yml": yaml})
    [diagnostic] = project.diagnostics
    assert diagnostic.code is DiagnosticCode.CONFIG_ERROR
    assert diagnostic.location == Location("models/p.yml", 3)
    assert "must be a list" in diagnostic.message
    assert [n.unique_id for n in project.nodes] == ["model.shop.a"]


def test_unknown_top_level_key_and_entries_without_names(tmp_path: Path) -> None:
    yaml = "modles:\n  - name: a\nmodels:\n  - description: no name\n"
    project = _load(tmp_path, {"models/a.sql": "select 1", "models/p.yml": yaml})
    found = _diagnostics(project)
    assert "unknown top-level key 'modles'" in found["models/p.yml:2"][0]
    assert "needs a 'name'" in found["models/p.yml:4"][0]


def test_bad_key_types_in_dbt_project_yml(tmp_path: Path) -> None:
    text = (
        "name: shop\n"
        "model-paths: 5\n"
        "vars: [not, a, mapping]\n"
        "snapshot-paths: ['../outside']\n"
        "dispatch:\n  - macro_namespace: x\n"
    )
    project = _load(tmp_path, {"dbt_project.yml": text, "models/a.sql": "select 1"})
    found = _diagnostics(project)
    assert "'model-paths' must be a list" in found["dbt_project.yml:2"][0]
    assert "'vars' must be a mapping" in found["dbt_project.yml:3"][0]
    assert "outside the project" in found["dbt_project.yml:4"][0]
    assert "'dispatch'" in found["dbt_project.yml:6"][0]
    assert [n.unique_id for n in project.nodes] == ["model.shop.a"]  # default model-paths


def test_dbt_project_yml_syntax_error_falls_back_to_the_folder_name(tmp_path: Path) -> None:
    root = tmp_path / "my_proj"
    project = _load(root, {"dbt_project.yml": "name: [shop\n", "models/a.sql": "select 1"})
    assert project.name == "my_proj"
    assert project.diagnostics[0].location.path == "dbt_project.yml"
    assert project.diagnostics[0].code is DiagnosticCode.PARSE_ERROR
    assert [n.unique_id for n in project.nodes] == ["model.my_proj.a"]


def test_missing_dbt_project_yml_raises_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"no dbt_project\.yml"):
        load_dbt_project(tmp_path)


def test_non_utf8_oversized_and_symlinked_files(tmp_path: Path) -> None:
    project_root = _write(
        tmp_path,
        {
            "dbt_project.yml": PROJECT,
            "models/latin1.sql": b"select 'caf\xe9' as x\n",
            "models/big.sql": "select 1 -- " + "x" * 200,
            "elsewhere/secret.sql": "select 'secret'",
        },
    )
    os.symlink(project_root / "elsewhere/secret.sql", project_root / "models/link.sql")
    project = load_dbt_project(project_root, max_file_bytes=100)
    assert [n.unique_id for n in project.nodes] == ["model.shop.latin1"]
    assert "\ufffd" in _node(project, "model.shop.latin1").raw_code
    codes = {str(d.location): d.code for d in project.diagnostics}
    assert codes == {
        "models/latin1.sql:1": DiagnosticCode.UNREADABLE_FILE,
        "models/big.sql:1": DiagnosticCode.FILE_TOO_LARGE,
    }


# ---------------------------------------------------------------------------------------------
# Packages and vars


PACKAGE_FILES: dict[str, str | bytes] = {
    "dbt_packages/utils_pkg/dbt_project.yml": (
        "name: dbt_utils\nmacro-paths: [macros]\n"
        "vars:\n  surrogate: md5\n  shared: from_package\n"
        "models:\n  dbt_utils:\n    +materialized: ephemeral\n    +schema: utils\n"
    ),
    "dbt_packages/utils_pkg/macros/generate.sql": "{% macro generate() %}1{% endmacro %}",
    "dbt_packages/utils_pkg/models/util_model.sql": "select 1 as id",
    "dbt_packages/utils_pkg/models/props.yml": (
        "models:\n  - name: util_model\n    description: From the package\n"
        "sources:\n  - name: pkg_src\n    tables: [{name: t}]\n"
    ),
    "dbt_packages/not_a_package/readme.txt": "nothing",
}


def test_installed_package_with_its_own_project_macros_and_configs(tmp_path: Path) -> None:
    text = PROJECT + "models:\n  dbt_utils:\n    +schema: root_wins\n"
    project = _load(
        tmp_path,
        {
            "dbt_project.yml": text,
            "models/mine.sql": "select 1",
            "macros/mine.sql": "{% macro mine() %}{% endmacro %}",
            **PACKAGE_FILES,
        },
    )
    assert project.packages == ("dbt_utils",)
    util = _node(project, "model.dbt_utils.util_model")
    assert (
        util.package == "dbt_utils" and util.path == "dbt_packages/utils_pkg/models/util_model.sql"
    )
    assert util.config == {"materialized": "ephemeral", "schema": "root_wins"}
    assert util.description == "From the package"
    assert [s.unique_id for s in project.sources] == ["source.dbt_utils.pkg_src.t"]
    assert [(m.package, m.path) for m in project.macro_files] == [
        ("dbt_utils", "dbt_packages/utils_pkg/macros/generate.sql"),
        ("shop", "macros/mine.sql"),
    ]
    [info] = project.diagnostics
    assert info.location.path == "dbt_packages/not_a_package" and info.severity is Severity.INFO


def test_package_can_be_disabled_from_the_root_project(tmp_path: Path) -> None:
    text = PROJECT + "models:\n  dbt_utils:\n    +enabled: false\n"
    project = _load(tmp_path, {"dbt_project.yml": text, **PACKAGE_FILES})
    assert not any(n.package == "dbt_utils" for n in project.nodes)


def test_vars_are_scoped_by_package_and_the_override_wins(tmp_path: Path) -> None:
    text = PROJECT + (
        "vars:\n  start: '2020-01-01'\n  shared: from_root\n"
        "  shop:\n    only_root: 1\n  dbt_utils:\n    surrogate: sha\n"
    )
    project = _load(
        tmp_path,
        {"dbt_project.yml": text, **PACKAGE_FILES},
        vars_override={"start": "2024-01-01"},
    )
    shop, utils = project.vars["shop"], project.vars["dbt_utils"]
    assert (shop["start"], shop["shared"], shop["only_root"]) == ("2024-01-01", "from_root", 1)
    assert "surrogate" not in shop
    assert utils["start"] == "2024-01-01"
    assert utils["surrogate"] == "sha"  # the root project's scoped var beats the package's own
    assert utils["shared"] == "from_root"  # the root project's global var beats the package's
    assert "only_root" not in utils
    assert set(project.vars) == {"shop", "dbt_utils"}


def test_symlinked_package_is_not_followed(tmp_path: Path) -> None:
    outside = _write(
        tmp_path / "outside", {"dbt_project.yml": "name: other\n", "models/o.sql": "select 1"}
    )
    root = _write(tmp_path / "proj", {"dbt_project.yml": PROJECT, "dbt_packages/.keep": ""})
    os.symlink(outside, root / "dbt_packages" / "other")
    project = load_dbt_project(root)
    assert project.packages == () and project.nodes == ()
    [info] = project.diagnostics
    assert info.location.path == "dbt_packages/other" and "symbolic link" in info.message


# ---------------------------------------------------------------------------------------------
# Determinism


def test_loading_twice_gives_equal_sorted_results(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "models/z.sql": "select 1",
        "models/a/b.sql": "select 1",
        "models/m.yml": VERSIONS,
        **PACKAGE_FILES,
    }
    first = _load(tmp_path, files)
    assert first == load_dbt_project(tmp_path)
    ids = [n.unique_id for n in first.nodes]
    assert ids == sorted(ids)
    assert list(first.diagnostics) == sorted(first.diagnostics)


def test_project_root_as_model_path_does_not_read_dbt_config_files_as_properties(
    tmp_path: Path,
) -> None:
    text = PROJECT + "model-paths: ['.']\n"
    yaml = "defaults: &defaults\n  description: shared\nmodels:\n  - name: a\n    <<: *defaults\n"
    project = _load(
        tmp_path,
        {
            "dbt_project.yml": text,
            "packages.yml": "packages:\n  - package: dbt-labs/dbt_utils\n",
            "a.sql": "select 1",
            "props.yml": yaml,
            "target/compiled.sql": "select 'not a model'",
        },
    )
    assert [n.unique_id for n in project.nodes] == ["model.shop.a"]
    assert _node(project, "model.shop.a").description == "shared"  # YAML merge keys work
    [unknown] = project.diagnostics
    assert "unknown top-level key 'defaults'" in unknown.message


WRONG_TYPES = """
1: numeric key
models:
  - name: a
    columns: 5
    versions: {v: 1}
    config: [1]
    constraints: {type: x}
    latest_version: [1]
  - name: b
    columns:
      - name: c
        tests: 3
        data_type: [int]
        constraints: [5]
    versions:
      - v: true
      - {v: 1, columns: 4}
      - {v: 2, columns: [{include: 5}, {include: [x], exclude: [y]}]}
  - just a string
sources:
  - name: s
    tables: 7
  - name: t
    tables:
      - name: u
        quoting: [1]
        meta: 5
exposures:
  - name: e
    type: [dashboard]
    depends_on: 5
    owner: me
semantic_models:
  - name: sm
    model: [ref]
  - name: sm2
    model: ref('a')
    measures: x
    dimensions: [{expr: y}]
metrics:
  - name: m
    type_params: []
groups:
  - name: g
seeds: {}
snapshots:
  - name: sn
    relation: select 1
analyses: null
"""


def test_wrongly_typed_values_become_diagnostics_never_exceptions(tmp_path: Path) -> None:
    project = _load(
        tmp_path,
        {"models/a.sql": "select 1", "models/b.sql": "select 1", "models/p.yml": WRONG_TYPES},
    )
    assert len(project.diagnostics) >= 20
    assert all(d.location.path == "models/p.yml" for d in project.diagnostics)
    assert {d.code for d in project.diagnostics} == {DiagnosticCode.CONFIG_ERROR}
    assert "model.shop.a" in {n.unique_id for n in project.nodes}
