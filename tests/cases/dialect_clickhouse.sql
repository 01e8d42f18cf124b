-- ClickHouse: identifiers are case-sensitive; names stay exactly as written.
-- dialect: clickhouse

-- case: clickhouse_names_are_case_sensitive
-- UserID and userid are two different columns.
create table analytics.users (UserID UInt64, userid String, Email String) engine = MergeTree order by UserID;
create view analytics.user_ids as select UserID, userid as legacy_id from analytics.users;
-- expect:
-- analytics.user_ids.UserID <- analytics.users.UserID identity
-- analytics.user_ids.legacy_id <- analytics.users.userid identity

-- case: clickhouse_array_join_without_alias
-- After ARRAY JOIN Tags, Tags in the select list is one element of the array.
create table analytics.events (EventID UInt64, Tags Array(String)) engine = MergeTree order by EventID;
create view analytics.event_tags as select EventID, Tags from analytics.events array join Tags;
-- expect:
-- analytics.event_tags.EventID <- analytics.events.EventID identity
-- analytics.event_tags.Tags <- analytics.events.Tags transformation
-- analytics.event_tags.* <- analytics.events.Tags join

-- case: clickhouse_argmax_reads_both_arguments
create table analytics.user_emails (UserID UInt64, email String, updated_at DateTime) engine = MergeTree order by UserID;
create view analytics.latest_emails as select UserID, argMax(email, updated_at) as latest_email from analytics.user_emails group by UserID;
-- expect:
-- analytics.latest_emails.UserID <- analytics.user_emails.UserID identity
-- analytics.latest_emails.latest_email <- analytics.user_emails.email aggregation
-- analytics.latest_emails.latest_email <- analytics.user_emails.updated_at aggregation
-- analytics.latest_emails.* <- analytics.user_emails.UserID group_by

-- case: clickhouse_json_extract_string
create table analytics.raw_events (EventID UInt64, payload String) engine = MergeTree order by EventID;
create view analytics.event_emails as select EventID, JSONExtractString(payload, 'email') as email from analytics.raw_events where JSONHas(payload, 'email');
-- expect:
-- analytics.event_emails.EventID <- analytics.raw_events.EventID identity
-- analytics.event_emails.email <- analytics.raw_events.payload transformation
-- analytics.event_emails.* <- analytics.raw_events.payload filter

-- case: clickhouse_insert_select_with_uniq
create table analytics.events (EventID UInt64, ts DateTime, UserID UInt64) engine = MergeTree order by EventID;
create table analytics.daily_users (day Date, users UInt64) engine = SummingMergeTree order by day;
insert into analytics.daily_users select toDate(ts), uniqExact(UserID) from analytics.events group by toDate(ts);
-- expect:
-- analytics.daily_users.day <- analytics.events.ts transformation
-- analytics.daily_users.users <- analytics.events.UserID aggregation
-- analytics.daily_users.* <- analytics.events.ts group_by
