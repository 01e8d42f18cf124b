-- Redshift: identifiers are case-insensitive, quoted ones too (folded to lowercase by default).
-- dialect: redshift

-- case: redshift_quoted_identifiers_fold_to_lowercase
-- "Email" is the column email and the alias "Contact" becomes contact.
create table raw.users (id int, email varchar(256));
create table mart.u as select "ID", "Email" as "Contact" from raw.users;
-- expect:
-- mart.u.id <- raw.users.id identity
-- mart.u.contact <- raw.users.email identity

-- case: redshift_lateral_column_alias
create table raw.orders (id int, amount decimal(10, 2), tax_rate decimal(4, 3));
create table mart.orders as select id, amount * tax_rate as tax, amount + tax as gross from raw.orders;
-- expect:
-- mart.orders.id <- raw.orders.id identity
-- mart.orders.tax <- raw.orders.amount transformation
-- mart.orders.tax <- raw.orders.tax_rate transformation
-- mart.orders.gross <- raw.orders.amount transformation
-- mart.orders.gross <- raw.orders.tax_rate transformation

-- case: redshift_distkey_sortkey_ctas
create table raw.events (id int, user_id int, created_at timestamp, kind varchar(32));
create table mart.signups distkey(user_id) sortkey(created_at) as select user_id, created_at from raw.events where kind = 'signup';
-- expect:
-- mart.signups.user_id <- raw.events.user_id identity
-- mart.signups.created_at <- raw.events.created_at identity
-- mart.signups.* <- raw.events.kind filter

-- case: redshift_nvl_and_datediff
create table raw.orders (id int, nickname varchar(64), first_name varchar(64), created_at timestamp, shipped_at timestamp);
create table mart.shipping as select id, nvl(nickname, first_name) as display_name, datediff(day, created_at, shipped_at) as days_to_ship from raw.orders;
-- expect:
-- mart.shipping.id <- raw.orders.id identity
-- mart.shipping.display_name <- raw.orders.nickname transformation
-- mart.shipping.display_name <- raw.orders.first_name transformation
-- mart.shipping.days_to_ship <- raw.orders.created_at transformation
-- mart.shipping.days_to_ship <- raw.orders.shipped_at transformation

-- case: redshift_top_with_order_by
create table raw.orders (id int, amount decimal(10, 2));
create table mart.top_orders as select top 10 id from raw.orders order by amount desc;
-- expect:
-- mart.top_orders.id <- raw.orders.id identity
-- mart.top_orders.* <- raw.orders.amount sort
