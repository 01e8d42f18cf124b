-- Row-multiplying constructs (UNNEST, FLATTEN, ARRAY JOIN, explode) and lateral subqueries.
-- The unnested element is a piece of the array column (transformation, like field access);
-- the array column itself multiplies the rows (join on the target's rows).
-- dialect: postgres

-- case: postgres_cross_join_unnest
create table raw.orders (id int, tags text[]);
create table mart.order_tags as select o.id, t.tag from raw.orders o cross join unnest(o.tags) as t (tag);
-- expect:
-- mart.order_tags.id <- raw.orders.id identity
-- mart.order_tags.tag <- raw.orders.tags transformation
-- mart.order_tags.* <- raw.orders.tags join

-- case: postgres_lateral_subquery_top_one
-- The lateral subquery's WHERE (with the outer u.id) and ORDER BY decide the output rows.
create table raw.users (id int, email text);
create table raw.orders (id int, user_id int, amount numeric, created_at timestamp);
create table mart.last_order as
select u.id, u.email, l.amount as last_amount
from raw.users u
cross join lateral (select o.amount from raw.orders o where o.user_id = u.id order by o.created_at desc limit 1) as l;
-- expect:
-- mart.last_order.id <- raw.users.id identity
-- mart.last_order.email <- raw.users.email identity
-- mart.last_order.last_amount <- raw.orders.amount identity
-- mart.last_order.* <- raw.orders.user_id filter
-- mart.last_order.* <- raw.users.id filter
-- mart.last_order.* <- raw.orders.created_at sort

-- case: postgres_join_lateral_with_on_key
create table raw.users (id int, country text);
create table raw.country_rates (country text, rate numeric, valid_from date);
create table mart.user_rates as
select u.id, r.rate
from raw.users u
join lateral (select cr.country, cr.rate from raw.country_rates cr where cr.valid_from <= current_date) as r on r.country = u.country;
-- expect:
-- mart.user_rates.id <- raw.users.id identity
-- mart.user_rates.rate <- raw.country_rates.rate identity
-- mart.user_rates.* <- raw.country_rates.valid_from filter
-- mart.user_rates.* <- raw.country_rates.country join
-- mart.user_rates.* <- raw.users.country join

-- case: bigquery_unnest_array_of_structs
-- dialect: bigquery
create table shop.orders (id int64, items array<struct<sku string, qty int64>>);
create table mart.order_lines as select o.id, item.sku, item.qty from shop.orders o, unnest(o.items) as item;
-- expect:
-- mart.order_lines.id <- shop.orders.id identity
-- mart.order_lines.sku <- shop.orders.items transformation
-- mart.order_lines.qty <- shop.orders.items transformation
-- mart.order_lines.* <- shop.orders.items join

-- case: bigquery_unnest_in_where_is_filter
-- UNNEST inside WHERE does not multiply rows: tags only filters.
-- dialect: bigquery
create table crm.users (id int64, email string, tags array<string>);
create table mart.vip_users as select id, email from crm.users u where 'vip' in unnest(u.tags);
-- expect:
-- mart.vip_users.id <- crm.users.id identity
-- mart.vip_users.email <- crm.users.email identity
-- mart.vip_users.* <- crm.users.tags filter

-- case: duckdb_unnest_in_select_list
-- dialect: duckdb
create table raw.orders (id integer, tags varchar[]);
create table mart.order_tags as select id, unnest(tags) as tag from raw.orders;
-- expect:
-- mart.order_tags.id <- raw.orders.id identity
-- mart.order_tags.tag <- raw.orders.tags transformation
-- mart.order_tags.* <- raw.orders.tags join

-- case: trino_cross_join_unnest_with_ordinality
-- dialect: trino
create table hive.sales.orders (id bigint, tags array(varchar));
create table hive.mart.order_tags as select o.id, t.tag from hive.sales.orders o cross join unnest(o.tags) with ordinality as t (tag, pos);
-- expect:
-- hive.mart.order_tags.id <- hive.sales.orders.id identity
-- hive.mart.order_tags.tag <- hive.sales.orders.tags transformation
-- hive.mart.order_tags.* <- hive.sales.orders.tags join

-- case: snowflake_lateral_flatten
-- dialect: snowflake
create table raw.events (id int, payload variant);
create table mart.event_items as select e.id, f.value:sku::string as sku, f.value:qty::int as qty from raw.events e, lateral flatten(input => e.payload:items) f;
-- expect:
-- MART.EVENT_ITEMS.ID <- RAW.EVENTS.ID identity
-- MART.EVENT_ITEMS.SKU <- RAW.EVENTS.PAYLOAD transformation
-- MART.EVENT_ITEMS.QTY <- RAW.EVENTS.PAYLOAD transformation
-- MART.EVENT_ITEMS.* <- RAW.EVENTS.PAYLOAD join

-- case: clickhouse_array_join_with_alias
-- dialect: clickhouse
create table analytics.events (EventID UInt64, UserID UInt64, Tags Array(String)) engine = MergeTree order by EventID;
create view analytics.event_tags as select EventID, tag from analytics.events array join Tags as tag;
-- expect:
-- analytics.event_tags.EventID <- analytics.events.EventID identity
-- analytics.event_tags.tag <- analytics.events.Tags transformation
-- analytics.event_tags.* <- analytics.events.Tags join

-- case: spark_lateral_view_explode
-- dialect: spark
create table raw.events (id bigint, tags array<string>);
create table mart.event_tags as select id, tag from raw.events lateral view explode(tags) t as tag;
-- expect:
-- mart.event_tags.id <- raw.events.id identity
-- mart.event_tags.tag <- raw.events.tags transformation
-- mart.event_tags.* <- raw.events.tags join

-- case: tsql_cross_apply_top_one
-- dialect: tsql
-- CROSS APPLY is T-SQL's lateral join: same reading as the Postgres LATERAL case.
create table dbo.users (id int, email varchar(200));
create table dbo.orders (id int, user_id int, amount decimal(10, 2), created_at datetime);
create view dbo.last_orders as select u.id, x.amount from dbo.users u cross apply (select top 1 o.amount from dbo.orders o where o.user_id = u.id order by o.created_at desc) x;
-- expect:
-- dbo.last_orders.id <- dbo.users.id identity
-- dbo.last_orders.amount <- dbo.orders.amount identity
-- dbo.last_orders.* <- dbo.orders.user_id filter
-- dbo.last_orders.* <- dbo.users.id filter
-- dbo.last_orders.* <- dbo.orders.created_at sort
