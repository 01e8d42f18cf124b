-- Unknown relations and columns, ambiguity, unexpandable stars, parse errors.
-- dialect: postgres

-- case: unknown_relation_qualified_columns_still_produce_edges
create table mart.orders as select o.id, o.amount from raw.legacy_orders o where o.status = 'paid';
-- expect:
-- mart.orders.id <- raw.legacy_orders.id identity
-- mart.orders.amount <- raw.legacy_orders.amount identity
-- mart.orders.* <- raw.legacy_orders.status filter
-- diagnostics: unknown-relation

-- case: unknown_relation_single_source_unqualified
create table mart.users as select id, lower(email) as email from raw.legacy_users where active;
-- expect:
-- mart.users.id <- raw.legacy_users.id identity
-- mart.users.email <- raw.legacy_users.email transformation
-- mart.users.* <- raw.legacy_users.active filter
-- diagnostics: unknown-relation

-- case: unknown_relation_read_by_two_statements
create table mart.a as select id from raw.ext_events;
create table mart.b as select kind from raw.ext_events;
-- expect:
-- mart.a.id <- raw.ext_events.id identity
-- mart.b.kind <- raw.ext_events.kind identity
-- diagnostics: unknown-relation

-- case: ambiguous_column_between_two_unknown_relations
-- email could belong to either unknown table: no edge for it, and the column is blind.
create table mart.order_emails as select o.id, email from raw.ext_orders o join raw.ext_users u on u.id = o.user_id;
-- expect:
-- mart.order_emails.id <- raw.ext_orders.id identity
-- mart.order_emails.* <- raw.ext_users.id join
-- mart.order_emails.* <- raw.ext_orders.user_id join
-- blind: mart.order_emails.email
-- diagnostics: unknown-relation, ambiguous-column

-- case: ambiguous_column_in_two_known_schemas
-- Both known tables have created_at: the database itself rejects the reference as ambiguous.
create table raw.users (id int, created_at timestamp);
create table raw.orders (id int, user_id int, created_at timestamp);
create table mart.x as select o.id, created_at from raw.orders o join raw.users u on u.id = o.user_id;
-- expect:
-- mart.x.id <- raw.orders.id identity
-- mart.x.* <- raw.users.id join
-- mart.x.* <- raw.orders.user_id join
-- blind: mart.x.created_at
-- diagnostics: ambiguous-column

-- case: column_resolved_by_elimination
-- raw.users is fully known and has no amount, so amount can only come from raw.ext_orders.
create table raw.users (id int, email text);
create table mart.user_amounts as select u.email, amount from raw.users u join raw.ext_orders o on o.user_id = u.id;
-- expect:
-- mart.user_amounts.email <- raw.users.email identity
-- mart.user_amounts.amount <- raw.ext_orders.amount identity
-- mart.user_amounts.* <- raw.ext_orders.user_id join
-- mart.user_amounts.* <- raw.users.id join
-- diagnostics: unknown-relation

-- case: unknown_column_in_known_schema
create table raw.users (id int, email text);
create table mart.users as select id, phone from raw.users;
-- expect:
-- mart.users.id <- raw.users.id identity
-- mart.users.phone <- raw.users.phone identity
-- diagnostics: unknown-column

-- case: unknown_qualified_column_in_where
create table raw.users (id int, email text);
create table mart.users as select u.id from raw.users u where u.deleted_at is null;
-- expect:
-- mart.users.id <- raw.users.id identity
-- mart.users.* <- raw.users.deleted_at filter
-- diagnostics: unknown-column

-- case: unknown_relation_in_where_subquery
create table raw.users (id int, email text);
create table mart.allowed as select id, email from raw.users where id not in (select user_id from raw.ext_blocklist);
-- expect:
-- mart.allowed.id <- raw.users.id identity
-- mart.allowed.email <- raw.users.email identity
-- mart.allowed.* <- raw.users.id filter
-- mart.allowed.* <- raw.ext_blocklist.user_id filter
-- diagnostics: unknown-relation

-- case: star_from_unknown_relation_then_named_columns
-- stg.users has unknown columns; the next statement's columns still belong to it.
create table stg.users as select * from raw.ext_users;
create table mart.users as select id, email from stg.users;
-- expect:
-- mart.users.id <- stg.users.id identity
-- mart.users.email <- stg.users.email identity
-- blind: stg.users.*
-- diagnostics: unknown-relation, unexpanded-star

-- case: insert_star_from_unknown_relation
create table mart.users (id int, email text);
insert into mart.users select * from raw.ext_users;
-- expect:
-- blind: mart.users.*
-- diagnostics: unknown-relation, unexpanded-star

-- case: qualified_star_of_unknown_relation_with_known_join
create table raw.orders (id int, user_id int, amount numeric);
create table mart.user_orders as select u.*, o.amount from raw.ext_users u join raw.orders o on o.user_id = u.id;
-- expect:
-- mart.user_orders.amount <- raw.orders.amount identity
-- mart.user_orders.* <- raw.orders.user_id join
-- mart.user_orders.* <- raw.ext_users.id join
-- blind: mart.user_orders.*
-- diagnostics: unknown-relation, unexpanded-star

-- case: parse_error_other_statements_still_analysed
create table raw.users (id int, email text);
create table mart.broken as select (id from raw.users;
create table mart.ok as select id from raw.users;
-- expect:
-- mart.ok.id <- raw.users.id identity
-- diagnostics: parse-error

-- case: empty_project_file
-- expect:
-- diagnostics: empty-file
