/*
 * union_find.c: sets of keys joined pair by pair (union-find with path
 * halving).  Slots are numbered in the order keys first appear.
 */
#include "attest.h"
#include "union_find.h"

#include <stdio.h>
#include <stdlib.h>

void union_find_init(struct union_find *u)
{
    u->slot = json_object();
    u->parent = NULL;
    u->n = 0;
}

void union_find_free(struct union_find *u)
{
    json_decref(u->slot);
    free(u->parent);
    u->slot = NULL;
    u->parent = NULL;
    u->n = 0;
}

static int slot_of(struct union_find *u, const char *key)
{
    json_t *v = json_object_get(u->slot, key);

    if (v)
        return (int)json_integer_value(v);
    u->parent = xrealloc(u->parent, (u->n + 1) * sizeof *u->parent);
    u->parent[u->n] = (int)u->n;
    json_object_set_new(u->slot, key, json_integer((json_int_t)u->n));
    return (int)u->n++;
}

static int root(struct union_find *u, int x)
{
    while (u->parent[x] != x)
        x = u->parent[x] = u->parent[u->parent[x]];
    return x;
}

void union_find_join(struct union_find *u, const char *a, const char *b)
{
    int sa, sb;

    if (a == NULL || b == NULL)
        return;
    /* Both slots first: a new slot may move u->parent. */
    sa = slot_of(u, a);
    sb = slot_of(u, b);
    u->parent[root(u, sa)] = root(u, sb);
}

const char *union_find_label(struct union_find *u, const char *key, char room[32])
{
    json_t *v = json_object_get(u->slot, key);

    if (v == NULL)
        return key;
    snprintf(room, 32, "#%d", root(u, (int)json_integer_value(v)));
    return room;
}
