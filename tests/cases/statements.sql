-- Statement kinds: CTAS, views, INSERT, UPDATE, MERGE, DELETE.
-- dialect: postgres

-- case: insert_select_with_column_list
create table raw.users (id int, email text, created_at timestamp);
create table mart.users (user_id int, email text, signup_date date);
insert into mart.users (user_id, email, signup_date) select id, lower(email), created_at::date from raw.users;
-- expect:
-- mart.users.user_id <- raw.users.id identity
-- mart.users.email <- raw.users.email transformation
-- mart.users.signup_date <- raw.users.created_at transformation

-- case: insert_column_list_in_other_order
-- Positions follow the column list (email, id), not the table's order; phone gets nothing.
create table raw.leads (uid int, mail text);
create table mart.contacts (id int, email text, phone text);
insert into mart.contacts (email, id) select mail, uid from raw.leads;
-- expect:
-- mart.contacts.email <- raw.leads.mail identity
-- mart.contacts.id <- raw.leads.uid identity

-- case: insert_without_column_list_uses_table_order
-- Output names (address, lead_id) are irrelevant: the first select column goes to id.
create table raw.leads (lead_id int, address text);
create table mart.contacts (id int, email text);
insert into mart.contacts select lead_id as address, address as lead_id from raw.leads;
-- expect:
-- mart.contacts.id <- raw.leads.lead_id identity
-- mart.contacts.email <- raw.leads.address identity

-- case: insert_select_star_by_position
create table raw.orders (id int, amount numeric);
create table mart.archive (order_id int, total numeric);
insert into mart.archive select * from raw.orders;
-- expect:
-- mart.archive.order_id <- raw.orders.id identity
-- mart.archive.total <- raw.orders.amount identity

-- case: insert_values_has_no_edges
create table app.plans (id int, name text);
insert into app.plans (id, name) values (1, 'free'), (2, 'pro');
-- expect:

-- case: insert_select_filter_and_group_reach_target_rows
create table raw.orders (id int, user_id int, amount numeric, status text);
create table mart.user_totals (user_id int, total numeric);
insert into mart.user_totals (user_id, total) select user_id, sum(amount) from raw.orders where status <> 'void' group by user_id;
-- expect:
-- mart.user_totals.user_id <- raw.orders.user_id identity
-- mart.user_totals.total <- raw.orders.amount aggregation
-- mart.user_totals.* <- raw.orders.status filter
-- mart.user_totals.* <- raw.orders.user_id group_by

-- case: two_inserts_into_one_target_union
create table raw.web_signups (email text, ts timestamp);
create table raw.app_signups (email_address text, created timestamp);
create table mart.signups (email text, signed_up_at timestamp);
insert into mart.signups select email, ts from raw.web_signups;
insert into mart.signups select email_address, created from raw.app_signups where email_address is not null;
-- expect:
-- mart.signups.email <- raw.web_signups.email identity
-- mart.signups.email <- raw.app_signups.email_address identity
-- mart.signups.signed_up_at <- raw.web_signups.ts identity
-- mart.signups.signed_up_at <- raw.app_signups.created identity
-- mart.signups.* <- raw.app_signups.email_address filter

-- case: ctas_then_insert_union
create table raw.orders_2023 (id int, amount numeric);
create table raw.orders_2024 (id int, amount_cents int);
create table mart.orders as select id, amount from raw.orders_2023;
insert into mart.orders select id, amount_cents / 100.0 from raw.orders_2024;
-- expect:
-- mart.orders.id <- raw.orders_2023.id identity
-- mart.orders.id <- raw.orders_2024.id identity
-- mart.orders.amount <- raw.orders_2023.amount identity
-- mart.orders.amount <- raw.orders_2024.amount_cents transformation

-- case: insert_with_leading_cte
create table raw.orders (id int, user_id int, created_at timestamp);
create table mart.recent_orders (order_id int, user_id int);
with recent as (select id, user_id from raw.orders where created_at > now() - interval '1 day')
insert into mart.recent_orders (order_id, user_id) select id, user_id from recent;
-- expect:
-- mart.recent_orders.order_id <- raw.orders.id identity
-- mart.recent_orders.user_id <- raw.orders.user_id identity
-- mart.recent_orders.* <- raw.orders.created_at filter

-- case: insert_select_two_outputs_with_same_name
-- Both select columns are called k; the insert maps them by position, so both are kept.
create table raw.users (id int, email text);
create table mart.pairs (a int, b text);
insert into mart.pairs (a, b) select id as k, email as k from raw.users;
-- expect:
-- mart.pairs.a <- raw.users.id identity
-- mart.pairs.b <- raw.users.email identity

-- case: insert_star_from_derived_table_with_duplicate_names
-- known-limitation: sqlglot's star expansion keeps one of two same-named derived-table columns
-- Postgres allows two columns named k in a derived table; * returns both, in order.
create table raw.users (id int, email text);
create table mart.pairs (a int, b text);
insert into mart.pairs (a, b) select * from (select id as k, email as k from raw.users) as d;
-- expect:
-- mart.pairs.a <- raw.users.id identity
-- mart.pairs.b <- raw.users.email identity

-- case: update_set_from_where
-- UPDATE does not change which rows app.users has: WHERE columns reach the SET column only.
create table app.users (id int, email text, plan text);
create table staging.user_updates (user_id int, new_email text, valid boolean);
update app.users as u set email = s.new_email from staging.user_updates s where s.user_id = u.id and s.valid;
-- expect:
-- app.users.email <- staging.user_updates.new_email identity
-- app.users.email <- staging.user_updates.user_id filter
-- app.users.email <- app.users.id filter
-- app.users.email <- staging.user_updates.valid filter

-- case: update_expression_on_own_column
create table app.orders (id int, amount numeric, status text);
update app.orders set amount = amount * 1.2 where status = 'open';
-- expect:
-- app.orders.amount <- app.orders.amount transformation
-- app.orders.amount <- app.orders.status filter

-- case: update_literals_only_get_filters
-- No column flows into the new values; only the WHERE columns reach both SET columns.
create table app.orders (id int, status text, created_at timestamp, cancelled_at timestamp);
update app.orders set status = 'cancelled', cancelled_at = now() where status = 'pending' and created_at < now() - interval '30 days';
-- expect:
-- app.orders.status <- app.orders.status filter
-- app.orders.status <- app.orders.created_at filter
-- app.orders.cancelled_at <- app.orders.status filter
-- app.orders.cancelled_at <- app.orders.created_at filter

-- case: update_without_where
create table app.users (id int, email text);
update app.users set email = lower(email);
-- expect:
-- app.users.email <- app.users.email transformation

-- case: update_with_correlated_scalar_subquery
create table app.users (id int, email text, order_count int, last_order_at timestamp);
create table app.orders (id int, user_id int, created_at timestamp);
update app.users as u set order_count = (select count(*) from app.orders o where o.user_id = u.id), last_order_at = (select max(o.created_at) from app.orders o where o.user_id = u.id);
-- expect:
-- app.users.order_count <- app.orders.user_id filter
-- app.users.order_count <- app.users.id filter
-- app.users.last_order_at <- app.orders.created_at aggregation
-- app.users.last_order_at <- app.orders.user_id filter
-- app.users.last_order_at <- app.users.id filter

-- case: merge_update_and_insert
create table dim.users (id int, email text, updated_at timestamp);
create table stg.users (id int, email text, updated_at timestamp);
merge into dim.users t using stg.users s on t.id = s.id
when matched and s.updated_at > t.updated_at then update set email = s.email, updated_at = s.updated_at
when not matched then insert (id, email, updated_at) values (s.id, s.email, s.updated_at);
-- expect:
-- dim.users.id <- stg.users.id identity
-- dim.users.email <- stg.users.email identity
-- dim.users.updated_at <- stg.users.updated_at identity
-- dim.users.id <- dim.users.id join
-- dim.users.id <- stg.users.id join
-- dim.users.email <- dim.users.id join
-- dim.users.email <- stg.users.id join
-- dim.users.updated_at <- dim.users.id join
-- dim.users.updated_at <- stg.users.id join
-- dim.users.email <- stg.users.updated_at conditional
-- dim.users.email <- dim.users.updated_at conditional
-- dim.users.updated_at <- stg.users.updated_at conditional
-- dim.users.updated_at <- dim.users.updated_at conditional

-- case: merge_insert_with_transformation
create table dim.customers (id int, email text);
create table stg.customers (customer_id int, raw_email text);
merge into dim.customers d using stg.customers s on d.id = s.customer_id
when not matched then insert (id, email) values (s.customer_id, lower(s.raw_email));
-- expect:
-- dim.customers.id <- stg.customers.customer_id identity
-- dim.customers.email <- stg.customers.raw_email transformation
-- dim.customers.id <- dim.customers.id join
-- dim.customers.id <- stg.customers.customer_id join
-- dim.customers.email <- dim.customers.id join
-- dim.customers.email <- stg.customers.customer_id join

-- case: merge_with_delete_branch
-- dialect: snowflake
-- The delete branch changes the rows of CORE.USERS: ON columns -> join, its condition -> filter.
create table core.users (id int, email varchar);
create table stage.users (id int, email varchar, is_deleted boolean);
merge into core.users t using stage.users s on t.id = s.id
when matched and not s.is_deleted then update set email = s.email
when matched and s.is_deleted then delete
when not matched then insert (id, email) values (s.id, s.email);
-- expect:
-- CORE.USERS.EMAIL <- STAGE.USERS.EMAIL identity
-- CORE.USERS.ID <- STAGE.USERS.ID identity
-- CORE.USERS.EMAIL <- CORE.USERS.ID join
-- CORE.USERS.EMAIL <- STAGE.USERS.ID join
-- CORE.USERS.ID <- CORE.USERS.ID join
-- CORE.USERS.ID <- STAGE.USERS.ID join
-- CORE.USERS.EMAIL <- STAGE.USERS.IS_DELETED conditional
-- CORE.USERS.* <- CORE.USERS.ID join
-- CORE.USERS.* <- STAGE.USERS.ID join
-- CORE.USERS.* <- STAGE.USERS.IS_DELETED filter

-- case: delete_where
create table app.sessions (id int, user_id int, expires_at timestamp);
delete from app.sessions where expires_at < now();
-- expect:
-- app.sessions.* <- app.sessions.expires_at filter

-- case: delete_with_in_subquery
create table app.users (id int, email text);
create table app.gdpr_requests (user_id int, kind text);
delete from app.users where id in (select user_id from app.gdpr_requests where kind = 'erase');
-- expect:
-- app.users.* <- app.users.id filter
-- app.users.* <- app.gdpr_requests.user_id filter
-- app.users.* <- app.gdpr_requests.kind filter

-- case: delete_using
create table app.orders (id int, user_id int);
create table app.users (id int, banned boolean);
delete from app.orders as o using app.users u where o.user_id = u.id and u.banned;
-- expect:
-- app.orders.* <- app.orders.user_id filter
-- app.orders.* <- app.users.id filter
-- app.orders.* <- app.users.banned filter

-- case: create_view_with_column_list
create table raw.users (id int, email text);
create view mart.contacts (contact_id, contact_email) as select id, lower(email) from raw.users;
-- expect:
-- mart.contacts.contact_id <- raw.users.id identity
-- mart.contacts.contact_email <- raw.users.email transformation

-- case: create_materialized_view
create table raw.orders (id int, created_at timestamp, amount numeric);
create materialized view mart.daily_revenue as select created_at::date as day, sum(amount) as revenue from raw.orders group by created_at::date;
-- expect:
-- mart.daily_revenue.day <- raw.orders.created_at transformation
-- mart.daily_revenue.revenue <- raw.orders.amount aggregation
-- mart.daily_revenue.* <- raw.orders.created_at group_by

-- case: ctas_with_column_names
create table raw.users (id int, email text);
create table mart.contacts (uid, mail) as select id, email from raw.users;
-- expect:
-- mart.contacts.uid <- raw.users.id identity
-- mart.contacts.mail <- raw.users.email identity

-- case: insert_overwrite_databricks
-- dialect: databricks
create table raw.events (id bigint, user_id bigint, event_type string, ts timestamp);
create table mart.daily_events (day date, event_type string, n bigint);
insert overwrite table mart.daily_events select to_date(ts), event_type, count(*) from raw.events group by to_date(ts), event_type;
-- expect:
-- mart.daily_events.day <- raw.events.ts transformation
-- mart.daily_events.event_type <- raw.events.event_type identity
-- mart.daily_events.* <- raw.events.ts group_by
-- mart.daily_events.* <- raw.events.event_type group_by
