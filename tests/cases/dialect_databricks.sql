-- Databricks: identifiers are case-insensitive, backticked ones too.
-- dialect: databricks

-- case: databricks_backticks_case_insensitive
create table raw.users (id bigint, email string);
create table mart.u as select `ID`, `Email` as Contact from raw.users;
-- expect:
-- mart.u.id <- raw.users.id identity
-- mart.u.contact <- raw.users.email identity

-- case: databricks_three_level_names
create table main.raw.users (id bigint, email string, country string);
create table main.mart.fr_users as select id, email from main.raw.users where country = 'FR';
-- expect:
-- main.mart.fr_users.id <- main.raw.users.id identity
-- main.mart.fr_users.email <- main.raw.users.email identity
-- main.mart.fr_users.* <- main.raw.users.country filter

-- case: databricks_lateral_column_alias
create table raw.orders (id bigint, quantity int, unit_price double);
create table mart.orders as select id, quantity * unit_price as subtotal, subtotal * 1.2 as total from raw.orders;
-- expect:
-- mart.orders.id <- raw.orders.id identity
-- mart.orders.subtotal <- raw.orders.quantity transformation
-- mart.orders.subtotal <- raw.orders.unit_price transformation
-- mart.orders.total <- raw.orders.quantity transformation
-- mart.orders.total <- raw.orders.unit_price transformation

-- case: databricks_group_by_all
create table raw.events (id bigint, user_id bigint, event_type string, ts timestamp);
create table mart.event_counts as select user_id, upper(event_type) as event_type, count(id) as n from raw.events group by all;
-- expect:
-- mart.event_counts.user_id <- raw.events.user_id identity
-- mart.event_counts.event_type <- raw.events.event_type transformation
-- mart.event_counts.n <- raw.events.id aggregation
-- mart.event_counts.* <- raw.events.user_id group_by
-- mart.event_counts.* <- raw.events.event_type group_by

-- case: databricks_qualify
create table raw.events (id bigint, user_id bigint, ts timestamp);
create table mart.first_events as select id, user_id from raw.events qualify row_number() over (partition by user_id order by ts) = 1;
-- expect:
-- mart.first_events.id <- raw.events.id identity
-- mart.first_events.user_id <- raw.events.user_id identity
-- mart.first_events.* <- raw.events.user_id filter
-- mart.first_events.* <- raw.events.ts filter

-- case: databricks_colon_json_path
create table raw.events (id bigint, payload string);
create table mart.event_emails as select id, payload:user.email::string as email from raw.events;
-- expect:
-- mart.event_emails.id <- raw.events.id identity
-- mart.event_emails.email <- raw.events.payload transformation

-- case: databricks_explode_in_select_list
-- explode in the select list multiplies rows like LATERAL VIEW explode.
create table raw.events (id bigint, tags array<string>);
create table mart.event_tags as select id, explode(tags) as tag from raw.events;
-- expect:
-- mart.event_tags.id <- raw.events.id identity
-- mart.event_tags.tag <- raw.events.tags transformation
-- mart.event_tags.* <- raw.events.tags join

-- case: databricks_merge
create table mart.users (id bigint, email string);
create table raw.users (id bigint, email string);
merge into mart.users t using raw.users s on t.id = s.id
when matched then update set t.email = s.email
when not matched then insert (id, email) values (s.id, s.email);
-- expect:
-- mart.users.email <- raw.users.email identity
-- mart.users.id <- raw.users.id identity
-- mart.users.email <- mart.users.id join
-- mart.users.email <- raw.users.id join
-- mart.users.id <- mart.users.id join
-- mart.users.id <- raw.users.id join
