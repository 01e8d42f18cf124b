"""Relation facts of a build: dbt contract, model version, owner (group, meta.owner,
CODEOWNERS) and data tests with their YAML lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from lineage import projects
from lineage.config import load_config
from lineage.entities import DataTest, Location, Owner, Project, Relation

ROOT = Path(__file__).parent.parent
SHOP = ROOT / "fixtures" / "shop"


@pytest.fixture(scope="module")
def shop() -> Project:
    return projects.build(SHOP, load_config(SHOP))


def relation(project: Project, name: str) -> Relation:
    found = project.relation(name)
    assert found is not None, name
    return found


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


# -- the bundled shop ---------------------------------------------------------------------------


def test_enforced_contracts_and_versions(shop: Project) -> None:
    # _core__models.yml / _product__models.yml: contract: {enforced: true}
    for name in ("model.shop.fct_orders", "model.shop.product_affinity"):
        assert relation(shop, name).contract, name
    assert not relation(shop, "model.shop.stg_app__users").contract
    v1, v2 = (relation(shop, f"model.shop.dim_customers.v{v}") for v in (1, 2))
    assert (v1.version, v2.version) == ("1", "2")
    assert v1.contract and v2.contract  # the model's config applies to every version
    assert relation(shop, "model.shop.fct_orders").version is None


def test_owner_is_the_dbt_group_owner_else_meta_owner(shop: Project) -> None:
    # dbt_project.yml: marts/core -> group core (groups.yml: Data Platform)
    core = Owner("Data Platform", "data-platform@shop.example")
    assert relation(shop, "model.shop.fct_orders").owner == core
    science = Owner("Data Science", "data-science@shop.example")
    assert relation(shop, "model.shop.churn_predictions").owner == science
    # _app__sources.yml: meta: {owner: "@shop/app-backend"}, a handle, not an email
    assert relation(shop, "source.shop.app.users").owner == Owner("@shop/app-backend", None)
    # no group, no meta.owner, no CODEOWNERS in this repository
    assert relation(shop, "model.shop.stg_app__users").owner is None


def test_column_and_relation_level_tests_with_their_lines(shop: Project) -> None:
    yml = "models/marts/product/_product__models.yml"
    affinity = relation(shop, "model.shop.product_affinity")
    assert affinity.tests == (
        # `data_tests:` directly under the model (the test item is on line 44)
        DataTest("dbt_utils.unique_combination_of_columns", None, Location(yml, 44)),
        DataTest("not_null", "product_id", Location(yml, 14)),
        DataTest("not_null", "related_product_id", Location(yml, 21)),
        DataTest("relationships", "related_product_id", Location(yml, 21)),
    )
    assert [t.location for t in affinity.tests] == [
        Location(yml, 44),
        Location(yml, 14),
        Location(yml, 21),
        Location(yml, 21),
    ]
    daily = relation(shop, "model.shop.int_user_activity_daily")
    assert [(t.name, t.column) for t in daily.tests] == [
        ("dbt_utils.unique_combination_of_columns", None),
        ("not_null", "activity_date"),
        ("not_null", "user_id"),
    ]


def test_tests_of_sources_seeds_and_snapshots(shop: Project) -> None:
    users = relation(shop, "source.shop.app.users")
    assert ("unique", "id") in [(t.name, t.column) for t in users.tests]
    assert DataTest("not_null", "email") in users.tests
    seed = relation(shop, "seed.shop.country_codes")
    assert ("unique", "country_code") in [(t.name, t.column) for t in seed.tests]
    snapshot = relation(shop, "snapshot.shop.snap_app__users")
    assert ("unique", "dbt_scd_id") in [(t.name, t.column) for t in snapshot.tests]
    # application tables have no dbt tests
    assert relation(shop, "app:shop.users").tests == ()


# -- a small repository with CODEOWNERS -------------------------------------------------------

PROJECT = "name: acme\nversion: '1'\nprofile: acme\n"
CODEOWNERS = "*  @acme/everyone\n/dbt/models/finance/  finance@acme.example\n"
PROPERTIES = """
version: 2
groups:
  - name: growth
    owner: {name: Growth, email: growth@acme.example}
models:
  - name: revenue
    config:
      group: growth
      meta: {owner: ignored@acme.example}
    tests:
      - row_count_positive
  - name: orders
    config:
      meta:
        owner: {name: Orders team, email: orders@acme.example}
    data_tests:
      - unique_combination: {columns: [id, day]}
    columns:
      - name: ID
        data_tests: [not_null, unique]
  - name: customers
    latest_version: 2
    data_tests: [has_rows]
    versions:
      - v: 1
      - v: 2
        data_tests: [{test_name: stricter, name: customers_v2_stricter}]
  - name: ledger
    config:
      meta: {owner: ledger@acme.example}
sources:
  - name: raw
    tables:
      - name: payments
        data_tests: [fresh_enough]
        columns:
          - name: id
            tests: [not_null]
"""


@pytest.fixture(scope="module")
def acme(tmp_path_factory: pytest.TempPathFactory) -> Project:
    repo = tmp_path_factory.mktemp("acme")
    (repo / ".git").mkdir()
    write(
        repo,
        {
            ".github/CODEOWNERS": CODEOWNERS,
            "dbt/dbt_project.yml": PROJECT,
            "dbt/models/_properties.yml": PROPERTIES,
            "dbt/models/revenue.sql": "select 1 as amount",
            "dbt/models/orders.sql": "select 1 as id, current_date as day",
            "dbt/models/customers_v1.sql": "select 1 as id",
            "dbt/models/customers_v2.sql": "select 1 as id",
            "dbt/models/finance/ledger.sql": "select 1 as entry",
            "dbt/models/finance/budget.sql": "select 1 as line",
            "dbt/models/contracted.sql": (
                "{{ config(contract={'enforced': true}) }}\nselect 1 as id"
            ),
        },
    )
    return projects.build(repo / "dbt", load_config(repo / "dbt"))


def test_group_wins_over_meta_owner(acme: Project) -> None:
    assert relation(acme, "model.acme.revenue").owner == Owner("Growth", "growth@acme.example")


def test_meta_owner_as_mapping_or_email(acme: Project) -> None:
    orders = relation(acme, "model.acme.orders")
    assert orders.owner == Owner("Orders team", "orders@acme.example")
    # a string with an @ inside is an email; CODEOWNERS (finance@) does not override meta
    assert relation(acme, "model.acme.ledger").owner == Owner(None, "ledger@acme.example")


def test_codeowners_owns_the_rest(acme: Project) -> None:
    # the last matching line wins: /dbt/models/finance/ over *
    assert relation(acme, "model.acme.budget").owner == Owner(None, "finance@acme.example")
    assert relation(acme, "model.acme.contracted").owner == Owner("@acme/everyone", None)


def test_contract_from_the_models_config_block(acme: Project) -> None:
    assert relation(acme, "model.acme.contracted").contract
    assert not relation(acme, "model.acme.orders").contract


def test_tests_under_the_model_its_versions_and_its_columns(acme: Project) -> None:
    yml = "models/_properties.yml"
    revenue = relation(acme, "model.acme.revenue")
    assert [(t.name, t.column, t.location) for t in revenue.tests] == [
        ("row_count_positive", None, Location(yml, 12))
    ]
    orders = relation(acme, "model.acme.orders")
    # the YAML says ID; the relation's column is id: the test names the relation's column
    assert [(t.name, t.column, t.location) for t in orders.tests] == [
        ("unique_combination", None, Location(yml, 18)),
        ("not_null", "id", Location(yml, 20)),
        ("unique", "id", Location(yml, 20)),
    ]
    v1 = relation(acme, "model.acme.customers.v1")
    v2 = relation(acme, "model.acme.customers.v2")
    assert [t.name for t in v1.tests] == ["has_rows"]
    assert [(t.name, t.location) for t in v2.tests] == [
        ("has_rows", Location(yml, 24)),
        ("stricter", Location(yml, 28)),
    ]


def test_source_table_tests(acme: Project) -> None:
    payments = relation(acme, "source.acme.raw.payments")
    assert [(t.name, t.column) for t in payments.tests] == [
        ("fresh_enough", None),
        ("not_null", "id"),
    ]


def test_plain_sql_relations_are_owned_through_codeowners(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write(
        tmp_path,
        {
            "CODEOWNERS": (
                "*.sql @acme/sql\n/warehouse/marts/ marts@acme.example\n/app/ @acme/app\n"
            ),
            "lineage.yml": (
                "sql_paths: [warehouse]\n"
                "applications: [{name: shop, path: app/db, schema: raw_app}]\n"
            ),
            "app/db/V1__users.sql": "create table accounts (id bigint primary key);",
            "warehouse/raw.sql": "create table raw.users (id bigint, email text);",
            "warehouse/marts/users.sql": (
                "create table marts.users as select id, email from raw.users "
                "join ext.flags using (id);"
            ),
        },
    )
    built = projects.build(tmp_path, load_config(tmp_path))
    assert relation(built, "raw.users").owner == Owner("@acme/sql", None)
    assert relation(built, "marts.users").owner == Owner(None, "marts@acme.example")
    # an external relation's location is where it is read, not where it is defined
    assert relation(built, "ext.flags").owner is None
    # an application table is owned by whoever owns its migration
    assert relation(built, "app:shop.accounts").owner == Owner("@acme/app", None)
