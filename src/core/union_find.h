/*
 * union_find.h: sets of records joined by relations (a household, a group
 * interview, hearsay), keyed by record id.  Used wherever witnesses that
 * are not independent must count once: an event's corroboration and a
 * site's witness count.
 */
#ifndef UNION_FIND_H
#define UNION_FIND_H

#include <jansson.h>
#include <stddef.h>

struct union_find {
    json_t *slot;   /* key -> integer slot */
    int *parent;
    size_t n;
};

void union_find_init(struct union_find *u);
void union_find_free(struct union_find *u);

/* Puts a and b in one set; nothing when either is NULL. */
void union_find_join(struct union_find *u, const char *a, const char *b);

/* A label of key's set, the same for every key of one set: "#N" (written
 * into room) for a key that was joined, the key itself for one never
 * joined. */
const char *union_find_label(struct union_find *u, const char *key, char room[32]);

#endif
