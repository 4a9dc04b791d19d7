/* The `sqlite` benchmark workload's entry point: exercises the SQLite amalgamation enough that
 * the link keeps most of it, and prints a result two linkers' outputs must agree on. */
#include <stdio.h>
#include "sqlite3.h"

static int print_row(void *unused, int n, char **values, char **names) {
  (void)unused;
  for (int i = 0; i < n; i++) printf("%s=%s ", names[i], values[i] ? values[i] : "NULL");
  printf("\n");
  return 0;
}

int main(void) {
  static const char *const sql =
      "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, v REAL);"
      "CREATE INDEX t_name ON t(name);"
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000)"
      "  INSERT INTO t(name, v) SELECT 'n' || x, x * 0.5 FROM c;"
      "SELECT count(*), sum(v), max(name), group_concat(id % 7, '') FILTER (WHERE id < 20) FROM t"
      "  WHERE id % 3 = 0;"
      "SELECT name, printf('%.2f', avg(v)) FROM t GROUP BY id % 4 ORDER BY 1 LIMIT 4;";
  sqlite3 *db;
  char *err = 0;
  if (sqlite3_open(":memory:", &db) != SQLITE_OK) return 1;
  if (sqlite3_exec(db, sql, print_row, 0, &err) != SQLITE_OK) {
    printf("error: %s\n", err);
    return 1;
  }
  printf("sqlite %s\n", sqlite3_libversion());
  sqlite3_close(db);
  return 0;
}
