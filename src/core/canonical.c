/*
 * canonical.c: the canonical text of a JSON document and the archive's
 * clock (canonical.h).  Changing either changes every hash and signature
 * over what is written from then on.
 */
#include "canonical.h"

#include <time.h>

char *canonical_text(json_t *doc)
{
    return json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15));
}

void canonical_now(char out[21])
{
    time_t now = time(NULL);
    struct tm tm;

    gmtime_r(&now, &tm);
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
