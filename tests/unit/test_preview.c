/* test_preview.c: a PDF item's page count and a page drawn as PNG, the
 * range of pages, and a file that is no PDF refused with a clear message.
 * Skips where the sandbox or poppler cannot run. */
#include "../../src/core/attest.h"
#include "../../src/core/evlog.h"
#include "../../src/core/preview.h"
#include "../../src/core/vault.h"
#include "fixture.h"
#include "unit.h"

#include <stdio.h>
#include <unistd.h>

/* A PDF of two pages, each with a filled square, written by hand. */
static const char pdf_text[] =
    "%PDF-1.4\n"
    "1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    "2 0 obj << /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >> endobj\n"
    "3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 300] /Contents 5 0 R >> endobj\n"
    "4 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 300] /Contents 5 0 R >> endobj\n"
    "5 0 obj << /Length 24 >> stream\n0 0 1 rg 10 10 50 50 re f\nendstream endobj\n"
    "trailer << /Root 1 0 R >>\n%%EOF\n";

static int add_file(struct at_ctx *ctx, struct store *st, const char *name, const char *text,
                    char id[VAULT_ID_MAX])
{
    char path[512];
    bool existed;
    FILE *f;
    int rc;

    snprintf(path, sizeof path, "%s/%s", unit_tmpdir(), name);
    if ((f = fopen(path, "w")) == NULL)
        return AT_ERR;
    fputs(text, f);
    fclose(f);
    if ((rc = store_begin(ctx, st)) != AT_OK)
        return rc;
    if ((rc = vault_add_file(ctx, st, &(struct vault_add){ path, NULL, "application/pdf", NULL,
                                                            NULL, -1, NULL }, id, &existed)) != AT_OK) {
        store_rollback(st);
        return rc;
    }
    return evlog_commit(ctx, st);
}

UNIT_TEST(preview_pdf_pages_as_png)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st;
    struct buf png = BUF_INIT;
    char pdf[VAULT_ID_MAX], junk[VAULT_ID_MAX];
    unsigned pages = 0;

    if (sandbox_check(&ctx, &sandbox_defaults) != AT_OK || access("/usr/bin/pdftoppm", X_OK) != 0) {
        unit_skip("no sandbox or no poppler-utils here");
        return;
    }
    REQUIRE((st = unit_archive(&ctx, "a", &admin)) != NULL);
    REQUIRE(add_file(&ctx, st, "two.pdf", pdf_text, pdf) == AT_OK);
    REQUIRE(add_file(&ctx, st, "junk.pdf", "FICTIONAL: not a PDF at all\n", junk) == AT_OK);

    CHECK(preview_pdf(&ctx, st, &sandbox_defaults, pdf, 0, &pages, NULL) == AT_OK && pages == 2);
    CHECK(preview_pdf(&ctx, st, &sandbox_defaults, pdf, 2, &pages, &png) == AT_OK);
    REQUIRE(png.len > 24);
    CHECK(memcmp(png.data, "\x89PNG\r\n\x1a\n", 8) == 0);
    /* 200 x 300 points scaled to PREVIEW_PDF_PIXELS on the longer side. */
    CHECK(((unsigned char)png.data[22] << 8 | (unsigned char)png.data[23]) == PREVIEW_PDF_PIXELS);
    buf_reset(&png);
    CHECK(preview_pdf(&ctx, st, &sandbox_defaults, pdf, 3, &pages, &png) == AT_EINVAL);
    CHECK(strstr(ctx.message, "field \"page\"") != NULL && strstr(ctx.message, "1 to 2") != NULL);
    CHECK(preview_pdf(&ctx, st, &sandbox_defaults, junk, 1, &pages, &png) == AT_EINVAL);
    CHECK(strstr(ctx.message, "the PDF cannot be read") != NULL);
    CHECK(png.len == 0);
    buf_free(&png);
    store_close(st);
}
