-- Basic single-statement lineage (postgres): pass-through, renames, filters, grouping, sorting.
-- dialect: postgres

-- case: passthrough_columns
-- raw.users.name is not selected, so it must not appear anywhere.
create table raw.users (id int, email text, name text);
create table mart.users as select id, email from raw.users;
-- expect:
-- mart.users.id <- raw.users.id identity
-- mart.users.email <- raw.users.email identity

-- case: rename_with_as
create table raw.users (id int, email text);
create view mart.contacts as select id as user_id, email as contact_email from raw.users;
-- expect:
-- mart.contacts.user_id <- raw.users.id identity
-- mart.contacts.contact_email <- raw.users.email identity

-- case: qualified_by_table_alias
create table raw.orders (id int, amount numeric, status text);
create table mart.orders as select o.id as order_id, o.amount from raw.orders as o;
-- expect:
-- mart.orders.order_id <- raw.orders.id identity
-- mart.orders.amount <- raw.orders.amount identity

-- case: qualified_by_full_table_name
create table raw.orders (id int, amount numeric);
create table mart.orders as select raw.orders.id, raw.orders.amount as total from raw.orders;
-- expect:
-- mart.orders.id <- raw.orders.id identity
-- mart.orders.total <- raw.orders.amount identity

-- case: unquoted_names_fold_to_lowercase
-- Postgres folds unquoted identifiers: ID, Email and Raw.Users are id, email and raw.users.
create table raw.users (id int, email text);
create table Mart.Users as select ID, Email as Contact from Raw.Users;
-- expect:
-- mart.users.id <- raw.users.id identity
-- mart.users.contact <- raw.users.email identity

-- case: literals_and_constants_have_no_source
create table raw.users (id int, email text);
create table mart.users as select id, 'web' as channel, 1 as version, current_date as loaded_on, null as note from raw.users;
-- expect:
-- mart.users.id <- raw.users.id identity

-- case: count_star_only_has_no_edges
-- count(*) reads no column; nothing else is selected, filtered or grouped.
create table raw.orders (id int, amount numeric);
create table mart.order_count as select count(*) as n from raw.orders;
-- expect:

-- case: where_is_relation_level_filter
create table raw.users (id int, email text, active boolean, country text);
create table mart.active_users as select id, email from raw.users where active and country = 'FR';
-- expect:
-- mart.active_users.id <- raw.users.id identity
-- mart.active_users.email <- raw.users.email identity
-- mart.active_users.* <- raw.users.active filter
-- mart.active_users.* <- raw.users.country filter

-- case: where_on_selected_column
-- A column both selected and filtered gets one direct edge and one relation-level edge.
create table raw.orders (id int, amount numeric);
create table mart.big_orders as select id, amount from raw.orders where amount > 100;
-- expect:
-- mart.big_orders.id <- raw.orders.id identity
-- mart.big_orders.amount <- raw.orders.amount identity
-- mart.big_orders.* <- raw.orders.amount filter

-- case: group_by_with_aggregates
create table raw.orders (id int, user_id int, amount numeric, status text);
create table mart.user_totals as select user_id, sum(amount) as total, count(*) as n_orders from raw.orders group by user_id;
-- expect:
-- mart.user_totals.user_id <- raw.orders.user_id identity
-- mart.user_totals.total <- raw.orders.amount aggregation
-- mart.user_totals.* <- raw.orders.user_id group_by

-- case: having_is_filter
create table raw.orders (id int, user_id int, amount numeric);
create table mart.big_spenders as select user_id, count(id) as n from raw.orders group by user_id having sum(amount) > 100;
-- expect:
-- mart.big_spenders.user_id <- raw.orders.user_id identity
-- mart.big_spenders.n <- raw.orders.id aggregation
-- mart.big_spenders.* <- raw.orders.user_id group_by
-- mart.big_spenders.* <- raw.orders.amount filter

-- case: having_count_star_adds_nothing
create table raw.orders (id int, user_id int);
create table mart.repeat_buyers as select user_id from raw.orders group by user_id having count(*) > 1;
-- expect:
-- mart.repeat_buyers.user_id <- raw.orders.user_id identity
-- mart.repeat_buyers.* <- raw.orders.user_id group_by

-- case: order_by_sort_limit_adds_nothing
create table raw.orders (id int, amount numeric, created_at timestamp);
create table mart.latest_orders as select id, amount from raw.orders order by created_at desc limit 10;
-- expect:
-- mart.latest_orders.id <- raw.orders.id identity
-- mart.latest_orders.amount <- raw.orders.amount identity
-- mart.latest_orders.* <- raw.orders.created_at sort

-- case: group_by_ordinal_and_column
-- GROUP BY 1 refers to the first select expression, so created_at is a grouping column.
create table raw.orders (id int, created_at timestamp, status text, amount numeric);
create table mart.daily as select date_trunc('day', created_at) as day, status, sum(amount) as total from raw.orders group by 1, status;
-- expect:
-- mart.daily.day <- raw.orders.created_at transformation
-- mart.daily.status <- raw.orders.status identity
-- mart.daily.total <- raw.orders.amount aggregation
-- mart.daily.* <- raw.orders.created_at group_by
-- mart.daily.* <- raw.orders.status group_by

-- case: group_by_output_alias
-- Postgres accepts an output column name in GROUP BY (no input column is called signup_month).
create table raw.users (id int, created_at timestamp);
create table mart.signups as select date_trunc('month', created_at) as signup_month, count(*) as n from raw.users group by signup_month;
-- expect:
-- mart.signups.signup_month <- raw.users.created_at transformation
-- mart.signups.* <- raw.users.created_at group_by

-- case: order_by_output_alias_of_aggregate
create table raw.orders (id int, user_id int, amount numeric);
create table mart.top_users as select user_id, sum(amount) as total from raw.orders group by user_id order by total desc limit 5;
-- expect:
-- mart.top_users.user_id <- raw.orders.user_id identity
-- mart.top_users.total <- raw.orders.amount aggregation
-- mart.top_users.* <- raw.orders.user_id group_by
-- mart.top_users.* <- raw.orders.amount sort

-- case: order_by_ordinal
create table raw.users (id int, email text, created_at timestamp);
create table mart.users_sorted as select id, email from raw.users order by 2;
-- expect:
-- mart.users_sorted.id <- raw.users.id identity
-- mart.users_sorted.email <- raw.users.email identity
-- mart.users_sorted.* <- raw.users.email sort

-- case: select_distinct_adds_no_edges
create table raw.users (id int, country text);
create table mart.countries as select distinct country from raw.users;
-- expect:
-- mart.countries.country <- raw.users.country identity

-- case: distinct_on_is_group_by
create table raw.orders (id int, user_id int, amount numeric, created_at timestamp);
create table mart.last_order as select distinct on (user_id) user_id, id as order_id, amount from raw.orders order by user_id, created_at desc;
-- expect:
-- mart.last_order.user_id <- raw.orders.user_id identity
-- mart.last_order.order_id <- raw.orders.id identity
-- mart.last_order.amount <- raw.orders.amount identity
-- mart.last_order.* <- raw.orders.user_id group_by
-- mart.last_order.* <- raw.orders.user_id sort
-- mart.last_order.* <- raw.orders.created_at sort

-- case: one_source_many_outputs
create table raw.users (id int, email text);
create table mart.emails as select email, email as email_copy, upper(email) as email_upper from raw.users;
-- expect:
-- mart.emails.email <- raw.users.email identity
-- mart.emails.email_copy <- raw.users.email identity
-- mart.emails.email_upper <- raw.users.email transformation

-- case: arithmetic_over_several_columns
create table raw.orders (id int, amount numeric, discount numeric, shipping numeric, tax numeric);
create table mart.net as select id, amount - discount + shipping as net from raw.orders;
-- expect:
-- mart.net.id <- raw.orders.id identity
-- mart.net.net <- raw.orders.amount transformation
-- mart.net.net <- raw.orders.discount transformation
-- mart.net.net <- raw.orders.shipping transformation

-- case: casts_are_transformations
create table raw.orders (id int, amount numeric, created_at timestamp);
create table mart.orders as select id, cast(amount as int) as amount_int, created_at::date as order_date from raw.orders;
-- expect:
-- mart.orders.id <- raw.orders.id identity
-- mart.orders.amount_int <- raw.orders.amount transformation
-- mart.orders.order_date <- raw.orders.created_at transformation

-- case: group_by_rollup
create table raw.sales (region text, country text, channel text, amount numeric);
create table mart.sales_rollup as select region, country, sum(amount) as total from raw.sales group by rollup (region, country);
-- expect:
-- mart.sales_rollup.region <- raw.sales.region identity
-- mart.sales_rollup.country <- raw.sales.country identity
-- mart.sales_rollup.total <- raw.sales.amount aggregation
-- mart.sales_rollup.* <- raw.sales.region group_by
-- mart.sales_rollup.* <- raw.sales.country group_by

-- case: group_by_grouping_sets
create table raw.sales (region text, channel text, amount numeric);
create table mart.sales_sets as select region, channel, sum(amount) as total from raw.sales group by grouping sets ((region), (channel), ());
-- expect:
-- mart.sales_sets.region <- raw.sales.region identity
-- mart.sales_sets.channel <- raw.sales.channel identity
-- mart.sales_sets.total <- raw.sales.amount aggregation
-- mart.sales_sets.* <- raw.sales.region group_by
-- mart.sales_sets.* <- raw.sales.channel group_by

-- case: group_by_cube_with_plain_key
-- store_id is a plain key next to the CUBE: all three are grouping columns.
create table raw.sales (store_id int, region text, channel text, amount numeric);
create table mart.sales_cube as select store_id, region, channel, count(*) as n from raw.sales group by store_id, cube (region, channel);
-- expect:
-- mart.sales_cube.store_id <- raw.sales.store_id identity
-- mart.sales_cube.region <- raw.sales.region identity
-- mart.sales_cube.channel <- raw.sales.channel identity
-- mart.sales_cube.* <- raw.sales.store_id group_by
-- mart.sales_cube.* <- raw.sales.region group_by
-- mart.sales_cube.* <- raw.sales.channel group_by
