/*
 * cli.c: helpers shared by the command files: opening the archive,
 * reporting errors, option values, JSON output and aligned tables.
 */
#include "cli.h"

#include "../core/keys.h"
#include "../core/unlock.h"

#include <errno.h>
#include <termios.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* The archive is encrypted: every command that opens it logs in. */
int cli_fail(struct cli *cli, int rc)
{
    fprintf(stderr, "attest: %s\n", cli->ctx.message[0] ? cli->ctx.message : "failed");
    return rc == AT_EINVAL ? EXIT_USAGE : EXIT_FAIL;
}

int cli_usage(const struct command *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "attest %s: ", cmd->name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nusage: %s\n(see 'attest help %s')\n", cmd->usage, cmd->name);
    return EXIT_USAGE;
}

bool cli_wants_help(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return true;
    return false;
}

int cli_option(const struct command *cmd, int argc, char **argv, int *i, const char *name,
               const char **value)
{
    const char *arg = argv[*i];
    size_t n = strlen(name);

    if (strncmp(arg, "--", 2) != 0 || strncmp(arg + 2, name, n) != 0)
        return 0;
    if (arg[2 + n] == '=') {
        *value = arg + 3 + n;
        return 1;
    }
    if (arg[2 + n] != '\0')
        return 0;
    if (*i + 1 >= argc) {
        cli_usage(cmd, "--%s needs a value", name);
        return -1;
    }
    *value = argv[++*i];
    return 1;
}

void cli_print_json(json_t *json)
{
    json_dumpf(json, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
    putchar('\n');
}

int cli_read_file(struct cli *cli, const char *path, struct buf *out)
{
    FILE *f = cli_fopen(cli, path);
    char chunk[65536];
    size_t n;

    if (f == NULL)
        return AT_ERR;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(out, chunk, n);
    if (f != stdin)
        fclose(f);
    return AT_OK;
}

FILE *cli_fopen(struct cli *cli, const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");

    if (f == NULL) {
        ctx_error(&cli->ctx, AT_ENOTFOUND, "cannot open %s: %s", path, strerror(errno));
        cli_fail(cli, AT_ENOTFOUND);
    }
    return f;
}

void cli_table_init(struct table *t, size_t ncols, ...)
{
    va_list ap;

    t->ncols = ncols;
    t->nrows = 0;
    t->cells = NULL;
    va_start(ap, ncols);
    t->cells = xrealloc(t->cells, sizeof(char *) * ncols);
    for (size_t c = 0; c < ncols; c++)
        t->cells[c] = xstrdup(va_arg(ap, const char *));
    va_end(ap);
    t->nrows = 1;
}

void cli_table_row(struct table *t, ...)
{
    va_list ap;

    t->cells = xrealloc(t->cells, sizeof(char *) * t->ncols * (t->nrows + 1));
    va_start(ap, t);
    for (size_t c = 0; c < t->ncols; c++) {
        const char *s = va_arg(ap, const char *);
        t->cells[t->nrows * t->ncols + c] = xstrdup(s ? s : "");
    }
    va_end(ap);
    t->nrows++;
}

/* Terminal columns taken by a UTF-8 string; newlines count as a space. */
static size_t display_width(const char *s)
{
    mbstate_t state = { 0 };
    size_t width = 0, n;
    wchar_t wc;

    while (*s) {
        n = mbrtowc(&wc, s, MB_CUR_MAX, &state);
        if (n == (size_t)-1 || n == (size_t)-2) {
            memset(&state, 0, sizeof state);
            s++, width++;
            continue;
        }
        int w = wcwidth(wc);
        width += w > 0 ? (size_t)w : 0;
        s += n;
    }
    return width;
}

void cli_table_print(struct table *t, FILE *out)
{
    size_t *width = xcalloc(t->ncols, sizeof *width);

    for (size_t r = 0; r < t->nrows; r++)
        for (size_t c = 0; c < t->ncols; c++) {
            char *cell = t->cells[r * t->ncols + c];
            for (char *p = cell; *p; p++)
                if (*p == '\n' || *p == '\r' || *p == '\t')
                    *p = ' ';
            size_t w = display_width(cell);
            if (w > width[c])
                width[c] = w;
        }
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++) {
            const char *cell = t->cells[r * t->ncols + c];
            bool last = c + 1 == t->ncols;
            fputs(cell, out);
            if (!last)
                for (size_t pad = display_width(cell); pad < width[c] + 2; pad++)
                    fputc(' ', out);
        }
        fputc('\n', out);
    }
    free(width);
}

void cli_table_free(struct table *t)
{
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    t->cells = NULL;
    t->nrows = 0;
}

int cli_read_passphrase(struct cli *cli, const char *prompt, struct buf *out)
{
    char chunk[256];
    ssize_t n;

    buf_reset(out);
    if (cli->passphrase_fd >= 0) {
        off_t at = 0;
        bool seekable = lseek(cli->passphrase_fd, 0, SEEK_CUR) >= 0;
        while ((n = seekable ? pread(cli->passphrase_fd, chunk, sizeof chunk, at)
                             : read(cli->passphrase_fd, chunk, sizeof chunk)) > 0) {
            char *nl = memchr(chunk, '\n', (size_t)n);
            buf_append(out, chunk, nl ? (size_t)(nl - chunk) : (size_t)n);
            at += n;
            if (nl)
                break;
        }
        sodium_memzero(chunk, sizeof chunk);
        if (n < 0)
            return ctx_error(&cli->ctx, AT_ERR, "cannot read the passphrase from fd %d: %s",
                             cli->passphrase_fd, strerror(errno));
    } else {
        struct termios old, quiet;
        FILE *tty = fopen("/dev/tty", "r+");
        if (tty == NULL)
            return ctx_error(&cli->ctx, AT_EINVAL, "a passphrase is needed and there is no "
                             "terminal to ask on; give --passphrase-fd N");
        fputs(prompt, tty);
        fflush(tty);
        tcgetattr(fileno(tty), &old);
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
        if (fgets(chunk, sizeof chunk, tty))
            buf_append(out, chunk, strcspn(chunk, "\n"));
        tcsetattr(fileno(tty), TCSAFLUSH, &old);
        fputc('\n', tty);
        fclose(tty);
        sodium_memzero(chunk, sizeof chunk);
    }
    if (out->len && out->data[out->len - 1] == '\r')
        out->data[--out->len] = '\0';
    return AT_OK;
}

int cli_login(struct cli *cli)
{
    struct buf pass = BUF_INIT;
    char prompt[128];
    int rc;

    if (cli->logged_in)
        return AT_OK;
    /* A key kept by 'attest unlock' first; the passphrase otherwise. */
    if ((rc = unlock_check(&cli->ctx, cli->archive)) != AT_OK)
        return rc;
    rc = unlock_open(&cli->ctx, cli->archive, cli->user, NULL, &cli->st, &cli->session);
    if (rc == AT_ENOTFOUND) {
        snprintf(prompt, sizeof prompt, "passphrase for %s: ", cli->user);
        if ((rc = cli_read_passphrase(cli, prompt, &pass)) == AT_OK)
            rc = unlock_open(&cli->ctx, cli->archive, cli->user, buf_str(&pass), &cli->st,
                             &cli->session);
    }
    if (rc == AT_OK) {
        cli->logged_in = true;
        store_set_session(cli->st, &cli->session);
    }
    sodium_memzero(pass.data, pass.cap);
    buf_free(&pass);
    return rc;
}

int cli_duration(const char *text, unsigned *seconds)
{
    static const struct { char unit; unsigned seconds; } units[] = {
        { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
    };
    char *end;
    unsigned long n;

    if (*text < '0' || *text > '9')
        return AT_EINVAL;
    n = strtoul(text, &end, 10);
    for (size_t i = 0; i < ARRAY_LEN(units); i++) {
        if (end[0] == units[i].unit && end[1] == '\0' && n > 0 && n <= 400UL * 86400 / units[i].seconds) {
            *seconds = (unsigned)(n * units[i].seconds);
            return AT_OK;
        }
    }
    return AT_EINVAL;
}
