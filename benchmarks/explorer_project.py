"""A synthetic dbt-like `Project` for the explorer benchmark, built directly as entities.

Building a real 20,000-model project through dbt files takes minutes (issue 9 owns that); the
explorer only reads the finished `Project`, so this module makes one of a realistic size and
shape in seconds, seeded and deterministic (same arguments, same project):

* relations: `models` dbt models (20% staging, 45% intermediate, 35% marts) with dbt-like ids
  from a vocabulary of source systems, business domains and entities
  (`model.shop.stg_stripe__payments`, `model.shop.int_finance__payments_joined`,
  `model.shop.fct_finance__payments_daily`); one source table per staging model
  (`source.shop.stripe.payments`; regional instances such as `stripe_eu` once the vocabulary
  runs out), application tables behind the `app` sources, a few seeds and snapshots, and
  external relations behind unexpanded `*`;
* columns: `columns` per relation on average (from a third of it to about twice it), 1% of
  the marts 100-200 wide; names from a vocabulary of keys, foreign keys, amounts, timestamps,
  dates, statuses, flags, counts, text and JSON, carried downstream by pass-throughs, so names
  repeat across models as in real projects; types on sources and on about 60% of models;
* column edges: about 60% identity (pass-through), 25% transformations with distinct
  expressions (`coalesce(payments.amount, 0) / 100.0`, `date_trunc('month', ...)`, `sum(...)`,
  window functions; CTE steps in `Edge.inner` for a third of them), the rest conditional
  (`case when ... end`), window and aggregation edges; join, filter and group-by edges into
  the rows (column None) with their expressions; 1-4 parents per model (fan-in), three in four
  from the same domain, recent models read more than old ones (so chains grow deep);
* documentation: descriptions on about 40% of models and 30% of columns (varied sentences),
  tags on 30% of models, owners from 15 teams, not_null and unique tests on keys
  (relationships and accepted_values on some columns), enforced contracts on 5% of marts;
* 1% of the models with a blind spot (Python models, an unexpanded `*` of an external
  relation, an unresolved column) and its diagnostic, a few informational diagnostics;
  15 consumers per 1,000 models (300 at 20,000: dashboards, notebooks, ML, reverse ETL...)
  reading mart columns, 30% of them at model level.

Example::

    from explorer_project import explorer_project
    project = explorer_project(20_000, columns=20, seed=1)
"""

from __future__ import annotations

import gc
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from lineage.entities import (
    BlindSpot,
    Column,
    ColumnRef,
    Consumer,
    ConsumerKind,
    Coverage,
    DataTest,
    Diagnostic,
    DiagnosticCode,
    Edge,
    EdgeKind,
    Location,
    Owner,
    Project,
    ReadLevel,
    Relation,
    RelationKind,
    Severity,
)

PROJECT = "shop"
STAGING, INTERMEDIATE = 0.20, 0.45  # shares of the models; the rest are marts
WIDE_MARTS = 0.01  # share of marts with 100-200 columns
BLIND_MODELS = 0.01
CONSUMERS_PER_MODEL = 300 / 20_000
AGGREGATES = 0.15  # share of intermediate models and marts that aggregate (GROUP BY)
DERIVED = "~"  # marks the role of a column computed by an intermediate model or a mart

# -- vocabulary -------------------------------------------------------------------------------


def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# fmt: off
#: (system, domain, its tables)
SYSTEMS: tuple[tuple[str, str, tuple[str, ...]], ...] = tuple(
    (system, domain, _names(tables)) for system, domain, tables in (
        ("stripe", "finance", "charges refunds payouts disputes invoices customers "
         "subscriptions balance_transactions coupons prices plans transfers"),
        ("shopify", "commerce", "orders order_items products variants customers "
         "fulfillments refunds inventory_levels discounts carts addresses"),
        ("hubspot", "marketing", "contacts companies deals email_events campaigns forms "
         "owners engagements"),
        ("salesforce", "sales", "accounts opportunities leads contacts users tasks campaigns "
         "quotes contracts"),
        ("zendesk", "support", "tickets ticket_comments users organizations "
         "satisfaction_ratings groups"),
        ("segment", "product", "tracks pages identifies screens users"),
        ("app", "core", "users orders order_items payments products sessions events "
         "addresses subscriptions notifications devices reviews"),
        ("netsuite", "finance", "journal_entries gl_accounts vendors bills expenses budgets "
         "subsidiaries currencies"),
        ("google_ads", "marketing", "campaigns ad_groups ads keywords clicks impressions"),
        ("facebook_ads", "marketing", "campaigns ad_sets ads insights"),
        ("intercom", "support", "conversations contacts admins tags"),
        ("jira", "engineering", "issues projects sprints users comments"),
        ("github", "engineering", "pull_requests commits repositories reviews issues"),
        ("workday", "people", "employees departments positions compensation time_off"),
        ("greenhouse", "people", "candidates applications jobs interviews offers"),
        ("braze", "marketing", "messages campaigns canvases users"),
        ("snowplow", "product", "events page_views sessions"),
        ("adyen", "finance", "payments settlements chargebacks fees"),
        ("recharge", "commerce", "subscriptions charges customers"),
        ("shipbob", "logistics", "shipments warehouses inventory returns"),
        ("easypost", "logistics", "trackers shipments carriers"),
        ("amplitude", "product", "events cohorts users"),
        ("okta", "security", "users groups logins"),
        ("pagerduty", "engineering", "incidents alerts services"),
        ("klaviyo", "marketing", "profiles lists flows events"),
        ("quickbooks", "finance", "invoices bills accounts payments"),
    )
)
#: Regional or business-unit instances of a system, once its plain tables are used up.
INSTANCES = ("", "_eu", "_us", "_uk", "_apac", "_latam", "_ca", "_au", "_legacy", "_v2")
INSTANCES += tuple(f"_{n}" for n in range(3, 200))
DOMAINS = _names(
    "finance commerce marketing sales support product core engineering people logistics "
    "security growth risk operations")
ENTITIES = _names(
    "payments charges refunds invoices subscriptions customers accounts contacts leads "
    "opportunities orders order_items products variants inventory shipments returns carts "
    "sessions page_views events clicks impressions campaigns ads emails tickets conversations "
    "users employees candidates issues pull_requests deployments incidents plans coupons "
    "disputes payouts journal_entries vendors expenses budgets forecasts stores warehouses "
    "reviews surveys experiments devices signups trials renewals churn_events cohorts "
    "transactions ledgers balances fees discounts promotions referrals partners")
QUALIFIERS = _names(
    "joined enriched deduplicated pivoted unioned aggregated_daily aggregated_monthly "
    "by_customer by_account by_day by_week by_month rolling_7d rolling_30d converted_usd "
    "filtered latest first_touch scd sessionized attributed scored ranked mapped normalized "
    "cleaned flattened classified bucketed reconciled matched allocated prorated cumulative "
    "daily_spine with_fx with_owner with_region current history")
GRAINS = _names(
    "daily weekly monthly quarterly summary history current snapshot kpis metrics cohorts "
    "funnel retention ltv health performance by_region by_channel by_plan") + ("",) * 6
SEEDS = _names(
    "country_codes currency_rates holidays channel_mapping plan_tiers region_mapping "
    "product_categories tax_rates fiscal_calendar account_mapping cost_centers carrier_codes "
    "language_codes timezone_mapping utm_mapping sku_overrides")
TAGS = _names(
    "daily hourly nightly core pii gdpr sox experimental deprecated certified kpi incremental "
    "external sensitive beta")
TEAMS = tuple(
    (name, name.lower().replace(" & ", "-").replace(" ", "-") + "@shop.example")
    for name in (
        "Finance Analytics", "Commerce Analytics", "Marketing Analytics", "Sales Operations",
        "Support Insights", "Product Analytics", "Data Platform", "Engineering Metrics",
        "People Analytics", "Logistics Data", "Security Engineering", "Growth",
        "Risk & Fraud", "Business Operations", "Data Science",
    )
)
CONSUMER_KINDS = (
    (ConsumerKind.DASHBOARD, 45), (ConsumerKind.CHART, 10), (ConsumerKind.NOTEBOOK, 12),
    (ConsumerKind.ML, 8), (ConsumerKind.REVERSE_ETL, 8), (ConsumerKind.APPLICATION, 7),
    (ConsumerKind.ANALYSIS, 5), (ConsumerKind.FEATURE, 5),
)
ROLE_TYPES = {
    "amount": "numeric(18,2)", "timestamp": "timestamp", "date": "date", "status": "varchar",
    "flag": "boolean", "count": "integer", "text": "varchar", "json": "variant",
    "key": "bigint", "fk": "bigint",
}
#: How often a source column has each role (besides its key and foreign keys).
ROLE_WEIGHTS = {
    "amount": 14, "timestamp": 16, "date": 5, "status": 16, "flag": 10, "count": 10,
    "text": 22, "json": 3,
}
ROLE_NAMES: dict[str, tuple[str, ...]] = {
    "amount": _names(
        "amount total_amount tax_amount discount_amount net_amount gross_amount fee_amount "
        "refunded_amount balance unit_price cost revenue mrr arr shipping_amount subtotal "
        "credit_amount"),
    "timestamp": _names(
        "created_at updated_at deleted_at completed_at cancelled_at started_at ended_at "
        "processed_at shipped_at delivered_at signed_up_at last_seen_at closed_at paid_at "
        "converted_at expires_at"),
    "date": _names(
        "created_date order_date invoice_date due_date period_start period_end activity_date"),
    "status": _names(
        "status state stage lifecycle_stage type category channel source medium plan_name "
        "tier segment priority currency country_code region platform device_type reason"),
    "flag": _names(
        "is_deleted is_active is_test is_internal is_refunded is_paid is_verified is_primary "
        "is_churned has_discount is_subscribed is_trial"),
    "count": _names(
        "quantity item_count attempts seats page_count clicks impressions conversions "
        "days_active retries"),
    "text": _names(
        "name email first_name last_name phone title description sku url domain city "
        "postal_code company_name user_agent ip_address notes subject label"),
    "json": _names("metadata properties raw_payload attributes"),
}
STATUS_VALUES = _names("completed cancelled refunded active churned paid pending open")
JSON_FIELDS = _names("plan source campaign locale version referrer")
# fmt: on


def singular(plural: str) -> str:
    """`payments` -> `payment`, `opportunities` -> `opportunity`, `addresses` -> `address`."""
    for ending, replacement in (("ies", "y"), ("sses", "ss"), ("ches", "ch"), ("s", "")):
        if plural.endswith(ending):
            return plural[: -len(ending)] + replacement
    return plural


#: layer -> sentences; {one} is the entity in the singular, {words} the entity, {Words} it
#: capitalized, {domain} the model's domain.
_MODEL_SENTENCES = {
    "sources": (
        "Raw {words} as loaded by the ingestion tool, one row per {one}.",
        "{Words} from the production database; soft-deleted rows included.",
    ),
    "staging": (
        "Cleaned {words}: one row per {one}, columns renamed and cast.",
        "{Words} deduplicated on the source key, amounts in currency units.",
        "Staging model for {words}. Do not use directly in dashboards.",
    ),
    "intermediate": (
        "One row per {one}, joined to its {domain} attributes.",
        "{Words} prepared for the {domain} marts; internal to the project.",
        "Intermediate {words} with the business rules of the {domain} team applied.",
    ),
    "marts": (
        "The {domain} team's {words} table, one row per {one}.",
        "{Words} for reporting: amounts in US dollars, times in UTC.",
        "Certified {domain} mart of {words}. Grain: one {one} per day.",
        "Everything the {domain} dashboards need about {words}, refreshed nightly.",
    ),
}
#: role -> sentences; {one} is the entity in the singular, {words} the column's name in
#: words, {Words} capitalized, {ref} the entity a foreign key names.
_COLUMN_SENTENCES = {
    "key": ("Primary key of the {one}.", "Primary key.", "Unique id of the {one}."),
    "fk": ("The {ref} this {one} belongs to.", "Foreign key to {ref}s."),
    "amount": (
        "{Words} in US dollars; refunds are negative.",
        "{Words}, in the currency of the {one}.",
        "{Words} excluding tax.",
    ),
    "timestamp": ("When the {one} was {ref}, in UTC.", "{Words} (UTC)."),
    "date": ("{Words}, in the reporting time zone.", "Calendar date."),
    "status": (
        "{Words} of the {one}: one of the accepted values.",
        "The {one}'s {words} as reported by the source.",
    ),
    "flag": ("True when the {one} {words}.", "Boolean flag; null means unknown."),
    "count": ("Number of {words}.", "How many {words} the {one} has."),
    "text": ("{Words} as entered by the user.", "The {one}'s {words}."),
    "json": ("Raw JSON from the source; parse with care.",),
}


def model_description(rng: random.Random, layer: str, entity: str, domain: str) -> str:
    """A sentence or two as teams write them in dbt YAML."""
    words = entity.replace("_", " ")
    sentence = rng.choice(_MODEL_SENTENCES.get(layer, _MODEL_SENTENCES["marts"]))
    text = sentence.format(
        one=singular(entity).replace("_", " "), words=words, Words=words.capitalize(), domain=domain
    )
    if rng.random() < 0.2:
        text += " See the data contract in the handbook before changing a column."
    return text


def column_description(rng: random.Random, name: str, role: str, entity: str) -> str:
    """A column description in the style of its role."""
    words = name.strip("_").replace("_", " ")
    ref = words.removesuffix(" id").removesuffix(" at")
    sentence = rng.choice(_COLUMN_SENTENCES.get(role.rstrip(DERIVED), _COLUMN_SENTENCES["text"]))
    one = singular(entity).replace("_", " ")
    return sentence.format(one=one, words=words, Words=words.capitalize(), ref=ref)


# -- the generator ----------------------------------------------------------------------------


@dataclass(eq=False)
class _Node:
    """A relation being built: its id, layer, domain, entity and columns (name, type, role)."""

    name: str
    layer: str
    domain: str
    entity: str
    path: str
    columns: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def alias(self) -> str:
        """How a query refers to it: the part after the last `__`, else after the prefix."""
        short = self.name.rsplit(".", 1)[-1]
        return short.rsplit("__", 1)[-1] if "__" in short else short.split("_", 1)[-1]

    @cached_property
    def by_role(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for name, _, role in self.columns:
            found.setdefault(role, []).append(name)
        return found


@dataclass
class _Parent:
    node: _Node
    alias: str


@dataclass
class _Made:
    """The columns of a model being built, their edges, and the lines they are defined on."""

    node: _Node
    columns: list[tuple[str, str, str]] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    group_by: list[tuple[ColumnRef, str]] = field(default_factory=list)
    taken: set[str] = field(default_factory=set)

    def add(
        self,
        name: str,
        data_type: str,
        role: str,
        sources: list[tuple[ColumnRef, EdgeKind]],
        expression: str,
        inner: tuple[str, ...] = (),
        derived: bool = True,
    ) -> str | None:
        """Add a column fed by `sources` (none: a literal); None when the name is taken. A
        `derived` column's role is marked, so that later models pass it through but do not
        transform it again (`amount_usd_usd`)."""
        if name in self.taken:
            return None
        self.taken.add(name)
        role = role + DERIVED if derived and not role.endswith(DERIVED) else role
        line = 12 + 2 * len(self.columns)
        self.columns.append((name, data_type, role))
        target = ColumnRef(self.node.name, name)
        location = Location(self.node.path, line)
        self.edges += [Edge(s, target, k, expression, location, inner) for s, k in sources]
        return name


@dataclass
class _Build:
    """Everything accumulated while generating."""

    rng: random.Random
    columns: int
    relations: list[Relation] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    blind: list[BlindSpot] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    names: set[str] = field(default_factory=set)
    by_layer: dict[str, list[_Node]] = field(default_factory=dict)
    by_domain: dict[tuple[str, str], list[_Node]] = field(default_factory=dict)
    unresolved: int = 0

    def add(self, node: _Node) -> None:
        self.names.add(node.name)
        self.by_layer.setdefault(node.layer, []).append(node)
        self.by_domain.setdefault((node.layer, node.domain), []).append(node)


def explorer_project(models: int = 20_000, columns: int = 20, seed: int = 1) -> Project:
    """A dbt-like project of `models` dbt models with about `columns` columns per relation
    (plus their sources, a few seeds, snapshots and application tables, and consumers)."""
    enabled = gc.isenabled()
    gc.disable()  # millions of acyclic objects: the collector would only slow this down
    try:
        return _project(_Build(random.Random(seed), columns), models)
    finally:
        if enabled:
            gc.enable()


def _project(build: _Build, models: int) -> Project:
    staging = round(models * STAGING)
    intermediate = round(models * INTERMEDIATE)
    _sources_and_staging(build, staging)
    _seeds_and_snapshots(build, models)
    derived = models - staging
    blind = set(build.rng.sample(range(derived), round(models * BLIND_MODELS)))
    for number in range(derived):
        layer = "intermediate" if number < intermediate else "marts"
        _derived_model(build, layer, number in blind)
    consumers = _consumers(build, max(3, round(models * CONSUMERS_PER_MODEL)))
    build.diagnostics += _informational(build)
    return Project(
        root=f"/synthetic/{PROJECT}",
        dialect="snowflake",
        relations=tuple(sorted(build.relations, key=lambda r: r.name)),
        edges=tuple(build.edges),
        blind_spots=tuple(sorted(build.blind, key=lambda b: b.target.sort_key)),
        diagnostics=tuple(sorted(build.diagnostics)),
        coverage=_coverage(build, models),
        consumers=tuple(consumers),
    )


# -- sources, staging, seeds, snapshots -------------------------------------------------------


def _sources_and_staging(build: _Build, count: int) -> None:
    """`count` source tables, each with its staging model (and app tables behind `app`)."""
    tables = [
        (system + suffix, system, domain, entity)
        for suffix in INSTANCES
        for system, domain, entities in SYSTEMS
        for entity in entities
    ]
    for number, (instance, system, domain, entity) in enumerate(tables[:count]):
        source = _source(build, instance, system, domain, entity, number)
        name = f"model.{PROJECT}.stg_{instance}__{entity}"
        path = f"models/staging/{instance}/stg_{instance}__{entity}.sql"
        node = _Node(name, "staging", domain, entity, path)
        made = _staging_columns(build.rng, node, _Parent(source, "source"))
        if build.rng.random() < 0.3:  # deduplicated: QUALIFY row_number() ... = 1
            made.edges += _dedup(node, source)
        _finish_model(build, node, made)


def _source(
    build: _Build, instance: str, system: str, domain: str, entity: str, number: int
) -> _Node:
    rng = build.rng
    name = f"source.{PROJECT}.{instance}.{entity}"
    path = f"models/staging/{instance}/_{instance}__sources.yml"
    node = _Node(name, "sources", domain, entity, path)
    node.columns = _source_columns(rng, entity, build.columns, system)
    line = 8 + (number % 40) * 30
    documented = rng.random() < 0.35
    cols = tuple(
        Column(
            n,
            t,
            Location(path, line + 3 + i),
            description=column_description(rng, n, r, entity) if documented else None,
        )
        for i, (n, t, r) in enumerate(node.columns)
    )
    key = Location(path, line + 4)
    tests = (DataTest("not_null", "id", key), DataTest("unique", "id", key)) if documented else ()
    build.relations.append(
        Relation(
            name,
            RelationKind.SOURCE,
            cols,
            Location(path, line),
            owner=_owner(rng, domain, 0.5),
            tests=tests,
            description=model_description(rng, "sources", entity, domain) if documented else None,
            tags=("fivetran",) if system != "app" else ("app",),
        )
    )
    build.add(node)
    if system == "app":
        _app_table(build, node, Location(path, line))
    return node


def _source_columns(
    rng: random.Random, entity: str, mean: int, system: str
) -> list[tuple[str, str, str]]:
    count = _column_count(rng, mean)
    found = [("id", "bigint", "key")]
    others = [e for e in ENTITIES if e != entity]
    found += [(f"{singular(o)}_id", "bigint", "fk") for o in rng.sample(others, rng.randint(1, 4))]
    roles, weights = list(ROLE_WEIGHTS), list(ROLE_WEIGHTS.values())
    taken = {n for n, _, _ in found}
    while len(found) < count - 1:
        role = rng.choices(roles, weights)[0]
        name = rng.choice(ROLE_NAMES[role])
        if name not in taken:
            taken.add(name)
            found.append((name, ROLE_TYPES[role], role))
    found.append(("_fivetran_synced" if system != "app" else "_loaded_at", "timestamp", "meta"))
    return found


def _app_table(build: _Build, source: _Node, location: Location) -> None:
    """The application table a source of the `app` system is loaded from."""
    service = ("shop", "billing", "tracking", "accounts")[len(build.names) % 4]
    name = f"app:{service}.{source.entity}"
    migration = f"../shop_app/{service}/db/migrations/V{len(build.names) % 97 + 1}__create.sql"
    cols = tuple(
        Column(n, t, Location(migration, 3 + i)) for i, (n, t, _) in enumerate(source.columns)
    )
    build.relations.append(Relation(name, RelationKind.APP_TABLE, cols, Location(migration, 2)))
    build.edges += [
        Edge(
            ColumnRef(name, column),
            ColumnRef(source.name, column),
            EdgeKind.IDENTITY,
            f"loaded by fivetran from {name}",
            location,
        )
        for column, _, _ in source.columns
    ]


def _staging_columns(rng: random.Random, node: _Node, source: _Parent) -> _Made:
    """Renames, casts and clean-ups of a source table's columns."""
    made = _Made(node)
    one = singular(node.entity)
    for name, data_type, role in source.node.columns:
        ref = ColumnRef(source.node.name, name)
        expression = f"source.{name}"
        chance = rng.random()
        if role == "key":
            made.add(
                f"{one}_id", "bigint", "key", [(ref, EdgeKind.IDENTITY)], expression, (), False
            )
        elif chance < 0.05 or role == "meta":
            continue  # not selected
        elif chance < 0.25 and role in _TRANSFORMS:
            _transform(rng, made, role, [(source, name)], staging=True)
        elif chance < 0.3 and role in ("status", "timestamp"):
            renamed = f"{one}_{name}" if role == "status" else f"{name.removesuffix('_at')}_time"
            made.add(renamed, data_type, role, [(ref, EdgeKind.IDENTITY)], expression, (), False)
        else:
            made.add(name, data_type, role, [(ref, EdgeKind.IDENTITY)], expression, (), False)
    return made


def _dedup(node: _Node, source: _Node) -> list[Edge]:
    loaded = source.columns[-1][0]
    expression = (
        f"QUALIFY ROW_NUMBER() OVER (PARTITION BY source.id ORDER BY source.{loaded} DESC) = 1"
    )
    location = Location(node.path, 8)
    rows = ColumnRef(node.name, None)
    return [
        Edge(ColumnRef(source.name, c), rows, EdgeKind.FILTER, expression, location)
        for c in ("id", loaded)
    ]


def _seeds_and_snapshots(build: _Build, models: int) -> None:
    rng = build.rng
    for seed in SEEDS[: max(3, models // 400)]:
        name = f"seed.{PROJECT}.{seed}"
        node = _Node(name, "seeds", "core", seed, f"seeds/{seed}.csv")
        node.columns = [("code", "varchar", "status"), ("label", "varchar", "text")]
        node.columns += [
            (f"{seed}_value", "numeric(18,6)", "amount"),
            ("valid_from", "date", "date"),
        ]
        cols = tuple(Column(n, t, Location(node.path, 1)) for n, t, _ in node.columns)
        build.relations.append(Relation(name, RelationKind.SEED, cols, Location(node.path, 1)))
        build.add(node)
    for source in rng.sample(build.by_layer["sources"], max(2, models // 200)):
        short = source.name.split(".", 2)[2].replace(".", "__")
        path = f"snapshots/snap_{short}.sql"
        node = _Node(
            f"snapshot.{PROJECT}.snap_{short}", "snapshots", source.domain, source.entity, path
        )
        made = _Made(node)
        for name, data_type, role in source.columns:
            ref = ColumnRef(source.name, name)
            made.add(name, data_type, role, [(ref, EdgeKind.IDENTITY)], f"source.{name}", (), False)
        made.add("dbt_valid_from", "timestamp", "timestamp", [], "dbt snapshot")
        made.add("dbt_valid_to", "timestamp", "timestamp", [], "dbt snapshot")
        _finish_model(build, node, made, RelationKind.SNAPSHOT)


# -- intermediate models and marts ------------------------------------------------------------


def _derived_model(build: _Build, layer: str, blind: bool) -> None:
    rng = build.rng
    domain = rng.choice(DOMAINS)
    name, entity = _unique_name(build, layer, domain, rng.choice(ENTITIES))
    folder = "intermediate" if layer == "intermediate" else "marts"
    short = name.split(".", 2)[2]
    node = _Node(name, layer, domain, entity, f"models/{folder}/{domain}/{short}.sql")
    nodes = _parents(build, layer, domain)
    parents = [_Parent(p, a) for p, a in zip(nodes, _aliases(nodes), strict=True)]
    if blind and rng.random() < 0.3:
        _python_model(build, node, nodes)
        return
    wide = layer == "marts" and rng.random() < WIDE_MARTS
    aggregate = not wide and rng.random() < AGGREGATES
    count = rng.randint(100, 200) if wide else _column_count(rng, build.columns)
    made = _derived_columns(rng, node, parents, count, aggregate)
    made.edges += _row_edges(rng, node, parents, made)
    if blind:
        _blind_spot(build, node, made, parents)
    _finish_model(build, node, made)


def _unique_name(build: _Build, layer: str, domain: str, entity: str) -> tuple[str, str]:
    """A model id not taken yet, and the entity it is named after."""
    rng = build.rng
    while True:
        if layer == "intermediate":
            short = f"int_{domain}__{entity}_{rng.choice(QUALIFIERS)}"
        else:
            prefix = rng.choice(("fct", "fct", "dim", "rpt", "agg", "mart"))
            grain = rng.choice(GRAINS)
            short = f"{prefix}_{domain}__{entity}" + (f"_{grain}" if grain else "")
        name = f"model.{PROJECT}.{short}"
        if name not in build.names:
            return name, entity
        entity = rng.choice(ENTITIES)


def _parents(build: _Build, layer: str, domain: str) -> list[_Node]:
    """1-4 parents from the layers this layer reads, three in four from the same domain."""
    rng = build.rng
    reads = ("staging", "intermediate", "snapshots")
    if layer == "marts":
        reads = ("intermediate", "marts", "staging")
    found: list[_Node] = []
    for _ in range(rng.choices((1, 2, 3, 4), (35, 35, 20, 10))[0]):
        from_layer = rng.choices(reads, (70, 27, 3))[0]
        pool = build.by_domain.get((from_layer, domain)) if rng.random() < 0.75 else None
        pool = pool or build.by_layer.get(from_layer) or build.by_layer["staging"]
        if rng.random() < 0.5:  # recent models are read more often: chains grow deep
            parent = pool[min(len(pool) - 1, int(len(pool) * (1 - rng.random() ** 3)))]
        else:
            parent = rng.choice(pool)
        if parent not in found:
            found.append(parent)
    if rng.random() < 0.04:
        found.append(rng.choice(build.by_layer["seeds"]))
    return found


def _aliases(parents: list[_Node]) -> list[str]:
    seen: dict[str, int] = {}
    found = []
    for parent in parents:
        seen[parent.alias] = seen.get(parent.alias, 0) + 1
        number = seen[parent.alias]
        found.append(parent.alias if number == 1 else f"{parent.alias}_{number}")
    return found


def _derived_columns(
    rng: random.Random, node: _Node, parents: list[_Parent], count: int, aggregate: bool
) -> _Made:
    """The key, then pass-throughs, transformations, case, window and aggregate columns."""
    made = _Made(node)
    main = parents[0]
    key = main.node.columns[0]
    ref = ColumnRef(main.node.name, key[0])
    expression = f"{main.alias}.{key[0]}"
    made.add(key[0], key[1], "key", [(ref, EdgeKind.IDENTITY)], expression, (), False)
    if aggregate:
        made.group_by.append((ref, f"{main.alias}.{key[0]}"))
        date = _pick(rng, [main], ("date", "timestamp"))
        if date is not None:
            column = date[1]
            text = f"date_trunc('day', {main.alias}.{column})"
            name = f"{column.removesuffix('_at').removesuffix('_date')}_day"
            source = ColumnRef(main.node.name, column)
            if made.add(name, "date", "date", [(source, EdgeKind.TRANSFORMATION)], text):
                made.group_by.append((source, text))
    recipes, weights = _AGGREGATE if aggregate else _SELECT
    misses = 0
    while len(made.columns) < count and misses < 50:
        recipe = rng.choices(recipes, weights)[0]
        if recipe(rng, made, parents) is None:
            misses += 1
    number = 0
    while len(made.columns) < count:  # wide marts run out of names: number the rest
        number += 1
        made.add(f"attribute_{number:03d}", "varchar", "text", [], "null")
    return made


def _pick(
    rng: random.Random, parents: list[_Parent], roles: tuple[str, ...]
) -> tuple[_Parent, str] | None:
    """A column of one of `parents` (the first twice as likely) with one of `roles`."""
    order = [parents[0], *parents] if len(parents) > 1 else parents
    for _ in range(4):
        parent = rng.choice(order)
        names = [n for role in roles for n in parent.node.by_role.get(role, ())]
        if names:
            return parent, rng.choice(names)
    return None


def _identity(rng: random.Random, made: _Made, parents: list[_Parent]) -> str | None:
    for _ in range(3):
        parent = rng.choice([parents[0], *parents])
        name, data_type, role = rng.choice(parent.node.columns)
        if name not in made.taken and role != "key":
            ref = ColumnRef(parent.node.name, name)
            expression = f"{parent.alias}.{name}"
            identity = [(ref, EdgeKind.IDENTITY)]
            return made.add(name, data_type, role, identity, expression, (), False)
    return None


def _transformation(rng: random.Random, made: _Made, parents: list[_Parent]) -> str | None:
    found = _pick(rng, parents, tuple(_TRANSFORMS))
    if found is None:
        return None
    parent, name = found
    return _transform(rng, made, _role(parent, name), [(parent, name)], staging=False)


def _role(parent: _Parent, name: str) -> str:
    return next(role for role, names in parent.node.by_role.items() if name in names)


def _transform(
    rng: random.Random,
    made: _Made,
    role: str,
    inputs: list[tuple[_Parent, str]],
    staging: bool,
) -> str | None:
    """A transformation of a column by its role: a name, type and expression from the
    role's templates, and for a third of them the CTE steps before it."""
    parent, column = inputs[0]
    name_format, data_type, out_role, text = rng.choice(_TRANSFORMS[role])
    qualified = f"{parent.alias}.{column}"
    value = rng.choice(STATUS_VALUES)
    fields = {"n": column, "s": column.removesuffix("_at"), "v": value, "a": qualified}
    fields["f"] = rng.choice(JSON_FIELDS)
    name = name_format.format(**fields)
    sources = [(ColumnRef(parent.node.name, column), EdgeKind.TRANSFORMATION)]
    if "{b}" in text:
        other = _pick(rng, [parent], (role,) if role != "key" else ("fk", "key"))
        if other is None or other[1] == column:
            return None
        fields["b"] = f"{other[0].alias}.{other[1]}"
        sources.append((ColumnRef(other[0].node.name, other[1]), EdgeKind.TRANSFORMATION))
    inner: tuple[str, ...] = ()
    if not staging and rng.random() < 0.33:
        inner = (f"cast({column} as {data_type})",)
        if rng.random() < 0.4:
            inner += (f"coalesce({column}, {'0' if role in ('amount', 'count') else 'null'})",)
    return made.add(name, data_type, out_role, sources, text.format(**fields), inner, not staging)


def _case(rng: random.Random, made: _Made, parents: list[_Parent]) -> str | None:
    found = _pick(rng, parents, ("amount", "count", "status"))
    if found is None:
        return None
    parent, column = found
    a = f"{parent.alias}.{column}"
    ref = ColumnRef(parent.node.name, column)
    if _role(parent, column) == "status":
        text = (
            f"case when {a} in ('{rng.choice(STATUS_VALUES)}', '{rng.choice(STATUS_VALUES)}') "
            f"then 'closed' when {a} is null then 'unknown' else 'open' end"
        )
        return made.add(f"{column}_group", "varchar", "status", [(ref, EdgeKind.CONDITIONAL)], text)
    status = _pick(rng, [parent], ("status", "flag"))
    if status is None or rng.random() < 0.5:
        high = rng.choice((100, 500, 1000, 5000))
        text = (
            f"case when {a} >= {high} then 'large' when {a} >= {high // 10} then 'medium' "
            "else 'small' end"
        )
        return made.add(
            f"{column}_bucket", "varchar", "status", [(ref, EdgeKind.CONDITIONAL)], text
        )
    s = f"{parent.alias}.{status[1]}"
    text = f"case when {s} = '{rng.choice(STATUS_VALUES)}' then -{a} else {a} end"
    sources = [
        (ref, EdgeKind.TRANSFORMATION),
        (ColumnRef(parent.node.name, status[1]), EdgeKind.CONDITIONAL),
    ]
    return made.add(f"signed_{column}", "numeric(18,2)", "amount", sources, text)


def _window(rng: random.Random, made: _Made, parents: list[_Parent]) -> str | None:
    parent = parents[0]
    partition = _pick(rng, [parent], ("fk", "key"))
    order = _pick(rng, [parent], ("timestamp", "date"))
    if partition is None or order is None:
        return None
    p, o = f"{parent.alias}.{partition[1]}", f"{parent.alias}.{order[1]}"
    sources = [
        (ColumnRef(parent.node.name, partition[1]), EdgeKind.WINDOW),
        (ColumnRef(parent.node.name, order[1]), EdgeKind.WINDOW),
    ]
    value = _pick(rng, [parent], ("amount", "count"))
    if value is None or rng.random() < 0.4:
        name = f"{partition[1].removesuffix('_id')}_{singular(made.node.entity)}_number"
        text = f"row_number() over (partition by {p} order by {o})"
        return made.add(name, "integer", "count", sources, text)
    a = f"{parent.alias}.{value[1]}"
    sources.append((ColumnRef(parent.node.name, value[1]), EdgeKind.AGGREGATION))
    if rng.random() < 0.5:
        frame = "rows between unbounded preceding and current row"
        text = f"sum({a}) over (partition by {p} order by {o} {frame})"
        return made.add(f"cumulative_{value[1]}", "numeric(18,2)", "amount", sources, text)
    text = f"lag({a}) over (partition by {p} order by {o})"
    return made.add(f"previous_{value[1]}", "numeric(18,2)", "amount", sources, text)


def _aggregation(rng: random.Random, made: _Made, parents: list[_Parent]) -> str | None:
    found = _pick(rng, parents, tuple(_AGGREGATES))
    if found is None:
        return None
    parent, column = found
    name_format, data_type, text = rng.choice(_AGGREGATES[_role(parent, column)])
    a = f"{parent.alias}.{column}"
    stem = column.removesuffix("_id").removesuffix("_at")
    name = name_format.format(n=column, s=stem)
    sources = [(ColumnRef(parent.node.name, column), EdgeKind.AGGREGATION)]
    return made.add(
        name, data_type, "amount" if "sum" in text else "count", sources, text.format(a=a)
    )


def _conditional_sum(rng: random.Random, made: _Made, parents: list[_Parent]) -> str | None:
    value = _pick(rng, parents, ("amount",))
    if value is None:
        return None
    parent, column = value
    status = _pick(rng, [parent], ("status",))
    if status is None:
        return None
    v = rng.choice(STATUS_VALUES)
    text = (
        f"sum(case when {parent.alias}.{status[1]} = '{v}' then {parent.alias}.{column} else 0 end)"
    )
    sources = [
        (ColumnRef(parent.node.name, column), EdgeKind.AGGREGATION),
        (ColumnRef(parent.node.name, status[1]), EdgeKind.CONDITIONAL),
    ]
    return made.add(f"{v}_{column}", "numeric(18,2)", "amount", sources, text)


def _literal(rng: random.Random, made: _Made, parents: list[_Parent]) -> str | None:
    name, data_type, text = rng.choice(
        (
            ("_loaded_at", "timestamp", "current_timestamp()"),
            ("_model_version", "varchar", "'v2'"),
            ("source_system", "varchar", f"'{made.node.domain}'"),
            ("is_current", "boolean", "true"),
        )
    )
    return made.add(name, data_type, "text", [], text)


_Recipe = Callable[[random.Random, _Made, list[_Parent]], "str | None"]
_SELECT: tuple[tuple[_Recipe, ...], tuple[int, ...]] = (
    (_identity, _transformation, _case, _window, _literal),
    (68, 21, 6, 3, 2),
)
_AGGREGATE: tuple[tuple[_Recipe, ...], tuple[int, ...]] = (
    (_aggregation, _conditional_sum, _transformation, _window, _literal),
    (60, 14, 14, 6, 6),
)

#: role -> (name, type, role of the result, expression); {a} the column, {b} another one of
#: the same role, {n} the column's name, {s} its stem, {v} a status value, {f} a JSON field.
_TRANSFORMS: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    "amount": (
        ("{n}_usd", "numeric(18,2)", "amount", "coalesce({a}, 0) / 100.0"),
        ("{n}_usd", "numeric(18,2)", "amount", "round({a} * fx.rate_to_usd, 2)"),
        ("net_{n}", "numeric(18,2)", "amount", "{a} - coalesce({b}, 0)"),
        ("{n}_eur", "numeric(18,2)", "amount", "round({a} * 0.92, 2)"),
        ("{n}_rounded", "numeric(18,0)", "amount", "round({a}, 0)"),
    ),
    "timestamp": (
        ("{s}_date", "date", "date", "cast({a} as date)"),
        ("{s}_month", "date", "date", "date_trunc('month', {a})"),
        ("days_since_{s}", "integer", "count", "datediff('day', {a}, current_date)"),
        ("{s}_hour", "integer", "count", "extract(hour from {a})"),
        ("{n}_utc", "timestamp", "timestamp", "convert_timezone('UTC', {a})"),
        ("{s}_duration_days", "integer", "count", "datediff('day', {a}, {b})"),
    ),
    "date": (
        ("{n}_week", "date", "date", "date_trunc('week', {a})"),
        ("{n}_year", "integer", "count", "year({a})"),
    ),
    "status": (
        ("{n}_normalized", "varchar", "status", "lower(trim({a}))"),
        ("is_{v}", "boolean", "flag", "{a} = '{v}'"),
        ("{n}_or_unknown", "varchar", "status", "coalesce({a}, 'unknown')"),
    ),
    "flag": (
        ("{n}_int", "integer", "count", "cast({a} as integer)"),
        ("{n}_or_false", "boolean", "flag", "coalesce({a}, false)"),
    ),
    "count": (
        ("{n}_rate", "float", "amount", "{a} / nullif({b}, 0)"),
        ("{n}_filled", "integer", "count", "coalesce({a}, 0)"),
    ),
    "text": (
        ("{n}_clean", "varchar", "text", "lower(trim({a}))"),
        ("{n}_hash", "varchar", "text", "md5({a})"),
        ("{n}_length", "integer", "count", "length({a})"),
        ("{n}_domain", "varchar", "text", "split_part({a}, '@', 2)"),
    ),
    "json": (("{n}_{f}", "varchar", "text", "{a}:{f}::varchar"),),
    "fk": (
        ("{s}_key", "varchar", "key", "md5(cast({a} as varchar) || '-' || cast({b} as varchar))"),
    ),
}
#: role -> (name, type, expression)
_AGGREGATES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "amount": (
        ("total_{n}", "numeric(18,2)", "sum({a})"),
        ("avg_{n}", "numeric(18,2)", "avg({a})"),
        ("max_{n}", "numeric(18,2)", "max({a})"),
    ),
    "fk": (("{s}_count", "integer", "count(distinct {a})"),),
    "timestamp": (
        ("first_{s}_at", "timestamp", "min({a})"),
        ("last_{s}_at", "timestamp", "max({a})"),
    ),
    "flag": (("{s}_count", "integer", "count_if({a})"),),
    "count": (("total_{n}", "integer", "sum({a})"),),
    "text": (("distinct_{n}_count", "integer", "count(distinct {a})"),),
    "status": (("{n}_count", "integer", "count(distinct {a})"),),
}


def _row_edges(rng: random.Random, node: _Node, parents: list[_Parent], made: _Made) -> list[Edge]:
    """Join edges for every parent after the first, a filter on two models in five, and the
    group-by edges of an aggregate, all into the model's rows."""
    rows = ColumnRef(node.name, None)
    main = parents[0]
    found: list[Edge] = []
    line = 14 + 2 * len(made.columns)
    for number, parent in enumerate(parents[1:], start=1):
        left, right = _join_keys(main.node, parent.node)
        text = f"{main.alias}.{left} = {parent.alias}.{right}"
        location = Location(node.path, line + number)
        found.append(Edge(ColumnRef(main.node.name, left), rows, EdgeKind.JOIN, text, location))
        found.append(Edge(ColumnRef(parent.node.name, right), rows, EdgeKind.JOIN, text, location))
    if rng.random() < 0.4:
        conditions = [c for c in (_filter(rng, parents), _filter(rng, parents)) if c]
        conditions = conditions[: rng.randint(1, 2)]
        text = "WHERE " + " AND ".join(c[1] for c in conditions)
        location = Location(node.path, line + len(parents) + 1)
        found += [Edge(ref, rows, EdgeKind.FILTER, text, location) for ref, _ in conditions]
    if made.group_by:
        text = "GROUP BY " + ", ".join(t for _, t in made.group_by)
        location = Location(node.path, line + len(parents) + 3)
        found += [Edge(ref, rows, EdgeKind.GROUP_BY, text, location) for ref, _ in made.group_by]
    return found


def _join_keys(left: _Node, right: _Node) -> tuple[str, str]:
    """A shared id column, else the left key against a foreign key of the right."""
    left_ids = [n for n, _, r in left.columns if r in ("key", "fk")]
    right_ids = {n for n, _, r in right.columns if r in ("key", "fk")}
    shared = next((n for n in left_ids if n in right_ids), None)
    if shared is not None:
        return shared, shared
    return left_ids[0], next(iter(sorted(right_ids)), right.columns[0][0])


def _filter(rng: random.Random, parents: list[_Parent]) -> tuple[ColumnRef, str] | None:
    found = _pick(rng, parents, ("status", "flag", "timestamp", "fk"))
    if found is None:
        return None
    parent, column = found
    a = f"{parent.alias}.{column}"
    text = {
        "status": f"{a} NOT IN ('cancelled', 'deleted', '{rng.choice(STATUS_VALUES)}')",
        "flag": f"NOT coalesce({a}, false)",
        "timestamp": f"{a} >= dateadd('day', -{rng.choice((90, 365, 730))}, current_date)",
        "fk": f"{a} IS NOT NULL",
    }[_role(parent, column)]
    return ColumnRef(parent.node.name, column), text


def _finish_model(
    build: _Build, node: _Node, made: _Made, kind: RelationKind = RelationKind.MODEL
) -> None:
    """The relation of a model from its columns, and its column edges."""
    rng = build.rng
    node.columns = made.columns
    typed = rng.random() < 0.6
    documented = rng.random() < 0.4
    contract = node.layer == "marts" and rng.random() < 0.05
    yml = node.path.rsplit("/", 1)[0] + f"/_{node.domain}__models.yml"
    line = rng.randint(1, 60) * 12
    share = 0.6 if documented else 0.1
    cols = tuple(
        Column(
            n,
            t if typed or contract else None,
            Location(node.path, 12 + 2 * i),
            description=column_description(rng, n, r, node.entity)
            if rng.random() < share
            else None,
        )
        for i, (n, t, r) in enumerate(made.columns)
    )
    build.relations.append(
        Relation(
            node.name,
            kind,
            cols,
            Location(node.path, 1),
            contract=contract,
            owner=_owner(rng, node.domain, 0.85),
            tests=_tests(rng, made, yml, line) if documented or rng.random() < 0.2 else (),
            description=model_description(rng, node.layer, node.entity, node.domain)
            if documented
            else None,
            tags=_tags(rng, node),
        )
    )
    build.edges += made.edges
    build.add(node)


def _tests(rng: random.Random, made: _Made, yml: str, line: int) -> tuple[DataTest, ...]:
    key = made.columns[0][0]
    tests = [
        DataTest("not_null", key, Location(yml, line)),
        DataTest("unique", key, Location(yml, line)),
    ]
    for offset, (name, _, role) in enumerate(made.columns[1:], start=1):
        chance = rng.random()
        at = Location(yml, line + 3 * offset)
        if role == "fk" and chance < 0.3:
            tests.append(DataTest("relationships", name, at))
        elif role == "status" and chance < 0.2:
            tests.append(DataTest("accepted_values", name, at))
        elif role in ("fk", "timestamp") and chance < 0.15:
            tests.append(DataTest("not_null", name, at))
    return tuple(sorted(tests))


def _tags(rng: random.Random, node: _Node) -> tuple[str, ...]:
    if rng.random() >= 0.3:
        return ()
    chosen = {rng.choice(TAGS) for _ in range(rng.randint(1, 3))}
    if rng.random() < 0.5:
        chosen.add(node.domain)
    return tuple(sorted(chosen))


def _owner(rng: random.Random, domain: str, share: float) -> Owner | None:
    if rng.random() >= share:
        return None
    team = TEAMS[DOMAINS.index(domain) % len(TEAMS)] if rng.random() < 0.8 else rng.choice(TEAMS)
    form = rng.random()
    if form < 0.2:
        return Owner(team[0], None)
    return Owner(None, team[1]) if form < 0.3 else Owner(*team)


def _column_count(rng: random.Random, mean: int) -> int:
    low = max(2, round(mean * 0.35))
    return rng.randint(low, max(low, 2 * mean - low))


# -- blind spots, consumers, diagnostics, coverage -------------------------------------------


def _python_model(build: _Build, node: _Node, parents: list[_Node]) -> None:
    """A Python model: its columns come from YAML, its lineage is a blind spot."""
    rng = build.rng
    node.path = node.path[:-4] + ".py"
    node.columns = [(f"{singular(node.entity)}_id", "bigint", "key")]
    node.columns += [(f"score_{i}", "float", "amount") for i in range(rng.randint(3, 12))]
    cols = tuple(Column(n, t, None) for n, t, _ in node.columns)
    location = Location(node.path, 1)
    build.relations.append(Relation(node.name, RelationKind.MODEL, cols, location))
    build.add(node)
    upstream = tuple(sorted(p.name for p in parents))
    reason = "Python model: lineage not analysed"
    build.blind.append(BlindSpot(ColumnRef(node.name, None), reason, location, upstream))
    message = (
        "Python model: its column lineage is not analysed (nothing from the project is "
        f"executed); it reads {len(parents)} relation(s) and its columns come from its YAML"
    )
    build.diagnostics.append(
        Diagnostic(location, DiagnosticCode.PYTHON_MODEL, Severity.WARNING, message, node.name)
    )


def _blind_spot(build: _Build, node: _Node, made: _Made, parents: list[_Parent]) -> None:
    """An unexpanded `*` of an external relation, or a column that could not be resolved."""
    rng = build.rng
    location = Location(node.path, rng.randint(5, 40))
    if rng.random() < 0.45:
        external = f"legacy_{node.domain}.{node.entity}_export"
        reason = f"a * could not be expanded: columns of {external} are not known"
        build.blind.append(BlindSpot(ColumnRef(node.name, None), reason, location, (external,)))
        message = f"{external}.* could not be expanded: the columns of {external} are not known"
        code = DiagnosticCode.UNEXPANDED_STAR
    else:
        column = made.columns[-1][0]
        made.edges = [e for e in made.edges if e.target.column != column]
        message = f"{parents[0].alias} has no column {column}"
        build.blind.append(BlindSpot(ColumnRef(node.name, column), message, location))
        code = DiagnosticCode.UNRESOLVED_COLUMN
        build.unresolved += 1
    build.diagnostics.append(Diagnostic(location, code, Severity.WARNING, message, node.name))


def _consumers(build: _Build, count: int) -> list[Consumer]:
    """Dashboards, notebooks, ML models... reading 1-3 marts, at column or model level."""
    rng = build.rng
    marts = build.by_layer["marts"]
    kinds, weights = zip(*CONSUMER_KINDS, strict=True)
    found: dict[str, Consumer] = {}
    while len(found) < count:
        kind = rng.choices(kinds, weights)[0]
        read = rng.sample(marts, rng.randint(1, 3))
        name = f"{read[0].domain}_{read[0].entity}_{kind.value}"
        name += f"_{rng.randint(2, 9)}" if rng.random() < 0.5 else ""
        exposure = rng.random() < 0.6
        cid = f"exposure.{PROJECT}.{name}" if exposure else f"consumer.{name}"
        if cid in found:
            continue
        model_level = rng.random() < 0.3
        refs: set[ColumnRef] = set()
        for mart in read:
            names = [c[0] for c in mart.columns]
            if not model_level:
                names = rng.sample(names, min(len(names), rng.randint(3, 12)))
            refs.update(ColumnRef(mart.name, n) for n in names)
        path = "models/exposures.yml" if exposure else "consumers.yml"
        url = f"https://bi.shop.example/{kind.value}s/{rng.randint(100, 9999)}"
        found[cid] = Consumer(
            id=cid,
            kind=kind,
            name=name,
            owner=_owner(rng, read[0].domain, 1.0) or Owner(),
            level=ReadLevel.MODEL if model_level else ReadLevel.COLUMN,
            reads=tuple(sorted(refs)),
            location=Location(path, 4 + 9 * len(found)),
            url=url if kind in (ConsumerKind.DASHBOARD, ConsumerKind.CHART) else None,
            maturity=rng.choice(("high", "medium", "low")) if exposure else None,
            origin="dbt exposure" if exposure else "consumers file",
        )
    return [found[k] for k in sorted(found)]


def _informational(build: _Build) -> list[Diagnostic]:
    """A few notes of the kind a real build prints."""
    nodes = build.rng.sample(build.by_layer["intermediate"], max(1, len(build.names) // 2000))
    return [
        Diagnostic(
            Location(node.path, 1),
            DiagnosticCode.CONFIG_ERROR,
            Severity.INFO,
            "config key `persist_docs` is not used by lineage",
            node.name,
        )
        for node in nodes
    ]


def _coverage(build: _Build, models: int) -> Coverage:
    python = sum(1 for b in build.blind if b.reason.startswith("Python"))
    columns = sum(len(r.columns) for r in build.relations if r.kind is RelationKind.MODEL)
    files = {r.location.path for r in build.relations if r.location is not None}
    return Coverage(
        files=len(files),
        statements=models,
        statements_analysed=models - python,
        columns=columns,
        columns_resolved=columns - build.unresolved,
        diagnostics=sum(1 for d in build.diagnostics if d.severity >= Severity.WARNING),
        unit="models",
    )
