/*
 * preview.h: evidence previews that need a parser: a PDF's pages drawn as
 * PNG images by poppler in the sandbox (sandbox.h), so that the PDF itself
 * never reaches a browser.
 */
#ifndef PREVIEW_H
#define PREVIEW_H

#include "attest.h"
#include "sandbox.h"
#include "store.h"

#define PREVIEW_PDF_BYTES_MAX ((uint64_t)64 << 20) /* larger PDFs are for download */
#define PREVIEW_PDF_PAGES_MAX 50u                  /* pages drawn, from the first */
#define PREVIEW_PDF_PIXELS 1400                    /* a page's longer side, in pixels */

/* Reads evidence item id (a read of the item: the session must be allowed
 * it) and sets *pages to the PDF's page count; when page is not 0, also
 * appends that page drawn as PNG to png.  AT_EINVAL when the item is too
 * large, page is out of range, or poppler cannot read it or is stopped
 * by a limit of lim; AT_ERR when the sandbox cannot run. */
int preview_pdf(struct at_ctx *ctx, struct store *st, const struct sandbox_limits *lim,
                const char *id, unsigned page, unsigned *pages, struct buf *png);

#endif
