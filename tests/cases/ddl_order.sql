-- Statement order: renames, drops, and relations created by one statement read by the next.
-- dialect: postgres

-- case: view_before_and_after_table_rename
-- The rename applies to edges recorded before it, so both views read customers.
create table users (id int, email text);
create view v_ids as select id from users;
alter table users rename to customers;
create view v_emails as select email from customers;
-- expect:
-- v_ids.id <- customers.id identity
-- v_emails.email <- customers.email identity

-- case: rename_keeps_the_schema
-- In Postgres RENAME TO takes a bare name and the table stays in schema raw.
create table raw.users (id int, email text);
create view mart.user_ids as select id from raw.users where email is not null;
alter table raw.users rename to customers;
-- expect:
-- mart.user_ids.id <- raw.customers.id identity
-- mart.user_ids.* <- raw.customers.email filter

-- case: rename_target_relation
-- The renamed relation is the target of earlier edges.
create table raw.orders (id int, amount numeric);
create table staging_orders as select id, amount from raw.orders;
alter table staging_orders rename to stg_orders;
-- expect:
-- stg_orders.id <- raw.orders.id identity
-- stg_orders.amount <- raw.orders.amount identity

-- case: chained_renames
create table a (id int);
create table b as select id from a;
alter table a rename to a2;
alter table a2 rename to a3;
-- expect:
-- b.id <- a3.id identity

-- case: rename_then_insert_into_new_name
create table raw.events (id int, kind text);
create table staging (event_id int);
alter table staging rename to staging_v2;
insert into staging_v2 select id from raw.events where kind = 'click';
-- expect:
-- staging_v2.event_id <- raw.events.id identity
-- staging_v2.* <- raw.events.kind filter

-- case: rename_column_rewrites_earlier_edges
-- The view keeps its own column name email; its source column is now email_address.
create table users (id int, email text);
create view v_contacts as select id, email from users;
alter table users rename column email to email_address;
create view v_contacts2 as select email_address from users;
-- expect:
-- v_contacts.id <- users.id identity
-- v_contacts.email <- users.email_address identity
-- v_contacts2.email_address <- users.email_address identity

-- case: rename_column_of_ctas_target
create table raw.users (id int, email text);
create table stg_users as select id, lower(email) as email from raw.users;
alter table stg_users rename column email to email_lower;
create table mart_users as select email_lower from stg_users;
-- expect:
-- stg_users.id <- raw.users.id identity
-- stg_users.email_lower <- raw.users.email transformation
-- mart_users.email_lower <- stg_users.email_lower identity

-- case: drop_table_keeps_edges
create table raw.orders (id int, amount numeric);
create table tmp_orders as select id, amount from raw.orders where amount > 0;
create table final_orders as select id from tmp_orders;
drop table tmp_orders;
-- expect:
-- tmp_orders.id <- raw.orders.id identity
-- tmp_orders.amount <- raw.orders.amount identity
-- tmp_orders.* <- raw.orders.amount filter
-- final_orders.id <- tmp_orders.id identity

-- case: ctas_then_star_in_next_statement
-- stg_users's columns are known from its CTAS, so the next statement's * expands.
create table raw.users (id int, email text, password_hash text);
create table stg_users as select id, lower(email) as email from raw.users;
create table mart_users as select * from stg_users;
-- expect:
-- stg_users.id <- raw.users.id identity
-- stg_users.email <- raw.users.email transformation
-- mart_users.id <- stg_users.id identity
-- mart_users.email <- stg_users.email identity

-- case: view_on_view_star_chain
create table raw.orders (id int, user_id int, amount numeric);
create view v1 as select * from raw.orders;
create view v2 as select * from v1 where amount > 10;
create view v3 as select user_id, sum(amount) as total from v2 group by user_id;
-- expect:
-- v1.id <- raw.orders.id identity
-- v1.user_id <- raw.orders.user_id identity
-- v1.amount <- raw.orders.amount identity
-- v2.id <- v1.id identity
-- v2.user_id <- v1.user_id identity
-- v2.amount <- v1.amount identity
-- v2.* <- v1.amount filter
-- v3.user_id <- v2.user_id identity
-- v3.total <- v2.amount aggregation
-- v3.* <- v2.user_id group_by

-- case: snowflake_rename_with_qualified_new_name
-- dialect: snowflake
create table raw.users (id int, email varchar);
create view mart.users_v as select id, email from raw.users;
alter table raw.users rename to raw.customers;
-- expect:
-- MART.USERS_V.ID <- RAW.CUSTOMERS.ID identity
-- MART.USERS_V.EMAIL <- RAW.CUSTOMERS.EMAIL identity
