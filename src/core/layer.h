/* layer.h: the records of one map layer inside a bounding box, fast. */
#ifndef LAYER_H
#define LAYER_H

#include "record.h"

/* As record_list for a filter with a bounding box and without retracted
 * records (f->has_bbox and !f->include_retracted): the same records in the
 * same order, each passed to fn as its current document text (borrowed
 * for the call).  The R*Tree gives the candidates by box alone; a
 * candidate's type is then read from its row, which is cheaper than the
 * R*Tree's auxiliary column. */
int layer_list(struct at_ctx *ctx, struct store *st, const struct record_filter *f,
               int (*fn)(void *arg, const char *doc, size_t len), void *arg);

#endif
