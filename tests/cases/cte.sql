-- Common table expressions (postgres): composition of kinds, shadowing, recursion.
-- dialect: postgres

-- case: cte_passthrough_keeps_identity
create table raw.users (id int, email text);
create table mart.users as with u as (select id, email as mail from raw.users) select id as user_id, mail from u;
-- expect:
-- mart.users.user_id <- raw.users.id identity
-- mart.users.mail <- raw.users.email identity

-- case: cte_transformation_then_identity
create table raw.users (id int, email text);
create table mart.users as with u as (select id, lower(email) as email from raw.users) select id, email from u;
-- expect:
-- mart.users.id <- raw.users.id identity
-- mart.users.email <- raw.users.email transformation

-- case: cte_aggregation_then_transformation_is_aggregation
create table raw.orders (id int, user_id int, amount numeric);
create table mart.user_cents as with t as (select user_id, sum(amount) as total from raw.orders group by user_id) select user_id, total * 100 as total_cents from t;
-- expect:
-- mart.user_cents.user_id <- raw.orders.user_id identity
-- mart.user_cents.total_cents <- raw.orders.amount aggregation
-- mart.user_cents.* <- raw.orders.user_id group_by

-- case: cte_filter_flows_to_output_rows
-- The CTE's WHERE decides the output rows; the outer WHERE reads email through a transformation.
create table raw.users (id int, email text, deleted_at timestamp);
create table mart.users as with live as (select id, lower(email) as email from raw.users where deleted_at is null) select id from live where email like '%@corp.com';
-- expect:
-- mart.users.id <- raw.users.id identity
-- mart.users.* <- raw.users.deleted_at filter
-- mart.users.* <- raw.users.email filter

-- case: chained_ctes
create table raw.orders (id int, user_id int, amount numeric, status text);
create table mart.revenue as
with paid as (select user_id, amount from raw.orders where status = 'paid'),
     per_user as (select user_id, sum(amount) as revenue from paid group by user_id),
     ranked as (select user_id as customer_id, revenue from per_user)
select customer_id, revenue from ranked;
-- expect:
-- mart.revenue.customer_id <- raw.orders.user_id identity
-- mart.revenue.revenue <- raw.orders.amount aggregation
-- mart.revenue.* <- raw.orders.status filter
-- mart.revenue.* <- raw.orders.user_id group_by

-- case: unused_cte_contributes_nothing
create table raw.users (id int, email text);
create table raw.orders (id int, user_id int, status text);
create table mart.users as with unused as (select user_id from raw.orders where status = 'paid') select id from raw.users;
-- expect:
-- mart.users.id <- raw.users.id identity

-- case: cte_shadows_table_of_same_name
-- Inside the statement, users means the CTE (built from orders), not the table users.
create table users (id int, email text);
create table orders (id int, user_id int);
create table buyers as with users as (select user_id as id from orders) select id from users;
-- expect:
-- buyers.id <- orders.user_id identity

-- case: nested_with_shadows_outer_cte
-- The inner WITH redefines c; the derived table reads the inner c (from refunds).
create table payments (id int, user_id int);
create table refunds (id int, user_id int);
create table refund_users as
with c as (select user_id as uid from payments)
select d.uid from (with c as (select user_id as uid from refunds) select uid from c) as d;
-- expect:
-- refund_users.uid <- refunds.user_id identity

-- case: cte_column_list_renames
create table raw.users (id int, email text);
create table mart.contacts as with c (uid, mail) as (select id, email from raw.users) select uid, mail from c;
-- expect:
-- mart.contacts.uid <- raw.users.id identity
-- mart.contacts.mail <- raw.users.email identity

-- case: join_of_two_ctes
create table raw.users (id int, email text, country text);
create table raw.orders (id int, user_id int, amount numeric);
create table mart.user_revenue as
with totals as (select user_id, sum(amount) as revenue from raw.orders group by user_id),
     fr_users as (select id, email from raw.users where country = 'FR')
select u.email, t.revenue from fr_users u join totals t on t.user_id = u.id;
-- expect:
-- mart.user_revenue.email <- raw.users.email identity
-- mart.user_revenue.revenue <- raw.orders.amount aggregation
-- mart.user_revenue.* <- raw.orders.user_id group_by
-- mart.user_revenue.* <- raw.users.country filter
-- mart.user_revenue.* <- raw.orders.user_id join
-- mart.user_revenue.* <- raw.users.id join

-- case: cte_referenced_twice_self_join
create table raw.payments (id int, user_id int, status text);
create table mart.payment_pairs as
with ok as (select id, user_id from raw.payments where status = 'ok')
select a.id, b.id as next_id from ok a join ok b on a.user_id = b.user_id and a.id < b.id;
-- expect:
-- mart.payment_pairs.id <- raw.payments.id identity
-- mart.payment_pairs.next_id <- raw.payments.id identity
-- mart.payment_pairs.* <- raw.payments.user_id join
-- mart.payment_pairs.* <- raw.payments.id join
-- mart.payment_pairs.* <- raw.payments.status filter

-- case: cte_only_selected_column_of_two_ctes
create table raw.users (id int);
create table raw.orders (id int, user_id int);
create table mart.ids as with a as (select id from raw.users), b as (select id from raw.orders) select b.id from a, b;
-- expect:
-- mart.ids.id <- raw.orders.id identity

-- case: cte_then_outer_case_condition
create table raw.orders (id int, user_id int, amount numeric);
create table mart.tiers as
with t as (select user_id, sum(amount) as total from raw.orders group by user_id)
select user_id, case when total > 1000 then 'vip' else 'regular' end as tier from t;
-- expect:
-- mart.tiers.user_id <- raw.orders.user_id identity
-- mart.tiers.tier <- raw.orders.amount conditional
-- mart.tiers.* <- raw.orders.user_id group_by

-- case: materialized_cte_same_as_plain
create table raw.events (id int, user_id int, kind text);
create table mart.clicks as with c as materialized (select user_id from raw.events where kind = 'click') select user_id from c;
-- expect:
-- mart.clicks.user_id <- raw.events.user_id identity
-- mart.clicks.* <- raw.events.kind filter

-- case: recursive_cte_tree
-- t.id in the recursive arm is the CTE's own id, which is categories.id in both arms.
create table raw.categories (id int, parent_id int, name text);
create table mart.category_tree as
with recursive tree as (
    select id, parent_id, name from raw.categories where parent_id is null
    union all
    select c.id, c.parent_id, c.name from raw.categories c join tree t on c.parent_id = t.id
)
select id, name from tree;
-- expect:
-- mart.category_tree.id <- raw.categories.id identity
-- mart.category_tree.name <- raw.categories.name identity
-- mart.category_tree.* <- raw.categories.parent_id filter
-- mart.category_tree.* <- raw.categories.parent_id join
-- mart.category_tree.* <- raw.categories.id join

-- case: recursive_cte_counter_has_no_source
-- depth starts as a literal and only ever adds 1 to itself: no table column reaches it.
create table raw.employees (id int, manager_id int);
create table mart.org_depth as
with recursive chain as (
    select id, 0 as depth from raw.employees where manager_id is null
    union all
    select e.id, chain.depth + 1 from raw.employees e join chain on e.manager_id = chain.id
)
select id, depth from chain;
-- expect:
-- mart.org_depth.id <- raw.employees.id identity
-- mart.org_depth.* <- raw.employees.manager_id filter
-- mart.org_depth.* <- raw.employees.manager_id join
-- mart.org_depth.* <- raw.employees.id join

-- case: recursive_cte_path_accumulates
-- path is a transformation of name in both arms (cast, then concatenation with itself).
create table raw.categories (id int, parent_id int, name text);
create table mart.category_paths as
with recursive tree as (
    select id, cast(name as text) as path from raw.categories where parent_id is null
    union all
    select c.id, t.path || '/' || c.name from raw.categories c join tree t on c.parent_id = t.id
)
select id, path from tree;
-- expect:
-- mart.category_paths.id <- raw.categories.id identity
-- mart.category_paths.path <- raw.categories.name transformation
-- mart.category_paths.* <- raw.categories.parent_id filter
-- mart.category_paths.* <- raw.categories.parent_id join
-- mart.category_paths.* <- raw.categories.id join
