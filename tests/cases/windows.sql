-- Window functions and QUALIFY.
-- dialect: postgres

-- case: row_number_partition_and_order
-- row_number() has no argument: its columns are all window columns.
create table raw.orders (id int, user_id int, created_at timestamp);
create table mart.order_seq as select id, row_number() over (partition by user_id order by created_at) as seq from raw.orders;
-- expect:
-- mart.order_seq.id <- raw.orders.id identity
-- mart.order_seq.seq <- raw.orders.user_id window
-- mart.order_seq.seq <- raw.orders.created_at window

-- case: running_total_is_windowed_aggregation
create table raw.orders (id int, user_id int, amount numeric, created_at timestamp);
create table mart.running as select id, sum(amount) over (partition by user_id order by created_at rows between unbounded preceding and current row) as running_total from raw.orders;
-- expect:
-- mart.running.id <- raw.orders.id identity
-- mart.running.running_total <- raw.orders.amount aggregation
-- mart.running.running_total <- raw.orders.user_id window
-- mart.running.running_total <- raw.orders.created_at window

-- case: rank_with_order_only
create table raw.products (sku text, revenue numeric);
create table mart.product_rank as select sku, rank() over (order by revenue desc) as revenue_rank from raw.products;
-- expect:
-- mart.product_rank.sku <- raw.products.sku identity
-- mart.product_rank.revenue_rank <- raw.products.revenue window

-- case: count_star_over_partition
create table raw.events (id int, session_id int);
create table mart.event_counts as select id, count(*) over (partition by session_id) as events_in_session from raw.events;
-- expect:
-- mart.event_counts.id <- raw.events.id identity
-- mart.event_counts.events_in_session <- raw.events.session_id window

-- case: empty_over_clause
create table raw.orders (id int, amount numeric);
create table mart.grand_total as select id, sum(amount) over () as grand_total from raw.orders;
-- expect:
-- mart.grand_total.id <- raw.orders.id identity
-- mart.grand_total.grand_total <- raw.orders.amount aggregation

-- case: named_window_clause
create table raw.orders (id int, user_id int, amount numeric, created_at timestamp);
create table mart.user_stats as select id, avg(amount) over w as avg_so_far, max(amount) over w as max_so_far from raw.orders window w as (partition by user_id order by created_at);
-- expect:
-- mart.user_stats.id <- raw.orders.id identity
-- mart.user_stats.avg_so_far <- raw.orders.amount aggregation
-- mart.user_stats.avg_so_far <- raw.orders.user_id window
-- mart.user_stats.avg_so_far <- raw.orders.created_at window
-- mart.user_stats.max_so_far <- raw.orders.amount aggregation
-- mart.user_stats.max_so_far <- raw.orders.user_id window
-- mart.user_stats.max_so_far <- raw.orders.created_at window

-- case: lag_is_a_transformation
-- lag is a window function, not an aggregate: the value it returns is another row's amount.
create table raw.orders (id int, user_id int, amount numeric, created_at timestamp);
create table mart.deltas as select id, amount - lag(amount) over (partition by user_id order by created_at) as delta from raw.orders;
-- expect:
-- mart.deltas.id <- raw.orders.id identity
-- mart.deltas.delta <- raw.orders.amount transformation
-- mart.deltas.delta <- raw.orders.user_id window
-- mart.deltas.delta <- raw.orders.created_at window

-- case: window_over_grouped_aggregate
create table raw.orders (id int, user_id int, amount numeric);
create table mart.user_rank as select user_id, rank() over (order by sum(amount) desc) as spend_rank from raw.orders group by user_id;
-- expect:
-- mart.user_rank.user_id <- raw.orders.user_id identity
-- mart.user_rank.spend_rank <- raw.orders.amount window
-- mart.user_rank.* <- raw.orders.user_id group_by

-- case: dedup_with_row_number_in_cte
-- rn is a window column; filtering on it makes its columns decide the output rows.
create table raw.events (id int, user_id int, email text, updated_at timestamp);
create table mart.latest_email as
with ranked as (select user_id, email, row_number() over (partition by user_id order by updated_at desc) as rn from raw.events)
select user_id, email from ranked where rn = 1;
-- expect:
-- mart.latest_email.user_id <- raw.events.user_id identity
-- mart.latest_email.email <- raw.events.email identity
-- mart.latest_email.* <- raw.events.user_id filter
-- mart.latest_email.* <- raw.events.updated_at filter

-- case: snowflake_qualify_inline
-- dialect: snowflake
create table raw.events (id int, user_id int, email varchar, updated_at timestamp);
create table mart.latest_email as select user_id, email from raw.events qualify row_number() over (partition by user_id order by updated_at desc) = 1;
-- expect:
-- MART.LATEST_EMAIL.USER_ID <- RAW.EVENTS.USER_ID identity
-- MART.LATEST_EMAIL.EMAIL <- RAW.EVENTS.EMAIL identity
-- MART.LATEST_EMAIL.* <- RAW.EVENTS.USER_ID filter
-- MART.LATEST_EMAIL.* <- RAW.EVENTS.UPDATED_AT filter

-- case: duckdb_qualify_on_select_alias
-- dialect: duckdb
create table raw.events (id integer, user_id integer, updated_at timestamp);
create table mart.latest_event as select id, row_number() over (partition by user_id order by updated_at desc) as rn from raw.events qualify rn = 1;
-- expect:
-- mart.latest_event.id <- raw.events.id identity
-- mart.latest_event.rn <- raw.events.user_id window
-- mart.latest_event.rn <- raw.events.updated_at window
-- mart.latest_event.* <- raw.events.user_id filter
-- mart.latest_event.* <- raw.events.updated_at filter

-- case: bigquery_qualify_with_aggregate_window
-- dialect: bigquery
create table shop.orders (id int64, user_id int64, amount numeric);
create table mart.big_share_orders as select id, amount from shop.orders where true qualify amount > 0.5 * sum(amount) over (partition by user_id);
-- expect:
-- mart.big_share_orders.id <- shop.orders.id identity
-- mart.big_share_orders.amount <- shop.orders.amount identity
-- mart.big_share_orders.* <- shop.orders.amount filter
-- mart.big_share_orders.* <- shop.orders.user_id filter
