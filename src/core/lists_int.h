/*
 * lists_int.h: helpers shared by the list readers (lists_un.c,
 * lists_ofac.c) and the list store (lists.c); not for other modules.
 */
#ifndef LISTS_INT_H
#define LISTS_INT_H

#include "attest.h"

#include <jansson.h>

/* A new entry with its primary name; the caller owns the reference. */
json_t *lists_entry_new(const char *key, const char *type, const char *name);

/* Adds a name of a quality (primary, strong, weak, fka) unless the entry
 * has it already.  A trailing "(...)" in another script is split off as a
 * name of its own: "Jin Tiesan (金铁三)". */
void lists_add_name(json_t *entry, const char *name, const char *quality);

/* Adds an identifier; country and note may be NULL or "". */
void lists_add_id(json_t *entry, const char *kind, const char *value, const char *country,
                  const char *note);

/* Adds addr (stolen) unless it has no parts. */
void lists_add_address(json_t *entry, json_t *addr);

void lists_add_program(json_t *entry, const char *program);

/* Appends value to the array property prop unless already there. */
void lists_add_value(json_t *entry, const char *prop, const char *value);

/* Finds identifiers in free text (IMO numbers, SWIFT/BIC codes, e-mail
 * addresses, telephone numbers after "phone"/"tel") and adds them. */
void lists_scan_text_ids(json_t *entry, const char *text);

/* "FOREIGN TRADE BANK (FTB)": adds FTB and the name without it as strong
 * aliases. */
void lists_split_primary(json_t *entry);


/* The hex SHA-256 of the concatenated contents of the files that exist
 * among paths (missing files, and NULL paths, are skipped). */
int lists_file_sha256(struct at_ctx *ctx, const char *const *paths, size_t n, char hex[65]);

#endif
