-- MySQL: `backticks` quote identifiers (all names here are lowercase, so MySQL's
-- case rules and sqlglot's case-sensitive normalization agree).
-- dialect: mysql

-- case: mysql_backticked_reserved_words
create table shop.order_items (`order` int, sku varchar(20), `desc` varchar(200));
create table shop.items_by_order as select `order` as order_id, `desc` as description from shop.order_items;
-- expect:
-- shop.items_by_order.order_id <- shop.order_items.order identity
-- shop.items_by_order.description <- shop.order_items.desc identity

-- case: mysql_if_and_ifnull
create table shop.orders (id int, status varchar(20), amount decimal(10, 2), discount decimal(10, 2));
create table shop.paid as select id, if(status = 'paid', amount, 0) as paid_amount, ifnull(discount, 0) as discount from shop.orders;
-- expect:
-- shop.paid.id <- shop.orders.id identity
-- shop.paid.paid_amount <- shop.orders.amount transformation
-- shop.paid.paid_amount <- shop.orders.status conditional
-- shop.paid.discount <- shop.orders.discount transformation

-- case: mysql_group_concat_group_by_alias
-- MySQL accepts the select alias month in GROUP BY.
create table shop.order_items (order_id int, sku varchar(20), created_at datetime);
create table shop.monthly_skus as select date_format(created_at, '%Y-%m') as month, group_concat(distinct sku separator ',') as skus from shop.order_items group by month;
-- expect:
-- shop.monthly_skus.month <- shop.order_items.created_at transformation
-- shop.monthly_skus.skus <- shop.order_items.sku aggregation
-- shop.monthly_skus.* <- shop.order_items.created_at group_by

-- case: mysql_multi_table_update
create table shop.orders (id int, user_id int, email varchar(200));
create table shop.users (id int, email varchar(200), active tinyint);
update shop.orders o, shop.users u set o.email = u.email where o.user_id = u.id and u.active = 1;
-- expect:
-- shop.orders.email <- shop.users.email identity
-- shop.orders.email <- shop.orders.user_id filter
-- shop.orders.email <- shop.users.id filter
-- shop.orders.email <- shop.users.active filter

-- case: mysql_insert_select_group_by
create table shop.orders (id int, created_at datetime, amount decimal(10, 2));
create table shop.daily (day date, total decimal(12, 2));
insert into shop.daily (day, total) select date(created_at), sum(amount) from shop.orders group by date(created_at);
-- expect:
-- shop.daily.day <- shop.orders.created_at transformation
-- shop.daily.total <- shop.orders.amount aggregation
-- shop.daily.* <- shop.orders.created_at group_by
