/* schema.h: the archive's SQL schema and its ordered migrations. */
#ifndef SCHEMA_H
#define SCHEMA_H

extern const int schema_application_id;

/* The SQL that creates a version-1 archive (static storage). */
const char *schema_create_sql(void);
/* The current schema version, stored as PRAGMA user_version. */
int schema_version(void);
/* The SQL that upgrades from_version to from_version + 1, or NULL. */
const char *schema_migration(int from_version);

#endif
