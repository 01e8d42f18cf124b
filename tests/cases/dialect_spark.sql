-- Spark: identifiers are case-insensitive, backticked ones too.
-- dialect: spark

-- case: spark_backticks_case_insensitive
create table raw.users (id bigint, email string);
create table mart.u as select `ID`, `Email` as contact from raw.users;
-- expect:
-- mart.u.id <- raw.users.id identity
-- mart.u.contact <- raw.users.email identity

-- case: spark_get_json_object
create table raw.events (id bigint, payload string);
create table mart.event_emails as select id, get_json_object(payload, '$.user.email') as email from raw.events where get_json_object(payload, '$.type') = 'signup';
-- expect:
-- mart.event_emails.id <- raw.events.id identity
-- mart.event_emails.email <- raw.events.payload transformation
-- mart.event_emails.* <- raw.events.payload filter

-- case: spark_lateral_view_outer_explode_struct
create table raw.orders (id bigint, items array<struct<sku: string, qty: int>>);
create table mart.order_lines as select id, item.sku as sku from raw.orders lateral view outer explode(items) t as item;
-- expect:
-- mart.order_lines.id <- raw.orders.id identity
-- mart.order_lines.sku <- raw.orders.items transformation
-- mart.order_lines.* <- raw.orders.items join

-- case: spark_collect_list_and_set
create table raw.events (id bigint, user_id bigint, page string);
create table mart.user_pages as select user_id, collect_list(page) as pages, collect_set(page) as distinct_pages from raw.events group by user_id;
-- expect:
-- mart.user_pages.user_id <- raw.events.user_id identity
-- mart.user_pages.pages <- raw.events.page aggregation
-- mart.user_pages.distinct_pages <- raw.events.page aggregation
-- mart.user_pages.* <- raw.events.user_id group_by

-- case: spark_insert_overwrite_table
create table raw.users (id bigint, email string, is_test boolean);
create table mart.users (user_id bigint, email string);
insert overwrite table mart.users select id, lower(email) from raw.users where not is_test;
-- expect:
-- mart.users.user_id <- raw.users.id identity
-- mart.users.email <- raw.users.email transformation
-- mart.users.* <- raw.users.is_test filter

-- case: spark_if_condition
create table raw.orders (id bigint, status string, amount double);
create table mart.paid as select id, if(status = 'paid', amount, 0.0) as paid_amount from raw.orders;
-- expect:
-- mart.paid.id <- raw.orders.id identity
-- mart.paid.paid_amount <- raw.orders.amount transformation
-- mart.paid.paid_amount <- raw.orders.status conditional
