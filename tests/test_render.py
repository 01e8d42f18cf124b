"""The sandboxed dbt Jinja renderer: dbt's context, macros, dispatch and fallbacks."""

from __future__ import annotations

from typing import Any

import pytest
import sqlglot

from lineage.entities import DiagnosticCode
from lineage.render import RelationRef, Renderer, RenderResult
from lineage.sources.dbt.nodes import DbtNode, DbtProject, MacroFile, ResourceType, SourceTable

COLUMNS = {
    "orders": [("id", "integer"), ("Email", "text"), ("amount", "numeric")],
    "customers": [("id", "integer"), ("name", None)],
}


class FakeResolver:
    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def ref(
        self, package: str | None, name: str, version: str | None, caller: DbtNode
    ) -> RelationRef | None:
        self.calls.append(("ref", package, name, version))
        if name == "missing":
            return None
        suffix = f"_v{version}" if version else ""
        return RelationRef(f"model.shop.{name}", "analytics", "dbt", name + suffix)

    def source(self, source_name: str, table_name: str, caller: DbtNode) -> RelationRef | None:
        if source_name == "nope":
            return None
        return RelationRef(
            f"source.shop.{source_name}.{table_name}", "raw", source_name, table_name
        )

    def columns(self, relation: RelationRef) -> list[tuple[str, str | None]] | None:
        return COLUMNS.get(relation.identifier)


def make_project(macros: dict[str, str] | None = None, **overrides: Any) -> DbtProject:
    files = []
    for key, text in (macros or {}).items():
        package, _, path = key.partition(":")
        files.append(MacroFile(package, path, text))
    fields: dict[str, Any] = {
        "name": "shop", "root": "/project", "profile": "shop", "version_config": {}, "vars": {},
        "dispatch": (), "quoting": {}, "packages": (), "nodes": (), "sources": (),
        "exposures": (), "groups": (), "semantic_models": (), "metrics": (),
        "macro_files": tuple(files), "diagnostics": (),
    }  # fmt: skip
    fields.update(overrides)
    return DbtProject(**fields)


def make_node(sql: str, **overrides: Any) -> DbtNode:
    fields: dict[str, Any] = {
        "unique_id": "model.shop.m", "resource_type": ResourceType.MODEL, "package": "shop",
        "name": "m", "path": "models/m.sql", "raw_code": sql,
    }  # fmt: skip
    fields.update(overrides)
    return DbtNode(**fields)


def make_renderer(
    macros: dict[str, str] | None = None, dialect: str = "postgres", **kwargs: Any
) -> Renderer:
    project_fields = {
        k: kwargs.pop(k) for k in list(kwargs) if k in DbtProject.__dataclass_fields__
    }
    return Renderer(make_project(macros, **project_fields), dialect, FakeResolver(), **kwargs)


def render(
    sql: str, macros: dict[str, str] | None = None, dialect: str = "postgres", **kw: Any
) -> RenderResult:
    node_fields = {k: kw.pop(k) for k in list(kw) if k in ("config", "version", "package", "name")}
    renderer = make_renderer(macros, dialect, **kw)
    node = make_node(sql, **node_fields)
    return renderer.render(node, renderer.parse(node).config)


def sql_of(
    sql: str, macros: dict[str, str] | None = None, dialect: str = "postgres", **kw: Any
) -> str:
    result = render(sql, macros, dialect, **kw)
    assert result.sql is not None, result.diagnostics
    return result.sql.strip()


def codes(result: RenderResult) -> list[DiagnosticCode]:
    return [d.code for d in result.diagnostics]


# -- ref, source, this, config ------------------------------------------------------------


def test_ref_one_and_two_arguments_and_versions() -> None:
    assert sql_of("{{ ref('orders') }}") == "analytics.dbt.orders"
    assert sql_of("{{ ref('shop', 'orders') }}") == "analytics.dbt.orders"
    assert sql_of("{{ ref('orders', v=2) }}") == "analytics.dbt.orders_v2"
    assert sql_of("{{ ref('orders', version='3') }}") == "analytics.dbt.orders_v3"


def test_parse_records_refs_sources_and_config() -> None:
    renderer = make_renderer()
    node = make_node(
        "{{ config(materialized='incremental', tags=['a']) }}"
        "{{ config({'unique_key': 'id'}) }}"
        "select * from {{ ref('shop', 'orders', v=1) }} join {{ source('app', 'users') }}",
        config={"tags": ["base"], "schema": "marts"},
    )
    parsed = renderer.parse(node)
    assert parsed.refs == (("shop", "orders", "1"),)
    assert parsed.sources == (("app", "users"),)
    assert parsed.config == {
        "tags": ["base", "a"], "schema": "marts", "materialized": "incremental", "unique_key": "id",
    }  # fmt: skip
    assert parsed.diagnostics == ()
    assert node.config == {"tags": ["base"], "schema": "marts"}  # never mutated


def test_parse_does_not_call_the_resolver() -> None:
    renderer = make_renderer()
    resolver = renderer._settings.resolver
    renderer.parse(make_node("{{ ref('orders') }} {{ execute }}"))
    assert isinstance(resolver, FakeResolver) and resolver.calls == []


def test_unknown_ref_and_source_are_diagnostics() -> None:
    result = render("select * from {{ ref('missing') }}\njoin {{ source('nope', 't') }}")
    assert codes(result) == [DiagnosticCode.UNKNOWN_RELATION] * 2
    assert [d.location.line for d in result.diagnostics] == [1, 2]
    assert result.sql == 'select * from "analytics"."dbt"."missing"\njoin "analytics"."nope"."t"'


def test_this_and_relation_naming() -> None:
    assert sql_of("{{ this }}") == '"analytics"."dbt"."m"'
    assert sql_of("{{ this }}", config={"schema": "marts"}) == '"analytics"."dbt_marts"."m"'
    assert sql_of("{{ this.identifier }} {{ this.name }} {{ this.schema }}") == "m m dbt"
    assert sql_of("{{ this }}", dialect="snowflake") == "analytics.dbt.m"
    assert sql_of("{{ this }}", dialect="bigquery") == "`analytics`.`dbt`.`m`"
    assert sql_of("{{ this }}", quoting={"database": False, "schema": False}) == 'analytics.dbt."m"'


def test_relation_uses_alias_and_version() -> None:
    renderer = make_renderer()
    node = make_node("select 1", version="2")
    assert renderer.relation(node, {}).identifier == "m_v2"
    assert renderer.relation(node, {"alias": "orders"}).identifier == "orders"
    assert renderer.relation(node, {"database": "raw"}).database == "raw"


def test_generate_schema_name_override() -> None:
    macros = {
        "shop:macros/schema.sql": (
            "{% macro generate_schema_name(custom_schema_name, node) -%}\n"
            "  {%- if custom_schema_name -%}{{ custom_schema_name | trim }}"
            "{%- else -%}{{ target.schema }}{%- endif -%}\n"
            "{%- endmacro %}"
        )
    }
    renderer = make_renderer(macros)
    assert renderer.relation(make_node(""), {"schema": "marts"}).schema == "marts"
    assert renderer.relation(make_node(""), {}).schema == "dbt"


def test_generate_alias_name_override_in_the_nodes_package() -> None:
    macros = {
        "pkg:macros/alias.sql": (
            "{% macro generate_alias_name(custom_alias_name, node) %}"
            "pkg_{{ node.name }}{% endmacro %}"
        )
    }
    renderer = make_renderer(macros, packages=("pkg",))
    assert renderer.relation(make_node("", package="pkg"), {}).identifier == "pkg_m"
    assert renderer.relation(make_node(""), {}).identifier == "m"


def test_source_relation_quoting() -> None:
    renderer = make_renderer()
    table = SourceTable("source.shop.app.users", "shop", "app", "users", "raw", "app", "Users",
                        quoting={"identifier": False, "database": False})  # fmt: skip
    assert str(renderer.source_relation(table)) == 'raw."app".Users'


def test_config_get_and_require() -> None:
    assert sql_of("{{ config.get('materialized', 'view') }}") == "view"
    assert sql_of("{{ config.get('materialized') }}", config={"materialized": "table"}) == "table"
    result = render("{{ config.require('unique_key') }}")
    assert result.sql is None and "unique_key" in result.diagnostics[0].message


# -- var, env_var, target, is_incremental ------------------------------------------------------


def test_var_defaults_overrides_and_scopes() -> None:
    vars_ = {"start": "2020-01-01", "shop": {"region": "eu"}, "pkg": {"region": "us"}}
    assert sql_of("{{ var('start') }}", vars=vars_) == "2020-01-01"
    assert sql_of("{{ var('region') }}", vars=vars_, packages=("pkg",)) == "eu"
    assert sql_of("{{ var('other', 'x') }}", vars=vars_) == "x"
    assert sql_of("{{ var('start') }}", vars=vars_, vars_override={"start": "2021"}) == "2021"


def test_missing_var_fails_the_node() -> None:
    result = render("select 1\nwhere d > '{{ var('start_date') }}'")
    assert result.sql is None
    (diagnostic,) = result.diagnostics
    assert diagnostic.code is DiagnosticCode.ANALYSIS_ERROR
    assert "start_date" in diagnostic.message and diagnostic.location.line == 2


def test_env_var() -> None:
    assert sql_of("{{ env_var('SCHEMA') }}", env={"SCHEMA": "prod"}) == "prod"
    assert sql_of("{{ env_var('SCHEMA', 'dev') }}") == "dev"
    result = render("{{ env_var('SCHEMA') }}")
    assert result.sql == "SCHEMA" and codes(result) == [DiagnosticCode.CONFIG_ERROR]
    secret = render("{{ env_var('DBT_ENV_SECRET_KEY') }}", env={"DBT_ENV_SECRET_KEY": "s3cr3t"})
    assert "s3cr3t" not in (secret.sql or "") and codes(secret) == [DiagnosticCode.CONFIG_ERROR]


def test_target() -> None:
    assert sql_of("{{ target.name }} {{ target.type }} {{ target.schema }}") == "dev postgres dbt"
    assert sql_of("{{ target.type }}", dialect="tsql") == "sqlserver"
    assert sql_of("{{ target.database }}", target_database="db") == "db"


@pytest.mark.parametrize(
    ("incremental", "materialized", "expected"),
    [(False, "incremental", "full"), (True, "incremental", "incr"), (True, "table", "full")],
)
def test_is_incremental(incremental: bool, materialized: str, expected: str) -> None:
    sql = "{{ config(materialized='" + materialized + "') }}"
    sql += "{% if is_incremental() %}incr{% else %}full{% endif %}"
    assert sql_of(sql, incremental=incremental) == expected


def test_execute_is_false_in_parse_and_true_in_render() -> None:
    renderer = make_renderer()
    node = make_node("{% if execute %}{{ config(seen=true) }}{% endif %}")
    assert "seen" not in renderer.parse(node).config
    assert renderer.render(node, {}).sql == ""


# -- macros, packages, dispatch, overrides ---------------------------------------------------


def test_project_macro_with_return() -> None:
    macros = {"shop:macros/m.sql": (
        "{% macro cents(col) %}({{ col }} / 100.0){% endmacro %}\n"
        "{% macro pick(x) %}{{ return({'a': x}) }}{% endmacro %}"
    )}  # fmt: skip
    assert sql_of("{{ cents('amount') }} {{ pick(1)['a'] + 1 }}", macros) == "(amount / 100.0) 2"


def test_package_macro_called_with_its_namespace() -> None:
    macros = {
        "pkg:macros/p.sql": "{% macro greet(x) %}{{ helper() }} {{ x }}{% endmacro %}"
        "{% macro helper() %}hello{% endmacro %}",
        "shop:macros/m.sql": "{% macro helper() %}root-helper{% endmacro %}",
    }
    assert sql_of("{{ pkg.greet('you') }}", macros, packages=("pkg",)) == "hello you"


def test_dispatch_prefers_adapter_then_default_and_search_order() -> None:
    macros = {
        "pkg:macros/d.sql": (
            "{% macro fmt(x) %}{{ return(adapter.dispatch('fmt', 'pkg')(x)) }}{% endmacro %}"
            "{% macro default__fmt(x) %}pkg-default {{ x }}{% endmacro %}"
            "{% macro snowflake__fmt(x) %}pkg-snowflake {{ x }}{% endmacro %}"
        ),
        "shim:macros/s.sql": "{% macro default__fmt(x) %}shim {{ x }}{% endmacro %}",
    }
    assert sql_of("{{ pkg.fmt(1) }}", macros, packages=("pkg", "shim")) == "pkg-default 1"
    assert sql_of("{{ pkg.fmt(1) }}", macros, "snowflake", packages=("pkg",)) == "pkg-snowflake 1"
    order = (("pkg", ("shim", "pkg")),)
    assert sql_of("{{ pkg.fmt(1) }}", macros, "snowflake", dispatch=order) == "shim 1"
    root = {**macros, "shop:macros/r.sql": "{% macro postgres__fmt(x) %}root {{ x }}{% endmacro %}"}
    assert sql_of("{{ pkg.fmt(1) }}", root) == "root 1"


def test_dispatch_parent_adapter() -> None:
    macros = {"shop:macros/d.sql": (
        "{% macro postgres__f() %}pg{% endmacro %}{% macro default__f() %}default{% endmacro %}"
    )}  # fmt: skip
    assert sql_of("{{ adapter.dispatch('f')() }}", macros, "redshift") == "pg"
    assert sql_of("{{ adapter.dispatch('f')() }}", macros, "snowflake") == "default"
    result = render("{{ adapter.dispatch('g')() }}", macros)
    assert result.sql is None and "g" in result.diagnostics[0].message


def test_ref_override_wraps_builtins_ref() -> None:
    macros = {"shop:macros/ref.sql": (
        "{% macro ref(name) %}{% set rel = builtins.ref(name) %}"
        "{{ return(rel.include(database=False)) }}{% endmacro %}"
    )}  # fmt: skip
    assert sql_of("{{ ref('orders') }}", macros) == "dbt.orders"


def test_source_override() -> None:
    macros = {"shop:macros/source.sql": (
        "{% macro source(s, t) %}{{ return(builtins.source(s, 'x_' ~ t)) }}{% endmacro %}"
    )}  # fmt: skip
    assert sql_of("{{ source('app', 'users') }}", macros) == "raw.app.x_users"


def test_unknown_macro_fails_only_that_node() -> None:
    renderer = make_renderer()
    bad = renderer.render(make_node("select\n{{ dbt_utils.nonexistent() }}"), {})
    assert bad.sql is None and "dbt_utils.nonexistent" in bad.diagnostics[0].message
    assert bad.diagnostics[0].location.line == 2
    unknown = renderer.render(make_node("{{ my_macro() }}"), {})
    assert "my_macro" in unknown.diagnostics[0].message
    assert renderer.render(make_node("select 1"), {}).sql == "select 1"


def test_raise_compiler_error_and_warn() -> None:
    result = render("{{ exceptions.raise_compiler_error('bad input') }}")
    assert result.sql is None and result.diagnostics[0].message == "bad input"
    warned = render("{{ exceptions.warn('careful') }}ok")
    assert warned.sql == "ok" and "careful" in warned.diagnostics[0].message


def test_jinja_syntax_error_has_the_template_line() -> None:
    result = render("select 1\nfrom t\n{% if x %}\n")
    (diagnostic,) = result.diagnostics
    assert result.sql is None and diagnostic.code is DiagnosticCode.PARSE_ERROR
    assert diagnostic.location.line == 3 and diagnostic.location.path == "models/m.sql"


def test_syntax_error_in_a_macro_file_is_reported_once() -> None:
    renderer = make_renderer({"shop:macros/bad.sql": "{% macro x( %}"})
    assert [d.code for d in renderer.diagnostics] == [DiagnosticCode.PARSE_ERROR]
    assert renderer.render(make_node("ok"), {}).sql == "ok"


def test_snapshot_block_and_test_block() -> None:
    snap = (
        "{% snapshot s %}{{ config(unique_key='id') }}"
        "select * from {{ ref('orders') }}{% endsnapshot %}"
    )
    assert sql_of(snap) == "select * from analytics.dbt.orders"
    macros = {"shop:tests/generic/t.sql": "{% test positive(model, column_name) %}x{% endtest %}"}
    assert sql_of("{{ test_positive('m', 'c') }}", macros) == "x"


# -- adapter, api, run_query ------------------------------------------------------------------


def test_get_columns_in_relation_through_the_resolver() -> None:
    sql = (
        "{% for c in adapter.get_columns_in_relation(ref('orders')) %}"
        "{{ c.name }}:{{ c.data_type }}:{{ c.quoted }} {% endfor %}"
    )
    assert sql_of(sql) == 'id:integer:"id" Email:text:"Email" amount:numeric:"amount"'
    unknown = render("{{ adapter.get_columns_in_relation(ref('unknown')) | length }}")
    assert unknown.sql == "0" and "unknown" in unknown.diagnostics[0].message


def test_api_relation_and_adapter_helpers() -> None:
    sql = (
        "{{ api.Relation.create(database='d', schema='s', identifier='t') }} "
        "{{ adapter.quote('x') }}"
    )
    assert sql_of(sql) == '"d"."s"."t" "x"'
    assert (
        sql_of("{{ adapter.type() }} {{ api.Column.translate_type('string') }}", dialect="bigquery")
        == "bigquery string"
    )


def test_run_query_and_statement_are_empty_with_a_diagnostic() -> None:
    sql = (
        "{% set r = run_query('select 1') %}{{ r.columns[0].values() | length }}"
        "{% call statement('s', fetch_result=True) %}select 1{% endcall %}"
        "{{ load_result('s')['data'] | length }}"
    )
    result = render(sql)
    assert result.sql == "00" and codes(result) == [DiagnosticCode.CONFIG_ERROR] * 2


def test_pure_builtins() -> None:
    assert sql_of("{{ tojson({'a': [1, 2]}) }}") == '{"a": [1, 2]}'
    assert sql_of("{{ fromjson('{\"a\": 1}')['a'] }}") == "1"
    assert sql_of("{{ fromyaml('a: [1, 2]')['a'][1] }}") == "2"
    assert sql_of("{{ toyaml({'a': 1}) }}") == "a: 1"
    assert sql_of("{{ local_md5('abc') }}") == "900150983cd24fb0d6963f7d28e17f72"
    assert (
        sql_of("{{ set([1, 1, 2]) | length }} {{ zip([1, 2], ['a', 'b']) | list }}")
        == "2 [(1, 'a'), (2, 'b')]"
    )
    assert (
        sql_of("{{ modules.re.sub('a', 'b', 'aa') }} {{ modules.datetime.date(2020, 1, 2) }}")
        == "bb 2020-01-02"
    )
    assert sql_of("{{ modules.itertools.chain([1], [2]) | list }}") == "[1, 2]"
    assert sql_of("{{ log('x', info=true) }}{{ print('y') }}done") == "done"
    assert sql_of("{% set ns = [] %}{% do ns.append(1) %}{{ ns }}") == "[1]"


# -- cross-database macros ---------------------------------------------------------------------

CROSS_DB = {
    "dateadd": "{{ dbt.dateadd('day', 1, 'created_at') }}",
    "datediff": "{{ dbt.datediff('a', 'b', 'day') }}",
    "date_trunc": "{{ dbt.date_trunc('month', 'created_at') }}",
    "last_day": "{{ dbt.last_day('created_at', 'month') }}",
    "concat": "{{ dbt.concat(['a', \"'-'\", 'b']) }}",
    "safe_cast": "{{ dbt.safe_cast('a', dbt.type_int()) }}",
    "hash": "{{ dbt.hash('a') }}",
    "split_part": "{{ dbt.split_part('a', \"','\", 2) }}",
    "listagg": "{{ dbt.listagg('a', \"','\", 'order by b') }}",
    "any_value": "{{ dbt.any_value('a') }}",
    "bool_or": "{{ dbt.bool_or('a') }}",
    "position": "{{ dbt.position(\"'x'\", 'a') }}",
    "replace": "{{ dbt.replace('a', \"'x'\", \"'y'\") }}",
    "right": "{{ dbt.right('a', 2) }}",
    "length": "{{ dbt.length('a') }}",
    "string_literal": '{{ dbt.string_literal("it\'s") }}',
    "cast_bool_to_text": "{{ dbt.cast_bool_to_text('a') }}",
    "types": "cast(a as {{ dbt.type_string() }}), cast(a as {{ dbt.type_bigint() }}), "
    "cast(a as {{ dbt.type_float() }}), cast(a as {{ dbt.type_numeric() }}), "
    "cast(a as {{ dbt.type_timestamp() }}), cast(a as {{ dbt.type_boolean() }})",
}


@pytest.mark.parametrize("dialect", ["postgres", "snowflake", "bigquery", "duckdb", "databricks"])
@pytest.mark.parametrize("macro", sorted(CROSS_DB))
def test_cross_database_macros_render_valid_sql(dialect: str, macro: str) -> None:
    sql = sql_of(f"select {CROSS_DB[macro]} as x from t", dialect=dialect)
    sqlglot.parse_one(sql, read=dialect)


@pytest.mark.parametrize(
    ("dialect", "expected"),
    [
        ("postgres", "created_at + ((interval '1 day') * (1))"),
        ("snowflake", "dateadd(day, 1, created_at)"),
        ("bigquery", "datetime_add(cast(created_at as datetime), interval (1) day)"),
        ("duckdb", "created_at + ((interval '1 day') * (1))"),
        ("databricks", "dateadd(day, 1, created_at)"),
    ],
)
def test_dateadd_per_adapter(dialect: str, expected: str) -> None:
    assert sql_of(CROSS_DB["dateadd"], dialect=dialect) == expected
    assert sql_of(CROSS_DB["dateadd"].replace("dbt.", "dbt_utils."), dialect=dialect) == expected


def test_cross_database_macro_overridden_by_the_project() -> None:
    macros = {
        "shop:macros/d.sql": "{% macro postgres__dateadd(p, i, f) %}mine({{ f }}){% endmacro %}"
    }
    assert (
        sql_of("{{ dbt.dateadd('day', 1, 'x') }} {{ dateadd('day', 1, 'y') }}", macros)
        == "mine(x) mine(y)"
    )


def test_string_helpers() -> None:
    assert sql_of('{{ dbt.string_literal("it\'s") }}') == "'it''s'"
    assert sql_of('{{ dbt.escape_single_quotes("it\'s") }}', dialect="bigquery") == "it\\'s"
    assert sql_of("{{ dbt.type_string() }}", dialect="bigquery") == "string"


# -- dbt_utils fallbacks -------------------------------------------------------------------------


def test_star_with_except_prefix_and_alias() -> None:
    assert sql_of("{{ dbt_utils.star(ref('orders'), except=['email']) }}") == '"id",\n  "amount"'
    sql = (
        "{{ dbt_utils.star(from=ref('orders'), relation_alias='o', prefix='o_', "
        "quote_identifiers=False) }}"
    )
    assert sql_of(sql) == "o.id as o_id,\n  o.Email as o_Email,\n  o.amount as o_amount"


def test_star_without_known_columns_is_a_star_and_a_diagnostic() -> None:
    result = render("select {{ dbt_utils.star(ref('unknown'), relation_alias='u') }} from x")
    assert result.sql == "select u.* from x" and len(result.diagnostics) == 1


def test_star_in_parse_is_a_star() -> None:
    renderer = make_renderer()
    assert renderer.parse(make_node("{{ dbt_utils.star(ref('orders')) }}")).diagnostics == ()


def test_installed_dbt_utils_wins_over_the_fallback() -> None:
    macros = {"dbt_utils:macros/star.sql": "{% macro star(from) %}installed{% endmacro %}"}
    assert (
        sql_of("{{ dbt_utils.star(ref('orders')) }}", macros, packages=("dbt_utils",))
        == "installed"
    )


def test_generate_surrogate_key() -> None:
    expected = (
        "md5(cast(concat(coalesce(cast(a as text), '_dbt_utils_surrogate_key_null_'), '-', "
        "coalesce(cast(b as text), '_dbt_utils_surrogate_key_null_')) as text))"
    )
    assert sql_of("{{ dbt_utils.generate_surrogate_key(['a', 'b']) }}") == expected
    old = sql_of("{{ dbt_utils.surrogate_key(['a']) }}", dialect="snowflake")
    assert old == "md5(cast(concat(coalesce(cast(a as varchar), '')) as varchar))"


def test_union_relations_with_source_column() -> None:
    sql = sql_of(
        "{{ dbt_utils.union_relations([ref('orders'), ref('customers')], "
        "source_column_name='src') }}"
    )
    tree = sqlglot.parse_one(sql, read="postgres")
    assert [s.alias_or_name for s in tree.find_all(sqlglot.exp.Select).__next__().expressions] == [
        "src", "id", "Email", "amount", "name",
    ]  # fmt: skip
    assert 'cast(null as text) as "name"' in sql and "'analytics.dbt.orders'" in sql


def test_date_spine_pivot_unpivot_deduplicate_safe_add_group_by() -> None:
    spine = sql_of("{{ dbt_utils.date_spine('day', \"'2020-01-01'\", \"'2021-01-01'\") }}")
    assert sqlglot.parse_one(spine, read="postgres").named_selects == ["date_day"]
    pivot = sql_of("{{ dbt_utils.pivot('size', ['S', 'M']) }}")
    assert (
        pivot == "sum(case when size = 'S' then 1 else 0 end) as \"S\",\n  "
        "sum(case when size = 'M' then 1 else 0 end) as \"M\""
    )
    unpivot = sql_of("{{ dbt_utils.unpivot(ref('customers'), cast_to='text', exclude=['id']) }}")
    assert sqlglot.parse_one(unpivot, read="postgres").named_selects == [
        "id",
        "field_name",
        "value",
    ]
    for dialect in ("postgres", "snowflake", "bigquery", "duckdb", "databricks"):
        dedup = sql_of(
            "{{ dbt_utils.deduplicate(ref('orders'), 'id', 'amount desc') }}", dialect=dialect
        )
        sqlglot.parse_one(dedup, read=dialect)
    assert sql_of("{{ dbt_utils.safe_add(['a', 'b']) }}") == "coalesce(a, 0) +\ncoalesce(b, 0)"
    assert sql_of("{{ dbt_utils.group_by(3) }}") == "group by 1,2,3"


def test_get_column_values_is_empty_with_a_diagnostic() -> None:
    result = render(
        "{% for v in dbt_utils.get_column_values(ref('orders'), 'status') %}{{ v }}{% endfor %}x"
    )
    assert result.sql == "x" and len(result.diagnostics) == 1
    assert (
        sql_of("{{ dbt_utils.get_column_values(ref('o'), 's', default=['a']) | join(',') }}") == "a"
    )
