-- Set operations: arms match by position (names come from the first arm), except BY NAME.
-- dialect: postgres

-- case: union_all_names_from_first_arm
-- The output column is uid (first arm); the second arm's alias is ignored.
create table raw.web_users (id int, email text);
create table raw.app_users (user_id int, mail text);
create table mart.all_users as select id as uid, email from raw.web_users union all select user_id as other_name, mail from raw.app_users;
-- expect:
-- mart.all_users.uid <- raw.web_users.id identity
-- mart.all_users.uid <- raw.app_users.user_id identity
-- mart.all_users.email <- raw.web_users.email identity
-- mart.all_users.email <- raw.app_users.mail identity

-- case: union_all_matches_by_position_not_name
-- The second arm lists last_name first, so it feeds first_name.
create table raw.customers (first_name text, last_name text);
create table raw.leads (first_name text, last_name text);
create table mart.people as select first_name, last_name from raw.customers union all select last_name, first_name from raw.leads;
-- expect:
-- mart.people.first_name <- raw.customers.first_name identity
-- mart.people.first_name <- raw.leads.last_name identity
-- mart.people.last_name <- raw.customers.last_name identity
-- mart.people.last_name <- raw.leads.first_name identity

-- case: union_distinct_adds_no_edges
create table raw.web_users (id int, email text);
create table raw.app_users (id int, email text);
create table mart.emails as select email from raw.web_users union select email from raw.app_users;
-- expect:
-- mart.emails.email <- raw.web_users.email identity
-- mart.emails.email <- raw.app_users.email identity

-- case: union_arm_filters_reach_output_rows
create table raw.web_orders (id int, amount numeric, test boolean);
create table raw.store_orders (id int, amount numeric, voided boolean);
create table mart.orders as select id, amount from raw.web_orders where not test union all select id, amount from raw.store_orders where not voided;
-- expect:
-- mart.orders.id <- raw.web_orders.id identity
-- mart.orders.id <- raw.store_orders.id identity
-- mart.orders.amount <- raw.web_orders.amount identity
-- mart.orders.amount <- raw.store_orders.amount identity
-- mart.orders.* <- raw.web_orders.test filter
-- mart.orders.* <- raw.store_orders.voided filter

-- case: union_arms_with_different_kinds
create table raw.web_users (id int, email text);
create table raw.app_users (id int, email text);
create table mart.emails as select email from raw.web_users union all select lower(email) from raw.app_users;
-- expect:
-- mart.emails.email <- raw.web_users.email identity
-- mart.emails.email <- raw.app_users.email transformation

-- case: union_three_arms_with_literal_arm
create table raw.a (id int, label text);
create table raw.b (id int, label text);
create table mart.labels as select id, label from raw.a union all select id, 'b' from raw.b union all select 0, 'none';
-- expect:
-- mart.labels.id <- raw.a.id identity
-- mart.labels.id <- raw.b.id identity
-- mart.labels.label <- raw.a.label identity

-- case: union_order_by_reads_both_arms
-- ORDER BY email sorts the union's output column, which comes from both arms.
create table raw.web_users (id int, email text);
create table raw.app_users (id int, email text);
create table mart.emails as select id, email from raw.web_users union all select id, email from raw.app_users order by email;
-- expect:
-- mart.emails.id <- raw.web_users.id identity
-- mart.emails.id <- raw.app_users.id identity
-- mart.emails.email <- raw.web_users.email identity
-- mart.emails.email <- raw.app_users.email identity
-- mart.emails.* <- raw.web_users.email sort
-- mart.emails.* <- raw.app_users.email sort

-- case: union_in_cte_then_aggregate
create table raw.web_orders (id int, user_id int, amount numeric);
create table raw.store_orders (id int, customer_id int, total numeric);
create table mart.spend as
with all_orders as (select user_id, amount from raw.web_orders union all select customer_id, total from raw.store_orders)
select user_id, sum(amount) as spend from all_orders group by user_id;
-- expect:
-- mart.spend.user_id <- raw.web_orders.user_id identity
-- mart.spend.user_id <- raw.store_orders.customer_id identity
-- mart.spend.spend <- raw.web_orders.amount aggregation
-- mart.spend.spend <- raw.store_orders.total aggregation
-- mart.spend.* <- raw.web_orders.user_id group_by
-- mart.spend.* <- raw.store_orders.customer_id group_by

-- case: union_arm_with_group_by
create table raw.orders (id int, user_id int, amount numeric);
create table raw.manual_totals (user_id int, total numeric);
create table mart.totals as select user_id, sum(amount) as total from raw.orders group by user_id union all select user_id, total from raw.manual_totals;
-- expect:
-- mart.totals.user_id <- raw.orders.user_id identity
-- mart.totals.user_id <- raw.manual_totals.user_id identity
-- mart.totals.total <- raw.orders.amount aggregation
-- mart.totals.total <- raw.manual_totals.total identity
-- mart.totals.* <- raw.orders.user_id group_by

-- case: intersect_by_position
create table raw.newsletter (address text);
create table raw.customers (email text);
create table mart.subscribed_customers as select address as email from raw.newsletter intersect select email from raw.customers;
-- expect:
-- mart.subscribed_customers.email <- raw.newsletter.address identity
-- mart.subscribed_customers.email <- raw.customers.email identity

-- case: except_right_arm_only_removes_rows
-- EXCEPT outputs left-arm values only; the right arm (matched by position) decides which
-- rows are removed, so it reaches the rows of the output, never a value.
create table raw.customers (email text);
create table raw.unsubscribed (address text);
create table mart.mailable as select email from raw.customers except select address from raw.unsubscribed;
-- expect:
-- mart.mailable.email <- raw.customers.email identity
-- mart.mailable.* <- raw.unsubscribed.address filter

-- case: duckdb_union_all_by_name
-- dialect: duckdb
-- BY NAME matches arms by column name: leads.first_name feeds first_name despite its position.
create table raw.customers (first_name varchar, last_name varchar);
create table raw.leads (first_name varchar, last_name varchar);
create table mart.people as select first_name, last_name from raw.customers union all by name select last_name, first_name from raw.leads;
-- expect:
-- mart.people.first_name <- raw.customers.first_name identity
-- mart.people.first_name <- raw.leads.first_name identity
-- mart.people.last_name <- raw.customers.last_name identity
-- mart.people.last_name <- raw.leads.last_name identity

-- case: duckdb_union_by_name_missing_column
-- The second arm has no email: email comes from the first arm only, id from both.
-- dialect: duckdb
create table raw.web_users (id integer, email varchar);
create table raw.app_users (id integer, device varchar);
create table mart.users as select id, email from raw.web_users union all by name select id from raw.app_users;
-- expect:
-- mart.users.id <- raw.web_users.id identity
-- mart.users.id <- raw.app_users.id identity
-- mart.users.email <- raw.web_users.email identity

-- case: snowflake_union_all_by_name
-- dialect: snowflake
create table raw.customers (first_name varchar, last_name varchar);
create table raw.leads (first_name varchar, last_name varchar);
create table mart.people as select first_name, last_name from raw.customers union all by name select last_name, first_name from raw.leads;
-- expect:
-- MART.PEOPLE.FIRST_NAME <- RAW.CUSTOMERS.FIRST_NAME identity
-- MART.PEOPLE.FIRST_NAME <- RAW.LEADS.FIRST_NAME identity
-- MART.PEOPLE.LAST_NAME <- RAW.CUSTOMERS.LAST_NAME identity
-- MART.PEOPLE.LAST_NAME <- RAW.LEADS.LAST_NAME identity

-- case: bigquery_union_all_by_name
-- dialect: bigquery
create table crm.customers (first_name string, last_name string);
create table crm.leads (first_name string, last_name string);
create table mart.people as select first_name, last_name from crm.customers union all by name select last_name, first_name from crm.leads;
-- expect:
-- mart.people.first_name <- crm.customers.first_name identity
-- mart.people.first_name <- crm.leads.first_name identity
-- mart.people.last_name <- crm.customers.last_name identity
-- mart.people.last_name <- crm.leads.last_name identity

-- case: bigquery_union_all_corresponding
-- CORRESPONDING keeps only the columns both arms have, matched by name.
-- dialect: bigquery
create table crm.customers (id int64, email string, plan string);
create table crm.leads (source string, email string, id int64);
create table mart.contacts as select id, email, plan from crm.customers union all corresponding select source, email, id from crm.leads;
-- expect:
-- mart.contacts.id <- crm.customers.id identity
-- mart.contacts.id <- crm.leads.id identity
-- mart.contacts.email <- crm.customers.email identity
-- mart.contacts.email <- crm.leads.email identity
