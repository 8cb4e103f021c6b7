/*
 * main.c: runs every registered unit test (or those whose name contains
 * argv[1]): first the plan, "1..N" (the number of tests it will run), then
 * one "ok"/"not ok" line per test, then a summary.  The registry grows as
 * tests register; a test that cannot be registered stops the run before
 * any test runs, so none is ever left out unseen.
 */
#include "unit.h"

#include <stdlib.h>
#include <unistd.h>

struct unit_case {
    const char *name;
    void (*fn)(void);
};

static struct unit_case *cases;
static int ncases, capacity;
static int current_failed;
static char current_skip[200];
static char tmpdir[256];

void unit_register(const char *name, void (*fn)(void))
{
    if (ncases == capacity) {
        int grown = capacity ? capacity * 2 : 256;
        struct unit_case *more = realloc(cases, (size_t)grown * sizeof *more);
        if (more == NULL) {
            fprintf(stderr, "unit: cannot register %s: out of memory\n", name);
            exit(1);
        }
        cases = more;
        capacity = grown;
    }
    cases[ncases++] = (struct unit_case){ name, fn };
}

static int selected(const struct unit_case *c, int argc, char **argv)
{
    return argc <= 1 || strstr(c->name, argv[1]) != NULL;
}

void unit_fail(const char *file, int line, const char *what)
{
    fprintf(stderr, "    %s:%d: %s\n", file, line, what);
    current_failed = 1;
}

void unit_skip(const char *reason)
{
    snprintf(current_skip, sizeof current_skip, "%s", reason);
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
    int passed = 0, failed = 0, planned = 0;
    char cmd[300];

    if (ncases > 0)
        qsort(cases, (size_t)ncases, sizeof cases[0], by_name);
    for (int i = 0; i < ncases; i++)
        planned += selected(&cases[i], argc, argv);
    printf("1..%d\n", planned);
    for (int i = 0; i < ncases; i++) {
        if (!selected(&cases[i], argc, argv))
            continue;
        snprintf(tmpdir, sizeof tmpdir, "/tmp/attest-unit-XXXXXX");
        if (mkdtemp(tmpdir) == NULL) {
            perror("mkdtemp");
            return 1;
        }
        current_failed = 0;
        current_skip[0] = '\0';
        fflush(stdout);
        cases[i].fn();
        if (current_skip[0] && !current_failed)
            printf("ok - unit/%s # SKIP %s\n", cases[i].name, current_skip);
        else
            printf("%s - unit/%s\n", current_failed ? "not ok" : "ok", cases[i].name);
        fflush(stdout);
        current_failed ? failed++ : passed++;
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", tmpdir);
    }
    printf("unit: %d passed, %d failed\n", passed, failed);
    free(cases);
    return failed ? 1 : 0;
}
