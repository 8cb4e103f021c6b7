/*
 * test_schema.c: the schema and its migrations: a version-1 archive's SQL,
 * one migration for each later version and none past the current one.
 */
#include "../../src/core/schema.h"
#include "unit.h"

UNIT_TEST(schema_create_and_migrations)
{
    const char *sql = schema_create_sql();

    CHECK(schema_application_id != 0);
    REQUIRE(sql != NULL);
    CHECK(strstr(sql, "CREATE TABLE") != NULL);
    REQUIRE(schema_version() >= 1);
    for (int v = 1; v < schema_version(); v++) {
        const char *m = schema_migration(v);
        CHECK(m != NULL && m[0] != '\0');
    }
    CHECK(schema_migration(schema_version()) == NULL);
    CHECK(schema_migration(schema_version() + 1) == NULL);
}
