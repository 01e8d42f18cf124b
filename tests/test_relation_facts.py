"""Relation facts of a build: dbt contract, model version, owner (group, meta.owner,
CODEOWNERS), data tests with their YAML lines, descriptions and tags.

Tag expectations follow dbt's documented rules: tags add up across every level that sets them
(`+tags` of each dbt_project.yml folder above the resource, its YAML config, its `config()`
block), a string counts as a one-tag list, and a source table has its source's tags plus its
own."""

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


def test_descriptions_of_models_sources_and_their_columns(shop: Project) -> None:
    # _finance__models.yml: a folded (>) description, joined into one line, stripped
    revenue = relation(shop, "model.shop.fct_daily_revenue")
    assert revenue.description == (
        "Revenue of paid orders per day and customer country, in US dollars, with a running "
        "total per country. The revenue dashboard's main table."
    )
    by_name = {c.name: c.description for c in revenue.columns}
    assert by_name["daily_revenue_id"] == "Surrogate key of (revenue_date, country_code)."
    users = relation(shop, "source.shop.app.users")
    assert users.description == (
        "One row per account. Soft-deleted accounts keep their row with is_deleted = true."
    )
    email = users.column("email")
    assert email is not None
    assert email.description == (
        "Login email address, as typed at sign-up (mixed case, may have spaces)."
    )
    # every version of dim_customers has the model's description (no version has its own)
    v1, v2 = (relation(shop, f"model.shop.dim_customers.v{v}") for v in (1, 2))
    assert v1.description == v2.description
    assert v2.description is not None and v2.description.startswith("One row per customer")
    # application tables are not documented in dbt YAML
    app_users = relation(shop, "app:shop.users")
    assert app_users.description is None
    assert {c.description for c in app_users.columns} == {None}


def test_tags_of_the_shop_add_up_across_levels(shop: Project) -> None:
    # dbt_project.yml marts +tags, marts/ml +tags, and {{ config(tags=['feature_store']) }}
    features = relation(shop, "model.shop.customer_churn_features")
    assert features.tags == ("feature_store", "marts", "ml")
    # staging +tags and staging/app +tags ["app", "pii"]
    assert relation(shop, "model.shop.stg_app__users").tags == ("app", "pii", "staging")
    # marts +tags and the YAML `config: {tags: ["finance"]}` of the entry
    assert relation(shop, "model.shop.fct_product_performance").tags == ("finance", "marts")
    # seeds +tags ["reference"] and the seed's top-level `tags: ["finance"]`
    assert relation(shop, "seed.shop.currency_rates").tags == ("finance", "reference")
    assert relation(shop, "seed.shop.country_codes").tags == ("reference",)
    assert relation(shop, "snapshot.shop.snap_app__users").tags == ("snapshots",)
    # the source `app` is tagged fivetran; its events table adds `config: tags`
    assert relation(shop, "source.shop.app.users").tags == ("fivetran",)
    assert relation(shop, "source.shop.app.events").tags == ("fivetran", "product_analytics")
    assert relation(shop, "app:shop.users").tags == ()


# -- tags and descriptions in a small project -------------------------------------------------

TAGGED_PROJECT = """
name: acme
version: '1'
profile: acme
models:
  acme:
    +tags: everything
    marts:
      +tags: [marts, shared]
      finance:
        +tags: [finance]
seeds:
  acme:
    +tags: [seeded]
"""
TAGGED_PROPERTIES = """
version: 2
models:
  - name: revenue
    description: "  Revenue per day.\n\n"
    config:
      tags: [from_yaml, finance]
    columns:
      - name: amount
        description: Amount in US dollars.
      - name: CURRENCY
        description: "  ISO 4217 code. "
      - name: ghost
        description: Documented but not selected by the model.
      - name: day
        description: "   "
  - name: costs
    description: ""
seeds:
  - name: codes
    tags: reference
sources:
  - name: raw
    description: The raw schema.
    tags: [loaded]
    tables:
      - name: payments
        description: Payments as the provider sends them.
        tags: [pii, loaded]
        columns:
          - name: id
            description: Provider id.
      - name: refunds
        config:
          tags: [finance]
"""


@pytest.fixture(scope="module")
def tagged(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = write(
        tmp_path_factory.mktemp("tagged"),
        {
            "dbt_project.yml": TAGGED_PROJECT,
            "models/marts/finance/_finance.yml": TAGGED_PROPERTIES,
            "models/marts/finance/revenue.sql": (
                "{{ config(tags=['daily', 'shared']) }}\n"
                "select 1 as amount, 'USD' as currency, current_date as day, 2 as extra"
            ),
            "models/marts/costs.sql": "{{ config(tags='weekly') }}\nselect 1 as cost",
            "models/staging/stg_x.sql": "select 1 as x",
            "seeds/codes.csv": "code,name\nUS,United States\n",
        },
    )
    return projects.build(root, load_config(root))


def test_tags_from_every_folder_the_yaml_and_the_config_block(tagged: Project) -> None:
    revenue = relation(tagged, "model.acme.revenue")
    # models: everything (a string); marts: marts, shared; marts/finance: finance;
    # YAML: from_yaml, finance; config(): daily, shared. Added up, sorted, each once.
    assert revenue.tags == ("daily", "everything", "finance", "from_yaml", "marts", "shared")
    # a folder's +tags reach only what is under it; config(tags='weekly') is one tag
    assert relation(tagged, "model.acme.costs").tags == ("everything", "marts", "shared", "weekly")
    assert relation(tagged, "model.acme.stg_x").tags == ("everything",)
    # seeds: +tags [seeded] and the YAML's top-level `tags: reference`
    assert relation(tagged, "seed.acme.codes").tags == ("reference", "seeded")


def test_a_source_table_has_the_sources_tags_and_its_own(tagged: Project) -> None:
    assert relation(tagged, "source.acme.raw.payments").tags == ("loaded", "pii")
    # dbt 1.10 `config: tags:` on the table adds up with the source's top-level tags
    assert relation(tagged, "source.acme.raw.refunds").tags == ("finance", "loaded")


def test_descriptions_are_stripped_and_matched_to_the_relations_columns(tagged: Project) -> None:
    revenue = relation(tagged, "model.acme.revenue")
    assert revenue.description == "Revenue per day."
    assert [(c.name, c.description) for c in revenue.columns] == [
        ("amount", "Amount in US dollars."),
        ("currency", "ISO 4217 code."),  # YAML CURRENCY: matched ignoring case
        ("day", None),  # a blank description is none
        ("extra", None),  # undocumented
    ]
    # `ghost` is documented but the model has no such column: no column is added for it
    assert revenue.column("ghost") is None
    assert relation(tagged, "model.acme.costs").description is None
    assert relation(tagged, "model.acme.stg_x").description is None
    payments = relation(tagged, "source.acme.raw.payments")
    assert payments.description == "Payments as the provider sends them."
    assert [(c.name, c.description) for c in payments.columns] == [("id", "Provider id.")]
    assert relation(tagged, "source.acme.raw.refunds").description is None


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


def test_doc_calls_are_replaced_by_the_docs_blocks(shop: Project) -> None:
    # _core__models.yml: `description: '{{ doc("amount_usd") }}'`; models/docs.md holds the block
    orders = relation(shop, "model.shop.fct_orders")
    amount = orders.column("amount_usd")
    assert amount is not None
    assert amount.description == (
        "The order amount converted to US dollars at the monthly average rate of the month the "
        "order\nwas placed (seed `currency_rates`). Only succeeded payments count."
    )


def test_a_doc_call_naming_no_block_stays_as_written(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "dbt_project.yml": "name: acme\nversion: '1'\nprofile: acme\n",
            "models/docs.md": "{%- docs known -%}\n  Known text.\n{%- enddocs -%}\n",
            "models/_m.yml": (
                "version: 2\nmodels:\n  - name: m\n    description: >\n"
                "      Before {{ doc('known') }} and {{ doc(\"acme\", 'missing') }} after.\n"
            ),
            "models/m.sql": "select 1 as x",
        },
    )
    built = projects.build(root, load_config(root))
    assert relation(built, "model.acme.m").description == (
        "Before Known text. and {{ doc(\"acme\", 'missing') }} after."
    )


def test_an_unclosed_docs_block_is_a_diagnostic_and_the_rest_are_read(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "dbt_project.yml": "name: acme\nversion: '1'\nprofile: acme\n",
            "models/docs.md": (
                "{% docs broken %}\nNever closed.\n\n{% docs fine %}\nStill read.\n{% enddocs %}\n"
            ),
            "models/_m.yml": (
                "version: 2\nmodels:\n  - name: m\n    description: '{{ doc(\"fine\") }}'\n"
                "    columns:\n      - name: x\n        description: '{{ doc(\"broken\") }}'\n"
            ),
            "models/m.sql": "select 1 as x",
        },
    )
    built = projects.build(root, load_config(root))
    m = relation(built, "model.acme.m")
    assert m.description == "Still read."
    column = m.column("x")
    assert column is not None and column.description == '{{ doc("broken") }}'
    found = [d for d in built.diagnostics if d.location.path == "models/docs.md"]
    assert [(d.location.line, "broken" in d.message) for d in found] == [(1, True)]
    assert built.coverage.diagnostics >= 1
