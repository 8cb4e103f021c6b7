/*
 * number.c: range-checked numbers from text.  See number.h.
 */
#include "attest.h"
#include "number.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>

/* How much of a bad value a message quotes. */
#define QUOTE_MAX 40

/* The length of the digits at s. */
static size_t digits(const char *s)
{
    size_t n = 0;

    while (isdigit((unsigned char)s[n]))
        n++;
    return n;
}

bool number_is_decimal(const char *text)
{
    const char *p = text;
    size_t whole, frac = 0;

    if (*p == '+' || *p == '-')
        p++;
    whole = digits(p);
    p += whole;
    if (*p == '.') {
        frac = digits(p + 1);
        p += 1 + frac;
    }
    if (whole + frac == 0)
        return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (digits(p) == 0)
            return false;
        p += digits(p);
    }
    return *p == '\0';
}

int number_parse_long(struct at_ctx *ctx, const char *name, const char *text, long min,
                      long max, long *out)
{
    const char *p = text + (*text == '+' || *text == '-');
    char *end;
    long x;

    errno = 0;
    x = strtol(text, &end, 10);
    if (digits(p) == 0 || *end != '\0' || errno != 0 || x < min || x > max)
        return ctx_error(ctx, AT_EINVAL, "%s: \"%.*s\" is not a whole number from %ld to %ld",
                         name, QUOTE_MAX, text, min, max);
    *out = x;
    return AT_OK;
}

int number_parse_double(struct at_ctx *ctx, const char *name, const char *text, double min,
                        double max, double *out)
{
    double x = number_is_decimal(text) ? strtod(text, NULL) : NAN;

    if (!isfinite(x) || x < min || x > max)
        return ctx_error(ctx, AT_EINVAL, "%s: \"%.*s\" is not a number from %g to %g",
                         name, QUOTE_MAX, text, min, max);
    *out = x;
    return AT_OK;
}
