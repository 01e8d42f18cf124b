-- Snowflake: unquoted identifiers are UPPERCASE; quoted ones keep their case.
-- dialect: snowflake

-- case: snowflake_unquoted_names_are_uppercase
create table Raw.Users (Id int, Email varchar);
create table mart.u as select id, EMAIL as Contact from raw.users;
-- expect:
-- MART.U.ID <- RAW.USERS.ID identity
-- MART.U.CONTACT <- RAW.USERS.EMAIL identity

-- case: snowflake_quoted_lowercase_is_another_column
-- email (unquoted, EMAIL) and "email" (quoted) are two different columns.
create table raw.users (id int, email varchar, "email" varchar);
create table mart.u as select email as upper_email, "email" as lower_email from raw.users;
-- expect:
-- MART.U.UPPER_EMAIL <- RAW.USERS.EMAIL identity
-- MART.U.LOWER_EMAIL <- RAW.USERS.email identity

-- case: snowflake_quoted_uppercase_equals_unquoted
-- "EMAIL" is the unquoted email; the quoted alias "Contact" keeps its case.
create table raw.users (id int, email varchar);
create table mart.u as select "ID", "EMAIL" as "Contact" from raw.users;
-- expect:
-- MART.U.ID <- RAW.USERS.ID identity
-- MART.U.Contact <- RAW.USERS.EMAIL identity

-- case: snowflake_lateral_column_alias
create table raw.orders (id int, amount number(10, 2), discount number(10, 2));
create table mart.orders as select id, amount * 1.2 as gross, gross - discount as net from raw.orders;
-- expect:
-- MART.ORDERS.ID <- RAW.ORDERS.ID identity
-- MART.ORDERS.GROSS <- RAW.ORDERS.AMOUNT transformation
-- MART.ORDERS.NET <- RAW.ORDERS.AMOUNT transformation
-- MART.ORDERS.NET <- RAW.ORDERS.DISCOUNT transformation

-- case: snowflake_lateral_alias_of_aggregate
create table raw.orders (id int, user_id int, amount number(10, 2));
create table mart.user_avg as select user_id, sum(amount) as total, total / count(*) as avg_amount from raw.orders group by user_id;
-- expect:
-- MART.USER_AVG.USER_ID <- RAW.ORDERS.USER_ID identity
-- MART.USER_AVG.TOTAL <- RAW.ORDERS.AMOUNT aggregation
-- MART.USER_AVG.AVG_AMOUNT <- RAW.ORDERS.AMOUNT aggregation
-- MART.USER_AVG.* <- RAW.ORDERS.USER_ID group_by

-- case: snowflake_group_by_all
-- GROUP BY ALL groups by every non-aggregated select item: user_id and lower(status).
create table raw.orders (id int, user_id int, status varchar, amount number(10, 2));
create table mart.status_totals as select user_id, lower(status) as status, sum(amount) as total from raw.orders group by all;
-- expect:
-- MART.STATUS_TOTALS.USER_ID <- RAW.ORDERS.USER_ID identity
-- MART.STATUS_TOTALS.STATUS <- RAW.ORDERS.STATUS transformation
-- MART.STATUS_TOTALS.TOTAL <- RAW.ORDERS.AMOUNT aggregation
-- MART.STATUS_TOTALS.* <- RAW.ORDERS.USER_ID group_by
-- MART.STATUS_TOTALS.* <- RAW.ORDERS.STATUS group_by

-- case: snowflake_iff_condition_is_conditional
create table raw.orders (id int, status varchar, amount number(10, 2));
create table mart.paid as select id, iff(status = 'paid', amount, 0) as paid_amount from raw.orders;
-- expect:
-- MART.PAID.ID <- RAW.ORDERS.ID identity
-- MART.PAID.PAID_AMOUNT <- RAW.ORDERS.AMOUNT transformation
-- MART.PAID.PAID_AMOUNT <- RAW.ORDERS.STATUS conditional

-- case: snowflake_three_part_names_and_transient_table
create table analytics.raw.users (id int, email varchar);
create or replace transient table analytics.mart.users as select id, email from analytics.raw.users;
-- expect:
-- ANALYTICS.MART.USERS.ID <- ANALYTICS.RAW.USERS.ID identity
-- ANALYTICS.MART.USERS.EMAIL <- ANALYTICS.RAW.USERS.EMAIL identity

-- case: snowflake_update_from
create table core.users (id int, email varchar);
create table stage.emails (user_id int, email varchar);
update core.users u set email = s.email from stage.emails s where s.user_id = u.id;
-- expect:
-- CORE.USERS.EMAIL <- STAGE.EMAILS.EMAIL identity
-- CORE.USERS.EMAIL <- STAGE.EMAILS.USER_ID filter
-- CORE.USERS.EMAIL <- CORE.USERS.ID filter
