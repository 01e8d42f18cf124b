-- DuckDB: identifiers are case-insensitive, quoted ones too.
-- dialect: duckdb

-- case: duckdb_quoted_identifiers_case_insensitive
create table raw.users (id integer, email varchar);
create table mart.u as select "ID", "Email" as contact from raw.users;
-- expect:
-- mart.u.id <- raw.users.id identity
-- mart.u.contact <- raw.users.email identity

-- case: duckdb_lateral_column_alias
create table raw.orders (id integer, amount decimal(10, 2), discount decimal(10, 2));
create table mart.orders as select id, amount - discount as net, round(net, 0) as net_rounded from raw.orders;
-- expect:
-- mart.orders.id <- raw.orders.id identity
-- mart.orders.net <- raw.orders.amount transformation
-- mart.orders.net <- raw.orders.discount transformation
-- mart.orders.net_rounded <- raw.orders.amount transformation
-- mart.orders.net_rounded <- raw.orders.discount transformation

-- case: duckdb_group_by_all
create table raw.events (id integer, user_id integer, kind varchar, ts timestamp);
create table mart.user_kinds as select user_id, kind, count(*) as n, max(ts) as last_ts from raw.events group by all;
-- expect:
-- mart.user_kinds.user_id <- raw.events.user_id identity
-- mart.user_kinds.kind <- raw.events.kind identity
-- mart.user_kinds.last_ts <- raw.events.ts aggregation
-- mart.user_kinds.* <- raw.events.user_id group_by
-- mart.user_kinds.* <- raw.events.kind group_by

-- case: duckdb_from_first_syntax
create table raw.users (id integer, email varchar, active boolean);
create table mart.active_users as from raw.users select id, email where active;
-- expect:
-- mart.active_users.id <- raw.users.id identity
-- mart.active_users.email <- raw.users.email identity
-- mart.active_users.* <- raw.users.active filter

-- case: duckdb_lambda_parameter_is_not_a_column
-- x is the lambda's parameter, not a column of raw.users (which has none called x).
create table raw.users (id integer, tags varchar[]);
create table mart.user_tags as select id, list_transform(tags, x -> upper(x)) as tags_upper from raw.users;
-- expect:
-- mart.user_tags.id <- raw.users.id identity
-- mart.user_tags.tags_upper <- raw.users.tags transformation
