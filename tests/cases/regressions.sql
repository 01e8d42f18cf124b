-- Cases for engine bugs found while building it; each would fail without its fix.

-- case: update_from_with_explicit_join_keeps_the_join_keys
-- sqlglot hangs `FROM s JOIN r ON ...` on the table s; the ON keys decide which value is set.
create table t (id int, a int);
create table s (id int, x int, k int);
create table r (k int, ok boolean);
update t set a = s.x from s join r on r.k = s.k where s.id = t.id and r.ok;
-- expect:
-- t.a <- s.x identity
-- t.a <- r.k join
-- t.a <- s.k join
-- t.a <- s.id filter
-- t.a <- t.id filter
-- t.a <- r.ok filter

-- case: star_over_a_known_and_an_unknown_source_expands_the_known_part
-- raw.b is never defined: its columns are unknown, but raw.a's part of the * is not.
create table raw.a (id int, email text);
create view v1 as select * from raw.a join raw.b on a.id = b.id;
-- expect:
-- v1.id <- raw.a.id identity
-- v1.email <- raw.a.email identity
-- v1.* <- raw.a.id join
-- v1.* <- raw.b.id join
-- blind: v1.*
-- diagnostics: unknown-relation, unexpanded-star

-- case: create_or_replace_forgets_the_old_definition
create table raw.users (id int, email text, name text);
create view v as select id, email from raw.users;
create or replace view v as select id, name from raw.users;
-- expect:
-- v.id <- raw.users.id identity
-- v.name <- raw.users.name identity

-- case: drop_and_recreate_keeps_one_relation
create table raw.users (id int, email text);
create table tmp_u as select id from raw.users;
create table out1 as select id from tmp_u;
drop table tmp_u;
create table tmp_u as select email from raw.users;
create table out2 as select email from tmp_u;
-- expect:
-- tmp_u.id <- raw.users.id identity
-- tmp_u.email <- raw.users.email identity
-- out1.id <- tmp_u.id identity
-- out2.email <- tmp_u.email identity

-- case: rename_column_moves_earlier_edges
create table raw.users (id int, mail text);
create table mart.u as select id, mail from raw.users;
alter table raw.users rename column mail to email;
create table mart.v as select email from raw.users;
-- expect:
-- mart.u.id <- raw.users.id identity
-- mart.u.mail <- raw.users.email identity
-- mart.v.email <- raw.users.email identity
