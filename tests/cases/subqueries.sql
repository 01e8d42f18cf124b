-- Derived tables and subqueries in WHERE and in the select list (postgres).
-- dialect: postgres

-- case: derived_table_passthrough_with_filters
create table raw.orders (id int, user_id int, status text, amount numeric);
create table mart.paid_orders as select d.id, d.amount from (select id, amount from raw.orders where status = 'paid') as d where d.amount > 0;
-- expect:
-- mart.paid_orders.id <- raw.orders.id identity
-- mart.paid_orders.amount <- raw.orders.amount identity
-- mart.paid_orders.* <- raw.orders.status filter
-- mart.paid_orders.* <- raw.orders.amount filter

-- case: nested_derived_tables_compose_kinds
-- transformation (cents) then aggregation (sum) then identity: aggregation wins.
create table raw.orders (id int, user_id int, amount numeric);
create table mart.user_cents as
select x.user_id, x.total_cents from (
    select y.user_id, sum(y.cents) as total_cents from (
        select user_id, amount * 100 as cents from raw.orders
    ) as y group by y.user_id
) as x;
-- expect:
-- mart.user_cents.user_id <- raw.orders.user_id identity
-- mart.user_cents.total_cents <- raw.orders.amount aggregation
-- mart.user_cents.* <- raw.orders.user_id group_by

-- case: derived_table_column_alias_list
create table raw.users (id int, email text);
create table mart.contacts as select d.uid, d.mail from (select id, email from raw.users) as d (uid, mail);
-- expect:
-- mart.contacts.uid <- raw.users.id identity
-- mart.contacts.mail <- raw.users.email identity

-- case: derived_table_order_by_limit_is_sort
create table raw.orders (id int, amount numeric, created_at timestamp);
create table mart.recent as select r.id from (select id from raw.orders order by created_at desc limit 100) as r;
-- expect:
-- mart.recent.id <- raw.orders.id identity
-- mart.recent.* <- raw.orders.created_at sort

-- case: where_in_subquery
-- The outer key, the column the subquery selects and the subquery's own WHERE all filter.
create table raw.orders (id int, user_id int, amount numeric);
create table raw.users (id int, country text);
create table mart.fr_orders as select id, amount from raw.orders where user_id in (select id from raw.users where country = 'FR');
-- expect:
-- mart.fr_orders.id <- raw.orders.id identity
-- mart.fr_orders.amount <- raw.orders.amount identity
-- mart.fr_orders.* <- raw.orders.user_id filter
-- mart.fr_orders.* <- raw.users.id filter
-- mart.fr_orders.* <- raw.users.country filter

-- case: where_not_in_subquery
create table raw.users (id int, email text);
create table raw.blocklist (user_id int, reason text);
create table mart.allowed as select id, email from raw.users where id not in (select user_id from raw.blocklist);
-- expect:
-- mart.allowed.id <- raw.users.id identity
-- mart.allowed.email <- raw.users.email identity
-- mart.allowed.* <- raw.users.id filter
-- mart.allowed.* <- raw.blocklist.user_id filter

-- case: where_not_exists_correlated
-- SELECT 1 reads no column; only the correlation columns matter.
create table raw.orders (id int, amount numeric);
create table raw.refunds (id int, order_id int, amount numeric);
create table mart.unrefunded as select o.id, o.amount from raw.orders o where not exists (select 1 from raw.refunds r where r.order_id = o.id);
-- expect:
-- mart.unrefunded.id <- raw.orders.id identity
-- mart.unrefunded.amount <- raw.orders.amount identity
-- mart.unrefunded.* <- raw.refunds.order_id filter
-- mart.unrefunded.* <- raw.orders.id filter

-- case: where_exists_with_extra_condition
create table raw.orders (id int, user_id int);
create table raw.payments (id int, order_id int, status text, amount numeric);
create table mart.settled_orders as select o.id from raw.orders o where exists (select 1 from raw.payments p where p.order_id = o.id and p.status = 'settled');
-- expect:
-- mart.settled_orders.id <- raw.orders.id identity
-- mart.settled_orders.* <- raw.payments.order_id filter
-- mart.settled_orders.* <- raw.orders.id filter
-- mart.settled_orders.* <- raw.payments.status filter

-- case: scalar_subquery_in_where_correlated
create table raw.orders (id int, region text, amount numeric);
create table raw.limits (region text, threshold numeric);
create table mart.over_limit as select o.id from raw.orders o where o.amount > (select max(l.threshold) from raw.limits l where l.region = o.region);
-- expect:
-- mart.over_limit.id <- raw.orders.id identity
-- mart.over_limit.* <- raw.orders.amount filter
-- mart.over_limit.* <- raw.limits.threshold filter
-- mart.over_limit.* <- raw.limits.region filter
-- mart.over_limit.* <- raw.orders.region filter

-- case: scalar_subquery_in_select_correlated
-- The subquery's WHERE reaches only last_paid_at (a column-level filter), not the output rows.
create table raw.orders (id int, amount numeric);
create table raw.payments (id int, order_id int, paid_at timestamp);
create table mart.order_payments as select o.id, (select max(p.paid_at) from raw.payments p where p.order_id = o.id) as last_paid_at from raw.orders o;
-- expect:
-- mart.order_payments.id <- raw.orders.id identity
-- mart.order_payments.last_paid_at <- raw.payments.paid_at aggregation
-- mart.order_payments.last_paid_at <- raw.payments.order_id filter
-- mart.order_payments.last_paid_at <- raw.orders.id filter

-- case: scalar_subquery_in_select_identity
create table raw.orders (id int, user_id int);
create table raw.users (id int, email text);
create table mart.order_emails as select o.id, (select u.email from raw.users u where u.id = o.user_id) as email from raw.orders o;
-- expect:
-- mart.order_emails.id <- raw.orders.id identity
-- mart.order_emails.email <- raw.users.email identity
-- mart.order_emails.email <- raw.users.id filter
-- mart.order_emails.email <- raw.orders.user_id filter

-- case: scalar_subquery_uncorrelated_inside_expression
create table raw.orders (id int, amount numeric);
create table raw.goals (year int, target numeric);
create table mart.share as select id, amount / (select sum(target) from raw.goals) as share_of_goal from raw.orders;
-- expect:
-- mart.share.id <- raw.orders.id identity
-- mart.share.share_of_goal <- raw.orders.amount transformation
-- mart.share.share_of_goal <- raw.goals.target aggregation

-- case: scalar_subquery_count_star_has_no_value_source
create table raw.users (id int, email text);
create table raw.sessions (id int, user_id int);
create table mart.user_sessions as select u.id, (select count(*) from raw.sessions s where s.user_id = u.id) as n_sessions from raw.users u;
-- expect:
-- mart.user_sessions.id <- raw.users.id identity
-- mart.user_sessions.n_sessions <- raw.sessions.user_id filter
-- mart.user_sessions.n_sessions <- raw.users.id filter

-- case: where_subquery_reading_filtered_cte
create table raw.users (id int, email text, lifetime_value numeric);
create table raw.orders (id int, user_id int);
create table mart.vip_orders as
with vip as (select id from raw.users where lifetime_value > 10000)
select id from raw.orders where user_id in (select id from vip);
-- expect:
-- mart.vip_orders.id <- raw.orders.id identity
-- mart.vip_orders.* <- raw.orders.user_id filter
-- mart.vip_orders.* <- raw.users.id filter
-- mart.vip_orders.* <- raw.users.lifetime_value filter

-- case: values_only_has_no_edges
create table mart.channels as select * from (values (1, 'web'), (2, 'app')) as v (id, name);
-- expect:

-- case: join_with_values_list
-- v.label comes from literals; only users.id and the join key on the users side have sources.
create table raw.users (id int, tier int);
create table mart.user_tiers as select u.id, v.label from raw.users u join (values (1, 'gold'), (2, 'silver')) as v (tier, label) on v.tier = u.tier;
-- expect:
-- mart.user_tiers.id <- raw.users.id identity
-- mart.user_tiers.* <- raw.users.tier join
