"""Django models read statically: every `models.py` and `models/*.py` of an application.

Follows Django's documented rules: table `<app_label>_<model name lowercased>` unless
`Meta.db_table`; an implicit `id` primary key (BigAutoField, `bigint`) unless a field says
`primary_key=True`; `db_column`; ForeignKey / OneToOneField stored as `<name>_id` with the type
of the target's primary key; ManyToManyField through an automatic table `<table>_<field>` unless
`through=` names a model; abstract bases contribute their fields; multi-table inheritance adds
`<parent>_ptr_id`; proxy models have no table. Types are PostgreSQL's.

Only `ast.parse` is used: nothing from the project is imported or executed.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lineage.entities import Diagnostic, DiagnosticCode, Location, Severity
from lineage.sources.app import python_source as ps
from lineage.sources.app.tables import AppColumn, AppFormat, AppSchema, AppTable

_AUTO_TYPES = {"AutoField": "integer", "BigAutoField": "bigint", "SmallAutoField": "smallint"}
_DEFAULT_PK = "bigint"  # DEFAULT_AUTO_FIELD = BigAutoField in projects made since Django 3.2
_USER_BASES = frozenset({"AbstractUser", "AbstractBaseUser"})


@dataclass
class _Model:
    """A class found in a models file (a model or not: decided from its bases)."""

    cls: ast.ClassDef
    file: ps.PythonFile
    label: str
    builtin: bool = False
    meta: dict[str, object] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.cls.name

    def location(self, line: int | None = None) -> Location:
        return Location(self.file.path, line or self.cls.lineno)


@dataclass(frozen=True)
class _Field:
    """A field assignment `attr = models.XField(...)` in `owner`'s body."""

    attr: str
    call: ast.Call
    owner: _Model

    @property
    def kind(self) -> str:
        return ps.call_name(self.call) or ""

    def flag(self, name: str) -> object:
        return ps.literal(ps.keyword(self.call, name), self.owner.file.constants)


def read_django(root: Path, app_label_of: Callable[[str], str] | None = None) -> AppSchema:
    """Every Django model under `root` as tables, sorted by name, with diagnostics.

    `app_label_of` receives the app folder (the one holding `models.py` or `models/`) relative
    to `root` with `/`, and returns its app label; by default the folder's name.
    """
    reader = _Reader()
    applied: list[str] = []
    for path in ps.discover(root, _is_models_file):
        name = ps.relative(path, root)
        parsed, problems = ps.read_python(path, name)
        reader.diagnostics.extend(problems)
        if parsed is None:
            continue
        applied.append(name)
        folder = path.parent.parent if path.parent.name == "models" else path.parent
        app_folder = ps.relative(folder, root) if folder != root else folder.name
        label = app_label_of(app_folder) if app_label_of else app_folder.rsplit("/", 1)[-1]
        reader.add_file(parsed, label)
    return AppSchema(
        AppFormat.DJANGO, reader.tables(), tuple(sorted(reader.diagnostics)), tuple(applied)
    )


def _is_models_file(path: Path) -> bool:
    return path.name == "models.py" or path.parent.name == "models"


class _Reader:
    """All classes of all models files, resolved into tables."""

    def __init__(self) -> None:
        self.models: list[_Model] = []
        self.diagnostics: list[Diagnostic] = []
        self.custom_fields: dict[str, str] = {}
        self._is_model: dict[int, bool] = {}
        builtin = ps.PythonFile("<django>", ast.parse(BUILTIN_MODELS), {})
        self.add_file(builtin, "auth", builtin=True)

    # -- collecting ---------------------------------------------------------------------

    def add_file(self, file: ps.PythonFile, label: str, builtin: bool = False) -> None:
        names: set[str] = set()
        for node in file.tree.body:
            if not isinstance(node, ast.ClassDef):
                continue
            names.add(node.name)
            bases = [ps.last_name(b) or "" for b in node.bases]
            if any(b.endswith("Field") for b in bases) and not builtin:
                self.custom_fields[node.name] = bases[0]
                continue
            model = _Model(node, file, label, builtin)
            model.meta = self._meta(model)
            if isinstance(model.meta.get("app_label"), str):
                model.label = str(model.meta["app_label"])
            self.models.append(model)
        if not builtin:
            for line, what in ps.module_dynamic_models(file.tree, names):
                self._warn(file.path, line, f"{what} cannot be read statically; not read")

    def _meta(self, model: _Model) -> dict[str, object]:
        meta: dict[str, object] = {}
        for stmt in model.cls.body:
            if isinstance(stmt, ast.ClassDef) and stmt.name == "Meta":
                for name, value, node in ps.class_assignments(stmt):
                    meta[name] = ps.literal(value, model.file.constants)
                    if meta[name] is ps.NOT_LITERAL and name in {"db_table", "abstract", "proxy"}:
                        self._warn(
                            model.file.path, node.lineno, f"Meta.{name} of {model.name} is computed"
                        )
        return meta

    def _warn(
        self, path: str, line: int, message: str, severity: Severity = Severity.WARNING
    ) -> None:
        self.diagnostics.append(ps.diagnostic(path, line, message, severity=severity))

    # -- resolving ----------------------------------------------------------------------

    def resolve(self, ref: str, origin: _Model) -> _Model | None:
        """The model named `ref` ("Model" or "app_label.Model") as seen from `origin`."""
        label, _, name = ref.rpartition(".")
        found = [m for m in self.models if m.name == name and (not label or m.label == label)]
        preferences: list[Callable[[_Model], bool]] = [
            lambda m: m.file is origin.file,
            lambda m: m.label == origin.label and not m.builtin,
            lambda m: not m.builtin,
        ]
        for keep in preferences:
            matches = [m for m in found if keep(m)]
            if matches:
                return matches[0]
        return found[0] if found else None

    def bases(self, model: _Model) -> list[_Model | str]:
        resolved: list[_Model | str] = []
        for base in model.cls.bases:
            name = ps.dotted(base)
            target = self.resolve(name.rsplit(".", 1)[-1], model) if name else None
            resolved.append(target if target and target is not model else (name or "?"))
        return resolved

    def is_model(self, model: _Model) -> bool:
        key = id(model)
        if key not in self._is_model:
            self._is_model[key] = False  # guards against cycles
            self._is_model[key] = any(
                self.is_model(b) if isinstance(b, _Model) else b.rsplit(".", 1)[-1] == "Model"
                for b in self.bases(model)
            ) or (not model.builtin and self._looks_like_model(model))
        return self._is_model[key]

    def _looks_like_model(self, model: _Model) -> bool:
        """A class with fields whose base is not in the project (a third-party model)."""
        return bool(model.cls.bases) and bool(self.own_fields(model))

    def is_abstract(self, model: _Model) -> bool:
        return model.meta.get("abstract") is True

    def own_fields(self, model: _Model) -> list[_Field]:
        fields: list[_Field] = []
        for attr, value, _ in ps.class_assignments(model.cls):
            if isinstance(value, ast.Call) and is_field_call(value, self.custom_fields):
                fields.append(_Field(attr, value, model))
        return fields

    def fields(self, model: _Model, seen: frozenset[int] = frozenset()) -> list[_Field]:
        """Fields stored in `model`'s table: abstract ancestors' first, then its own."""
        inherited: list[_Field] = []
        for base in self.bases(model):
            if isinstance(base, _Model) and self.is_abstract(base) and id(base) not in seen:
                inherited.extend(self.fields(base, seen | {id(model)}))
        own = self.own_fields(model)
        names = {f.attr for f in own}
        return [f for f in inherited if f.attr not in names] + own

    def concrete_parents(self, model: _Model) -> list[_Model]:
        parents: list[_Model] = []
        for base in self.bases(model):
            if isinstance(base, _Model) and self.is_model(base):
                if self.is_abstract(base):
                    parents.extend(self.concrete_parents(base))
                else:
                    parents.append(base)
        return parents

    def table_name(self, model: _Model) -> str:
        if model.meta.get("proxy") is True:
            parents = self.concrete_parents(model)
            if parents:
                return self.table_name(parents[0])
        table = model.meta.get("db_table")
        return table if isinstance(table, str) else f"{model.label}_{model.name.lower()}"

    def pk_type(self, model: _Model, seen: frozenset[int] = frozenset()) -> str | None:
        """The SQL type of `model`'s primary key (what a foreign key to it stores)."""
        if id(model) in seen:
            return _DEFAULT_PK
        if model.meta.get("proxy") is True:
            parents = self.concrete_parents(model)
            return self.pk_type(parents[0], seen | {id(model)}) if parents else _DEFAULT_PK
        for item in self.fields(model):
            if item.flag("primary_key") is True:
                return self.stored_type(item, seen | {id(model)})
        parents = self.concrete_parents(model)
        return self.pk_type(parents[0], seen | {id(model)}) if parents else _DEFAULT_PK

    def target(self, item: _Field) -> tuple[_Model | None, str]:
        """The model a relation field points to, and how it is written."""
        node = item.call.args[0] if item.call.args else ps.keyword(item.call, "to")
        ref = ps.literal(node, item.owner.file.constants) if node is not None else None
        if not isinstance(ref, str):
            ref = ps.dotted(node) if node is not None else None
        if ref is None:
            return None, "?"
        if ref == "self":
            return item.owner, item.owner.name
        if ref.endswith("AUTH_USER_MODEL"):
            users = [m for m in self.models if not m.builtin and self._is_user(m)]
            users = [m for m in users if not self.is_abstract(m)]
            return (users[0] if len(users) == 1 else self.resolve("auth.User", item.owner)), ref
        name = ref.rsplit(".", 1)[-1] if not isinstance(node, ast.Constant) else ref
        return self.resolve(name, item.owner), ref

    def _is_user(self, model: _Model) -> bool:
        return any(
            (b.name in _USER_BASES and b.builtin) or self._is_user(b)
            if isinstance(b, _Model)
            else b.rsplit(".", 1)[-1] in _USER_BASES
            for b in self.bases(model)
        )

    def stored_type(self, item: _Field, seen: frozenset[int] = frozenset()) -> str | None:
        """The SQL type of the column a field stores."""
        if item.kind in _AUTO_TYPES:
            return _AUTO_TYPES[item.kind]
        if item.kind not in RELATION_FIELDS:
            return field_type(item.call, item.owner.file.constants, self.custom_fields)[0]
        target, _ = self.target(item)
        if target is None:
            return _DEFAULT_PK
        to_field = item.flag("to_field")
        if isinstance(to_field, str):
            match = next((f for f in self.fields(target) if f.attr == to_field), None)
            if match is not None:
                return self.stored_type(match, seen | {id(item.owner)})
        return self.pk_type(target, seen)

    # -- tables -------------------------------------------------------------------------

    def tables(self) -> tuple[AppTable, ...]:
        tables: dict[str, AppTable] = {}
        for model in self.models:
            if model.builtin or not self.is_model(model):
                continue
            self._check_model(model)
            if self.is_abstract(model) or model.meta.get("proxy") is True:
                continue
            for table in self._model_tables(model):
                first = tables.get(table.name)
                if first is None:
                    tables[table.name] = table
                else:
                    self._conflict(table, first)
        return tuple(tables[name] for name in sorted(tables))

    def _conflict(self, table: AppTable, first: AppTable) -> None:
        where = table.location or Location("?", 1)
        self.diagnostics.append(
            Diagnostic(
                where,
                DiagnosticCode.CONFIG_ERROR,
                Severity.ERROR,
                f"table {table.name} is already defined at {first.location}; this one is ignored",
            )
        )

    def _check_model(self, model: _Model) -> None:
        path = model.file.path
        for stmt in ps.dynamic_statements(model.cls):
            self._warn(path, stmt.lineno, f"fields of {model.name} built at run time are not read")
        for base in self.bases(model):
            if isinstance(base, str) and base.rsplit(".", 1)[-1] != "Model":
                self._warn(
                    path,
                    model.cls.lineno,
                    f"base {base} of {model.name} is not defined in the project; "
                    "its fields are not read",
                )
        for item in self.own_fields(model):
            if item.kind in RELATION_FIELDS:
                continue
            _, problem = field_type(item.call, model.file.constants, self.custom_fields)
            if problem:
                self._warn(path, item.call.lineno, f"{model.name}.{item.attr}: {problem}")

    def _model_tables(self, model: _Model) -> list[AppTable]:
        table = self.table_name(model)
        columns = self._implicit_columns(model)
        extra: list[AppTable] = []
        for item in self.fields(model):
            if item.kind == "ManyToManyField":
                through = self._through_table(model, item, table)
                extra.extend([through] if through else [])
            else:
                columns.append(self._column(model, item))
        self._check_columns(model, table, columns)
        return [AppTable(table, tuple(columns), model.location()), *extra]

    def _implicit_columns(self, model: _Model) -> list[AppColumn]:
        fields = self.fields(model)
        linked = {
            id(t)
            for f in fields
            if f.kind == "OneToOneField" and f.flag("parent_link") is True
            for t in [self.target(f)[0]]
            if t is not None
        }
        columns = [
            AppColumn(f"{p.name.lower()}_ptr_id", self.pk_type(p), False, model.location())
            for p in self.concrete_parents(model)
            if id(p) not in linked
        ]
        if not columns and not linked and not any(f.flag("primary_key") is True for f in fields):
            columns.append(AppColumn("id", _DEFAULT_PK, False, model.location()))
        return columns

    def _column(self, model: _Model, item: _Field) -> AppColumn:
        db_column = item.flag("db_column")
        if isinstance(db_column, str):
            name = db_column
        else:
            name = f"{item.attr}_id" if item.kind in RELATION_FIELDS else item.attr
        null = item.flag("null")
        if item.flag("primary_key") is True or item.kind in _AUTO_TYPES:
            nullable: bool | None = False
        elif item.kind == "NullBooleanField":
            nullable = True
        else:
            nullable = null if isinstance(null, bool) else (False if null is None else None)
        where = model.location() if item.owner.builtin else item.owner.location(item.call.lineno)
        return AppColumn(name, self.stored_type(item), nullable, where)

    def _through_table(self, model: _Model, item: _Field, table: str) -> AppTable | None:
        if ps.keyword(item.call, "through") is not None:
            return None  # the named model is a table of its own
        target, ref = self.target(item)
        where = model.location() if item.owner.builtin else item.owner.location(item.call.lineno)
        own, other = model.name.lower(), (target.name if target else ref).rsplit(".", 1)[-1]
        other = other.lower()
        if own == other:
            own, other = f"from_{own}", f"to_{other}"
        name = item.flag("db_table")
        other_type = self.pk_type(target) if target else _DEFAULT_PK
        columns = (
            AppColumn("id", _DEFAULT_PK, False, where),
            AppColumn(f"{own}_id", self.pk_type(model), False, where),
            AppColumn(f"{other}_id", other_type, False, where),
        )
        return AppTable(name if isinstance(name, str) else f"{table}_{item.attr}", columns, where)

    def _check_columns(self, model: _Model, table: str, columns: list[AppColumn]) -> None:
        seen: set[str] = set()
        for column in columns:
            if column.name in seen:
                self.diagnostics.append(
                    Diagnostic(
                        column.location or model.location(),
                        DiagnosticCode.CONFIG_ERROR,
                        Severity.ERROR,
                        f"column {column.name} of {table} is defined twice",
                    )
                )
            seen.add(column.name)
        primary = [f for f in self.fields(model) if f.flag("primary_key") is True]
        if len(primary) > 1:
            self.diagnostics.append(
                Diagnostic(
                    model.location(primary[1].call.lineno),
                    DiagnosticCode.CONFIG_ERROR,
                    Severity.ERROR,
                    f"{model.name} has more than one primary_key=True field",
                )
            )


# -- field classes ------------------------------------------------------------------------

RELATION_FIELDS = frozenset({"ForeignKey", "OneToOneField", "ParentalKey"})
_NOT_COLUMNS = frozenset({"GenericForeignKey", "GenericRelation", "ForeignObject"})
_PLAIN_TYPES = {
    "BigIntegerField": "bigint",
    "BinaryField": "bytea",
    "BooleanField": "boolean",
    "NullBooleanField": "boolean",
    "DateField": "date",
    "DateTimeField": "timestamp with time zone",
    "DurationField": "interval",
    "FloatField": "double precision",
    "GenericIPAddressField": "inet",
    "IPAddressField": "inet",
    "IntegerField": "integer",
    "JSONField": "jsonb",
    "PositiveBigIntegerField": "bigint",
    "PositiveIntegerField": "integer",
    "PositiveSmallIntegerField": "smallint",
    "SmallIntegerField": "smallint",
    "TextField": "text",
    "TimeField": "time",
    "UUIDField": "uuid",
    "HStoreField": "hstore",
    "CICharField": "citext",
    "CIEmailField": "citext",
    "CITextField": "citext",
    "IntegerRangeField": "int4range",
    "BigIntegerRangeField": "int8range",
    "DecimalRangeField": "numrange",
    "DateRangeField": "daterange",
    "DateTimeRangeField": "tstzrange",
    "ManyToManyField": "",
    **_AUTO_TYPES,
}
#: Character fields and their default max_length (None: no default).
_CHAR_FIELDS: dict[str, int | None] = {
    "CharField": None,
    "SlugField": 50,
    "EmailField": 254,
    "URLField": 200,
    "FileField": 100,
    "ImageField": 100,
    "FilePathField": 100,
}

#: Django's own models that project models commonly extend or point to, as Django defines
#: them (django.contrib.auth uses AutoField primary keys).
BUILTIN_MODELS = """
class AbstractBaseUser(models.Model):
    password = models.CharField(max_length=128)
    last_login = models.DateTimeField(blank=True, null=True)
    class Meta:
        abstract = True
class PermissionsMixin(models.Model):
    is_superuser = models.BooleanField(default=False)
    groups = models.ManyToManyField(Group, blank=True)
    user_permissions = models.ManyToManyField(Permission, blank=True)
    class Meta:
        abstract = True
class AbstractUser(AbstractBaseUser, PermissionsMixin):
    username = models.CharField(max_length=150, unique=True)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    email = models.EmailField(blank=True)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField()
    class Meta:
        abstract = True
class User(AbstractUser):
    id = models.AutoField(primary_key=True)
class Group(models.Model):
    id = models.AutoField(primary_key=True)
class Permission(models.Model):
    id = models.AutoField(primary_key=True)
class ContentType(models.Model):
    id = models.AutoField(primary_key=True)
"""


def _base_field(name: str, custom: dict[str, str]) -> str:
    """The Django field class a project-defined field class derives from."""
    for _ in range(10):
        if name not in custom:
            break
        name = custom[name]
    return name


def is_field_call(call: ast.Call, custom: dict[str, str]) -> bool:
    """Whether `call` creates a model field that is stored in the model's table."""
    name = _base_field(ps.call_name(call) or "", custom)
    if name in _NOT_COLUMNS:
        return False
    return name.endswith("Field") or name in RELATION_FIELDS or name in _PLAIN_TYPES


def field_type(
    call: ast.Call, constants: dict[str, object], custom: dict[str, str]
) -> tuple[str | None, str | None]:
    """The SQL type a field class stores, and a problem when it cannot be told statically."""
    name = _base_field(ps.call_name(call) or "", custom)
    if name in _PLAIN_TYPES:
        return _PLAIN_TYPES[name] or None, None
    if name in _CHAR_FIELDS:
        length = ps.literal(ps.keyword(call, "max_length"), constants)
        if length is ps.NOT_LITERAL:
            return "varchar", "max_length is computed; the length is not read"
        size = length if isinstance(length, int) else _CHAR_FIELDS[name]
        return (f"varchar({size})" if size else "varchar"), None
    if name == "DecimalField":
        return _decimal(call, constants)
    if name == "ArrayField":
        base = call.args[0] if call.args else ps.keyword(call, "base_field")
        if isinstance(base, ast.Call):
            inner, problem = field_type(base, constants, custom)
            return (f"{inner}[]" if inner else None), problem
        return None, "the array's base field is computed; its type is not read"
    if name == "GeneratedField":
        output = ps.keyword(call, "output_field")
        if isinstance(output, ast.Call):
            return field_type(output, constants, custom)
    return None, f"field class {name} is not known; its SQL type is not read"


def _decimal(call: ast.Call, constants: dict[str, object]) -> tuple[str | None, str | None]:
    digits = ps.literal(ps.keyword(call, "max_digits"), constants)
    places = ps.literal(ps.keyword(call, "decimal_places"), constants)
    if isinstance(digits, int) and isinstance(places, int):
        return f"numeric({digits},{places})", None
    return "numeric", "max_digits / decimal_places are not literals; the precision is not read"
