/*
 * test_basemap.c: offline imagery: tiles told apart by their first bytes,
 * names checked and made from file names, an MBTiles file stored with its
 * rows flipped to the XYZ scheme, and a file with one bad tile refused
 * with nothing written.
 */
#include "../../src/core/attest.h"
#include "../../src/core/basemap.h"
#include "fixture.h"
#include "unit.h"

#include <string.h>

UNIT_TEST(basemap_format_by_magic_bytes)
{
    CHECK_STR(basemap_format("\x89PNG\r\n\x1a\nrest", 12), "png");
    CHECK_STR(basemap_format("\xff\xd8\xff\xe0", 4), "jpg");
    CHECK_STR(basemap_format("RIFF\0\0\0\0WEBPVP8 ", 16), "webp");
    CHECK(basemap_format("RIFF\0\0\0\0WAVE", 12) == NULL);
    CHECK(basemap_format("\x89PNG", 4) == NULL);
    CHECK(basemap_format("", 0) == NULL);
    CHECK_STR(basemap_content_type("jpg"), "image/jpeg");
}

UNIT_TEST(basemap_names)
{
    struct at_ctx ctx = { 0 };
    struct buf b = BUF_INIT;

    CHECK(basemap_name_check(&ctx, "hoeryong-2019_a") == AT_OK);
    CHECK(basemap_name_check(&ctx, "") == AT_EINVAL);
    CHECK(basemap_name_check(&ctx, "-x") == AT_EINVAL);
    CHECK(basemap_name_check(&ctx, "Upper") == AT_EINVAL);
    CHECK(basemap_name_check(&ctx, "a/b") == AT_EINVAL);
    CHECK(strstr(ctx.message, "a-z, 0-9") != NULL);
    basemap_name_from_path("/data/Hoeryong Scene.2019.mbtiles", &b);
    CHECK_STR(buf_str(&b), "hoeryong-scene-2019");
    CHECK(basemap_name_check(&ctx, buf_str(&b)) == AT_OK);
    buf_free(&b);
}

/* Writes an MBTiles file at path with one tile, z=1 x=1 TMS row 1 (XYZ
 * y 0), whose data is tile; and a second, bad one when bad is true. */
static int write_mbtiles(const char *path, const char *tile, size_t len, bool bad)
{
    sqlite3 *db;
    sqlite3_stmt *q;
    int rc = sqlite3_open(path, &db);

    rc = rc ?: sqlite3_exec(db, "CREATE TABLE tiles (zoom_level, tile_column, tile_row, tile_data);"
                                "CREATE TABLE metadata (name, value);",
                            NULL, NULL, NULL);
    rc = rc ?: sqlite3_prepare_v2(db, "INSERT INTO tiles VALUES (1, 1, 1, ?), (1, 0, 0, ?)", -1,
                                  &q, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_blob(q, 1, tile, (int)len, SQLITE_STATIC);
        sqlite3_bind_blob(q, 2, bad ? "GIF89a" : tile, bad ? 6 : (int)len, SQLITE_STATIC);
        rc = sqlite3_step(q) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
        sqlite3_finalize(q);
    }
    sqlite3_close(db);
    return rc;
}

static int count(void *arg, const struct basemap_info *b)
{
    (void)b;
    ++*(int *)arg;
    return AT_OK;
}

UNIT_TEST(basemap_add_serve_remove)
{
    static const char png[] = "\x89PNG\r\n\x1a\n-a-tile";
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    struct buf path = BUF_INIT, tile = BUF_INIT;
    struct basemap_info b;
    const char *format;
    int n = 0;

    REQUIRE(st != NULL);
    buf_printf(&path, "%s/bad.mbtiles", store_dir(st));
    REQUIRE(write_mbtiles(buf_str(&path), png, sizeof png - 1, true) == SQLITE_OK);
    CHECK(basemap_add(&ctx, st, buf_str(&path), "bad", NULL) == AT_EINVAL);
    CHECK(strstr(ctx.message, "bad.mbtiles: tile 1/0/0 is not a PNG, JPEG or WebP") != NULL);
    CHECK(basemap_each(&ctx, st, count, &n) == AT_OK && n == 0);
    CHECK(basemap_tile(&ctx, st, "bad", 1, 1, 0, &tile, &format, NULL) == AT_ENOTFOUND);
    char etag[BASEMAP_ETAG_MAX], etag2[BASEMAP_ETAG_MAX];

    buf_reset(&path);
    buf_printf(&path, "%s/good.mbtiles", store_dir(st));
    REQUIRE(write_mbtiles(buf_str(&path), png, sizeof png - 1, false) == SQLITE_OK);
    REQUIRE(basemap_add(&ctx, st, buf_str(&path), "good", &b) == AT_OK);
    CHECK(b.tiles == 2 && b.minzoom == 1 && b.maxzoom == 1);
    CHECK_STR(b.format, "png");
    CHECK(b.west == -180.0 && b.east == 180.0);
    CHECK(basemap_add(&ctx, st, buf_str(&path), "good", NULL) == AT_ECONFLICT);
    CHECK(basemap_each(&ctx, st, count, &n) == AT_OK && n == 1);
    /* TMS row 1 at zoom 1 is XYZ row 0. */
    CHECK(basemap_tile(&ctx, st, "good", 1, 1, 0, &tile, &format, NULL) == AT_OK);
    CHECK(tile.len == sizeof png - 1 && memcmp(buf_str(&tile), png, tile.len) == 0);
    CHECK_STR(format, "png");
    /* The ETag names the tile and the basemap as added, the same each time. */
    REQUIRE(basemap_tile(&ctx, st, "good", 1, 1, 0, &tile, &format, etag) == AT_OK);
    REQUIRE(basemap_tile(&ctx, st, "good", 1, 1, 0, &tile, &format, etag2) == AT_OK);
    CHECK(strlen(etag) == BASEMAP_ETAG_MAX - 1 && etag[0] == '"' && etag[BASEMAP_ETAG_MAX - 2] == '"');
    CHECK_STR(etag, etag2);
    CHECK(basemap_tile(&ctx, st, "good", 1, 1, 1, &tile, &format, NULL) == AT_ENOTFOUND);
    CHECK(basemap_remove(&ctx, st, "good") == AT_OK);
    CHECK(basemap_remove(&ctx, st, "good") == AT_ENOTFOUND);
    CHECK(basemap_tile(&ctx, st, "good", 1, 1, 0, &tile, &format, NULL) == AT_ENOTFOUND);
    buf_free(&path);
    buf_free(&tile);
    store_close(st);
    access_session_free(&admin);
}

/* The largest allocation SQLite made since the last call. */
static sqlite3_int64 sqlite_largest_malloc(void)
{
    sqlite3_int64 now, largest;

    sqlite3_status64(SQLITE_STATUS_MALLOC_SIZE, &now, &largest, 1);
    return largest;
}

/* A tile is found by its key alone: SQLite never holds a copy of a large
 * tile, neither to find it (a tile kept inside its key's b-tree was read
 * whole at each comparison of the search) nor to hand it over (its bytes
 * go straight into the caller's buffer). */
UNIT_TEST(basemap_tile_read_without_copies_of_the_tile)
{
    enum { LEN = 1 << 20 };
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    struct buf path = BUF_INIT, tile = BUF_INIT;
    char *big = xcalloc(1, LEN), etag[BASEMAP_ETAG_MAX], etag2[BASEMAP_ETAG_MAX];
    const char *format;

    REQUIRE(st != NULL);
    memcpy(big, "\x89PNG\r\n\x1a\n", 8);
    for (size_t i = 8; i < LEN; i++)
        big[i] = (char)(i * 7919 >> 3);
    buf_printf(&path, "%s/big.mbtiles", store_dir(st));
    REQUIRE(write_mbtiles(buf_str(&path), big, LEN, false) == SQLITE_OK);
    REQUIRE(basemap_add(&ctx, st, buf_str(&path), "big", NULL) == AT_OK);
    sqlite_largest_malloc();
    CHECK(basemap_tile_tag(&ctx, st, "big", 1, 1, 0, etag) == AT_OK);
    CHECK(sqlite_largest_malloc() < LEN / 4);
    CHECK(basemap_tile(&ctx, st, "big", 1, 1, 0, &tile, &format, etag2) == AT_OK);
    CHECK(sqlite_largest_malloc() < LEN / 4);
    CHECK(tile.len == LEN && memcmp(buf_str(&tile), big, LEN) == 0);
    CHECK_STR(format, "png");
    CHECK_STR(etag, etag2);
    CHECK(basemap_tile_tag(&ctx, st, "big", 2, 0, 0, etag) == AT_ENOTFOUND);
    free(big);
    buf_free(&path);
    buf_free(&tile);
    store_close(st);
    access_session_free(&admin);
}
