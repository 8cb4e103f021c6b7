/*
 * cmd_import_document.c: `attest import document FILE|-` keeps a news
 * article, report or digest as document records with their text, split
 * into one document per article when the file is a digest, and suggests
 * tags in each (attest tags review).  Run by cmd_import.c.
 */
#include "cli.h"
#include "../core/document.h"
#include "../core/evlog.h"

#include <stdlib.h>
#include <string.h>

int cmd_import_document(struct cli *cli, int argc, char **argv)
{
    struct document_import im = { 0 };
    const char *path = NULL, *format = NULL;
    struct buf data = BUF_INIT;
    FILE *in = NULL;
    int rc = EXIT_USAGE;

    for (int i = 0; i < argc; i++) {
        int got;
        if ((got = cli_option(&import_command, argc, argv, &i, "url", &im.url)) ||
            (got = cli_option(&import_command, argc, argv, &i, "published", &im.published)) ||
            (got = cli_option(&import_command, argc, argv, &i, "publisher", &im.publisher)) ||
            (got = cli_option(&import_command, argc, argv, &i, "title", &im.title)) ||
            (got = cli_option(&import_command, argc, argv, &i, "format", &format))) {
            if (got < 0)
                goto out;
        } else if (path == NULL && (argv[i][0] != '-' || strcmp(argv[i], "-") == 0)) {
            path = argv[i];
        } else {
            rc = cli_usage(&import_command, "unexpected argument \"%s\"", argv[i]);
            goto out;
        }
    }
    if (path == NULL) {
        rc = cli_usage(&import_command, "give the document's file, or - for standard input");
        goto out;
    }
    im.name = strcmp(path, "-") == 0 ? "stdin" : path;
    if (format && document_format_parse(&cli->ctx, format, &im.format) != AT_OK) {
        rc = cli_fail(cli, AT_EINVAL);
        goto out;
    }
    if ((in = cli_fopen(cli, path)) == NULL) {
        rc = EXIT_FAIL;
        goto out;
    }
    if ((rc = document_read(&cli->ctx, in, im.name, &data)) != AT_OK) {
        fprintf(stderr, "attest: %s\nattest: nothing was imported\n", cli->ctx.message);
        rc = rc == AT_EINVAL ? EXIT_USAGE : EXIT_FAIL;
        goto out;
    }
    im.data = data.data ? data.data : "";
    im.len = data.len;
    if (format == NULL)
        im.format = document_sniff(path, im.data, im.len);
    if ((rc = evlog_write(&cli->ctx, cli->st, document_import_write, &im)) != AT_OK) {
        fprintf(stderr, "attest: %s\nattest: nothing was imported\n", cli->ctx.message);
        rc = rc == AT_EINVAL ? EXIT_USAGE : EXIT_FAIL;
        goto out;
    }
    size_t i;
    json_t *w;
    json_array_foreach(im.written, i, w) {
        const char *publisher = json_string_value(json_object_get(w, "publisher"));
        printf("%s\t%s\t%s\t%lld tags\n", json_string_value(json_object_get(w, "id")),
               publisher ? publisher : "-", json_string_value(json_object_get(w, "title")),
               (long long)json_integer_value(json_object_get(w, "tags")));
    }
    if (im.articles)
        fprintf(stderr, "imported %s (%s): digest %s split into %zu articles, %zu tags suggested; "
                "review them with 'attest tags review ID'\n", im.name, document_format_name(im.format),
                im.id, im.articles, im.tags);
    else
        fprintf(stderr, "imported %s (%s): document %s, %zu tags suggested; review them with "
                "'attest tags review %s'\n", im.name, document_format_name(im.format), im.id, im.tags,
                im.id);
    rc = EXIT_OK;
out:
    if (in && in != stdin)
        fclose(in);
    json_decref(im.written);
    buf_free(&data);
    return rc;
}
