"""Hand-built `ImpactReport` values for the report-format tests.

They follow the bundled shop example (fixtures/shop, fixtures/shop_app): the names, files
and lines are those of the example, and each severity is what dbt would really do:
- RENAME_BREAK: a migration renames `users.email` to `email_address`; `stg_app__users` still
  selects `email` (lines 13 and 17), so it fails to build and dbt skips the models below it;
- VALUES_CHANGE: `stg_app__payments.amount_usd` is computed differently; the new values pass
  through `fct_payments` unchanged (identity), then are summed: values change, nothing breaks;
- ROWS_CHANGE: a new condition in the WHERE of `int_orders_enriched` drops test orders: the
  rows of `fct_orders` change, and the daily revenue summed over them changes value;
- NARROWING_WITH_BLIND_SPOT: `order_items.quantity` narrowed from bigint to integer; one hop
  below it is a `*` that could not be expanded;
- MIXED: all of the above in one report; EMPTY: no changes; HOSTILE: names written to break
  Markdown and HTML. `huge_report` generates thousands of affected columns.
"""

from __future__ import annotations

from dataclasses import replace

from lineage.changes import (
    Affected,
    AffectedConsumer,
    AffectedTest,
    Change,
    ChangeKind,
    DataTestOutcome,
    ImpactReport,
    ImpactSeverity,
    PathStep,
    StateInfo,
    TypeCompatibility,
    Unknown,
)
from lineage.entities import (
    ColumnRef,
    Consumer,
    ConsumerKind,
    EdgeKind,
    Location,
    Owner,
    ReadLevel,
)

BREAKS = ImpactSeverity.BREAKS
ROWS = ImpactSeverity.ROWS
VALUES = ImpactSeverity.VALUES

BASE = StateInfo("origin/main", models=42, models_analysed=41, unit="models")
HEAD = StateInfo("working tree", models=42, models_analysed=41, unit="models")
COMMAND = "lineage diff --base origin/main --project-dir fixtures/shop"

MIGRATIONS = "../shop_app/shop/db/migrations"
STG_USERS = "models/staging/app/stg_app__users.sql"
DATA_PLATFORM = Owner("Data Platform", "data-platform@shop.example")
FINANCE = Owner("Finance Analytics", "finance@shop.example")


def ref(relation: str, column: str | None) -> ColumnRef:
    return ColumnRef(relation, column)


def at(path: str, line: int) -> Location:
    return Location(path, line)


def consumer(
    id: str,
    kind: ConsumerKind,
    name: str,
    owner: Owner,
    location: Location,
    url: str | None = None,
) -> Consumer:
    return Consumer(id, kind, name, owner, ReadLevel.COLUMN, (), location, url)


# -- a rename that breaks --------------------------------------------------------------------

USERS_EMAIL = ref("app:shop.users", "email")
RENAME = Change(
    ChangeKind.COLUMN_RENAMED,
    "app:shop.users",
    "email",
    "`ALTER TABLE users RENAME COLUMN email TO email_address` in V13.",
    at(f"{MIGRATIONS}/V13__rename_users_email.sql", 2),
    new_name="email_address",
)
_TO_STG = (
    PathStep(USERS_EMAIL, None, RENAME.location),
    PathStep(
        ref("source.shop.app.users", "email"),
        EdgeKind.IDENTITY,
        at("models/staging/app/_app__sources.yml", 19),
    ),
)
STG_EMAIL = Affected(
    ref("model.shop.stg_app__users", "email"),
    BREAKS,
    "selects `email`, which no longer exists: it is now `email_address`",
    depth=2,
    path=(
        *_TO_STG,
        PathStep(
            ref("model.shop.stg_app__users", "email"),
            EdgeKind.TRANSFORMATION,
            at(STG_USERS, 13),
            "LOWER(TRIM(source.email))",
        ),
    ),
    cause=USERS_EMAIL,
    location=at(STG_USERS, 13),
    fix="read `email_address`",
    owner=DATA_PLATFORM,
)
STG_INTERNAL = replace(
    STG_EMAIL,
    ref=ref("model.shop.stg_app__users", "is_internal_user"),
    path=(
        *_TO_STG,
        PathStep(
            ref("model.shop.stg_app__users", "is_internal_user"),
            EdgeKind.TRANSFORMATION,
            at(STG_USERS, 17),
            "LOWER(source.email) LIKE '%@shop.example'",
        ),
    ),
    location=at(STG_USERS, 17),
)
DIM_EMAIL = Affected(
    ref("model.shop.dim_customers.v2", "email"),
    BREAKS,
    "dbt skips it: `stg_app__users` fails to build",
    depth=3,
    path=(
        *STG_EMAIL.path,
        PathStep(
            ref("model.shop.dim_customers.v2", "email"),
            EdgeKind.IDENTITY,
            at("models/marts/core/dim_customers_v2.sql", 33),
        ),
    ),
    cause=USERS_EMAIL,
    location=at("models/marts/core/dim_customers_v2.sql", 33),
    direct=False,
    owner=DATA_PLATFORM,
)
TOUCHES_ROWS = replace(
    DIM_EMAIL,
    ref=ref("model.shop.int_touches__email", None),
    path=(
        *STG_EMAIL.path,
        PathStep(
            ref("model.shop.int_touches__email", None),
            EdgeKind.JOIN,
            at("models/intermediate/marketing/int_touches__email.sql", 33),
        ),
    ),
    location=at("models/intermediate/marketing/int_touches__email.sql", 33),
    owner=None,
)
CHURN_DASHBOARD = consumer(
    "exposure.shop.churn_dashboard",
    ConsumerKind.DASHBOARD,
    "Customer churn",
    Owner("Tomás Ribeiro", "tomas.ribeiro@shop.example"),
    at("models/exposures.yml", 21),
    "https://bi.shop.example/dashboards/31-churn",
)
ALSO_BOUGHT = consumer(
    "consumer.customers_also_bought",
    ConsumerKind.FEATURE,
    "customers_also_bought",
    Owner("Shop App Team", "shop-app@shop.example.com"),
    at("../shop_app/shop/app/recommendations.py", 46),
    "https://shop.example.com/products/42",
)
RENAME_BREAK = ImpactReport(
    changes=(RENAME,),
    affected=(DIM_EMAIL, TOUCHES_ROWS, STG_EMAIL, STG_INTERNAL),
    consumers=(
        AffectedConsumer(
            CHURN_DASHBOARD,
            BREAKS,
            DIM_EMAIL.ref,
            4,
            DIM_EMAIL.path,
            USERS_EMAIL,
            "reads `dim_customers.v2.email`, which dbt skips",
        ),
        AffectedConsumer(
            ALSO_BOUGHT,
            BREAKS,
            DIM_EMAIL.ref,
            4,
            DIM_EMAIL.path,
            USERS_EMAIL,
            "reads `dim_customers.v2.email`, which dbt skips",
        ),
    ),
    tests=(
        AffectedTest(
            "model.shop.stg_app__users",
            "email",
            "not_null",
            DataTestOutcome.WILL_FAIL,
            "its model fails to build",
            at("models/staging/app/_app__models.yml", 15),
        ),
        AffectedTest(
            "model.shop.int_touches__email",
            None,
            "dbt_utils.expression_is_true",
            DataTestOutcome.RERUN,
            "its rows come from a join on `email`",
            at("models/intermediate/marketing/_marketing__models.yml", 8),
        ),
    ),
    unknowns=(),
    base=BASE,
    head=HEAD,
    command=COMMAND,
    downstream_relations=12,
    downstream_analysed=12,
)


# -- a values change through pass-throughs ---------------------------------------------------

AMOUNT = ref("model.shop.stg_app__payments", "amount_usd")
AMOUNT_CHANGE = Change(
    ChangeKind.COLUMN_EXPRESSION_CHANGED,
    "model.shop.stg_app__payments",
    "amount_usd",
    "its expression now converts each amount to US dollars",
    at("models/staging/app/stg_app__payments.sql", 12),
    old_expression="amount_cents / 100.0",
    new_expression="amount_cents / 100.0\n  * fx.rate_to_usd",
)
_PAYMENTS = at("models/marts/finance/fct_payments.sql", 9)
FCT_PAYMENTS = Affected(
    ref("model.shop.fct_payments", "amount_usd"),
    VALUES,
    "passes `amount_usd` through unchanged: its values change with it",
    depth=1,
    path=(
        PathStep(AMOUNT, None, AMOUNT_CHANGE.location),
        PathStep(ref("model.shop.fct_payments", "amount_usd"), EdgeKind.IDENTITY, _PAYMENTS),
    ),
    cause=AMOUNT,
    location=_PAYMENTS,
    owner=FINANCE,
)
_REVENUE = at("models/marts/finance/fct_daily_revenue.sql", 21)
DAILY_REVENUE = Affected(
    ref("model.shop.fct_daily_revenue", "revenue_usd"),
    VALUES,
    "sums `amount_usd`",
    depth=2,
    path=(
        *FCT_PAYMENTS.path,
        PathStep(
            ref("model.shop.fct_daily_revenue", "revenue_usd"),
            EdgeKind.AGGREGATION,
            _REVENUE,
            "SUM(payments.amount_usd)",
        ),
    ),
    cause=AMOUNT,
    location=_REVENUE,
    owner=FINANCE,
)
REVENUE_DASHBOARD = consumer(
    "exposure.shop.revenue_dashboard",
    ConsumerKind.DASHBOARD,
    "Revenue (daily)",
    Owner("Maya Chen", "maya.chen@shop.example"),
    at("models/exposures.yml", 4),
    "https://bi.shop.example/dashboards/12-revenue",
)
REVENUE_CHART = consumer(
    "superset.chart.6e2f9a10-41c8-4b7d-9d35-7a0c1b2e0c01",
    ConsumerKind.CHART,
    "Daily revenue by country",
    Owner(),
    at("bi/superset/charts/Daily_revenue_by_country_1.yaml", 1),
)
CHURN_MODEL = consumer(
    "exposure.shop.churn_model",
    ConsumerKind.ML,
    "Churn model (feature store)",
    Owner("Lena Fischer", "lena.fischer@shop.example"),
    at("models/exposures.yml", 80),
    "https://ml.shop.example/models/churn",
)


def reached(who: Consumer, via: Affected, severity: ImpactSeverity = VALUES) -> AffectedConsumer:
    return AffectedConsumer(
        who, severity, via.ref, via.depth + 1, via.path, via.cause, f"reads `{via.ref.column}`"
    )


VALUES_CHANGE = ImpactReport(
    changes=(AMOUNT_CHANGE,),
    affected=(DAILY_REVENUE, FCT_PAYMENTS),
    consumers=(
        reached(CHURN_MODEL, FCT_PAYMENTS),
        reached(REVENUE_DASHBOARD, DAILY_REVENUE),
        reached(REVENUE_CHART, DAILY_REVENUE),
    ),
    tests=(
        AffectedTest(
            "model.shop.fct_payments",
            "amount_usd",
            "dbt_utils.accepted_range",
            DataTestOutcome.RERUN,
            "the values it checks change",
            at("models/marts/finance/_finance__models.yml", 31),
        ),
    ),
    unknowns=(),
    base=BASE,
    head=HEAD,
    command="lineage diff --base origin/main",
    downstream_relations=4,
    downstream_analysed=4,
)


# -- a rows change ---------------------------------------------------------------------------

ENRICHED = "model.shop.int_orders_enriched"
FILTER_CHANGE = Change(
    ChangeKind.FILTER_CHANGED,
    ENRICHED,
    None,
    "its WHERE now also drops test orders",
    at("models/intermediate/orders/int_orders_enriched.sql", 63),
    old_expression="WHERE NOT COALESCE(users.is_internal_user, FALSE)",
    new_expression="WHERE NOT COALESCE(users.is_internal_user, FALSE) AND orders.status <> 'test'",
)
_ORDERS = at("models/marts/core/fct_orders.sql", 4)
FCT_ORDERS_ROWS = Affected(
    ref("model.shop.fct_orders", None),
    ROWS,
    "selects every row of `int_orders_enriched`",
    depth=1,
    path=(
        PathStep(ref(ENRICHED, None), None, FILTER_CHANGE.location),
        PathStep(ref("model.shop.fct_orders", None), EdgeKind.IDENTITY, _ORDERS),
    ),
    cause=ref(ENRICHED, None),
    location=_ORDERS,
    owner=FINANCE,
)
ORDER_REVENUE = Affected(
    ref("model.shop.fct_daily_revenue", "order_count"),
    VALUES,
    "counts the rows of `fct_orders`",
    depth=2,
    path=(
        *FCT_ORDERS_ROWS.path,
        PathStep(
            ref("model.shop.fct_daily_revenue", "order_count"),
            EdgeKind.AGGREGATION,
            _REVENUE,
            "COUNT(*)",
        ),
    ),
    cause=ref(ENRICHED, None),
    location=_REVENUE,
    owner=FINANCE,
)
ROWS_CHANGE = ImpactReport(
    changes=(FILTER_CHANGE,),
    affected=(ORDER_REVENUE, FCT_ORDERS_ROWS),
    consumers=(reached(REVENUE_DASHBOARD, ORDER_REVENUE),),
    tests=(
        AffectedTest(
            "model.shop.fct_orders",
            "order_id",
            "unique",
            DataTestOutcome.RERUN,
            "the rows it checks change",
            at("models/marts/core/_core__models.yml", 40),
        ),
    ),
    unknowns=(),
    base=BASE,
    head=HEAD,
    command=COMMAND,
    downstream_relations=3,
    downstream_analysed=3,
)


# -- a narrowing type change with a blind spot -----------------------------------------------

QUANTITY = ref("app:shop.order_items", "quantity")
NARROWING = Change(
    ChangeKind.COLUMN_TYPE_CHANGED,
    "app:shop.order_items",
    "quantity",
    "integer holds fewer values than bigint",
    at(f"{MIGRATIONS}/V14__narrow_order_items_quantity.sql", 1),
    old_type="bigint",
    new_type="integer",
    compatibility=TypeCompatibility.NARROWING,
)
_ITEMS = at("models/staging/app/stg_app__order_items.sql", 9)
STG_QUANTITY = Affected(
    ref("model.shop.stg_app__order_items", "quantity"),
    VALUES,
    "passes `quantity` through: it is now an integer",
    depth=2,
    path=(
        PathStep(QUANTITY, None, NARROWING.location),
        PathStep(ref("source.shop.app.order_items", "quantity"), EdgeKind.IDENTITY, None),
        PathStep(ref("model.shop.stg_app__order_items", "quantity"), EdgeKind.IDENTITY, _ITEMS),
    ),
    cause=QUANTITY,
    location=_ITEMS,
)
STAR = Unknown(
    ref("model.shop.int_sessions_attributed", None),
    "a `*` could not be expanded: the columns of `source:app.sessions` are not known",
    "the columns of `int_sessions_attributed` may read `quantity` without being seen",
    at("models/intermediate/marketing/int_sessions_attributed.sql", 5),
    cause=QUANTITY,
)
NARROWING_WITH_BLIND_SPOT = ImpactReport(
    changes=(NARROWING,),
    affected=(STG_QUANTITY,),
    consumers=(),
    tests=(),
    unknowns=(STAR,),
    base=BASE,
    head=HEAD,
    command=COMMAND,
    downstream_relations=50,
    downstream_analysed=49,
)


# -- all of it, none of it, and hostile names ------------------------------------------------

RECOMMENDATIONS = consumer(
    "exposure.shop.product_recommendations",
    ConsumerKind.APPLICATION,
    '"Customers also bought" recommendations',
    Owner("Shop App Team", "app-team@shop.example"),
    at("models/exposures.yml", 94),
    "https://github.com/shop-example/shop-app/blob/main/app/services/recommendations.py",
)
MIXED = ImpactReport(
    changes=(RENAME, NARROWING, FILTER_CHANGE, AMOUNT_CHANGE),
    affected=(
        *RENAME_BREAK.affected,
        *ROWS_CHANGE.affected,
        *VALUES_CHANGE.affected,
        STG_QUANTITY,
    ),
    consumers=(
        *RENAME_BREAK.consumers,
        *VALUES_CHANGE.consumers,
        reached(RECOMMENDATIONS, ORDER_REVENUE),
    ),
    tests=(*RENAME_BREAK.tests, *ROWS_CHANGE.tests, *VALUES_CHANGE.tests),
    unknowns=(STAR,),
    base=BASE,
    head=HEAD,
    command=COMMAND,
    downstream_relations=50,
    downstream_analysed=49,
)

EMPTY = ImpactReport(
    changes=(),
    affected=(),
    consumers=(),
    tests=(),
    unknowns=(),
    base=BASE,
    head=HEAD,
    command="lineage diff --base origin/main",
)

#: A relation and a consumer whose names try to end a table, a code span, an HTML comment
#: and the comment itself, and to inject a script.
EVIL_NAME = "evil|`tick`<script>alert(1)</script>-->"
EVIL_RELATION = f"model.shop.{EVIL_NAME}"
EVIL_COLUMN = "col|``x``<!--"
_EVIL_AT = at("models/evil <b>|</b>.sql", 3)
EVIL_AFFECTED = replace(
    STG_EMAIL,
    ref=ref(EVIL_RELATION, EVIL_COLUMN),
    reason="reads `email` | and ``more`` <script>x</script> -->",
    fix="read `email_address` ```",
    location=_EVIL_AT,
    owner=Owner("<b>Eve</b> | ```", None),
)
EVIL_CONSUMER = consumer(
    "exposure.shop.evil",
    ConsumerKind.DASHBOARD,
    "Revenue | `daily` <script>alert(1)</script> --> [x](javascript:alert(1))",
    Owner("Mallory <img src=x onerror=alert(1)>", None),
    _EVIL_AT,
    "https://bi.example/a b)(<script>",
)
HOSTILE = replace(
    RENAME_BREAK,
    changes=(replace(RENAME, reason="renamed ```\n</details>\n<!-- -->", new_name="e`|`"),),
    affected=(EVIL_AFFECTED,),
    consumers=(reached(EVIL_CONSUMER, EVIL_AFFECTED, BREAKS),),
    tests=(),
    command="lineage diff --base 'origin/main```'\n```\n</details>",
)


def huge_report(columns: int = 5_000, name_length: int = 120) -> ImpactReport:
    """`columns` affected columns with long names, a third of each severity, each reached by
    its own consumer, plus blind spots: far more than a pull-request comment can hold."""
    severities = (BREAKS, ROWS, VALUES)
    affected = []
    consumers = []
    for index in range(columns):
        relation = f"model.shop.mart_{index // 10:04d}_" + "x" * name_length
        entry = replace(
            STG_EMAIL,
            ref=ref(relation, f"column_{index:05d}_" + "y" * name_length),
            severity=severities[index % 3],
            path=STG_EMAIL.path * 3,
            location=at(f"models/marts/mart_{index // 10:04d}.sql", index % 50 + 1),
        )
        affected.append(entry)
        if index % 5 == 0:
            owner = Owner(f"Team {index % 40}", f"team{index % 40}@shop.example")
            who = consumer(
                f"exposure.shop.dash_{index:05d}",
                ConsumerKind.DASHBOARD,
                f"Dashboard {index}",
                owner,
                at("models/exposures.yml", index + 1),
            )
            consumers.append(reached(who, entry, entry.severity))
    unknowns = tuple(replace(STAR, ref=ref(f"model.shop.blind_{i:03d}", None)) for i in range(200))
    return replace(
        MIXED,
        affected=tuple(affected),
        consumers=tuple(consumers),
        unknowns=unknowns,
        downstream_relations=columns // 10 + 200,
        downstream_analysed=columns // 10,
    )
