"""Change detection between two states of a project: each case builds a base and a head from
SQL text (or a copy of the bundled dbt example) and asserts the exact changes, nothing more."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from lineage import projects
from lineage.build import analyse_files
from lineage.changes import Change, ChangeKind, TypeCompatibility
from lineage.config import load_config
from lineage.diff import diff_projects
from lineage.entities import (
    ColumnRef,
    Consumer,
    ConsumerKind,
    Location,
    Owner,
    Project,
    ReadLevel,
)
from lineage.sources.sql_scripts import SourceFile

FIXTURES = Path(__file__).parent.parent / "fixtures"
USERS = "create table raw.users (id int, email text, country text, created_at date);\n"
ORDERS = "create table raw.orders (id int, user_id int, amount int);\n"


def build(sql: str, dialect: str = "postgres") -> Project:
    return analyse_files([SourceFile("a.sql", sql)], dialect)


def diff(base: str, head: str) -> tuple[Change, ...]:
    return diff_projects(build(base), build(head))


def found(changes: tuple[Change, ...]) -> list[tuple[str, str, str | None]]:
    return [(c.kind.value, c.relation, c.column) for c in changes]


def line_of(sql: str, text: str) -> int:
    return next(n for n, line in enumerate(sql.splitlines(), 1) if text in line)


def test_identical_states_have_no_change() -> None:
    sql = USERS + "create view v as select id, lower(email) as email from raw.users;"
    assert diff(sql, sql) == ()


# -- renames ------------------------------------------------------------------------------


def test_rename_column_statement_is_a_rename_and_a_reader_following_it_is_unchanged() -> None:
    base = USERS + "create view v as select id, email from raw.users;"
    head = (
        USERS
        + "alter table raw.users rename column email to email_address;\n"
        + "create view v as select id, email_address as email from raw.users;"
    )
    (change,) = diff(base, head)
    assert (change.kind, change.relation, change.column) == (
        ChangeKind.COLUMN_RENAMED,
        "raw.users",
        "email",
    )
    assert change.new_name == "email_address"
    assert change.reason == "renamed by RENAME COLUMN: `email` is now `email_address`"


def test_old_as_new_in_a_model_is_a_rename() -> None:
    base = USERS + (
        "create view v as select id, email from raw.users;\n"
        "create view w as select v.id, v.email from v;"
    )
    head = USERS + (
        "create view v as select id, email as contact_email from raw.users;\n"
        "create view w as select v.id, v.contact_email as email from v;"
    )
    (change,) = diff(base, head)
    assert (change.kind, change.relation, change.column, change.new_name) == (
        ChangeKind.COLUMN_RENAMED,
        "v",
        "email",
        "contact_email",
    )
    assert change.reason == "renamed: `email` is now `contact_email`, defined the same way"
    assert change.location == Location("a.sql", 2)


def test_dropping_a_column_and_adding_one_with_the_same_expression_is_a_rename() -> None:
    base = USERS + "create view v as select id, lower(email) as email_lower from raw.users;"
    head = USERS + "create view v as select id, LOWER( email ) as normalized from raw.users;"
    assert found(diff(base, head)) == [("column_renamed", "v", "email_lower")]


def test_a_different_expression_is_a_removal_and_an_addition() -> None:
    base = USERS + "create view v as select id, lower(email) as a from raw.users;"
    head = USERS + "create view v as select id, upper(email) as b from raw.users;"
    assert found(diff(base, head)) == [("column_removed", "v", "a"), ("column_added", "v", "b")]


def test_two_columns_with_one_definition_are_not_guessed() -> None:
    base = USERS + "create view v as select email as a, email as b from raw.users;"
    head = USERS + "create view v as select email as c, email as d from raw.users;"
    assert found(diff(base, head)) == [
        ("column_removed", "v", "a"),
        ("column_removed", "v", "b"),
        ("column_added", "v", "c"),
        ("column_added", "v", "d"),
    ]


def test_rename_to_is_a_relation_rename_and_readers_following_it_are_unchanged() -> None:
    base = USERS + "create view w as select id, email from raw.users;"
    head = (
        USERS
        + "alter table raw.users rename to people;\n"
        + "create view w as select id, email from raw.people;"
    )
    (change,) = diff(base, head)
    assert (change.kind, change.relation, change.new_name) == (
        ChangeKind.RELATION_RENAMED,
        "raw.users",
        "raw.people",
    )
    assert change.reason == "renamed by RENAME TO: `raw.users` is now `raw.people`"


def test_a_relation_defined_the_same_way_under_another_name_is_renamed() -> None:
    base = USERS + (
        "create view v as select id, lower(email) as email from raw.users where id > 0;\n"
        "create view w as select v.id, v.email from v;"
    )
    head = USERS + (
        "create view v2 as select id, lower(email) as email from raw.users where id > 0;\n"
        "create view w as select v2.id, v2.email from v2;"
    )
    (change,) = diff(base, head)
    assert (change.kind, change.relation, change.new_name) == (
        ChangeKind.RELATION_RENAMED,
        "v",
        "v2",
    )


def test_a_removed_relation_is_one_change_and_an_added_one_too() -> None:
    base = USERS + "create view old_view as select id, email from raw.users;"
    head = USERS + "create view new_view as select id, country from raw.users;"
    assert found(diff(base, head)) == [
        ("relation_added", "new_view", None),
        ("relation_removed", "old_view", None),
    ]


def test_a_statement_that_no_longer_parses_is_said_so() -> None:
    base = USERS + "create view v as select id from raw.users;"
    head = USERS + "create view v as select id from raw.users where;"
    (change,) = diff(base, head)
    assert change.kind is ChangeKind.RELATION_REMOVED
    assert "could not be analysed" in change.reason


# -- columns ------------------------------------------------------------------------------


def test_type_changes_are_classified() -> None:
    base = "create table t (a int, b numeric(12,2), c int, d varchar(10));"
    head = "create table t (a bigint, b numeric(10,2), c text, d varchar(10));"
    before, after = build(base), build(head)
    changes = diff_projects(before, after)
    assert found(changes) == [
        ("column_type_changed", "t", "a"),
        ("column_type_changed", "t", "b"),
        ("column_type_changed", "t", "c"),
    ]
    assert [c.compatibility for c in changes] == [
        TypeCompatibility.WIDENING,
        TypeCompatibility.NARROWING,
        TypeCompatibility.FAMILY_CHANGE,
    ]
    old, new = before.relations[0].columns[0], after.relations[0].columns[0]
    assert (changes[0].old_type, changes[0].new_type) == (old.data_type, new.data_type)
    assert changes[0].reason == f"type {old.data_type} -> {new.data_type}: widening"


def test_a_spelling_of_the_same_type_is_no_change() -> None:
    assert diff("create table t (a int4)", "create table t (a integer)") == ()


def test_nullability_changes_when_both_sides_declare_it() -> None:
    base = build("create table t (a int, b int)")
    relation = base.relations[0]
    declared = replace(
        relation, columns=tuple(replace(c, nullable=False) for c in relation.columns)
    )
    relaxed = replace(
        declared, columns=(replace(declared.columns[0], nullable=True), declared.columns[1])
    )
    unknown = replace(
        declared, columns=(replace(declared.columns[0], nullable=None), declared.columns[1])
    )
    (change,) = diff_projects(
        replace(base, relations=(declared,)), replace(base, relations=(relaxed,))
    )
    assert (change.kind, change.column, change.nullable) == (
        ChangeKind.COLUMN_NULLABILITY_CHANGED,
        "a",
        True,
    )
    assert change.reason == "`a` was NOT NULL, it is now nullable"
    assert (
        diff_projects(replace(base, relations=(declared,)), replace(base, relations=(unknown,)))
        == ()
    )


def test_a_dropped_column_still_read_downstream_is_the_only_change() -> None:
    base = USERS + "create view v as select id, email from raw.users;"
    head = (
        USERS
        + "alter table raw.users drop column email;\n"
        + ("create view v as select id, email from raw.users;")
    )
    (change,) = diff(base, head)
    assert (change.kind, change.relation, change.column) == (
        ChangeKind.COLUMN_REMOVED,
        "raw.users",
        "email",
    )


# -- expressions --------------------------------------------------------------------------


def test_an_expression_change() -> None:
    base = USERS + "create view v as select id, lower(trim(email)) as email from raw.users;"
    head = USERS + "create view v as select id, trim(email) as email from raw.users;"
    (change,) = diff(base, head)
    assert (change.kind, change.relation, change.column) == (
        ChangeKind.COLUMN_EXPRESSION_CHANGED,
        "v",
        "email",
    )
    assert (change.old_expression, change.new_expression) == (
        "LOWER(TRIM(users.email))",
        "TRIM(users.email)",
    )
    assert change.reason == "expression `LOWER(TRIM(users.email))` -> `TRIM(users.email)`"
    assert change.location == Location("a.sql", 2)


def test_an_expression_change_inside_a_cte() -> None:
    view = (
        "create view v as with cleaned as (select id, {} as e from raw.users)\n"
        "select cleaned.id, upper(cleaned.e) as email from cleaned;"
    )
    base = USERS + view.format("lower(email)")
    head = USERS + view.format("trim(email)")
    (change,) = diff(base, head)
    assert (change.kind, change.column) == (ChangeKind.COLUMN_EXPRESSION_CHANGED, "email")
    assert change.old_expression == "UPPER(cleaned.e) <- LOWER(users.email)"
    assert change.new_expression == "UPPER(cleaned.e) <- TRIM(users.email)"
    # reformatting the CTE is no change
    assert diff(base, USERS + view.format("LOWER( email ) /* as typed */")) == ()


def test_reading_another_column_with_the_same_text_is_an_expression_change() -> None:
    base = USERS + ORDERS + "create view v as select src.id from raw.users as src;"
    head = USERS + ORDERS + "create view v as select src.id from raw.orders as src;"
    (change,) = diff(base, head)
    assert change.reason == "expression `src.id` reads raw.orders.id instead of raw.users.id"


def test_formatting_comments_case_aliases_and_reordering_are_no_change() -> None:
    base = (
        USERS
        + ORDERS
        + (
            "create view v as select u.id, lower(u.email) as email, sum(o.amount) as total\n"
            "from raw.users u join raw.orders o on u.id = o.user_id\n"
            "where u.country = 'DE' and u.created_at > '2020-01-01'\n"
            "group by u.id, u.email;"
        )
    )
    head = (
        USERS
        + ORDERS
        + (
            "CREATE VIEW v AS\n"
            "  SELECT users.ID, LOWER( users.Email ) AS email, -- normalized\n"
            "         SUM(orders.amount) AS total\n"
            "  FROM raw.users AS users\n"
            "  JOIN raw.orders AS orders ON (orders.user_id = users.id)\n"
            "  WHERE users.created_at > '2020-01-01' AND ('DE' = users.country)\n"
            "  GROUP BY users.email, users.id;"
        )
    )
    assert diff(base, head) == ()


# -- rows ---------------------------------------------------------------------------------


def test_a_filter_change() -> None:
    base = USERS + "create view v as select id from raw.users where country = 'DE';"
    head = USERS + "create view v as select id from raw.users where country = 'FR';"
    (change,) = diff(base, head)
    assert (change.kind, change.relation, change.column) == (ChangeKind.FILTER_CHANGED, "v", None)
    assert (change.old_expression, change.new_expression) == (
        "WHERE users.country = 'DE'",
        "WHERE users.country = 'FR'",
    )


def test_a_filter_added_and_one_removed() -> None:
    plain = USERS + "create view v as select id from raw.users;"
    filtered = USERS + "create view v as\nselect id from raw.users\nwhere country = 'DE';"
    (added,) = diff(plain, filtered)
    assert (added.kind, added.old_expression) == (ChangeKind.FILTER_CHANGED, None)
    assert added.reason == "filter added: `WHERE users.country = 'DE'`"
    assert added.location == Location("a.sql", line_of(filtered, "where country"))
    (removed,) = diff(filtered, plain)
    assert (removed.new_expression, removed.reason) == (
        None,
        "filter removed: `WHERE users.country = 'DE'`",
    )


def test_a_join_change() -> None:
    view = "create view v as select o.id, u.email from raw.orders o join raw.users u on {};"
    base = USERS + ORDERS + view.format("u.id = o.user_id")
    head = USERS + ORDERS + view.format("u.id = o.id")
    assert found(diff(base, head)) == [("join_changed", "v", None)]


def test_a_grain_change() -> None:
    view = "create view v as select country, count(*) as n from raw.users group by {};"
    base, head = USERS + view.format("country"), USERS + view.format("country, id")
    assert found(diff(base, head)) == [("grain_changed", "v", None)]


def test_an_order_change() -> None:
    view = "create view v as select id from raw.users order by {} limit 3;"
    base, head = USERS + view.format("created_at"), USERS + view.format("created_at desc")
    assert found(diff(base, head)) == [("order_changed", "v", None)]


# -- contracts and consumers --------------------------------------------------------------


def test_a_contract_enforced() -> None:
    base = build(USERS + "create view v as select id from raw.users;")
    head = replace(
        base,
        relations=tuple(replace(r, contract=r.name == "v") for r in base.relations),
    )
    (change,) = diff_projects(base, head)
    assert (change.kind, change.relation, change.reason) == (
        ChangeKind.CONTRACT_CHANGED,
        "v",
        "contract enforced",
    )
    assert diff_projects(head, base)[0].reason == "contract no longer enforced"


def consumer(
    key: str, reads: tuple[ColumnRef, ...], level: ReadLevel = ReadLevel.COLUMN, owner: str = "a"
) -> Consumer:
    return Consumer(
        key, ConsumerKind.DASHBOARD, key, Owner(owner), level, reads, Location("bi.yml", 1)
    )


def test_consumer_changes() -> None:
    project = build(USERS + "create view v as select id, email, country from raw.users;")
    email, country = ColumnRef("v", "email"), ColumnRef("v", "country")
    every = tuple(ColumnRef("v", c) for c in ("country", "email", "id"))
    base = replace(
        project,
        consumers=(
            consumer("a", (email,)),
            consumer("b", every, ReadLevel.MODEL),
            consumer("c", (email,)),
            consumer("d", every, ReadLevel.MODEL),
        ),
    )
    head = replace(
        project,
        consumers=(
            consumer("a", (country,)),
            consumer("b", every, ReadLevel.MODEL, owner="b"),
            consumer("d", every, ReadLevel.MODEL),
            consumer("e", (email,)),
        ),
    )
    changes = diff_projects(base, head)
    assert [(c.kind.value, c.relation, c.consumer) for c in changes] == [
        ("consumer_added", "v", "e"),
        ("consumer_changed", "v", "a"),
        ("consumer_changed", "v", "b"),
        ("consumer_removed", "v", "c"),
    ]
    assert changes[1].reason == "the consumer `a` now reads v.country and no longer reads v.email"
    assert changes[2].reason == "the consumer `b` has a new owner: a -> b"


def test_a_consumer_following_a_rename_or_losing_a_removed_column_is_unchanged() -> None:
    base = build(USERS + "create view v as select id, email, country from raw.users;")
    head = build(USERS + "create view v as select id, email as contact from raw.users;")
    base = replace(base, consumers=(consumer("a", (ColumnRef("v", "email"),)),
                                    consumer("b", (ColumnRef("v", "country"),))))  # fmt: skip
    head = replace(head, consumers=(consumer("a", (ColumnRef("v", "contact"),)),
                                    consumer("b", ())))  # fmt: skip
    assert found(diff_projects(base, head)) == [
        ("column_removed", "v", "country"),
        ("column_renamed", "v", "email"),
    ]


def test_changes_are_sorted_and_deterministic() -> None:
    base = USERS + "create view v as select id, lower(email) as a, country from raw.users;"
    head = USERS + "create view v as select id, upper(email) as b, id as n from raw.users;"
    first, second = diff(base, head), diff(base, head)
    assert first == second
    assert list(first) == sorted(first, key=lambda c: c.sort_key)


# -- earlier names recorded by the catalog ------------------------------------------------


def test_the_catalog_records_earlier_names() -> None:
    project = build(
        USERS
        + "alter table raw.users rename column email to email_address;\n"
        + "alter table raw.users rename to people;\n"
        + "alter table raw.people rename column email_address to login;"
    )
    (people,) = project.relations
    assert (people.name, people.former_names) == ("raw.people", ("raw.users",))
    login = people.column("login")
    assert login is not None and login.former_names == ("email", "email_address")
    assert people.column("id") is not None and people.column("id").former_names == ()  # type: ignore[union-attr]


def test_an_application_rename_is_an_earlier_name() -> None:
    root = FIXTURES / "shop"
    project = projects.build(root, load_config(root))
    users = project.relation("app:shop.users")
    assert users is not None
    email = users.column("email")
    assert email is not None and email.former_names == ("email_address",)


# -- a dbt project ------------------------------------------------------------------------


def _copy_example(folder: Path) -> Path:
    (folder / ".git").mkdir(parents=True)  # the applications are inside the repository
    for name in ("shop", "shop_app"):
        shutil.copytree(FIXTURES / name, folder / name, ignore=shutil.ignore_patterns("target"))
    return folder / "shop"


def _build(root: Path) -> Project:
    return projects.build(root, load_config(root))


@pytest.fixture(scope="module")
def shop_base(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return _build(_copy_example(tmp_path_factory.mktemp("base")))


def test_identical_copies_of_the_dbt_example_have_no_change(
    shop_base: Project, tmp_path: Path
) -> None:
    assert diff_projects(shop_base, _build(_copy_example(tmp_path))) == ()


def test_dropping_a_model_column_and_changing_a_where(shop_base: Project, tmp_path: Path) -> None:
    root = _copy_example(tmp_path)
    model = root / "models/staging/app/stg_app__users.sql"
    sql = model.read_text()
    assert "        created_at as signed_up_at,\n        updated_at\n" in sql
    sql = sql.replace("signed_up_at,\n        updated_at\n", "signed_up_at\n")
    sql = sql.replace("where not is_deleted\n", "where not is_deleted and created_at is not null\n")
    model.write_text(sql)
    changes = diff_projects(shop_base, _build(root))
    assert found(changes) == [
        ("filter_changed", "model.shop.stg_app__users", None),
        ("column_removed", "model.shop.stg_app__users", "updated_at"),
    ]
    filtered, removed = changes
    assert removed.reason == "stg_app__users.updated_at is removed"
    assert (filtered.old_expression, filtered.new_expression) == (
        "WHERE NOT source.is_deleted",
        "WHERE NOT source.is_deleted AND source.created_at IS NOT NULL",
    )
    path = "models/staging/app/stg_app__users.sql"
    assert filtered.location == Location(path, line_of(sql, "where not is_deleted"))


def test_a_model_that_no_longer_parses_is_not_reported_as_losing_its_columns(
    shop_base: Project, tmp_path: Path
) -> None:
    root = _copy_example(tmp_path)
    model = root / "models/staging/app/stg_app__users.sql"
    model.write_text(model.read_text().replace("where not is_deleted", "where not and"))
    head = _build(root)
    assert any(b.target == ColumnRef("model.shop.stg_app__users", None) for b in head.blind_spots)
    assert diff_projects(shop_base, head) == ()
