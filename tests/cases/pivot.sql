-- PIVOT: value columns <- aggregated column (aggregation) + pivot-for column (conditional);
-- the remaining input columns are implicit group keys. UNPIVOT: value <- each listed column.

-- case: snowflake_pivot_with_column_aliases
-- dialect: snowflake
create table raw.sales (region varchar, month varchar, amount number);
create table mart.sales_by_month as select * from (select region, month, amount from raw.sales) pivot (sum(amount) for month in ('jan', 'feb')) as p (region, jan, feb);
-- expect:
-- MART.SALES_BY_MONTH.REGION <- RAW.SALES.REGION identity
-- MART.SALES_BY_MONTH.JAN <- RAW.SALES.AMOUNT aggregation
-- MART.SALES_BY_MONTH.JAN <- RAW.SALES.MONTH conditional
-- MART.SALES_BY_MONTH.FEB <- RAW.SALES.AMOUNT aggregation
-- MART.SALES_BY_MONTH.FEB <- RAW.SALES.MONTH conditional
-- MART.SALES_BY_MONTH.* <- RAW.SALES.REGION group_by

-- case: snowflake_pivot_every_other_column_is_a_group_key
-- Pivoting the table directly: store_id and region are both implicit group keys.
-- dialect: snowflake
create table raw.sales (store_id int, region varchar, month varchar, amount number);
create table mart.store_months as select * from raw.sales pivot (sum(amount) for month in ('jan', 'feb')) as p (store_id, region, jan, feb);
-- expect:
-- MART.STORE_MONTHS.STORE_ID <- RAW.SALES.STORE_ID identity
-- MART.STORE_MONTHS.REGION <- RAW.SALES.REGION identity
-- MART.STORE_MONTHS.JAN <- RAW.SALES.AMOUNT aggregation
-- MART.STORE_MONTHS.JAN <- RAW.SALES.MONTH conditional
-- MART.STORE_MONTHS.FEB <- RAW.SALES.AMOUNT aggregation
-- MART.STORE_MONTHS.FEB <- RAW.SALES.MONTH conditional
-- MART.STORE_MONTHS.* <- RAW.SALES.STORE_ID group_by
-- MART.STORE_MONTHS.* <- RAW.SALES.REGION group_by

-- case: snowflake_unpivot
-- The name column month has no source column.
-- dialect: snowflake
create table raw.monthly (region varchar, jan number, feb number);
create table mart.long_sales as select * from raw.monthly unpivot (amount for month in (jan, feb));
-- expect:
-- MART.LONG_SALES.REGION <- RAW.MONTHLY.REGION identity
-- MART.LONG_SALES.AMOUNT <- RAW.MONTHLY.JAN identity
-- MART.LONG_SALES.AMOUNT <- RAW.MONTHLY.FEB identity

-- case: duckdb_pivot_standard_syntax
-- dialect: duckdb
create table raw.sales (region varchar, month varchar, amount integer);
create table mart.sales_by_month as select * from (select region, month, amount from raw.sales) pivot (sum(amount) for month in ('jan', 'feb'));
-- expect:
-- mart.sales_by_month.region <- raw.sales.region identity
-- mart.sales_by_month.jan <- raw.sales.amount aggregation
-- mart.sales_by_month.jan <- raw.sales.month conditional
-- mart.sales_by_month.feb <- raw.sales.amount aggregation
-- mart.sales_by_month.feb <- raw.sales.month conditional
-- mart.sales_by_month.* <- raw.sales.region group_by

-- case: duckdb_unpivot_standard_syntax
-- dialect: duckdb
create table raw.monthly (region varchar, jan integer, feb integer);
create table mart.long_sales as select * from raw.monthly unpivot (amount for month in (jan, feb));
-- expect:
-- mart.long_sales.region <- raw.monthly.region identity
-- mart.long_sales.amount <- raw.monthly.jan identity
-- mart.long_sales.amount <- raw.monthly.feb identity

-- case: databricks_pivot_with_value_aliases
-- dialect: databricks
create table raw.sales (region string, month string, amount double);
create table mart.sales_by_month as select * from (select region, month, amount from raw.sales) pivot (sum(amount) for month in ('jan' as jan, 'feb' as feb));
-- expect:
-- mart.sales_by_month.region <- raw.sales.region identity
-- mart.sales_by_month.jan <- raw.sales.amount aggregation
-- mart.sales_by_month.jan <- raw.sales.month conditional
-- mart.sales_by_month.feb <- raw.sales.amount aggregation
-- mart.sales_by_month.feb <- raw.sales.month conditional
-- mart.sales_by_month.* <- raw.sales.region group_by

-- case: databricks_unpivot
-- dialect: databricks
create table raw.monthly (region string, jan double, feb double);
create table mart.long_sales as select * from raw.monthly unpivot (amount for month in (jan, feb));
-- expect:
-- mart.long_sales.region <- raw.monthly.region identity
-- mart.long_sales.amount <- raw.monthly.jan identity
-- mart.long_sales.amount <- raw.monthly.feb identity

-- case: bigquery_pivot_with_value_aliases
-- dialect: bigquery
create table shop.sales (region string, month string, amount numeric);
create table mart.sales_by_month as select * from (select region, month, amount from shop.sales) pivot (sum(amount) for month in ('jan' as jan, 'feb' as feb));
-- expect:
-- mart.sales_by_month.region <- shop.sales.region identity
-- mart.sales_by_month.jan <- shop.sales.amount aggregation
-- mart.sales_by_month.jan <- shop.sales.month conditional
-- mart.sales_by_month.feb <- shop.sales.amount aggregation
-- mart.sales_by_month.feb <- shop.sales.month conditional
-- mart.sales_by_month.* <- shop.sales.region group_by

-- case: tsql_pivot
-- dialect: tsql
create table dbo.sales (region varchar(50), month varchar(3), amount int);
create view dbo.sales_by_month as select region, [jan], [feb] from (select region, month, amount from dbo.sales) as s pivot (sum(amount) for month in ([jan], [feb])) as p;
-- expect:
-- dbo.sales_by_month.region <- dbo.sales.region identity
-- dbo.sales_by_month.jan <- dbo.sales.amount aggregation
-- dbo.sales_by_month.jan <- dbo.sales.month conditional
-- dbo.sales_by_month.feb <- dbo.sales.amount aggregation
-- dbo.sales_by_month.feb <- dbo.sales.month conditional
-- dbo.sales_by_month.* <- dbo.sales.region group_by

-- case: tsql_unpivot
-- dialect: tsql
create table dbo.monthly (region varchar(50), jan int, feb int);
create view dbo.long_sales as select region, month, amount from dbo.monthly unpivot (amount for month in ([jan], [feb])) as u;
-- expect:
-- dbo.long_sales.region <- dbo.monthly.region identity
-- dbo.long_sales.amount <- dbo.monthly.jan identity
-- dbo.long_sales.amount <- dbo.monthly.feb identity
