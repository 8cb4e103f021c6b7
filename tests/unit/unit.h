/*
 * unit.h: a tiny test harness.  A test is a function declared with
 * UNIT_TEST(name); it registers itself before main runs, so adding a test
 * file to tests/unit/ is all it takes.  CHECK records a failure and goes
 * on; REQUIRE records it and leaves the test.
 */
#ifndef UNIT_H
#define UNIT_H

#include <stdio.h>
#include <string.h>

void unit_register(const char *name, void (*fn)(void));
void unit_fail(const char *file, int line, const char *what);
/* Marks the running test as skipped, with why (data this machine lacks):
 * it prints "ok - unit/NAME # SKIP reason".  The test should return. */
void unit_skip(const char *reason);
/* A fresh empty directory for this test; removed when the run ends. */
const char *unit_tmpdir(void);

#define UNIT_TEST(name)                                              \
    static void name(void);                                          \
    __attribute__((constructor)) static void name##_register(void)  \
    {                                                                \
        unit_register(#name, name);                                  \
    }                                                                \
    static void name(void)

#define CHECK(expr)                                                  \
    do {                                                             \
        if (!(expr))                                                 \
            unit_fail(__FILE__, __LINE__, #expr);                    \
    } while (0)

#define REQUIRE(expr)                                                \
    do {                                                             \
        if (!(expr)) {                                               \
            unit_fail(__FILE__, __LINE__, #expr);                    \
            return;                                                  \
        }                                                            \
    } while (0)

#define CHECK_STR(got, want)                                         \
    do {                                                             \
        const char *g_ = (got), *w_ = (want);                        \
        if (g_ == NULL || strcmp(g_, w_) != 0) {                     \
            char m_[512];                                            \
            snprintf(m_, sizeof m_, "%s: got \"%s\", want \"%s\"",   \
                     #got, g_ ? g_ : "(null)", w_);                  \
            unit_fail(__FILE__, __LINE__, m_);                       \
        }                                                            \
    } while (0)

#endif
