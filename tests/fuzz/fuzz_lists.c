/*
 * fuzz_lists.c: feeds arbitrary bytes to the sanctions list readers: as a
 * UN consolidated list XML file, and as OFAC's sdn.csv and alt.csv.  Each
 * reader must either return entries or fail with a message; any entry
 * must have a key, a type and at least one name.
 */
#include "../../src/core/attest.h"
#include "../../src/core/lists.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];

static void write_file(const char *name, const uint8_t *data, size_t size)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        abort();
    if (size && fwrite(data, 1, size, f) != size)
        abort();
    fclose(f);
}

static void check(int rc, const struct at_ctx *ctx, struct list_data *d)
{
    json_t *e;
    size_t i;

    if (rc != AT_OK) {
        if (ctx->message[0] == '\0')
            abort(); /* every failure says why */
        return;
    }
    json_array_foreach(d->entries, i, e)
        if (!json_string_value(json_object_get(e, "key")) || !json_string_value(json_object_get(e, "type"))
            || json_array_size(json_object_get(e, "names")) == 0)
            abort();
    lists_data_free(d);
}

static void remove_dir(void)
{
    rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct at_ctx ctx = { 0 };
    struct list_data d;
    char path[128];

    if (dir[0] == '\0') {
        snprintf(dir, sizeof dir, "/tmp/fuzz-lists-XXXXXX");
        if (mkdtemp(dir) == NULL)
            abort();
        atexit(remove_dir);
    }
    write_file("un.xml", data, size);
    snprintf(path, sizeof path, "%s/un.xml", dir);
    check(lists_read_un(&ctx, path, &d), &ctx, &d);
    unlink(path);

    /* the same bytes as sdn.csv, then as alt.csv beside a valid sdn.csv */
    ctx = (struct at_ctx){ 0 };
    write_file("sdn.csv", data, size);
    check(lists_read_ofac(&ctx, dir, "2021-01-01", &d), &ctx, &d);
    static const char sdn[] =
        "1,\"KOREA TEST CORPORATION\",-0- ,\"DPRK\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"a.k.a. 'X'.\"\r\n";
    write_file("sdn.csv", (const uint8_t *)sdn, sizeof sdn - 1);
    write_file("alt.csv", data, size);
    ctx = (struct at_ctx){ 0 };
    check(lists_read_ofac(&ctx, dir, "2021-01-01", &d), &ctx, &d);
    snprintf(path, sizeof path, "%s/alt.csv", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/sdn.csv", dir);
    unlink(path);
    return 0;
}
