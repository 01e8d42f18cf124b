-- Direct and column-level indirect kinds inside one select (postgres).
-- dialect: postgres

-- case: string_functions_are_transformations
create table raw.users (id int, first_name text, last_name text, email text);
create table mart.people as select id, concat(first_name, ' ', last_name) as full_name, lower(trim(email)) as email from raw.users;
-- expect:
-- mart.people.id <- raw.users.id identity
-- mart.people.full_name <- raw.users.first_name transformation
-- mart.people.full_name <- raw.users.last_name transformation
-- mart.people.email <- raw.users.email transformation

-- case: concat_operator
create table raw.users (id int, first_name text, last_name text);
create table mart.people as select first_name || ' ' || last_name as display_name from raw.users;
-- expect:
-- mart.people.display_name <- raw.users.first_name transformation
-- mart.people.display_name <- raw.users.last_name transformation

-- case: coalesce_reads_every_argument
create table raw.users (id int, nickname text, first_name text);
create table mart.names as select id, coalesce(nickname, first_name, 'anonymous') as display_name from raw.users;
-- expect:
-- mart.names.id <- raw.users.id identity
-- mart.names.display_name <- raw.users.nickname transformation
-- mart.names.display_name <- raw.users.first_name transformation

-- case: case_when_result_and_condition
create table raw.orders (id int, amount numeric, status text);
create table mart.paid as select id, case when status = 'paid' then amount else 0 end as paid_amount from raw.orders;
-- expect:
-- mart.paid.id <- raw.orders.id identity
-- mart.paid.paid_amount <- raw.orders.amount transformation
-- mart.paid.paid_amount <- raw.orders.status conditional

-- case: case_condition_and_result_same_column
-- amount is both the tested value and the returned value: two edges of different kinds.
create table raw.orders (id int, amount numeric);
create table mart.positive as select case when amount > 0 then amount end as positive_amount from raw.orders;
-- expect:
-- mart.positive.positive_amount <- raw.orders.amount transformation
-- mart.positive.positive_amount <- raw.orders.amount conditional

-- case: case_else_branch_is_a_result
create table raw.orders (id int, amount numeric, size_label text);
create table mart.sized as select case when amount > 100 then 'big' else size_label end as size from raw.orders;
-- expect:
-- mart.sized.size <- raw.orders.size_label transformation
-- mart.sized.size <- raw.orders.amount conditional

-- case: simple_case_operand_is_conditional
-- CASE status WHEN 'paid' ... is CASE WHEN status = 'paid' ...; every result is a literal.
create table raw.orders (id int, status text);
create table mart.codes as select id, case status when 'paid' then 'P' when 'refunded' then 'R' else '?' end as status_code from raw.orders;
-- expect:
-- mart.codes.id <- raw.orders.id identity
-- mart.codes.status_code <- raw.orders.status conditional

-- case: case_with_several_conditions
create table raw.users (id int, country text, age int, segment text, plan text);
create table mart.segments as select id, case when country = 'US' and age < 25 then 'young_us' when plan = 'pro' then segment else 'other' end as bucket from raw.users;
-- expect:
-- mart.segments.id <- raw.users.id identity
-- mart.segments.bucket <- raw.users.country conditional
-- mart.segments.bucket <- raw.users.age conditional
-- mart.segments.bucket <- raw.users.plan conditional
-- mart.segments.bucket <- raw.users.segment transformation

-- case: boolean_expression_is_transformation
create table raw.orders (id int, status text, amount numeric);
create table mart.flags as select id, status = 'paid' as is_paid, amount between 10 and 100 as is_mid from raw.orders;
-- expect:
-- mart.flags.id <- raw.orders.id identity
-- mart.flags.is_paid <- raw.orders.status transformation
-- mart.flags.is_mid <- raw.orders.amount transformation

-- case: aggregate_over_expression
create table raw.order_items (order_id int, quantity int, unit_price numeric);
create table mart.order_value as select order_id, sum(quantity * unit_price) as value from raw.order_items group by order_id;
-- expect:
-- mart.order_value.order_id <- raw.order_items.order_id identity
-- mart.order_value.value <- raw.order_items.quantity aggregation
-- mart.order_value.value <- raw.order_items.unit_price aggregation
-- mart.order_value.* <- raw.order_items.order_id group_by

-- case: transformation_around_aggregate_is_aggregation
create table raw.orders (id int, user_id int, amount numeric);
create table mart.avg_order as select user_id, round(avg(amount), 2) as avg_amount, coalesce(max(amount), 0) as max_amount from raw.orders group by user_id;
-- expect:
-- mart.avg_order.user_id <- raw.orders.user_id identity
-- mart.avg_order.avg_amount <- raw.orders.amount aggregation
-- mart.avg_order.max_amount <- raw.orders.amount aggregation
-- mart.avg_order.* <- raw.orders.user_id group_by

-- case: count_column_versus_count_star
create table raw.users (id int, email text, country text);
create table mart.coverage as select country, count(email) as with_email, count(*) as total, count(distinct id) as distinct_ids from raw.users group by country;
-- expect:
-- mart.coverage.country <- raw.users.country identity
-- mart.coverage.with_email <- raw.users.email aggregation
-- mart.coverage.distinct_ids <- raw.users.id aggregation
-- mart.coverage.* <- raw.users.country group_by

-- case: aggregate_filter_clause_is_conditional
create table raw.orders (id int, user_id int, amount numeric, status text);
create table mart.paid_stats as select user_id, count(*) filter (where status = 'paid') as paid_orders, sum(amount) filter (where status = 'paid') as paid_amount from raw.orders group by user_id;
-- expect:
-- mart.paid_stats.user_id <- raw.orders.user_id identity
-- mart.paid_stats.paid_orders <- raw.orders.status conditional
-- mart.paid_stats.paid_amount <- raw.orders.amount aggregation
-- mart.paid_stats.paid_amount <- raw.orders.status conditional
-- mart.paid_stats.* <- raw.orders.user_id group_by

-- case: sum_of_case_is_aggregation_and_conditional
create table raw.orders (id int, user_id int, amount numeric, status text);
create table mart.refunds as select user_id, sum(case when status = 'refunded' then amount else 0 end) as refunded from raw.orders group by user_id;
-- expect:
-- mart.refunds.user_id <- raw.orders.user_id identity
-- mart.refunds.refunded <- raw.orders.amount aggregation
-- mart.refunds.refunded <- raw.orders.status conditional
-- mart.refunds.* <- raw.orders.user_id group_by

-- case: aggregate_inside_case_condition_is_conditional
-- amount only decides which literal is returned, it never reaches tier's value.
create table raw.orders (id int, user_id int, amount numeric);
create table mart.tiers as select user_id, case when sum(amount) > 1000 then 'vip' else 'regular' end as tier from raw.orders group by user_id;
-- expect:
-- mart.tiers.user_id <- raw.orders.user_id identity
-- mart.tiers.tier <- raw.orders.amount conditional
-- mart.tiers.* <- raw.orders.user_id group_by

-- case: array_and_string_aggregates
create table raw.order_items (order_id int, product_id int, product_name text);
create table mart.baskets as select order_id, array_agg(product_id) as product_ids, string_agg(product_name, ', ') as product_names from raw.order_items group by order_id;
-- expect:
-- mart.baskets.order_id <- raw.order_items.order_id identity
-- mart.baskets.product_ids <- raw.order_items.product_id aggregation
-- mart.baskets.product_names <- raw.order_items.product_name aggregation
-- mart.baskets.* <- raw.order_items.order_id group_by

-- case: case_inside_where_is_filter
create table raw.orders (id int, country text, amount numeric);
create table mart.large as select id from raw.orders where case when country = 'US' then amount > 10 else amount > 20 end;
-- expect:
-- mart.large.id <- raw.orders.id identity
-- mart.large.* <- raw.orders.country filter
-- mart.large.* <- raw.orders.amount filter

-- case: date_functions_are_transformations
create table raw.sessions (id int, started_at timestamp, ended_at timestamp);
create table mart.session_length as select id, extract(year from started_at) as start_year, ended_at - started_at as duration from raw.sessions;
-- expect:
-- mart.session_length.id <- raw.sessions.id identity
-- mart.session_length.start_year <- raw.sessions.started_at transformation
-- mart.session_length.duration <- raw.sessions.ended_at transformation
-- mart.session_length.duration <- raw.sessions.started_at transformation

-- case: greatest_and_nullif
create table raw.prices (sku text, list_price numeric, sale_price numeric, floor_price numeric);
create table mart.prices as select sku, greatest(sale_price, floor_price) as effective_price, nullif(list_price, 0) as list_price from raw.prices;
-- expect:
-- mart.prices.sku <- raw.prices.sku identity
-- mart.prices.effective_price <- raw.prices.sale_price transformation
-- mart.prices.effective_price <- raw.prices.floor_price transformation
-- mart.prices.list_price <- raw.prices.list_price transformation
