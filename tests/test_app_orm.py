"""Django and SQLAlchemy models read statically, with expectations from the ORMs' documentation."""

from __future__ import annotations

import textwrap
from pathlib import Path

from lineage.entities import DiagnosticCode, Location, Severity
from lineage.sources.app.django_models import read_django
from lineage.sources.app.sqlalchemy_models import read_sqlalchemy
from lineage.sources.app.tables import AppFormat, AppSchema, AppTable


def _write(root: Path, name: str, code: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(code).lstrip("\n"), encoding="utf-8")


def _table(schema: AppSchema, name: str) -> AppTable:
    return next(t for t in schema.tables if t.name == name)


def _cols(schema: AppSchema, name: str) -> list[tuple[str, str | None, bool | None]]:
    return [(c.name, c.data_type, c.nullable) for c in _table(schema, name).columns]


DJANGO_SHOP = """
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models

NAME_LENGTH = 40


class User(AbstractUser):
    bio = models.TextField(null=True)


class Stamped(models.Model):
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class Customer(Stamped):
    name = models.CharField(max_length=NAME_LENGTH)
    email = models.EmailField(db_column="email_address")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True)
    tags = models.ManyToManyField("Tag")
    friends = models.ManyToManyField("self")


class Tag(models.Model):
    code = models.CharField(max_length=10, primary_key=True)


class Order(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE)
    tag = models.ForeignKey("shop.Tag", on_delete=models.CASCADE, db_column="tag_code")
    total = models.DecimalField(max_digits=10, decimal_places=2)
    paid = models.BooleanField(default=False)
    placed = models.DateField()
    ref = models.UUIDField()
    data = models.JSONField(null=True)
    count = models.IntegerField()
    big = models.BigIntegerField()
    members = models.ManyToManyField(Customer, through="Membership", related_name="+")

    class Meta:
        db_table = "orders"


class Membership(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE)


class BigOrder(Order):
    extra = models.JSONField()


class OrderProxy(Order):
    class Meta:
        proxy = True
"""


def _django(tmp_path: Path) -> AppSchema:
    _write(tmp_path, "shop/models.py", DJANGO_SHOP)
    return read_django(tmp_path)


def test_django_default_table_names_and_implicit_id(tmp_path: Path) -> None:
    schema = _django(tmp_path)
    assert schema.format is AppFormat.DJANGO
    assert [t.name for t in schema.tables] == sorted(t.name for t in schema.tables)
    customer = _table(schema, "shop_customer")
    assert customer.location == Location("shop/models.py", 19)
    assert _cols(schema, "shop_customer") == [
        ("id", "bigint", False),
        ("created", "timestamp with time zone", False),
        ("name", "varchar(40)", False),
        ("email_address", "varchar(254)", False),
        ("owner_id", "bigint", True),
    ]
    locations = [c.location for c in customer.columns]
    assert locations[0] == Location("shop/models.py", 19)  # implicit id: the class line
    assert locations[1] == Location("shop/models.py", 13)  # from the abstract base
    assert locations[2] == Location("shop/models.py", 20)


def test_django_db_table_foreign_keys_and_types(tmp_path: Path) -> None:
    schema = _django(tmp_path)
    assert _cols(schema, "orders") == [
        ("id", "bigint", False),
        ("customer_id", "bigint", False),
        ("tag_code", "varchar(10)", False),  # type of Tag's primary key
        ("total", "numeric(10,2)", False),
        ("paid", "boolean", False),
        ("placed", "date", False),
        ("ref", "uuid", False),
        ("data", "jsonb", True),
        ("count", "integer", False),
        ("big", "bigint", False),
    ]
    assert _cols(schema, "shop_tag") == [("code", "varchar(10)", False)]


def test_django_many_to_many_through_tables(tmp_path: Path) -> None:
    schema = _django(tmp_path)
    assert _cols(schema, "shop_customer_tags") == [
        ("id", "bigint", False),
        ("customer_id", "bigint", False),
        ("tag_id", "varchar(10)", False),
    ]
    assert _table(schema, "shop_customer_tags").location == Location("shop/models.py", 23)
    assert [c[0] for c in _cols(schema, "shop_customer_friends")] == [
        "id",
        "from_customer_id",
        "to_customer_id",
    ]
    names = {t.name for t in schema.tables}
    assert "orders_members" not in names  # through= names a model
    assert "shop_membership" in names


def test_django_inheritance_kinds(tmp_path: Path) -> None:
    schema = _django(tmp_path)
    names = {t.name for t in schema.tables}
    assert "shop_stamped" not in names  # abstract
    assert "shop_orderproxy" not in names  # proxy
    assert _cols(schema, "shop_bigorder") == [
        ("order_ptr_id", "bigint", False),
        ("extra", "jsonb", False),
    ]


def test_django_custom_user_inherits_auth_fields(tmp_path: Path) -> None:
    schema = _django(tmp_path)
    columns = _cols(schema, "shop_user")
    assert columns[0] == ("id", "bigint", False)
    assert ("email", "varchar(254)", False) in columns
    assert ("last_login", "timestamp with time zone", True) in columns
    assert columns[-1] == ("bio", "text", True)
    assert _cols(schema, "shop_user_groups")[2] == ("group_id", "integer", False)


def test_django_meta_app_label_models_package_and_label_callback(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "src/billing/models/invoice.py",
        """
        from django.db import models

        class Invoice(models.Model):
            number = models.CharField(max_length=20)

        class Line(models.Model):
            invoice = models.ForeignKey("Invoice", on_delete=models.CASCADE)

            class Meta:
                app_label = "ledger"
        """,
    )
    default = read_django(tmp_path)
    assert {t.name for t in default.tables} == {"billing_invoice", "ledger_line"}
    custom = read_django(tmp_path, app_label_of=lambda folder: folder.replace("/", "_"))
    assert {t.name for t in custom.tables} == {"src_billing_invoice", "ledger_line"}
    assert custom.applied == ("src/billing/models/invoice.py",)


def test_django_explicit_pk_and_integer_autofield(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "app/models.py",
        """
        from django.db import models

        class Legacy(models.Model):
            pk_col = models.AutoField(primary_key=True, db_column="legacy_id")

        class Child(models.Model):
            legacy = models.OneToOneField(Legacy, on_delete=models.CASCADE)
        """,
    )
    schema = read_django(tmp_path)
    assert _cols(schema, "app_legacy") == [("legacy_id", "integer", False)]
    assert _cols(schema, "app_child") == [("id", "bigint", False), ("legacy_id", "integer", False)]


def test_django_skips_migrations_tests_and_venvs(tmp_path: Path) -> None:
    model = "from django.db import models\nclass A(models.Model):\n    x = models.IntegerField()\n"
    for folder in ("app", "app/migrations", ".venv/lib/x", "tests/app"):
        _write(tmp_path, f"{folder}/models.py", model)
    schema = read_django(tmp_path)
    assert [t.name for t in schema.tables] == ["app_a"]


def test_django_bad_input_is_reported_and_the_rest_read(tmp_path: Path) -> None:
    marker = tmp_path / "executed.txt"
    _write(tmp_path, "broken/models.py", "from django.db import models\n\nclass A(models.Model\n")
    _write(
        tmp_path,
        "dyn/models.py",
        f"""
        import os
        from django.db import models

        os.system("touch {marker}")
        open({str(marker)!r}, "w").write("ran")

        class Wide(models.Model):
            name = models.CharField(max_length=10)
            for i in range(3):
                locals()[f"f{{i}}"] = models.IntegerField()

        Built = type("Built", (models.Model,), {{"x": models.IntegerField()}})

        class Odd(models.Model):
            thing = models.MysteryField()
            table = models.CharField(max_length=compute())
        """,
    )
    schema = read_django(tmp_path)
    assert not marker.exists()
    errors = [d for d in schema.diagnostics if d.code is DiagnosticCode.PARSE_ERROR]
    assert [(d.location.path, d.severity) for d in errors] == [("broken/models.py", Severity.ERROR)]
    assert errors[0].location.line == 3
    assert _cols(schema, "dyn_wide") == [("id", "bigint", False), ("name", "varchar(10)", False)]
    warnings = {
        d.location.line
        for d in schema.diagnostics
        if d.code is DiagnosticCode.UNSUPPORTED_STATEMENT and d.location.path == "dyn/models.py"
    }
    assert {9, 12, 15, 16} <= warnings
    assert _cols(schema, "dyn_odd") == [
        ("id", "bigint", False),
        ("thing", None, False),
        ("table", "varchar", False),
    ]


def test_django_duplicate_table_is_a_config_error(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "app/models.py",
        """
        from django.db import models

        class A(models.Model):
            class Meta:
                db_table = "same"

        class B(models.Model):
            class Meta:
                db_table = "same"
        """,
    )
    schema = read_django(tmp_path)
    assert [t.name for t in schema.tables] == ["same"]
    assert [(d.code, d.location.line) for d in schema.diagnostics] == [
        (DiagnosticCode.CONFIG_ERROR, 7)
    ]


SQLALCHEMY_APP = """
from datetime import datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import (
    JSON, BigInteger, Boolean, Column, DateTime, Enum, ForeignKey, Integer, MetaData,
    Numeric, String, Table, Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

metadata = MetaData()


class Base(DeclarativeBase):
    pass


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Audited(Base):
    __abstract__ = True
    updated_by: Mapped[Optional[int]]


class User(TimestampMixin, Audited):
    __tablename__ = "users"
    __table_args__ = {"schema": "app"}

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    nickname: Mapped[Optional[str]]
    score: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    legacy = Column("legacy_name", String(30), nullable=False)
    bio = mapped_column(Text, name="about")
    forced: Mapped[Optional[bool]] = mapped_column(Boolean, nullable=False)
    orders: Mapped[list["Order"]] = relationship(back_populates="user")


class Order(Base):
    __tablename__ = "orders"

    id = Column(BigInteger, primary_key=True)
    user_id = Column(ForeignKey("app.users.id"), nullable=False)
    kind = Column(String(20))
    status = Column(Enum("new", "paid", name="order_status"))
    payload = Column(JSON)
    user: Mapped["User"] = relationship()


class SpecialOrder(Order):
    reason = Column(Text)


audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime),
    schema="ops",
)
"""


def _sqlalchemy(tmp_path: Path) -> AppSchema:
    _write(tmp_path, "app/models.py", SQLALCHEMY_APP)
    _write(tmp_path, "app/unrelated.py", "print('no orm here'\n")  # not SQLAlchemy: not read
    return read_sqlalchemy(tmp_path)


def test_sqlalchemy_declarative_columns(tmp_path: Path) -> None:
    schema = _sqlalchemy(tmp_path)
    assert schema.format is AppFormat.SQLALCHEMY
    assert [t.name for t in schema.tables] == ["app.users", "ops.audit", "orders"]
    assert _cols(schema, "app.users") == [
        ("created_at", "timestamp with time zone", False),
        ("updated_by", "integer", True),
        ("id", "integer", False),
        ("email", "varchar(255)", False),
        ("nickname", "varchar", True),
        ("score", "numeric(10,2)", True),
        ("legacy_name", "varchar(30)", False),
        ("about", "text", True),
        ("forced", "boolean", False),
    ]
    users = _table(schema, "app.users")
    assert users.location == Location("app/models.py", 27)
    assert users.columns[0].location == Location("app/models.py", 19)
    assert users.columns[2].location == Location("app/models.py", 31)
    assert schema.diagnostics == ()
    assert schema.applied == ("app/models.py",)


def test_sqlalchemy_foreign_keys_enums_and_single_table_inheritance(tmp_path: Path) -> None:
    schema = _sqlalchemy(tmp_path)
    assert _cols(schema, "orders") == [
        ("id", "bigint", False),
        ("user_id", "integer", False),  # the type of app.users.id
        ("kind", "varchar(20)", True),
        ("status", "order_status", True),
        ("payload", "json", True),
        ("reason", "text", True),  # single-table inheritance adds to the parent's table
    ]


def test_sqlalchemy_core_table(tmp_path: Path) -> None:
    schema = _sqlalchemy(tmp_path)
    assert _cols(schema, "ops.audit") == [("id", "integer", False), ("at", "timestamp", True)]
    assert _table(schema, "ops.audit").location == Location("app/models.py", 56)


def test_sqlalchemy_flask_style_and_declared_attr(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "web/models.py",
        """
        from flask_sqlalchemy import SQLAlchemy
        from sqlalchemy.orm import declared_attr

        db = SQLAlchemy()

        class OwnedMixin:
            @declared_attr
            def owner_id(cls):
                return db.Column(db.Integer, db.ForeignKey("accounts.id"))

        class Account(db.Model):
            __tablename__ = "accounts"
            id = db.Column(db.Integer, primary_key=True)
            name = db.Column(db.String(80), nullable=False)

        class Post(OwnedMixin, db.Model):
            __tablename__ = "posts"
            __table_args__ = (db.Index("ix"), {"schema": "blog"})
            id = db.Column(db.Integer, primary_key=True)
        """,
    )
    schema = read_sqlalchemy(tmp_path)
    assert _cols(schema, "accounts") == [("id", "integer", False), ("name", "varchar(80)", False)]
    assert _cols(schema, "blog.posts") == [("owner_id", "integer", True), ("id", "integer", False)]


def test_sqlalchemy_bad_input_is_reported_and_the_rest_read(tmp_path: Path) -> None:
    marker = tmp_path / "executed.txt"
    _write(tmp_path, "a_broken.py", "import sqlalchemy\n\nclass X(\n")
    _write(
        tmp_path,
        "models.py",
        f"""
        import os
        from sqlalchemy import Column, Integer, String
        from sqlalchemy.orm import DeclarativeBase

        os.system("touch {marker}")

        class Base(DeclarativeBase):
            pass

        def name_of(x):
            return x

        class Computed(Base):
            __tablename__ = name_of("computed")
            id = Column(Integer, primary_key=True)

        class Looped(Base):
            __tablename__ = "looped"
            id = Column(Integer, primary_key=True)
            for i in range(3):
                locals()[f"c{{i}}"] = Column(String)

        Dynamic = type("Dynamic", (Base,), {{"__tablename__": "dynamic"}})
        """,
    )
    schema = read_sqlalchemy(tmp_path)
    assert not marker.exists()
    parse = [d for d in schema.diagnostics if d.code is DiagnosticCode.PARSE_ERROR]
    assert [(d.location.path, d.location.line) for d in parse] == [("a_broken.py", 3)]
    assert [t.name for t in schema.tables] == ["looped"]
    assert _cols(schema, "looped") == [("id", "integer", False)]
    warned = {
        d.location.line
        for d in schema.diagnostics
        if d.code is DiagnosticCode.UNSUPPORTED_STATEMENT and d.severity is Severity.WARNING
    }
    assert {13, 20, 23} <= warned


def test_readers_are_deterministic(tmp_path: Path) -> None:
    _write(tmp_path, "shop/models.py", DJANGO_SHOP)
    _write(tmp_path, "app/sa.py", SQLALCHEMY_APP)
    assert read_django(tmp_path) == read_django(tmp_path)
    assert read_sqlalchemy(tmp_path) == read_sqlalchemy(tmp_path)
