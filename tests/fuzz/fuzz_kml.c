/*
 * fuzz_kml.c: kml_parse and kml_overlay on arbitrary bytes.  Whatever it accepts must
 * hold only placemarks with points in range, or outlines and lines that
 * the site validator accepts beside one point at most; whatever it refuses must say why, naming
 * the file.  An overlay accepted has an image inside the file and edges in
 * range, north of south and east of west.
 */
#include "../../src/core/geo.h"
#include "../../src/core/kml.h"
#include "../../src/core/polygon.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct at_ctx ctx = { 0 };
    struct kml_doc doc;
    struct kml_overlay o;

    if (kml_overlay(&ctx, (const char *)data, size, "fuzz.kml", &o) == AT_OK) {
        if (o.href == NULL || strstr(o.href, "..") || strstr(o.href, "://") || o.href[0] == '/'
            || !(o.north > o.south && o.north <= 90 && o.south >= -90)
            || !(o.east > o.west && o.east <= 180 && o.west >= -180)
            || !(o.rotation >= -180 && o.rotation <= 180))
            abort();
        kml_overlay_free(&o);
    } else if (ctx.code == AT_OK || strncmp(ctx.message, "fuzz.kml", 8) != 0) {
        abort();
    }
    ctx = (struct at_ctx){ 0 };
    if (kml_parse(&ctx, (const char *)data, size, "fuzz.kml", &doc) != AT_OK) {
        if (ctx.code == AT_OK || strncmp(ctx.message, "fuzz.kml", 8) != 0 || doc.n != 0)
            abort();
        return 0;
    }
    for (size_t i = 0; i < doc.n; i++) {
        const struct kml_placemark *pm = &doc.pm[i];
        if (pm->line < 1)
            abort();
        size_t np = json_array_size(pm->points);
        if (pm->kind == KML_POINTS ? np == 0 || pm->geometry || pm->lines
                                   : np > 1 || !(pm->geometry || pm->lines))
            abort();
        for (size_t k = 0; k < np; k++) {
            json_t *pos = json_array_get(pm->points, k);
            if (!geo_valid(json_real_value(json_array_get(pos, 1)),
                           json_real_value(json_array_get(pos, 0))))
                abort();
        }
        if (pm->geometry) {
            char *text = polygon_text(pm->geometry);
            json_t *g = NULL;
            if (polygon_parse(&ctx, text, &g) != AT_OK)
                abort();
            json_decref(g);
            free(text);
        }
        if (pm->lines) {
            char *text = polygon_text(pm->lines);
            json_t *g = NULL;
            if (polygon_lines_parse(&ctx, text, &g) != AT_OK)
                abort();
            json_decref(g);
            free(text);
        }
    }
    kml_doc_free(&doc);
    return 0;
}
