-- bench: query-heavy SQL for /usr/bin/sqlite3 on an in-memory database.
-- The runner defines the size first (scale 100 = 60000 rows):
--   sqlite3 -batch -cmd 'CREATE TEMP TABLE param AS SELECT N AS n;' :memory: <bench.sql
-- Inserts rows in one transaction with a recursive CTE, then runs aggregates,
-- a join, an index build, indexed lookups, an update and a window function.
-- Deterministic: every SELECT has an ORDER BY or returns a single row.
.bail on
BEGIN;
CREATE TABLE item(id INTEGER PRIMARY KEY, grp INTEGER, name TEXT, price REAL, qty INTEGER);
WITH RECURSIVE seq(i, x) AS (
    SELECT 1, 12345
    UNION ALL
    SELECT i + 1, (x * 1103515245 + 12345) % 2147483648 FROM seq WHERE i < (SELECT n FROM param)
)
INSERT INTO item(id, grp, name, price, qty)
SELECT i, x % 97, printf('item-%08x', x), (x % 100000) / 100.0, x % 13 FROM seq;
CREATE TABLE grp(id INTEGER PRIMARY KEY, label TEXT, weight INTEGER);
WITH RECURSIVE g(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM g WHERE i < 96)
INSERT INTO grp SELECT i, 'group-' || (i * 7 % 97), i % 5 + 1 FROM g;
COMMIT;

SELECT count(*), sum(qty), round(sum(price), 2), min(name), max(name) FROM item;
SELECT grp, count(*), sum(qty), round(avg(price), 4) FROM item GROUP BY grp ORDER BY 3 DESC, 1 LIMIT 5;
SELECT g.label, sum(i.qty * g.weight) AS w FROM item i JOIN grp g ON g.id = i.grp
    GROUP BY g.label ORDER BY w DESC, g.label LIMIT 5;
SELECT count(*) FROM item WHERE name LIKE '%ab%';
SELECT substr(name, 6, 2) AS p, count(*) FROM item GROUP BY p ORDER BY 2 DESC, 1 LIMIT 3;

CREATE INDEX item_grp_price ON item(grp, price);
CREATE INDEX item_name ON item(name);
WITH RECURSIVE k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < (SELECT n / 20 FROM param))
SELECT count(*), sum(c) FROM (
    SELECT (SELECT count(*) FROM item WHERE grp = k.j % 97 AND price BETWEEN (k.j % 900) AND (k.j % 900) + 50) AS c FROM k);
SELECT a.grp, count(*) FROM item a JOIN item b ON b.grp = a.grp AND b.price = a.price AND b.id < a.id
    GROUP BY a.grp ORDER BY 2 DESC, 1 LIMIT 3;

BEGIN;
UPDATE item SET qty = qty + 1, price = price * 1.5 WHERE grp % 3 = 0;
DELETE FROM item WHERE qty = 0 AND grp % 5 = 1;
COMMIT;
SELECT count(*), sum(qty), round(sum(price), 2) FROM item;
SELECT grp, id, rnk FROM (
    SELECT grp, id, rank() OVER (PARTITION BY grp ORDER BY price DESC, id) AS rnk FROM item)
    WHERE rnk <= 2 ORDER BY grp, rnk LIMIT 6;
SELECT name FROM item WHERE name >= 'item-7' ORDER BY name LIMIT 3;
