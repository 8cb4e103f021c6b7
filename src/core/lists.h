/*
 * lists.h: sanctions lists (the UN Security Council consolidated list and
 * OFAC's SDN list) read from their published files and kept in the
 * archive as dated list versions.
 *
 * The readers turn a file into entries, one JSON object per listed person,
 * company, vessel or aircraft:
 *
 *   {"key", "type": "person|company|vessel|aircraft", "name",
 *    "names": [{"name", "quality": "primary|strong|weak|fka"}],
 *    "addresses": [{"street", "city", "state", "zip", "country", "note"}],
 *    "ids": [{"kind", "value", "country"?, "note"?}],
 *    "links": [name, ...], "programs": [...], "listed_on"?, "remarks"?,
 *    "dob": [...]?, "nationality": [...]?, "vessel": {...}?}
 *
 * The key is the list's own stable key: the UN reference number (KPe.029)
 * and OFAC's ent_num.  id kinds: imo, swift, phone, email, website,
 * passport, national_id, registration, tax_id, mmsi, call_sign, document.
 *
 * An import is one transaction: every entry, its names and attributes,
 * and one log item for the version whose digest covers every entry
 * document.  A file that is not valid is refused with its name, line and
 * field, and nothing is written.
 */
#ifndef LISTS_H
#define LISTS_H

#include "attest.h"
#include "store.h"

#include <jansson.h>

/* A list read from its files.  entries is a JSON array the struct owns;
 * published is YYYY-MM-DD; sha256 is the hex digest of the files read. */
struct list_data {
    char source[8];       /* "un" or "ofac" */
    char published[11];
    char sha256[65];
    json_t *entries;
};

void lists_data_free(struct list_data *d);

/* Appends s trimmed, with each run of white space made one space (the
 * form in which names and remarks are stored and compared). */
void lists_clean_text(const char *s, struct buf *out);

/* Reads a UN consolidated list XML file (streaming, one entry in memory at
 * a time besides the entries already read). */
int lists_read_un(struct at_ctx *ctx, const char *path, struct list_data *out);

/* Reads OFAC's delimited SDN files from dir: sdn.csv, alt.csv, add.csv and
 * sdn_comments.csv (the last three may be missing).  date is the list date
 * (YYYY-MM-DD) or NULL for the newest modification date of the files. */
int lists_read_ofac(struct at_ctx *ctx, const char *dir, const char *date,
                    struct list_data *out);

/* Copies the YYYY-MM-DD at the start of s into out; false if there is none. */
bool lists_date_prefix(const char *s, char out[11]);

/* True when s is exactly a calendar day, YYYY-MM-DD (a list's --date). */
bool lists_date_valid(const char *s);

/* The same from the files' paths, in the order of lists_ofac_names (NULL
 * for one that is absent; sdn.csv is required): for files that are not in
 * one folder, as an upload's files held in memory. */
#define LISTS_OFAC_FILES 4
extern const char *const lists_ofac_names[LISTS_OFAC_FILES];
int lists_read_ofac_files(struct at_ctx *ctx, const char *const paths[LISTS_OFAC_FILES],
                          const char *date, struct list_data *out);

/* Parses OFAC remarks ("a.k.a. 'X'; Linked To: Y.; Vessel Registration
 * Identification IMO 1234567; ...") into the names, ids and links of
 * entry.  Exposed for tests. */
void lists_parse_remarks(json_t *entry, const char *remarks);

/* Stores d as a new list version named SOURCE-PUBLISHED (a suffix .2, .3
 * when that date is already taken by different content) and commits with
 * the log signed.  When the newest version of the source already has the
 * same file digest nothing is written and *already is set.  The version
 * id is written into version (64 bytes). */
int lists_import(struct at_ctx *ctx, struct store *st, const struct list_data *d,
                 char version[64], bool *already);

/* Every list version, oldest first: a new JSON array of {"id", "source",
 * "published", "imported_at", "entries", "file_sha256"}. */
int lists_versions(struct at_ctx *ctx, struct store *st, json_t **out);

/* Resolves a version argument: a full id, a source name ("un": its newest
 * version), or SOURCE@N (the Nth import of it, from 1).  Copies the id. */
int lists_resolve(struct at_ctx *ctx, struct store *st, const char *arg, char version[64]);

/* The newest version of each source, as a new JSON array of ids. */
int lists_current(struct at_ctx *ctx, struct store *st, json_t **out);

/* The versions in force on date (YYYY-MM-DD): for each source, its newest
 * version published on or before that day (a version is in force from its
 * publication date until the next version of the same list), as a new
 * JSON array of ids.  A source with no version yet on that day is left
 * out; AT_ENOTFOUND, naming the first version and its date, when no list
 * had one. */
int lists_in_force(struct at_ctx *ctx, struct store *st, const char *date, json_t **out);

/* Checks that text is one day, YYYY-MM-DD, and writes it in that form
 * into day; AT_EINVAL with a message quoting it otherwise. */
int lists_date_parse(struct at_ctx *ctx, const char *text, char day[11]);

/* The last version imported, into version, and the versions that were
 * current before it (as lists_current would have given without it), as a
 * new JSON array of ids in *before: what screening compares with to tell
 * what an import newly hits.  When the last import is not its list's
 * newest (an older version imported late), *before is the current set. */
int lists_last_import(struct at_ctx *ctx, struct store *st, char version[64],
                      json_t **before);

/* The version of the same list just before version (by publication date,
 * then import), into prev; AT_ENOTFOUND when version is its list's first. */
int lists_previous(struct at_ctx *ctx, struct store *st, const char *version, char prev[64]);

/* What changed from version old to version new of one list, entry by
 * entry.  Entries are compared by list key, and the SHA-256 of each
 * entry's canonical document tells which changed at all.  *out is a new
 * object
 *   {"list", "old", "new",
 *    "counts": {"added", "removed", "changed", "renamed", "unchanged"},
 *    "entries": [{"key", "type", "name", "change": "added|removed|changed",
 *                 "old_sha256"?, "new_sha256"?,
 *                 "renamed"?: {"old", "new"},
 *                 "aliases_added"?: [{"name", "quality"}], "aliases_removed"?: [...],
 *                 "aliases_requalified"?: [{"name", "old", "new"}],
 *                 "ids_added"?: [{"kind", "value"}], "ids_removed"?: [...],
 *                 "fields_changed"?: [field, ...]}]}
 * in key order; unchanged entries are only counted.  Names are compared
 * after normalisation (case, spacing and punctuation are not changes),
 * identifiers by their comparable value (lists_attr_norm).  Two versions
 * of different lists are refused. */
int lists_diff(struct at_ctx *ctx, struct store *st, const char *old_version,
               const char *new_version, json_t **out);

/* Finds a listed entry named as [SOURCE:]KEY ("un:KPe.029", "KPe.029",
 * "ofac:9345") in any version, newest first: writes its source into
 * source and its primary name, as that version lists it, into name.
 * AT_ENOTFOUND when no version holds it; AT_EINVAL for an unknown source,
 * or a key on both lists without SOURCE: (the message says which). */
int lists_find_key(struct at_ctx *ctx, struct store *st, const char *ref, char source[8],
                   struct buf *key, struct buf *name);

/* The entry document of key in version; *out is a new reference. */
int lists_entry(struct at_ctx *ctx, struct store *st, const char *version, const char *key,
                json_t **out);

/* The comparable form of an attribute value of a kind: digits of an IMO
 * number or phone, lower-case e-mail and web host, the first 8 characters
 * of a SWIFT/BIC, an address's words without "c/o NAME" and box codes.
 * Appends to out; nothing when the value has no comparable part. */
void lists_attr_norm(const char *kind, const char *value, struct buf *out);

#endif
