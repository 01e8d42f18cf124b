"""dbt-style selectors on the lineage graph.

Expectations on fixtures/shop come from its SQL files (which model refs which, with ephemeral
models inlined as the warehouse runs them: int_order_items_summed, int_payments_pivoted_to_orders
and int_session_events_summed are not relations), its exposures.yml and lineage.yml (app tables
feed the `app` source). Edge cases use small hand-made Projects.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from lineage import projects
from lineage.config import load_config
from lineage.entities import (
    BlindSpot,
    Column,
    ColumnRef,
    Consumer,
    ConsumerKind,
    Coverage,
    Edge,
    EdgeKind,
    Location,
    Owner,
    Project,
    ReadLevel,
    Relation,
    RelationKind,
)
from lineage.errors import UsageError
from lineage.graph import LineageGraph
from lineage.names import display_name
from lineage.selectors import Selection, Selector, select, selector_for

SHOP = Path(__file__).parent.parent / "fixtures" / "shop"

APP_USERS = {"stg_app__users", "source:app.users", "app:shop.users"}
APP_ORDERS = {"stg_app__orders", "source:app.orders", "app:shop.orders"}
APP_ITEMS = {"stg_app__order_items", "source:app.order_items", "app:shop.order_items"}
APP_PAYMENTS = {"stg_app__payments", "source:app.payments", "app:shop.payments"}
#: int_orders_enriched refs stg_app__orders, stg_app__users, currency_rates and two ephemeral
#: models over stg_app__order_items and stg_app__payments.
ABOVE_ORDERS = APP_USERS | APP_ORDERS | APP_ITEMS | APP_PAYMENTS | {"currency_rates"}


@pytest.fixture(scope="module")
def shop() -> Project:
    return projects.build(SHOP, load_config(SHOP))


def names(selection: Selection) -> set[str]:
    return {display_name(r) for r in selection.relations}


def columns(selection: Selection) -> set[str]:
    return {f"{display_name(c.relation)}.{c.column or '(rows)'}" for c in selection.columns}


# -- graph operators on the example -----------------------------------------------------------


def test_all_ancestors(shop: Project) -> None:
    assert names(select(shop, "+fct_orders")) == {"fct_orders", "int_orders_enriched"} | (
        ABOVE_ORDERS
    )


def test_all_descendants_include_the_consumers_reached(shop: Project) -> None:
    selected = select(shop, "fct_orders+")
    # fct_order_items and fct_daily_revenue ref fct_orders; product_affinity and
    # fct_product_performance ref fct_order_items.
    assert names(selected) == {
        "fct_orders",
        "fct_order_items",
        "fct_daily_revenue",
        "product_affinity",
        "fct_product_performance",
    }
    exposures = {c for c in selected.consumers if c.startswith("exposure.")}
    assert exposures == {  # exposures.yml: depends on fct_orders or product_affinity
        "exposure.shop.revenue_dashboard",
        "exposure.shop.customer_ltv_notebook",
        "exposure.shop.cohort_retention_analysis",
        "exposure.shop.product_recommendations",
    }


def test_depth_limited_ancestors_count_relations_with_ephemerals_inlined(shop: Project) -> None:
    assert names(select(shop, "1+fct_orders")) == {"fct_orders", "int_orders_enriched"}
    assert names(select(shop, "2+fct_orders")) == {"fct_orders", "int_orders_enriched"} | {
        "stg_app__orders",
        "stg_app__users",
        "stg_app__order_items",
        "stg_app__payments",
        "currency_rates",
    }


def test_depth_limited_descendants(shop: Project) -> None:
    selected = select(shop, "stg_app__users+1")
    assert names(selected) == {
        "stg_app__users",
        "int_customers_crm_joined",
        "int_touches__email",
        "int_orders_enriched",
        "dim_customers.v1",
        "dim_customers.v2",
    }
    assert selected.consumers == ()  # no consumer reads stg_app__users itself


def test_both_directions(shop: Project) -> None:
    assert names(select(shop, "+int_touches__web+")) == {
        "int_touches__web",
        "int_sessions_attributed",
        "stg_app__sessions",
        "source:app.sessions",
        "app:tracking.tracking_sessions",
        "int_touches_unioned",
        "fct_first_touch_attribution",
    }


def test_at_adds_the_other_parents_of_every_descendant(shop: Project) -> None:
    plain = names(select(shop, "+int_touches__web+"))
    at = select(shop, "@int_touches__web")
    assert plain < names(at)
    # int_touches_unioned also refs int_touches__email; fct_first_touch_attribution refs
    # dim_customers (v2); the marketing dashboard reading it also reads fct_campaign_performance.
    assert {"int_touches__email", "stg_hubspot__campaigns", "dim_customers.v2"} <= names(at)
    assert "fct_campaign_performance" in names(at)
    assert "exposure.shop.marketing_attribution_dashboard" in at.consumers
    assert "fct_daily_revenue" not in names(at)  # a sibling, not an ancestor of a descendant


def test_a_python_model_is_a_child_through_its_blind_spot(shop: Project) -> None:
    # churn_predictions.py refs customer_churn_features; its lineage is a blind spot.
    assert "churn_predictions" in names(select(shop, "customer_churn_features+1"))


# -- names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "relation"),
    [
        ("stg_app__users", "model.shop.stg_app__users"),
        ("model.shop.stg_app__users", "model.shop.stg_app__users"),
        ("dim_customers.v2", "model.shop.dim_customers.v2"),
        ("source:app.users", "source.shop.app.users"),
        ("app:shop.users", "app:shop.users"),
        ("country_codes", "seed.shop.country_codes"),
        ("STG_APP__USERS", "model.shop.stg_app__users"),
    ],
)
def test_a_relation_by_short_name_or_graph_id(shop: Project, typed: str, relation: str) -> None:
    assert select(shop, typed).relations == (relation,)


def test_wildcards(shop: Project) -> None:
    assert names(select(shop, "stg_hubspot__*")) == {
        "stg_hubspot__campaigns",
        "stg_hubspot__contacts",
        "stg_hubspot__email_events",
    }
    assert names(select(shop, "dim_customers.v?")) == {"dim_customers.v1", "dim_customers.v2"}


# -- methods ----------------------------------------------------------------------------------


def test_source_method(shop: Project) -> None:
    app = {"events", "order_items", "orders", "payments", "products", "sessions", "users"}
    assert names(select(shop, "source:app")) == {f"source:app.{t}" for t in app}
    assert select(shop, "source:hubspot.contact").relations == ("source.shop.hubspot.contact",)
    assert select(shop, "source:shop.app.users").relations == ("source.shop.app.users",)
    assert names(select(shop, "source:hubspot.email_*")) == {
        "source:hubspot.email_campaign",
        "source:hubspot.email_event",
    }
    # stg_app__users and the snapshot read the users source
    assert names(select(shop, "source:app.users+1")) == {
        "source:app.users",
        "stg_app__users",
        "snap_app__users",
    }


def test_exposure_selects_what_it_reads(shop: Project) -> None:
    selected = select(shop, "exposure:churn_dashboard")
    assert names(selected) == {"churn_predictions", "dim_customers.v2"}  # latest version
    assert selected.consumers == ("exposure.shop.churn_dashboard",)
    assert select(shop, "exposure:shop.churn_dashboard") == selected
    upstream = names(select(shop, "+exposure:churn_dashboard"))
    assert {"customer_churn_features", "int_user_activity_daily", "app:shop.users"} <= upstream
    assert "fct_daily_revenue" not in upstream


def test_path_method(shop: Project) -> None:
    finance = {"fct_daily_revenue", "fct_payments", "fct_refunds"}
    assert names(select(shop, "path:models/marts/finance")) == finance
    assert names(select(shop, "path:./models/marts/finance/")) == finance
    # sources are defined in the YAML file of their folder
    assert names(select(shop, "path:models/staging/hubspot")) == {
        "stg_hubspot__campaigns",
        "stg_hubspot__contacts",
        "stg_hubspot__email_events",
        "source:hubspot.contact",
        "source:hubspot.email_campaign",
        "source:hubspot.email_event",
    }
    assert names(select(shop, "path:seeds/country_codes.csv")) == {"country_codes"}
    assert names(select(shop, "path:models/marts/*/fct_*")) == finance | {
        "fct_orders",
        "fct_order_items",
        "fct_campaign_performance",
        "fct_first_touch_attribution",
        "fct_product_performance",
        "fct_sessions",
    }
    assert names(select(shop, "path:models/**/finance/**/fct_refunds.sql")) == {"fct_refunds"}
    assert names(select(shop, "path:**/finance")) == finance
    assert names(select(shop, "path:models/*/core")) == {
        "dim_customers.v1",
        "dim_customers.v2",
        "dim_customers_history",
        "dim_products",
        "fct_order_items",
        "fct_orders",
    }


def test_a_path_prefix_is_a_whole_folder_and_no_match_is_a_note(shop: Project) -> None:
    selected = select(shop, "path:models/marts/fin")
    assert selected.relations == ()
    assert selected.notes == ("`path:models/marts/fin` matched no relation.",)


def test_kind_and_resource_type(shop: Project) -> None:
    assert names(select(shop, "kind:seed")) == {"country_codes", "currency_rates"}
    assert names(select(shop, "resource_type:snapshot")) == {"snap_app__users"}
    assert len(select(shop, "kind:app_table").relations) == 7  # 5 shop tables, 2 tracking
    assert select(shop, "kind:view").notes == ("`kind:view` matched no relation.",)


#: dbt_project.yml: marts/finance `+tags: ["finance"]` (its three models); the YAML of
#: fct_product_performance `config: {tags: ["finance"]}`; seed currency_rates `tags: ["finance"]`.
FINANCE = {"fct_daily_revenue", "fct_payments", "fct_refunds", "fct_product_performance"}
FINANCE |= {"currency_rates"}
#: dbt_project.yml: staging/app `+tags: ["app", "pii"]`; dim_customers_history `tags: ["pii"]`.
STAGING_APP = {f"stg_app__{t}" for t in ("users", "orders", "order_items", "payments")}
STAGING_APP |= {"stg_app__products", "stg_app__sessions", "stg_app__events"}


def test_tag_selects_relations_with_the_tag_from_any_level(shop: Project) -> None:
    assert names(select(shop, "tag:finance")) == FINANCE
    assert names(select(shop, "tag:pii")) == STAGING_APP | {"dim_customers_history"}
    # `+tags` of every folder above: staging (models/staging) takes in the hubspot models too
    hubspot = {"stg_hubspot__contacts", "stg_hubspot__campaigns", "stg_hubspot__email_events"}
    assert names(select(shop, "tag:staging")) == STAGING_APP | hubspot
    # the source `app` is tagged fivetran; its events table adds product_analytics
    assert names(select(shop, "tag:product_analytics")) == {"source:app.events"}
    assert len(select(shop, "tag:fivetran").relations) == 10  # 7 app tables, 3 hubspot ones


def test_tag_wildcards_are_dbt_fnmatch(shop: Project) -> None:
    assert names(select(shop, "tag:fin*")) == FINANCE
    assert names(select(shop, "tag:?ii")) == names(select(shop, "tag:pii"))
    assert names(select(shop, "tag:*_analytics")) == {"source:app.events"}
    # the whole tag must match, and case matters
    assert select(shop, "tag:fin").relations == ()
    assert select(shop, "tag:Finance").relations == ()


def test_tag_with_operators_and_intersections(shop: Project) -> None:
    assert names(select(shop, "tag:finance,kind:seed")) == {"currency_rates"}
    assert names(select(shop, "tag:fivetran,source:hubspot")) == {
        "source:hubspot.contact",
        "source:hubspot.email_campaign",
        "source:hubspot.email_event",
    }
    # stg_app__events is the only child of the events table
    assert names(select(shop, "tag:product_analytics+1")) == {
        "source:app.events",
        "stg_app__events",
    }


def test_a_tag_nothing_has_is_a_note_not_an_error(shop: Project) -> None:
    selected = select(shop, "tag:nightly")
    assert (selected.relations, selected.consumers) == ((), ())
    assert selected.notes == ("`tag:nightly` matched no relation.",)
    # an empty atom in a union leaves the rest
    assert names(select(shop, "tag:nightly kind:seed")) == {"country_codes", "currency_rates"}
    # a project without tags (plain SQL, say): even `tag:*` is an empty answer
    assert select(CHAIN, "tag:*").notes == ("`tag:*` matched no relation.",)


# -- set operations ---------------------------------------------------------------------------


def test_union_and_intersection(shop: Project) -> None:
    assert names(select(shop, "+fct_orders,stg_*")) == {
        "stg_app__orders",
        "stg_app__users",
        "stg_app__order_items",
        "stg_app__payments",
    }
    assert names(select(shop, "fct_refunds kind:seed")) == {
        "fct_refunds",
        "country_codes",
        "currency_rates",
    }
    assert names(select(shop, "+fct_payments,+fct_orders")) == {"currency_rates"} | (
        APP_ORDERS | APP_PAYMENTS
    )
    assert names(select(shop, "source:app+1,kind:snapshot fct_refunds,path:models/marts")) == {
        "snap_app__users",
        "fct_refunds",
    }


# -- the column form --------------------------------------------------------------------------


def test_downstream_columns(shop: Project) -> None:
    selected = select(shop, "source:app.users.email+1")
    # stg_app__users: lower(trim(email)) as email, lower(email) like ... as is_internal_user;
    # the snapshot selects * from the source.
    assert columns(selected) == {
        "source:app.users.email",
        "stg_app__users.email",
        "stg_app__users.is_internal_user",
        "snap_app__users.email",
    }
    assert names(selected) == {"source:app.users", "stg_app__users", "snap_app__users"}


def test_upstream_columns_include_what_decides_the_rows(shop: Project) -> None:
    # stg_app__users filters `where not is_deleted`; the app table feeds the source by name.
    assert columns(select(shop, "+stg_app__users.email")) == {
        "stg_app__users.email",
        "source:app.users.email",
        "source:app.users.is_deleted",
        "app:shop.users.email",
        "app:shop.users.is_deleted",
    }


def test_a_column_form_intersected_with_a_relation_form(shop: Project) -> None:
    everything = select(shop, "stg_app__users.email+")
    marts = select(shop, "stg_app__users.email+,path:models/marts")
    assert marts.columns
    assert {c for c in everything.columns if "/marts/" in _path(shop, c.relation)} == set(
        marts.columns
    )
    assert set(marts.relations) == {c.relation for c in marts.columns}


def _path(project: Project, relation: str) -> str:
    found = project.relation(relation)
    return found.location.path if found and found.location else ""


def test_the_column_form_walks_as_the_lineage_graph_does(shop: Project) -> None:
    graph = LineageGraph(shop)
    selector = Selector(shop)
    for relation in shop.relations:
        for column in relation.columns:
            if column.dropped:
                continue
            ref = ColumnRef(relation.name, column.name)
            typed = f"{relation.name}.{column.name}"
            down, up = graph.downstream([ref]), graph.upstream([ref])
            below = selector.select(typed + "+")
            assert set(below.columns) == {ref} | {h.ref for h in down.hops}, typed
            assert set(below.consumers) == {c.consumer.id for c in down.consumers}, typed
            assert set(selector.select("+" + typed).columns) == {ref} | {h.ref for h in up.hops}
            two = {h.ref for h in graph.downstream([ref], depth=2).hops}
            assert set(selector.select(typed + "+2").columns) == {ref} | two, typed


# -- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("stg_app__usres", "Did you mean: stg_app__users"),
        ("+fct_ordrs+", "'fct_ordrs' is not a relation"),
        ("stg_nothing_*", "matches no relation"),
        ("fct_orders.amount_eur+", "fct_orders has no column 'amount_eur'. Did you mean: amount"),
        ("int_order_items_summed", "is not a relation"),  # ephemeral: inlined, not a relation
        ("", "the selector is empty"),
        ("+", "is not a selector"),
        ("a++", "is not a selector"),
        ("a+b", "is not a selector"),
        ("a@b", "is not a selector"),
        ("@+fct_orders", "`@` already selects every ancestor"),
        ("fct_orders,", "empty selector around ','"),
        ("fct_orders, kind:seed", "empty selector around ','"),
        ("config:materialized", "unknown method `config:`"),
        ("path:", "`path:` needs a value"),
        ("kind:exposure", "unknown kind 'exposure'; kinds are app_table"),
        ("source:ap", "Did you mean: source:app"),
        ("source:app.user", "Did you mean: source:app.users"),
        ("exposure:churn_dashbord", "Did you mean: churn_dashboard"),
    ],
)
def test_bad_selectors_are_usage_errors(shop: Project, expression: str, message: str) -> None:
    with pytest.raises(UsageError) as raised:
        select(shop, expression)
    assert message in str(raised.value)


# -- hand-made projects -----------------------------------------------------------------------


def _project(*links: str, consumers: dict[str, list[str]] | None = None) -> Project:
    """`a.x>b.y`: b.y computed from a.x; `a.x>b.*`: a.x filters b's rows (split at the last
    dot, so `model.p.users.x` is column x of model.p.users)."""
    relations: dict[str, list[str]] = {}
    edges = []
    for link in links:
        source, target = (_ref(side) for side in link.split(">"))
        for ref in (source, target):
            relations.setdefault(ref.relation, [])
            if ref.column and ref.column not in relations[ref.relation]:
                relations[ref.relation].append(ref.column)
        kind = EdgeKind.IDENTITY if target.column else EdgeKind.FILTER
        edges.append(Edge(source, target, kind, str(source), Location("x.sql", 1)))
    return Project(
        root=".",
        dialect="postgres",
        relations=tuple(
            Relation(
                name,
                RelationKind.MODEL,
                tuple(Column(c, None, None) for c in cols),
                Location(f"models/{name}.sql", 1),
            )
            for name, cols in sorted(relations.items())
        ),
        edges=tuple(edges),
        blind_spots=(),
        diagnostics=(),
        coverage=Coverage(1, 1, 1, 1, 1, 0),
        consumers=tuple(
            Consumer(
                f"exposure.p.{name}",
                ConsumerKind.DASHBOARD,
                name,
                Owner(),
                ReadLevel.COLUMN,
                tuple(_ref(r) for r in reads),
                None,
            )
            for name, reads in (consumers or {}).items()
        ),
    )


def _ref(side: str) -> ColumnRef:
    relation, _, column = side.rpartition(".")
    return ColumnRef(relation, None if column == "*" else column)


CHAIN = _project("a.x>b.x", "b.x>c.x", "c.x>d.x", "d.x>e.x")


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("c", "c"),
        ("+c", "a b c"),
        ("c+", "c d e"),
        ("1+c", "b c"),
        ("c+1", "c d"),
        ("2+c+1", "a b c d"),
        ("0+c+0", "c"),
        ("+c+", "a b c d e"),
        ("@c", "a b c d e"),
        ("b+1,1+d", "c"),
        ("+b,d+", ""),
        ("a b+1", "a b c"),
        ("a+,+e,path:models/c.sql", "c"),
    ],
)
def test_depth_and_set_operations_on_a_chain(expression: str, expected: str) -> None:
    assert select(CHAIN, expression).relations == tuple(expected.split())


def test_cycles_terminate() -> None:
    cycle = _project("a.x>b.x", "b.x>c.x", "c.x>a.x", "c.y>c.y", "c.x>d.x")
    assert select(cycle, "+a+").relations == ("a", "b", "c", "d")
    assert select(cycle, "@b").relations == ("a", "b", "c", "d")
    assert select(cycle, "a+1").relations == ("a", "b")
    assert {str(c) for c in select(cycle, "a.x+").columns} == {"a.x", "b.x", "c.x", "d.x"}
    assert {str(c) for c in select(cycle, "+c.y").columns} == {"c.y"}


def test_at_takes_ancestors_of_descendants_not_of_siblings() -> None:
    # a -> c <- b ; c -> d ; s -> b ; a -> z (z is a sibling branch of a)
    diamond = _project("a.x>c.x", "b.x>c.y", "s.x>b.x", "c.x>d.x", "a.x>z.x", "q.x>z.x")
    assert select(diamond, "@c").relations == ("a", "b", "c", "d", "s")
    assert select(diamond, "@a").relations == ("a", "b", "c", "d", "q", "s", "z")
    assert select(diamond, "+c+").relations == ("a", "b", "c", "d", "s")


def test_rows_reached_by_a_filter_reach_every_reader_of_the_relation() -> None:
    project = _project("a.flag>b.*", "b.x>c.x", "b.y>d.y", "a.v>b.x", "w.v>b.y")
    assert columns(select(project, "a.flag+")) == {"a.flag", "b.(rows)", "c.x", "d.y"}
    # upstream of b.x: its own input, and what decides b's rows
    assert columns(select(project, "+b.x")) == {"b.x", "a.v", "a.flag"}
    assert columns(select(project, "a.flag+1")) == {"a.flag", "b.(rows)"}


def test_consumers_are_children_of_what_they_read() -> None:
    project = _project("a.x>b.x", "a.y>c.y", consumers={"dash": ["b.x"], "other": ["c.y"]})
    assert select(project, "b+").consumers == ("exposure.p.dash",)
    assert select(project, "a+1").consumers == ()
    assert select(project, "a+2").consumers == ("exposure.p.dash", "exposure.p.other")
    assert select(project, "exposure:dash").relations == ("b",)
    assert select(project, "+exposure:dash").relations == ("a", "b")
    assert select(project, "@exposure:dash").relations == ("a", "b")
    assert select(project, "1+exposure:dash").relations == ("a", "b")
    # what the exposure reads, and whatever else reads that
    reader = _project("a.x>b.x", consumers={"dash": ["a.x"], "other": ["a.x"]})
    assert select(reader, "exposure:dash+").relations == ("a", "b")
    assert select(reader, "exposure:dash+").consumers == ("exposure.p.dash", "exposure.p.other")
    assert select(project, "a.x+1").consumers == ()
    assert select(project, "a.x+").consumers == ("exposure.p.dash",)
    assert select(project, "exposure:*").consumers == ("exposure.p.dash", "exposure.p.other")


def test_blind_spots_link_relations() -> None:
    project = _project("a.x>b.x")
    spot = BlindSpot(ColumnRef("c", None), "Python model", Location("c.py", 1), ("b",))
    project = Project(
        project.root,
        project.dialect,
        (*project.relations, Relation("c", RelationKind.MODEL, (), Location("c.py", 1))),
        project.edges,
        (spot,),
        (),
        project.coverage,
    )
    assert select(project, "a+").relations == ("a", "b", "c")
    assert select(project, "+c").relations == ("a", "b", "c")


def test_a_short_name_shared_by_two_relations_is_ambiguous() -> None:
    project = _project("model.p.users.x>model.q.users.x")
    with pytest.raises(UsageError, match="'users' is ambiguous"):
        select(project, "users")
    assert select(project, "model.p.users+").relations == ("model.p.users", "model.q.users")


def test_a_relation_name_wins_over_a_column_of_the_same_spelling() -> None:
    project = _project("s.t>u.v", "s.t.x>u.w")  # relation s (column t) and relation s.t
    assert select(project, "s.t").relations == ("s.t",)
    assert {str(c) for c in select(project, "s.t.x+").columns} == {"s.t.x", "u.w"}
    assert {str(c) for c in select(project, "u.v,+u.w").columns} == set()


def test_the_selector_is_cached_per_project() -> None:
    first = selector_for(CHAIN)
    assert selector_for(CHAIN) is first
    assert selector_for(_project("a.x>b.x")) is not first


def test_selecting_around_a_model_of_a_large_project_is_fast() -> None:
    """A layered graph of 5,000 relations (50 layers of 100): m{l+1}_j reads m{l}_j and
    m{l}_{j-7}, so k layers above (or below) a relation lie k + 1 distinct relations."""
    width = 100
    links = [
        f"m{layer}_{i}.x>m{layer + 1}_{(i + shift) % width}.x"
        for layer in range(49)
        for i in range(width)
        for shift in (0, 7)
    ]
    project = _project(*links)
    started = time.perf_counter()
    selected = select(project, "+m25_50+")
    elapsed = time.perf_counter() - started
    # layers 0-25 above and including m25_50: 1 + 2 + ... + 26; layers 26-49 below: 2 + ... + 25
    assert len(selected.relations) == 351 + 324
    assert elapsed < 2.0  # graph built once; the walk itself takes milliseconds
    started = time.perf_counter()
    select(project, "@m25_3")
    assert time.perf_counter() - started < 0.5


def test_a_plain_sql_schema_called_source_is_no_dbt_source() -> None:
    # `source.orders` is table orders of schema source in a plain SQL project: not a dbt source
    project = _project("source.orders.id>mart.orders.id")
    with pytest.raises(UsageError, match="no dbt source table matches 'orders'"):
        select(project, "source:orders")
    assert names(select(project, "source.orders+")) == {"source.orders", "mart.orders"}
