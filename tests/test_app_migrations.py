"""SQL migrations and schema dumps: ordering per convention, conflicts, DDL replay."""

from __future__ import annotations

from pathlib import Path

from lineage.entities import Severity
from lineage.sources.app.migrations import read_migrations
from lineage.sources.app.tables import AppFormat, AppSchema, AppTable


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def _table(schema: AppSchema, name: str) -> AppTable:
    return next(t for t in schema.tables if t.name == name)


def _columns(schema: AppSchema, name: str) -> dict[str, tuple[str | None, bool | None]]:
    return {c.name: (c.data_type, c.nullable) for c in _table(schema, name).columns}


def _errors(schema: AppSchema) -> list[str]:
    return [d.message for d in schema.diagnostics if d.severity == Severity.ERROR]


def test_flyway_versions_compare_numerically_repeatables_last_undo_ignored(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "V1_10__late.sql": "ALTER TABLE t ADD COLUMN c int;",
            "V1_2__early.sql": "ALTER TABLE t ADD COLUMN b int;",
            "V1__init.sql": "CREATE TABLE t (a int);",
            "R__view.sql": "CREATE VIEW v AS SELECT a, c FROM t;",
            "U1_10__undo.sql": "ALTER TABLE t DROP COLUMN c;",
            "sub/V2__more.sql": "ALTER TABLE t ADD COLUMN d int;",
        },
    )
    schema = read_migrations(tmp_path, "postgres")
    assert schema.format == AppFormat.SQL_MIGRATIONS
    assert schema.applied == (
        "V1__init.sql",
        "V1_2__early.sql",
        "V1_10__late.sql",
        "sub/V2__more.sql",
        "R__view.sql",
    )
    assert list(_columns(schema, "t")) == ["a", "b", "c", "d"]
    assert [c.name for c in _table(schema, "v").columns] == ["a", "c"]
    assert not schema.diagnostics


def test_flyway_duplicate_versions_are_an_error_naming_both(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {"V1__a.sql": "CREATE TABLE a (x int);", "V1.0__b.sql": "CREATE TABLE b (x int);"},
    )
    schema = read_migrations(tmp_path, "postgres")
    (error,) = _errors(schema)
    assert "V1__a.sql" in error and "V1.0__b.sql" in error
    assert {t.name for t in schema.tables} == {"a", "b"}  # still replayed


def test_golang_migrate_up_only(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "000002_add.up.sql": "ALTER TABLE users ADD COLUMN name text;",
            "000002_add.down.sql": "ALTER TABLE users DROP COLUMN name;",
            "000001_init.up.sql": "CREATE TABLE users (id int);",
            "000001_init.down.sql": "DROP TABLE users;",
        },
    )
    schema = read_migrations(tmp_path, "postgres")
    assert schema.applied == ("000001_init.up.sql", "000002_add.up.sql")
    assert list(_columns(schema, "users")) == ["id", "name"]


def test_golang_migrate_same_version_conflict(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {"1_a.up.sql": "CREATE TABLE a (x int);", "001_b.up.sql": "CREATE TABLE b (x int);"},
    )
    (error,) = _errors(read_migrations(tmp_path, "postgres"))
    assert "1_a.up.sql" in error and "001_b.up.sql" in error


def test_dbmate_up_section_only(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "20240102000000_add.sql": (
                "-- migrate:up\nALTER TABLE users ADD COLUMN email text NOT NULL;\n\n"
                "-- migrate:down\nALTER TABLE users DROP COLUMN email;\n"
            ),
            "20240101000000_init.sql": (
                "-- migrate:up\nCREATE TABLE users (id int);\n-- migrate:down\nDROP TABLE users;\n"
            ),
        },
    )
    schema = read_migrations(tmp_path, "postgres")
    assert schema.applied == ("20240101000000_init.sql", "20240102000000_add.sql")
    email = _table(schema, "users").columns[1]
    assert (email.name, email.nullable) == ("email", False)
    assert email.location is not None and email.location.line == 2


def test_prisma_migration_folders(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "20240201000000_rename/migration.sql": (
                'ALTER TABLE "User" RENAME COLUMN "mail" TO "email";'
            ),
            "20240101000000_init/migration.sql": 'CREATE TABLE "User" ("id" SERIAL, "mail" TEXT);',
            "migration_lock.toml": 'provider = "postgresql"',
        },
    )
    schema = read_migrations(tmp_path, "postgres")
    assert schema.applied == (
        "20240101000000_init/migration.sql",
        "20240201000000_rename/migration.sql",
    )
    email = _table(schema, "User").columns[1]
    assert (email.name, email.renamed_from) == ("email", ("mail",))


def test_plain_numbered_files_natural_sort(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "10_c.sql": "ALTER TABLE t ADD COLUMN c int;",
            "2_b.sql": "ALTER TABLE t ADD COLUMN b int;",
            "1_a.sql": "CREATE TABLE t (a int);",
        },
    )
    schema = read_migrations(tmp_path, "postgres")
    assert schema.applied == ("1_a.sql", "2_b.sql", "10_c.sql")
    assert list(_columns(schema, "t")) == ["a", "b", "c"]


def test_mixed_conventions_are_an_error(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {"V1__init.sql": "CREATE TABLE a (x int);", "2_more.up.sql": "CREATE TABLE b (x int);"},
    )
    schema = read_migrations(tmp_path, "postgres")
    (error,) = _errors(schema)
    assert "V1__init.sql" in error and "2_more.up.sql" in error
    assert schema.applied == ("V1__init.sql", "2_more.up.sql")


REPLAY = """CREATE TABLE users (
    id bigint PRIMARY KEY,
    email varchar(255) NOT NULL,
    age int NULL,
    note text,
    score int
);
ALTER TABLE users ADD COLUMN city text NOT NULL;
ALTER TABLE users DROP COLUMN note;
ALTER TABLE users RENAME COLUMN email TO mail;
ALTER TABLE users ALTER COLUMN age TYPE bigint;
ALTER TABLE users ALTER COLUMN score SET NOT NULL;
ALTER TABLE users ALTER COLUMN city DROP NOT NULL;
ALTER TABLE users RENAME TO people;
CREATE TABLE pairs (a int, b int, c int, PRIMARY KEY (a, b));
CREATE TABLE gone (x int);
DROP TABLE gone;
CREATE INDEX i ON people (mail);
COMMENT ON TABLE people IS 'people';
GRANT SELECT ON people TO reporting;
"""


def test_replay_every_alter_form(tmp_path: Path) -> None:
    _write(tmp_path, {"V1__init.sql": REPLAY})
    schema = read_migrations(tmp_path, "postgres")
    assert not schema.diagnostics
    people = _table(schema, "people")
    assert people.renamed_from == ("users",)
    assert _columns(schema, "people") == {
        "id": ("bigint", False),
        "mail": ("varchar(255)", False),
        "age": ("bigint", True),
        "score": ("int", False),
        "city": ("text", True),
    }
    lines = {c.name: c.location.line for c in people.columns if c.location}
    assert lines == {"id": 2, "mail": 10, "age": 11, "score": 6, "city": 8}  # own lines
    assert people.columns[1].renamed_from == ("email",)
    assert _columns(schema, "pairs") == {
        "a": ("int", False),
        "b": ("int", False),
        "c": ("int", True),
    }
    assert "gone" not in {t.name for t in schema.tables}


def test_views_and_enums(tmp_path: Path) -> None:
    sql = (
        "CREATE TYPE mood AS ENUM ('happy', 'sad');\n"
        "CREATE TABLE t (id int, m mood);\n"
        "CREATE VIEW v AS SELECT id, m AS feeling FROM t;\n"
        "CREATE MATERIALIZED VIEW mv AS SELECT count(*) AS n FROM t;\n"
        "CREATE VIEW star AS SELECT * FROM t;\n"
    )
    _write(tmp_path, {"001_init.sql": sql})
    schema = read_migrations(tmp_path, "postgres")
    assert _table(schema, "mood").kind == "enum"
    assert _columns(schema, "t")["m"] == ("mood", True)
    assert [c.name for c in _table(schema, "v").columns] == ["id", "feeling"]
    assert _table(schema, "mv").kind == "materialized_view"
    assert [c.name for c in _table(schema, "mv").columns] == ["n"]
    assert _table(schema, "star").columns == ()


def test_procedural_blocks_and_vendor_statements_are_diagnosed(tmp_path: Path) -> None:
    sql = (
        "CREATE TABLE t (id int);\n"
        "DO $$ BEGIN\n  PERFORM 1;\nEND $$;\n"
        "CREATE FUNCTION f() RETURNS trigger AS $$ BEGIN RETURN NEW; END $$ LANGUAGE plpgsql;\n"
        "FROBNICATE THE WIDGETS NOW;\n"
        "ALTER TABLE t ADD COLUMN name text;\n"
    )
    _write(tmp_path, {"1_init.sql": sql, "2_x.sql": "SELECT 1;"})
    schema = read_migrations(tmp_path, "postgres")
    found = {(d.location.path, d.location.line): d for d in schema.diagnostics}
    assert set(found) == {("1_init.sql", 2), ("1_init.sql", 5), ("1_init.sql", 6)}
    assert "procedural" in found[("1_init.sql", 2)].message
    assert "procedural" in found[("1_init.sql", 5)].message
    assert all(d.severity == Severity.WARNING for d in schema.diagnostics)
    assert list(_columns(schema, "t")) == ["id", "name"]


PG_DUMP = """--
-- PostgreSQL database dump
--
SET statement_timeout = 0;
SET client_encoding = 'UTF8';
SELECT pg_catalog.set_config('search_path', '', false);
SET default_tablespace = '';

CREATE TABLE public.users (
    id bigint NOT NULL,
    email character varying(255),
    created_at timestamp without time zone NOT NULL
);

ALTER TABLE public.users OWNER TO postgres;

CREATE SEQUENCE public.users_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.users_id_seq OWNED BY public.users.id;
ALTER TABLE ONLY public.users ALTER COLUMN id SET DEFAULT nextval('public.users_id_seq'::regclass);
ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);
CREATE UNIQUE INDEX index_users_on_email ON public.users USING btree (email);
"""


def test_pg_dump_schema(tmp_path: Path) -> None:
    _write(tmp_path, {"structure.sql": PG_DUMP})
    schema = read_migrations(tmp_path, "postgres")
    assert schema.format == AppFormat.SCHEMA_DUMP
    assert not schema.diagnostics
    columns = _columns(schema, "public.users")
    assert columns["id"] == ("bigint", False)
    assert columns["email"] == ("varchar(255)", True)
    assert columns["created_at"][1] is False


MYSQLDUMP = """-- MySQL dump 10.13
/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
DROP TABLE IF EXISTS `users`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
CREATE TABLE `users` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `email` varchar(255) DEFAULT NULL,
  `active` tinyint(1) NOT NULL DEFAULT '1',
  PRIMARY KEY (`id`),
  KEY `index_email` (`email`)
) ENGINE=InnoDB AUTO_INCREMENT=3 DEFAULT CHARSET=utf8mb4;
LOCK TABLES `users` WRITE;
UNLOCK TABLES;
ALTER TABLE `users` CHANGE COLUMN `email` `mail` varchar(100) NOT NULL;
"""


def test_mysqldump_schema(tmp_path: Path) -> None:
    dump = _write(tmp_path, {"dump.sql": MYSQLDUMP}) / "dump.sql"
    schema = read_migrations(dump, "mysql")
    assert schema.format == AppFormat.SCHEMA_DUMP
    assert schema.applied == ("dump.sql",)
    assert not schema.diagnostics
    assert _columns(schema, "users") == {
        "id": ("bigint", False),
        "mail": ("varchar(100)", False),
        "active": ("tinyint(1)", False),
    }
    assert _table(schema, "users").columns[1].renamed_from == ("email",)


def test_alter_of_unknown_table_and_column_is_diagnosed(tmp_path: Path) -> None:
    sql = (
        "CREATE TABLE t (a int);\n"
        "ALTER TABLE nope ADD COLUMN b int;\n"
        "ALTER TABLE t DROP COLUMN z;\n"
    )
    _write(tmp_path, {"1.sql": sql})
    schema = read_migrations(tmp_path, "postgres")
    assert sorted(d.location.line for d in schema.diagnostics) == [2, 3]
