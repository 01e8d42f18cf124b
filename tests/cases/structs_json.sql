-- Struct field and JSON access: a transformation edge from the top-level column.

-- case: bigquery_struct_field_qualified
-- dialect: bigquery
create table crm.users (id int64, address struct<city string, zip string>);
create table mart.user_cities as select u.id, u.address.city as city from crm.users u;
-- expect:
-- mart.user_cities.id <- crm.users.id identity
-- mart.user_cities.city <- crm.users.address transformation

-- case: bigquery_struct_field_unqualified
-- address.city: address is a column of crm.users (there is no table called address).
-- dialect: bigquery
create table crm.users (id int64, address struct<city string, zip string>);
create table mart.user_zips as select id, address.zip as zip from crm.users;
-- expect:
-- mart.user_zips.id <- crm.users.id identity
-- mart.user_zips.zip <- crm.users.address transformation

-- case: bigquery_struct_field_in_where_and_group_by
-- dialect: bigquery
create table crm.users (id int64, address struct<city string, country string>);
create table mart.city_counts as select address.city as city, count(*) as n from crm.users where address.country = 'FR' group by address.city;
-- expect:
-- mart.city_counts.city <- crm.users.address transformation
-- mart.city_counts.* <- crm.users.address filter
-- mart.city_counts.* <- crm.users.address group_by

-- case: bigquery_struct_constructor
-- dialect: bigquery
create table crm.users (id int64, email string, name string);
create table mart.user_structs as select id, struct(email, name) as contact from crm.users;
-- expect:
-- mart.user_structs.id <- crm.users.id identity
-- mart.user_structs.contact <- crm.users.email transformation
-- mart.user_structs.contact <- crm.users.name transformation

-- case: bigquery_json_value
-- dialect: bigquery
create table raw.events (id int64, payload json);
create table mart.event_users as select id, json_value(payload, '$.user.email') as email, json_extract_scalar(payload, '$.user.id') as user_id from raw.events;
-- expect:
-- mart.event_users.id <- raw.events.id identity
-- mart.event_users.email <- raw.events.payload transformation
-- mart.event_users.user_id <- raw.events.payload transformation

-- case: duckdb_struct_field
-- dialect: duckdb
create table raw.users (id integer, address struct(city varchar, zip varchar));
create table mart.user_cities as select id, address.city as city, u.address.zip as zip from raw.users u;
-- expect:
-- mart.user_cities.id <- raw.users.id identity
-- mart.user_cities.city <- raw.users.address transformation
-- mart.user_cities.zip <- raw.users.address transformation

-- case: spark_struct_field
-- dialect: spark
create table raw.users (id bigint, address struct<city: string, zip: string>);
create table mart.user_cities as select id, address.city as city from raw.users;
-- expect:
-- mart.user_cities.id <- raw.users.id identity
-- mart.user_cities.city <- raw.users.address transformation

-- case: postgres_json_arrow_operators
create table raw.events (id int, payload jsonb);
create table mart.event_users as select id, payload->>'email' as email, payload->'user'->>'id' as user_id from raw.events where payload->>'type' = 'signup';
-- expect:
-- mart.event_users.id <- raw.events.id identity
-- mart.event_users.email <- raw.events.payload transformation
-- mart.event_users.user_id <- raw.events.payload transformation
-- mart.event_users.* <- raw.events.payload filter

-- case: postgres_json_path_operator
create table raw.events (id int, payload jsonb);
create table mart.event_cities as select id, payload #>> '{address,city}' as city from raw.events;
-- expect:
-- mart.event_cities.id <- raw.events.id identity
-- mart.event_cities.city <- raw.events.payload transformation

-- case: snowflake_colon_path_with_cast
-- The JSON path (user.Email) is not an identifier: only PAYLOAD is a column.
-- dialect: snowflake
create table raw.events (id int, payload variant);
create table mart.event_users as select id, payload:user.Email::string as email, payload['plan']::string as plan from raw.events;
-- expect:
-- MART.EVENT_USERS.ID <- RAW.EVENTS.ID identity
-- MART.EVENT_USERS.EMAIL <- RAW.EVENTS.PAYLOAD transformation
-- MART.EVENT_USERS.PLAN <- RAW.EVENTS.PAYLOAD transformation

-- case: snowflake_json_path_in_where
-- dialect: snowflake
create table raw.events (id int, payload variant);
create table mart.signups as select id from raw.events where payload:type::string = 'signup';
-- expect:
-- MART.SIGNUPS.ID <- RAW.EVENTS.ID identity
-- MART.SIGNUPS.* <- RAW.EVENTS.PAYLOAD filter

-- case: mysql_json_extract
-- dialect: mysql
create table shop.events (id int, payload json);
create table shop.event_emails as select id, payload->>'$.email' as email, json_unquote(json_extract(payload, '$.plan')) as plan from shop.events;
-- expect:
-- shop.event_emails.id <- shop.events.id identity
-- shop.event_emails.email <- shop.events.payload transformation
-- shop.event_emails.plan <- shop.events.payload transformation

-- case: trino_json_extract_scalar
-- dialect: trino
create table hive.raw.events (id bigint, payload varchar);
create table hive.mart.event_emails as select id, json_extract_scalar(payload, '$.email') as email from hive.raw.events;
-- expect:
-- hive.mart.event_emails.id <- hive.raw.events.id identity
-- hive.mart.event_emails.email <- hive.raw.events.payload transformation

-- case: redshift_json_extract_path_text
-- dialect: redshift
create table raw.events (id int, payload varchar(65535));
create table mart.event_emails as select id, json_extract_path_text(payload, 'user', 'email') as email from raw.events;
-- expect:
-- mart.event_emails.id <- raw.events.id identity
-- mart.event_emails.email <- raw.events.payload transformation
