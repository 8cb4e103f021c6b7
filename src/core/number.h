/*
 * number.h: numbers from text (command-line options, query strings, CSV
 * cells), checked the one way everywhere: decimal only, the whole text, in
 * a stated range.  strtol and strtod alone take "10abc", hexadecimal, "nan"
 * and "inf", and atoi wraps 99999999999 to 1215752191; these refuse them
 * with a message that names what would be valid.
 */
#ifndef NUMBER_H
#define NUMBER_H

#include "attest.h"

/* Parses text, an optional sign and decimal digits, into *out when it is
 * from min to max.  Otherwise returns AT_EINVAL with the message
 * 'NAME: "TEXT" is not a whole number from MIN to MAX'. */
int number_parse_long(struct at_ctx *ctx, const char *name, const char *text, long min,
                      long max, long *out);

/* Parses text, a decimal number (sign, digits, a point, an exponent; no
 * hexadecimal, nan or inf), into *out when it is from min to max.
 * Otherwise returns AT_EINVAL with the message 'NAME: "TEXT" is not a
 * number from MIN to MAX'. */
int number_parse_double(struct at_ctx *ctx, const char *name, const char *text, double min,
                        double max, double *out);

/* Whether text is a number as number_parse_double reads it, whatever its
 * size. */
bool number_is_decimal(const char *text);

#endif
