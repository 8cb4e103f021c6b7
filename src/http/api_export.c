/*
 * api_export.c: /api/v1/export/{format}: the archive as JSON Lines, or one
 * type as CSV (cells guarded against spreadsheet formulas unless ?raw=1),
 * written to an unlinked temporary file and streamed.
 */
#include "http.h"
#include "../core/access.h"
#include "../core/csvio.h"
#include "../core/import.h"
#include "../core/vocab.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int api_export(struct request *r)
{
    const char *format = r->params[0], *type = http_arg(r, "type");
    struct stat sb;
    long raw;
    FILE *f;
    int rc;

    /* A whole-archive export holds every record: beyond the route's right
     * to export (checked by the gate), the reader must see every level. */
    if ((rc = access_check(&r->ctx, &r->keys, ACTION_READ, CLEARANCE_CONFIDENTIAL)) != AT_OK)
        return http_core_error(r, rc);
    if (strcmp(format, "csv") == 0 && (type == NULL || model_type(type) == NULL))
        return http_error(r, 400, "invalid", "type", "a CSV export needs ?type= a record type");
    if (strcmp(format, "jsonl") != 0 && strcmp(format, "csv") != 0)
        return http_error(r, 404, "not_found", NULL, "export formats: jsonl, csv");
    if (http_arg_long(r, "raw", 0, 1, 0, &raw) != 0)
        return (int)r->status;
    if ((f = tmpfile()) == NULL)
        return http_error(r, 500, "internal", NULL, "cannot make a temporary file");
    rc = strcmp(format, "jsonl") == 0 ? import_export_jsonl(&r->ctx, r->st, f)
                                      : csvio_export(&r->ctx, r->st, model_type(type), raw, f);
    if (rc != AT_OK || fflush(f) != 0 || fstat(fileno(f), &sb) != 0) {
        fclose(f);
        return http_core_error(r, rc != AT_OK ? rc : AT_ERR);
    }
    r->file_fd = dup(fileno(f));
    fclose(f);
    lseek(r->file_fd, 0, SEEK_SET);
    r->file_len = (uint64_t)sb.st_size;
    r->content_type = strcmp(format, "csv") == 0 ? "text/csv; charset=utf-8" : "application/x-ndjson";
    r->disposition = strcmp(format, "csv") == 0 ? "attachment; filename=\"attest-export.csv\""
                                                : "attachment; filename=\"attest-export.jsonl\"";
    r->status = 200;
    return 200;
}
