-- SELECT * and its per-dialect modifiers, expanded from known schemas.
-- dialect: postgres

-- case: star_from_table
create table raw.users (id int, email text, name text);
create table mart.users as select * from raw.users;
-- expect:
-- mart.users.id <- raw.users.id identity
-- mart.users.email <- raw.users.email identity
-- mart.users.name <- raw.users.name identity

-- case: star_with_filter_and_extra_column
create table raw.orders (id int, amount numeric, status text);
create table mart.paid as select *, amount * 100 as amount_cents from raw.orders where status = 'paid';
-- expect:
-- mart.paid.id <- raw.orders.id identity
-- mart.paid.amount <- raw.orders.amount identity
-- mart.paid.status <- raw.orders.status identity
-- mart.paid.amount_cents <- raw.orders.amount transformation
-- mart.paid.* <- raw.orders.status filter

-- case: qualified_star_from_join
-- u.* expands to users' columns only; orders.id is not selected.
create table raw.users (id int, email text);
create table raw.orders (id int, user_id int, amount numeric);
create table mart.user_orders as select u.*, o.amount from raw.users u join raw.orders o on o.user_id = u.id;
-- expect:
-- mart.user_orders.id <- raw.users.id identity
-- mart.user_orders.email <- raw.users.email identity
-- mart.user_orders.amount <- raw.orders.amount identity
-- mart.user_orders.* <- raw.orders.user_id join
-- mart.user_orders.* <- raw.users.id join

-- case: star_from_cte_keeps_kinds
create table raw.users (id int, email text, created_at timestamp);
create table mart.users as with u as (select id, lower(email) as email, date_trunc('day', created_at) as signup_day from raw.users) select * from u;
-- expect:
-- mart.users.id <- raw.users.id identity
-- mart.users.email <- raw.users.email transformation
-- mart.users.signup_day <- raw.users.created_at transformation

-- case: star_from_derived_table
create table raw.orders (id int, user_id int, amount numeric);
create table mart.totals as select * from (select user_id, sum(amount) as total from raw.orders group by user_id) as t;
-- expect:
-- mart.totals.user_id <- raw.orders.user_id identity
-- mart.totals.total <- raw.orders.amount aggregation
-- mart.totals.* <- raw.orders.user_id group_by

-- case: star_over_union_cte
create table raw.web_users (id int, email text);
create table raw.app_users (id int, email text);
create table mart.users as with u as (select id, email from raw.web_users union all select id, email from raw.app_users) select * from u;
-- expect:
-- mart.users.id <- raw.web_users.id identity
-- mart.users.id <- raw.app_users.id identity
-- mart.users.email <- raw.web_users.email identity
-- mart.users.email <- raw.app_users.email identity

-- case: star_of_two_ctes_in_join
create table raw.users (id int, email text);
create table raw.orders (id int, user_id int, amount numeric);
create table mart.user_spend as
with u as (select id as user_id, email from raw.users),
     s as (select user_id as buyer_id, sum(amount) as spend from raw.orders group by user_id)
select * from u join s on s.buyer_id = u.user_id;
-- expect:
-- mart.user_spend.user_id <- raw.users.id identity
-- mart.user_spend.email <- raw.users.email identity
-- mart.user_spend.buyer_id <- raw.orders.user_id identity
-- mart.user_spend.spend <- raw.orders.amount aggregation
-- mart.user_spend.* <- raw.orders.user_id group_by
-- mart.user_spend.* <- raw.orders.user_id join
-- mart.user_spend.* <- raw.users.id join

-- case: bigquery_star_except_replace
-- dialect: bigquery
-- EXCEPT drops password_hash; REPLACE keeps email in place but transforms it.
create table `my-proj.app.users` (id int64, email string, name string, password_hash string);
create table mart.users as select * except (password_hash) replace (lower(email) as email) from `my-proj.app.users`;
-- expect:
-- mart.users.id <- my-proj.app.users.id identity
-- mart.users.email <- my-proj.app.users.email transformation
-- mart.users.name <- my-proj.app.users.name identity

-- case: snowflake_star_exclude_rename
-- dialect: snowflake
create table raw.users (id int, email varchar, name varchar, password_hash varchar);
create table mart.users as select * exclude (password_hash) rename (name as full_name) from raw.users;
-- expect:
-- MART.USERS.ID <- RAW.USERS.ID identity
-- MART.USERS.EMAIL <- RAW.USERS.EMAIL identity
-- MART.USERS.FULL_NAME <- RAW.USERS.NAME identity

-- case: snowflake_star_replace
-- dialect: snowflake
create table raw.users (id int, email varchar);
create table mart.users as select * replace (lower(email) as email) from raw.users;
-- expect:
-- MART.USERS.ID <- RAW.USERS.ID identity
-- MART.USERS.EMAIL <- RAW.USERS.EMAIL transformation

-- case: duckdb_star_exclude
-- dialect: duckdb
create table raw.users (id integer, email varchar, password_hash varchar);
create table mart.users as select * exclude (password_hash) from raw.users;
-- expect:
-- mart.users.id <- raw.users.id identity
-- mart.users.email <- raw.users.email identity

-- case: duckdb_star_replace
-- dialect: duckdb
create table raw.orders (id integer, amount decimal(10, 2));
create table mart.orders as select * replace (round(amount) as amount) from raw.orders;
-- expect:
-- mart.orders.id <- raw.orders.id identity
-- mart.orders.amount <- raw.orders.amount transformation

-- case: databricks_star_except
-- dialect: databricks
create table raw.users (id int, email string, ssn string);
create table mart.users as select * except (ssn) from raw.users;
-- expect:
-- mart.users.id <- raw.users.id identity
-- mart.users.email <- raw.users.email identity

-- case: star_unknown_relation_cannot_expand
-- raw.legacy_users is never created: its columns are unknown.
create table mart.users as select * from raw.legacy_users;
-- expect:
-- blind: mart.users.*
-- diagnostics: unknown-relation, unexpanded-star
