create table t(a,b); insert into t values(1,"x"),(2,"y"); select a*10, upper(b), sum(a) over () from t; select printf("%.3f", 2.0/3);
create table big(n integer primary key, sq, txt);
with recursive c(x) as (select 1 union all select x + 1 from c where x < 2000) insert into big select x, x * x, hex(x) from c;
create index big_txt on big(txt);
select count(*), sum(sq), max(txt), avg(n) from big where n % 7 = 3;
select group_concat(n, ',') from (select n from big where txt like '1F%' order by n limit 10);
begin; update big set sq = -sq where n < 100; rollback;
select sum(sq) from big;
