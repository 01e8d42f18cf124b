-- T-SQL: identifiers are case-insensitive, [bracketed] and "quoted" ones too.
-- dialect: tsql

-- case: tsql_brackets_and_case_insensitive
create table [dbo].[Users] ([Id] int, [Email] nvarchar(200));
create view dbo.contacts as select ID, [email] as [Contact] from DBO.USERS;
-- expect:
-- dbo.contacts.id <- dbo.users.id identity
-- dbo.contacts.contact <- dbo.users.email identity

-- case: tsql_iif_condition_is_conditional
create table dbo.orders (id int, status varchar(20), amount decimal(10, 2));
create view dbo.paid as select id, iif(status = 'paid', amount, 0) as paid_amount from dbo.orders;
-- expect:
-- dbo.paid.id <- dbo.orders.id identity
-- dbo.paid.paid_amount <- dbo.orders.amount transformation
-- dbo.paid.paid_amount <- dbo.orders.status conditional

-- case: tsql_top_with_order_by
create table dbo.orders (id int, amount decimal(10, 2));
create view dbo.top_orders as select top 10 id, amount from dbo.orders order by amount desc;
-- expect:
-- dbo.top_orders.id <- dbo.orders.id identity
-- dbo.top_orders.amount <- dbo.orders.amount identity
-- dbo.top_orders.* <- dbo.orders.amount sort

-- case: tsql_update_through_alias
-- UPDATE u ... FROM dbo.users u: the target is the table behind alias u.
create table dbo.users (id int, email varchar(200));
create table dbo.staging (id int, email varchar(200));
update u set u.email = s.email from dbo.users u, dbo.staging s where s.id = u.id;
-- expect:
-- dbo.users.email <- dbo.staging.email identity
-- dbo.users.email <- dbo.staging.id filter
-- dbo.users.email <- dbo.users.id filter

-- case: tsql_merge
create table dbo.users (id int, email varchar(200));
create table dbo.staging (id int, email varchar(200));
merge into dbo.users as t using dbo.staging as s on t.id = s.id
when matched then update set t.email = s.email
when not matched then insert (id, email) values (s.id, s.email);
-- expect:
-- dbo.users.email <- dbo.staging.email identity
-- dbo.users.id <- dbo.staging.id identity
-- dbo.users.email <- dbo.users.id join
-- dbo.users.email <- dbo.staging.id join
-- dbo.users.id <- dbo.users.id join
-- dbo.users.id <- dbo.staging.id join

-- case: tsql_three_part_names_and_isnull
create table warehouse.dbo.customers (id int, nickname varchar(50), name varchar(50));
create table warehouse.dbo.display_names (id int, display_name varchar(50));
insert into warehouse.dbo.display_names (id, display_name) select id, isnull(nickname, name) from warehouse.dbo.customers;
-- expect:
-- warehouse.dbo.display_names.id <- warehouse.dbo.customers.id identity
-- warehouse.dbo.display_names.display_name <- warehouse.dbo.customers.nickname transformation
-- warehouse.dbo.display_names.display_name <- warehouse.dbo.customers.name transformation
