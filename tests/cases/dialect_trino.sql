-- Trino: identifiers are case-insensitive, quoted ones too; names are catalog.schema.table.
-- dialect: trino

-- case: trino_quoted_identifiers_case_insensitive
create table hive.raw.users (id bigint, email varchar);
create table hive.mart.u as select "ID", "Email" as "Contact" from hive.raw.users;
-- expect:
-- hive.mart.u.id <- hive.raw.users.id identity
-- hive.mart.u.contact <- hive.raw.users.email identity

-- case: trino_lambda_parameter_is_not_a_column
-- x is the lambda's parameter: only items is read.
create table hive.raw.orders (id bigint, items array(row(price double, qty integer)));
create table hive.mart.order_lines as select id, transform(items, x -> x.price * x.qty) as line_totals from hive.raw.orders;
-- expect:
-- hive.mart.order_lines.id <- hive.raw.orders.id identity
-- hive.mart.order_lines.line_totals <- hive.raw.orders.items transformation

-- case: trino_if_and_try_cast
create table hive.raw.orders (id bigint, status varchar, amount varchar);
create table hive.mart.paid as select id, if(status = 'paid', try_cast(amount as double)) as paid_amount from hive.raw.orders;
-- expect:
-- hive.mart.paid.id <- hive.raw.orders.id identity
-- hive.mart.paid.paid_amount <- hive.raw.orders.amount transformation
-- hive.mart.paid.paid_amount <- hive.raw.orders.status conditional

-- case: trino_approx_distinct_group_by_ordinal
create table hive.raw.events (id bigint, user_id bigint, ts timestamp);
create table hive.mart.daily_users as select date_trunc('day', ts) as day, approx_distinct(user_id) as users from hive.raw.events group by 1;
-- expect:
-- hive.mart.daily_users.day <- hive.raw.events.ts transformation
-- hive.mart.daily_users.users <- hive.raw.events.user_id aggregation
-- hive.mart.daily_users.* <- hive.raw.events.ts group_by

-- case: trino_insert_select
create table hive.raw.users (id bigint, email varchar);
create table hive.mart.emails (user_id bigint, email varchar);
insert into hive.mart.emails select id, lower(email) from hive.raw.users where email is not null;
-- expect:
-- hive.mart.emails.user_id <- hive.raw.users.id identity
-- hive.mart.emails.email <- hive.raw.users.email transformation
-- hive.mart.emails.* <- hive.raw.users.email filter
