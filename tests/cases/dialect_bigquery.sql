-- BigQuery: column names are case-insensitive (lowercased); qualified table names keep their
-- case; backticked `project.dataset.table` names split into their dotted parts.
-- dialect: bigquery

-- case: bigquery_backticked_project_dataset_table
-- `my-project.app.users` and `my-project`.app.users name the same table.
create table `my-project.app.users` (id int64, email string);
create table `my-project.mart.users` as select id, email from `my-project`.app.users;
-- expect:
-- my-project.mart.users.id <- my-project.app.users.id identity
-- my-project.mart.users.email <- my-project.app.users.email identity

-- case: bigquery_column_names_case_insensitive
-- Email, email and `EMAIL` are one column; ID is id.
create table app.users (Id int64, Email string);
create table mart.users as select ID, email as e1, `EMAIL` as e2 from app.users;
-- expect:
-- mart.users.id <- app.users.id identity
-- mart.users.e1 <- app.users.email identity
-- mart.users.e2 <- app.users.email identity

-- case: bigquery_table_name_keeps_case
create table app.UserEvents (user_id int64, kind string);
create table mart.clicks as select user_id from app.UserEvents where kind = 'click';
-- expect:
-- mart.clicks.user_id <- app.UserEvents.user_id identity
-- mart.clicks.* <- app.UserEvents.kind filter

-- case: bigquery_if_and_safe_cast
create table shop.orders (id int64, status string, amount string);
create table mart.paid as select id, if(status = 'paid', safe_cast(amount as numeric), 0) as paid_amount from shop.orders;
-- expect:
-- mart.paid.id <- shop.orders.id identity
-- mart.paid.paid_amount <- shop.orders.amount transformation
-- mart.paid.paid_amount <- shop.orders.status conditional

-- case: bigquery_group_by_all
create table shop.orders (id int64, user_id int64, created_at timestamp, amount numeric);
create table mart.daily as select user_id, date(created_at) as day, sum(amount) as total from shop.orders group by all;
-- expect:
-- mart.daily.user_id <- shop.orders.user_id identity
-- mart.daily.day <- shop.orders.created_at transformation
-- mart.daily.total <- shop.orders.amount aggregation
-- mart.daily.* <- shop.orders.user_id group_by
-- mart.daily.* <- shop.orders.created_at group_by

-- case: bigquery_merge
create table app.users (id int64, email string);
create table staging.users (id int64, email string);
merge app.users t using staging.users s on t.id = s.id
when matched then update set email = s.email
when not matched then insert (id, email) values (s.id, s.email);
-- expect:
-- app.users.email <- staging.users.email identity
-- app.users.id <- staging.users.id identity
-- app.users.email <- app.users.id join
-- app.users.email <- staging.users.id join
-- app.users.id <- app.users.id join
-- app.users.id <- staging.users.id join

-- case: bigquery_view_with_aggregates
create table shop.sessions (id int64, user_id int64, duration_s int64, device string);
create view mart.user_sessions as select user_id, count(*) as n, avg(duration_s) as avg_duration, array_agg(distinct device) as devices from shop.sessions group by user_id;
-- expect:
-- mart.user_sessions.user_id <- shop.sessions.user_id identity
-- mart.user_sessions.avg_duration <- shop.sessions.duration_s aggregation
-- mart.user_sessions.devices <- shop.sessions.device aggregation
-- mart.user_sessions.* <- shop.sessions.user_id group_by
