-- Postgres: unquoted identifiers fold to lowercase; quoted ones keep their case.
-- dialect: postgres

-- case: postgres_quoted_mixed_case_is_another_column
create table raw.users (id int, email text, "Email" text);
create table mart.u as select email as lower_email, "Email" as mixed_email from raw.users;
-- expect:
-- mart.u.lower_email <- raw.users.email identity
-- mart.u.mixed_email <- raw.users.Email identity

-- case: postgres_quoted_lowercase_equals_unquoted
create table raw.users (id int, email text);
create table mart.u as select "id", "email" as "Contact" from "raw"."users";
-- expect:
-- mart.u.id <- raw.users.id identity
-- mart.u.Contact <- raw.users.email identity

-- case: postgres_quoted_mixed_case_schema_is_another_relation
-- "Raw"."Users" and raw.users are two different tables.
create table raw.users (id int);
create table "Raw"."Users" (id int);
create table mart.u as select id from "Raw"."Users";
-- expect:
-- mart.u.id <- Raw.Users.id identity

-- case: postgres_has_no_lateral_column_alias
-- Postgres does not resolve a select alias in the same select list: doubled is looked up
-- in raw.orders, which has no such column.
create table raw.orders (id int, amount numeric);
create table mart.o as select amount * 2 as doubled, doubled + 1 as plus_one from raw.orders;
-- expect:
-- mart.o.doubled <- raw.orders.amount transformation
-- mart.o.plus_one <- raw.orders.doubled transformation
-- diagnostics: unknown-column

-- case: postgres_array_subscript_and_ilike
create table raw.users (id int, email text, tags text[]);
create table mart.u as select id, tags[1] as first_tag from raw.users where email ilike '%@corp.com';
-- expect:
-- mart.u.id <- raw.users.id identity
-- mart.u.first_tag <- raw.users.tags transformation
-- mart.u.* <- raw.users.email filter

-- case: postgres_create_table_if_not_exists_as
create table raw.orders (id int, user_id int, amount numeric);
create table if not exists mart.user_max as select user_id, max(amount) as max_amount from raw.orders group by user_id;
-- expect:
-- mart.user_max.user_id <- raw.orders.user_id identity
-- mart.user_max.max_amount <- raw.orders.amount aggregation
-- mart.user_max.* <- raw.orders.user_id group_by
