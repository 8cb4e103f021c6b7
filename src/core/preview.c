/*
 * preview.c: a PDF evidence item's pages as PNG images.  See preview.h.
 *
 * The item is decrypted into memory (never to a file) and handed to
 * poppler's pdfinfo, for its page count, and pdftoppm, for one page, each
 * run in the sandbox with the bytes on its stdin.  Nothing poppler says
 * but the page count and the image is kept: its messages may quote the
 * document.
 */
#include "attest.h"
#include "preview.h"
#include "vault.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PDFINFO "/usr/bin/pdfinfo"
#define PDFTOPPM "/usr/bin/pdftoppm"

/* Reads item id whole into pdf. */
static int read_item(struct at_ctx *ctx, struct store *st, const char *id, struct buf *pdf)
{
    struct vault_reader *r = NULL;
    uint64_t size = 0;
    ssize_t n;
    int rc;

    if ((rc = vault_open(ctx, st, id, &r, &size)) != AT_OK)
        goto out;
    if (size > PREVIEW_PDF_BYTES_MAX) {
        rc = ctx_error(ctx, AT_EINVAL, "the PDF is %llu bytes, more than the %llu MiB a preview "
                       "reads; download it to open it", (unsigned long long)size,
                       (unsigned long long)(PREVIEW_PDF_BYTES_MAX >> 20));
        goto out;
    }
    buf_reserve(pdf, (size_t)size);
    do {
        buf_reserve(pdf, 65536);
        n = vault_read(ctx, r, pdf->data + pdf->len, 65536);
        if (n > 0)
            pdf->len += (size_t)n;
    } while (n > 0);
    if (n < 0)
        rc = AT_ERR;
out:
    vault_close(r);
    return rc;
}

/* The "Pages:" line of pdfinfo's output, or 0. */
static unsigned pages_of(const char *info)
{
    const char *p = strstr(info, "\nPages:");

    if (p == NULL && strncmp(info, "Pages:", 6) == 0)
        p = info - 1;
    return p ? (unsigned)strtoul(p + 7, NULL, 10) : 0;
}

int preview_pdf(struct at_ctx *ctx, struct store *st, const struct sandbox_limits *lim,
                const char *id, unsigned page, unsigned *pages, struct buf *png)
{
    const char *info_cmd[] = { PDFINFO, "-", NULL };
    char first[16], size[16];
    const char *draw_cmd[] = { PDFTOPPM, "-png", "-singlefile", "-scale-to", size,
                               "-f", first, "-l", first, "-", NULL };
    struct buf pdf = BUF_INIT, info = BUF_INIT;
    int rc;

    *pages = 0;
    if ((rc = sandbox_check(ctx, lim)) != AT_OK)
        return rc;
    if ((rc = read_item(ctx, st, id, &pdf)) != AT_OK)
        goto out;
    if ((rc = sandbox_run(ctx, lim, info_cmd, pdf.data ? pdf.data : "", pdf.len, &info)) != AT_OK) {
        ctx_prefix(ctx, "the PDF cannot be read: ");
        goto out;
    }
    if ((*pages = pages_of(buf_str(&info))) == 0) {
        rc = ctx_error(ctx, AT_EINVAL, "the PDF cannot be read: it has no pages");
        goto out;
    }
    if (page == 0)
        goto out;
    if (page > *pages || page > PREVIEW_PDF_PAGES_MAX) {
        rc = ctx_error(ctx, AT_EINVAL, "field \"page\": the preview has pages 1 to %u",
                       *pages < PREVIEW_PDF_PAGES_MAX ? *pages : PREVIEW_PDF_PAGES_MAX);
        goto out;
    }
    snprintf(first, sizeof first, "%u", page);
    snprintf(size, sizeof size, "%d", PREVIEW_PDF_PIXELS);
    if ((rc = sandbox_run(ctx, lim, draw_cmd, pdf.data, pdf.len, png)) != AT_OK)
        ctx_prefix(ctx, "page %u of the PDF cannot be drawn: ", page);
out:
    if (pdf.data)
        sodium_memzero(pdf.data, pdf.len);
    buf_free(&pdf);
    buf_free(&info);
    return rc;
}
