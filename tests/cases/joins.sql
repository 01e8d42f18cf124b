-- Joins: ON keys, USING, NATURAL, self joins, and unqualified columns resolved through schemas.
-- dialect: postgres

-- case: inner_join_keys_are_join
create table raw.users (id int, email text);
create table raw.orders (id int, user_id int, amount numeric);
create table mart.order_emails as select o.id as order_id, u.email from raw.orders o join raw.users u on u.id = o.user_id;
-- expect:
-- mart.order_emails.order_id <- raw.orders.id identity
-- mart.order_emails.email <- raw.users.email identity
-- mart.order_emails.* <- raw.users.id join
-- mart.order_emails.* <- raw.orders.user_id join

-- case: left_join_extra_on_condition_is_join
-- Every column of the ON clause is a join column, including the non-key status.
create table raw.users (id int, email text);
create table raw.orders (id int, user_id int, status text, amount numeric);
create table mart.user_paid as select u.id, o.amount from raw.users u left join raw.orders o on o.user_id = u.id and o.status = 'paid';
-- expect:
-- mart.user_paid.id <- raw.users.id identity
-- mart.user_paid.amount <- raw.orders.amount identity
-- mart.user_paid.* <- raw.orders.user_id join
-- mart.user_paid.* <- raw.users.id join
-- mart.user_paid.* <- raw.orders.status join

-- case: join_then_where_on_joined_table
create table raw.users (id int, country text);
create table raw.orders (id int, user_id int, amount numeric);
create table mart.fr_orders as select o.id, o.amount from raw.orders o join raw.users u on u.id = o.user_id where u.country = 'FR';
-- expect:
-- mart.fr_orders.id <- raw.orders.id identity
-- mart.fr_orders.amount <- raw.orders.amount identity
-- mart.fr_orders.* <- raw.users.id join
-- mart.fr_orders.* <- raw.orders.user_id join
-- mart.fr_orders.* <- raw.users.country filter

-- case: three_table_join
create table raw.users (id int, email text);
create table raw.orders (id int, user_id int);
create table raw.payments (id int, order_id int, amount numeric);
create table mart.payment_emails as
select u.email, p.amount from raw.payments p
join raw.orders o on o.id = p.order_id
join raw.users u on u.id = o.user_id;
-- expect:
-- mart.payment_emails.email <- raw.users.email identity
-- mart.payment_emails.amount <- raw.payments.amount identity
-- mart.payment_emails.* <- raw.orders.id join
-- mart.payment_emails.* <- raw.payments.order_id join
-- mart.payment_emails.* <- raw.users.id join
-- mart.payment_emails.* <- raw.orders.user_id join

-- case: self_join
create table raw.employees (id int, name text, manager_id int);
create table mart.reporting as select e.name as employee, m.name as manager from raw.employees e left join raw.employees m on m.id = e.manager_id;
-- expect:
-- mart.reporting.employee <- raw.employees.name identity
-- mart.reporting.manager <- raw.employees.name identity
-- mart.reporting.* <- raw.employees.id join
-- mart.reporting.* <- raw.employees.manager_id join

-- case: using_join_keys_of_both_sides
create table raw.users (user_id int, email text);
create table raw.sessions (session_id int, user_id int, started_at timestamp);
create table mart.user_sessions as select s.session_id, u.email from raw.sessions s join raw.users u using (user_id);
-- expect:
-- mart.user_sessions.session_id <- raw.sessions.session_id identity
-- mart.user_sessions.email <- raw.users.email identity
-- mart.user_sessions.* <- raw.users.user_id join
-- mart.user_sessions.* <- raw.sessions.user_id join

-- case: using_join_unqualified_non_key_columns
-- email exists only in users and started_at only in sessions, so neither is ambiguous.
create table raw.users (user_id int, email text);
create table raw.sessions (session_id int, user_id int, started_at timestamp);
create table mart.session_emails as select email, started_at from raw.sessions join raw.users using (user_id);
-- expect:
-- mart.session_emails.email <- raw.users.email identity
-- mart.session_emails.started_at <- raw.sessions.started_at identity
-- mart.session_emails.* <- raw.users.user_id join
-- mart.session_emails.* <- raw.sessions.user_id join

-- case: natural_join_uses_shared_columns
-- The only column both tables have is account_id.
create table raw.accounts (account_id int, plan text);
create table raw.invoices (invoice_id int, account_id int, total numeric);
create table mart.invoice_plans as select i.invoice_id, a.plan from raw.invoices i natural join raw.accounts a;
-- expect:
-- mart.invoice_plans.invoice_id <- raw.invoices.invoice_id identity
-- mart.invoice_plans.plan <- raw.accounts.plan identity
-- mart.invoice_plans.* <- raw.invoices.account_id join
-- mart.invoice_plans.* <- raw.accounts.account_id join

-- case: natural_join_two_shared_columns
create table raw.stock (warehouse_id int, sku text, quantity int);
create table raw.prices (warehouse_id int, sku text, price numeric);
create table mart.stock_value as select s.sku, s.quantity * p.price as value from raw.stock s natural join raw.prices p;
-- expect:
-- mart.stock_value.sku <- raw.stock.sku identity
-- mart.stock_value.value <- raw.stock.quantity transformation
-- mart.stock_value.value <- raw.prices.price transformation
-- mart.stock_value.* <- raw.stock.warehouse_id join
-- mart.stock_value.* <- raw.prices.warehouse_id join
-- mart.stock_value.* <- raw.stock.sku join
-- mart.stock_value.* <- raw.prices.sku join

-- case: cross_join_has_no_join_columns
create table raw.users (id int);
create table raw.currencies (code text);
create table mart.user_currencies as select u.id, c.code from raw.users u cross join raw.currencies c;
-- expect:
-- mart.user_currencies.id <- raw.users.id identity
-- mart.user_currencies.code <- raw.currencies.code identity

-- case: comma_join_condition_in_where_is_filter
create table raw.users (id int, email text);
create table raw.orders (id int, user_id int);
create table mart.order_emails as select o.id, u.email from raw.orders o, raw.users u where o.user_id = u.id;
-- expect:
-- mart.order_emails.id <- raw.orders.id identity
-- mart.order_emails.email <- raw.users.email identity
-- mart.order_emails.* <- raw.orders.user_id filter
-- mart.order_emails.* <- raw.users.id filter

-- case: full_join_with_coalesced_key
create table raw.web_sales (user_id int, amount numeric);
create table raw.store_sales (user_id int, amount numeric);
create table mart.sales as select coalesce(w.user_id, s.user_id) as user_id, w.amount as web_amount, s.amount as store_amount from raw.web_sales w full outer join raw.store_sales s on s.user_id = w.user_id;
-- expect:
-- mart.sales.user_id <- raw.web_sales.user_id transformation
-- mart.sales.user_id <- raw.store_sales.user_id transformation
-- mart.sales.web_amount <- raw.web_sales.amount identity
-- mart.sales.store_amount <- raw.store_sales.amount identity
-- mart.sales.* <- raw.web_sales.user_id join
-- mart.sales.* <- raw.store_sales.user_id join

-- case: join_on_expressions
create table raw.users (id int, email text);
create table raw.contacts (contact_id int, email_address text);
create table mart.matched as select u.id, c.contact_id from raw.users u join raw.contacts c on lower(c.email_address) = lower(u.email);
-- expect:
-- mart.matched.id <- raw.users.id identity
-- mart.matched.contact_id <- raw.contacts.contact_id identity
-- mart.matched.* <- raw.contacts.email_address join
-- mart.matched.* <- raw.users.email join

-- case: unqualified_columns_resolved_through_known_schemas
-- Both schemas are known: email is only in users, amount only in orders.
create table raw.users (id int, email text);
create table raw.orders (id int, user_id int, amount numeric);
create table mart.order_emails as select email, amount from raw.users u join raw.orders o on o.user_id = u.id;
-- expect:
-- mart.order_emails.email <- raw.users.email identity
-- mart.order_emails.amount <- raw.orders.amount identity
-- mart.order_emails.* <- raw.orders.user_id join
-- mart.order_emails.* <- raw.users.id join

-- case: join_to_filtered_derived_table
create table raw.users (id int, email text);
create table raw.orders (id int, user_id int, status text);
create table mart.paying_users as select u.email from raw.users u join (select distinct user_id from raw.orders where status = 'paid') p on p.user_id = u.id;
-- expect:
-- mart.paying_users.email <- raw.users.email identity
-- mart.paying_users.* <- raw.orders.user_id join
-- mart.paying_users.* <- raw.users.id join
-- mart.paying_users.* <- raw.orders.status filter
