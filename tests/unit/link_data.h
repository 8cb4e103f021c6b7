/*
 * link_data.h: where the linkage tests find the shared test files
 * (../shared/data/linkage beside the project, or $ATTEST_SHARED_DATA/
 * linkage), for the tests of the link* modules.
 */
#ifndef LINK_DATA_H
#define LINK_DATA_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* The path of a shared linkage file in out, or NULL when it is not here. */
static inline const char *link_data_path(const char *name, char *out, size_t size)
{
    const char *dir = getenv("ATTEST_SHARED_DATA");

    snprintf(out, size, "%s/linkage/%s", dir && *dir ? dir : "../shared/data", name);
    return access(out, R_OK) == 0 ? out : NULL;
}

#endif
