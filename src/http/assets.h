/* assets.h: the web application's files, compiled in (tools/embed.c). */
#ifndef ASSETS_H
#define ASSETS_H

#include <stddef.h>

struct asset {
    const char *name;          /* path under /assets/ */
    const char *content_type;
    const unsigned char *data;
    size_t len;
};

extern const struct asset assets[];
extern const size_t nassets;

#endif
