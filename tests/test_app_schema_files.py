"""Prisma schemas and Rails schema.rb, read as text."""

from __future__ import annotations

from pathlib import Path

from lineage.sources.app.prisma import read_prisma
from lineage.sources.app.rails import read_rails_schema
from lineage.sources.app.tables import AppFormat, AppSchema, AppTable

PRISMA = """datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model User {
  id        Int      @id @default(autoincrement())
  email     String   @unique @db.VarChar(255)
  name      String?  @map("full_name")
  balance   Decimal
  price     Decimal  @db.Decimal(10, 2)
  tags      String[]
  role      Role     @default(USER)
  createdAt DateTime @default(now()) @map("created_at")
  posts     Post[]
  // a comment @map("nope")

  @@map("users")
  @@schema("auth")
}

model Post {
  id       BigInt  @id
  authorId Int     @map("author_id")
  author   User    @relation(fields: [authorId], references: [id])
  score    Float
  ok       Boolean
  data     Json?
  raw      Bytes
}

enum Role {
  USER
  ADMIN
  @@map("user_role")
}
"""


def _table(schema: AppSchema, name: str) -> AppTable:
    return next(t for t in schema.tables if t.name == name)


def _columns(schema: AppSchema, name: str) -> dict[str, tuple[str | None, bool | None]]:
    return {c.name: (c.data_type, c.nullable) for c in _table(schema, name).columns}


def test_prisma_models_fields_and_types(tmp_path: Path) -> None:
    path = tmp_path / "schema.prisma"
    path.write_text(PRISMA)
    schema = read_prisma(path)
    assert schema.format == AppFormat.PRISMA
    assert not schema.diagnostics
    assert [t.name for t in schema.tables] == ["Post", "auth.users", "user_role"]
    assert _columns(schema, "auth.users") == {
        "id": ("integer", False),
        "email": ("varchar(255)", False),
        "full_name": ("text", True),
        "balance": ("decimal(65,30)", False),
        "price": ("decimal(10,2)", False),
        "tags": ("text[]", False),
        "role": ("user_role", False),
        "created_at": ("timestamp(3)", False),
    }
    assert _columns(schema, "Post") == {
        "id": ("bigint", False),
        "author_id": ("integer", False),
        "score": ("double precision", False),
        "ok": ("boolean", False),
        "data": ("jsonb", True),
        "raw": ("bytea", False),
    }
    users = _table(schema, "auth.users")
    assert users.location is not None and users.location.line == 6
    assert [c.location.line for c in users.columns if c.location][:2] == [7, 8]
    assert str(users.columns[0].location) == "schema.prisma:7"
    assert _table(schema, "user_role").kind == "enum"


def test_prisma_malformed_input(tmp_path: Path) -> None:
    path = tmp_path / "schema.prisma"
    path.write_text(
        "model A {\n"
        "  id Int @id @frobnicate\n"
        "  name String\n"
        "model B {\n"
        "  id Int @id\n"
        "}\n"
        "model C {\n"
        "  id Int @id\n"
    )
    schema = read_prisma(path, relative_to=tmp_path.parent)
    lines = sorted((d.location.line, d.message) for d in schema.diagnostics)
    assert [line for line, _ in lines] == [1, 2, 7]
    assert "@frobnicate" in lines[1][1]
    assert "not closed" in lines[0][1]
    assert schema.diagnostics[0].location.path == f"{tmp_path.name}/schema.prisma"
    assert list(_columns(schema, "A")) == ["id", "name"]
    assert list(_columns(schema, "B")) == ["id"]
    assert list(_columns(schema, "C")) == ["id"]


SCHEMA_RB = """# This file is auto-generated from the current state of the database.
ActiveRecord::Schema[7.1].define(version: 2024_05_01_120000) do
  enable_extension "plpgsql"
  create_enum "status", ["active", "archived"]

  create_table "users", force: :cascade do |t|
    t.string "email", default: "", null: false
    t.string "name", limit: 80
    t.text "bio"
    t.integer "age"
    t.integer "big", limit: 8
    t.decimal "balance", precision: 10, scale: 2
    t.boolean "admin", default: false, null: false
    t.date "born_on"
    t.jsonb "settings", default: {}
    t.uuid "token"
    t.string "tags", array: true
    t.enum "state", enum_type: "status", null: false
    t.datetime "confirmed_at", precision: nil
    t.references "account", null: false, foreign_key: true
    t.belongs_to "owner", polymorphic: true
    t.timestamps
    t.index ["email"], name: "index_users_on_email", unique: true
  end

  create_table "tokens", id: :uuid, default: -> { "gen_random_uuid()" }, force: :cascade do |t|
    t.bigint "user_id", null: false
    t.datetime "created_at", null: false
  end

  create_table "joins", id: false, force: :cascade do |t|
    t.bigint "a_id"
  end

  create_table "countries", primary_key: "code", id: :string, force: :cascade do |t|
    t.string "name"
  end

  add_foreign_key "tokens", "users"
end
"""


def test_rails_schema_rb(tmp_path: Path) -> None:
    path = tmp_path / "schema.rb"
    path.write_text(SCHEMA_RB)
    schema = read_rails_schema(path)
    assert schema.format == AppFormat.RAILS
    assert not schema.diagnostics
    assert [t.name for t in schema.tables] == ["countries", "joins", "status", "tokens", "users"]
    assert _table(schema, "status").kind == "enum"
    assert _columns(schema, "users") == {
        "id": ("bigint", False),
        "email": ("character varying", False),
        "name": ("character varying(80)", True),
        "bio": ("text", True),
        "age": ("integer", True),
        "big": ("bigint", True),
        "balance": ("numeric(10,2)", True),
        "admin": ("boolean", False),
        "born_on": ("date", True),
        "settings": ("jsonb", True),
        "token": ("uuid", True),
        "tags": ("character varying[]", True),
        "state": ("status", False),
        "confirmed_at": ("timestamp", True),
        "account_id": ("bigint", False),
        "owner_id": ("bigint", True),
        "owner_type": ("character varying", True),
        "created_at": ("timestamp(6)", False),
        "updated_at": ("timestamp(6)", False),
    }
    assert _columns(schema, "tokens")["id"] == ("uuid", False)
    assert _columns(schema, "tokens")["created_at"] == ("timestamp(6)", False)
    assert list(_columns(schema, "joins")) == ["a_id"]
    assert _columns(schema, "countries") == {
        "code": ("character varying", False),
        "name": ("character varying", True),
    }
    email = _table(schema, "users").columns[1]
    assert str(email.location) == "schema.rb:7"


def test_rails_malformed_input(tmp_path: Path) -> None:
    path = tmp_path / "schema.rb"
    path.write_text(
        "ActiveRecord::Schema.define(version: 1) do\n"
        '  create_table "a", force: :cascade do |t|\n'
        '    t.geometry "shape"\n'
        '    t.string "name"\n'
        "  end\n"
        '  create_table "b", force: :cascade do |t|\n'
        '    t.string "title"\n'
    )
    schema = read_rails_schema(path)
    lines = sorted((d.location.line, d.message) for d in schema.diagnostics)
    assert [line for line, _ in lines] == [3, 6]
    assert "t.geometry" in lines[0][1] and "not closed" in lines[1][1]
    assert _columns(schema, "a") == {
        "id": ("bigint", False),
        "shape": ("geometry", True),
        "name": ("character varying", True),
    }
    assert list(_columns(schema, "b")) == ["id", "title"]
