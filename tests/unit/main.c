/*
 * main.c: runs every registered unit test (or those whose name contains
 * argv[1]) and prints one "ok"/"not ok" line per test, then a summary.
 */
#include "unit.h"

#include <stdlib.h>
#include <unistd.h>

struct unit_case {
    const char *name;
    void (*fn)(void);
};

static struct unit_case cases[512];
static int ncases;
static int current_failed;
static char tmpdir[256];

void unit_register(const char *name, void (*fn)(void))
{
    if (ncases < (int)(sizeof cases / sizeof cases[0]))
        cases[ncases++] = (struct unit_case){ name, fn };
}

void unit_fail(const char *file, int line, const char *what)
{
    fprintf(stderr, "    %s:%d: %s\n", file, line, what);
    current_failed = 1;
}

const char *unit_tmpdir(void)
{
    return tmpdir;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct unit_case *)a)->name,
                  ((const struct unit_case *)b)->name);
}

int main(int argc, char **argv)
{
    int passed = 0, failed = 0;
    char cmd[300];

    qsort(cases, (size_t)ncases, sizeof cases[0], by_name);
    for (int i = 0; i < ncases; i++) {
        if (argc > 1 && strstr(cases[i].name, argv[1]) == NULL)
            continue;
        snprintf(tmpdir, sizeof tmpdir, "/tmp/attest-unit-XXXXXX");
        if (mkdtemp(tmpdir) == NULL) {
            perror("mkdtemp");
            return 1;
        }
        current_failed = 0;
        fflush(stdout);
        cases[i].fn();
        printf("%s - unit/%s\n", current_failed ? "not ok" : "ok", cases[i].name);
        fflush(stdout);
        current_failed ? failed++ : passed++;
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", tmpdir);
    }
    printf("unit: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
