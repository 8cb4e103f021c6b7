/*
 * svg.h: small charts as standalone SVG documents, for the statistics of
 * `attest stats`, the estimates of `attest estimate` and the dashboard.
 *
 * Four kinds: bars over categories (grouped or stacked, vertical or
 * horizontal), points over categories with interval bars (estimates by
 * stratum beside the documented counts), lines and points over a numeric x
 * with optional interval bars (counts by year, a posterior or a profile
 * likelihood), and a histogram of draws with an optional kernel density
 * curve.  Every chart has a title, axes with round ticks, a legend when a
 * series is named, optional reference lines or shaded ranges, and an
 * optional note printed in full under the plot (a plain warning such as
 * "documented counts are not trends").
 *
 * The output is a complete <svg> element in UTF-8 with its own namespace,
 * a <title> and a <desc> for screen readers, and nothing active: no script,
 * no event attribute, no link, no external reference, no CSS url().  All
 * caller text goes through svg_escape.  The same input always gives the
 * same bytes (fixed formats, no clock, no random identifiers), so charts
 * can be compared and hashed.  Numbers NAN mean "no value here" and are
 * left out; infinities are refused.
 *
 * Every function appends to out; on failure it returns AT_EINVAL with a
 * message naming the argument, and out may hold a partial chart that the
 * caller discards.
 */
#ifndef SVG_H
#define SVG_H

#include "attest.h"

/* Defaults when a frame gives 0, and the limits of what a chart accepts. */
#define SVG_WIDTH 720
#define SVG_HEIGHT 400
#define SVG_MAX_SIDE 4000      /* largest width or height */
#define SVG_MAX_SERIES 8       /* one colour each (Okabe-Ito palette) */
#define SVG_MAX_CATEGORIES 500
#define SVG_MAX_POINTS 100000  /* per series or histogram */
#define SVG_MAX_TICKS 12

/* Options of a chart, or-ed into svg_frame.flags. */
enum {
    SVG_STACKED = 1 << 0,    /* svg_bars: series stacked, not side by side */
    SVG_HORIZONTAL = 1 << 1, /* svg_bars, svg_points: categories down the side */
    SVG_NO_LINE = 1 << 2,    /* svg_lines: points only */
    SVG_NO_DOTS = 1 << 3,    /* svg_lines: line only */
    SVG_Y_FROM_ZERO = 1 << 4,/* svg_lines, svg_points: the value axis includes 0 (bars always do) */
    SVG_DENSITY = 1 << 5,    /* svg_histogram: heights as density, with a kernel density curve */
    SVG_NO_VALUES = 1 << 6,  /* svg_bars: no value printed at the end of each bar */
    SVG_X_INTEGER = 1 << 7,  /* svg_lines, svg_histogram: x ticks at whole numbers, printed
                              * without thousands separators (years) */
    SVG_Y_INTEGER = 1 << 8,  /* value ticks at whole numbers (counts) */
};

/* A reference on the value axis (SVG_AT_Y; across the bars in a bar chart,
 * whatever its orientation) or on a numeric x (SVG_AT_X: svg_lines and
 * svg_histogram only).  from == to draws a dashed line, from < to a shaded
 * range (a 95% interval); label (may be NULL) is written beside it. */
enum svg_axis_kind { SVG_AT_X, SVG_AT_Y };
struct svg_rule {
    enum svg_axis_kind axis;
    double from, to;
    const char *label;
};

/* The language of a chart's own words: its title, axes, legend, notes and
 * hover texts.  A chart builder passes each of its words through
 * svg_word, whose one table (svg.c) holds every word in English and
 * Korean; data (categories, names) are drawn as given. */
enum svg_lang { SVG_EN, SVG_KO };

/* "en" or "ko" (NULL or "": English); AT_EINVAL naming the field "lang". */
int svg_lang_parse(struct at_ctx *ctx, const char *text, enum svg_lang *out);

/* en in lang, from the table; en itself in English, or when the table
 * lacks it in Korean, which counts as a miss (svg_word_misses). */
const char *svg_word(enum svg_lang lang, const char *en);

/* A note (sentences, each ending ". ") in lang, appended to out: each
 * sentence from the table, where a word that carries a figure or a code
 * (a digit, a bracket, two capitals running) is written "{}" and is put
 * back in its place in the Korean; a sentence the table lacks stays as
 * written and counts as a miss. */
void svg_note(enum svg_lang lang, const char *note, struct buf *out);

/* How many Korean look-ups this thread has made that the table lacked:
 * a test draws every chart in Korean and expects none. */
size_t svg_word_misses(void);

/* The table, for the test that every entry has its Korean. */
struct svg_word_pair {
    const char *en, *ko;
};
const struct svg_word_pair *svg_words(size_t *n);

/* What every chart shares.  title is required; the rest may be NULL/0. */
struct svg_frame {
    const char *title;       /* heading and <title> */
    const char *desc;        /* <desc>; NULL: the title */
    const char *x_label;     /* the category axis or the numeric x axis */
    const char *y_label;     /* the value axis (across the page when SVG_HORIZONTAL) */
    const char *note;        /* printed in full under the plot, wrapped */
    int width, height;       /* pixels; 0: SVG_WIDTH x SVG_HEIGHT */
    unsigned flags;          /* SVG_* options above */
    enum svg_lang lang;      /* of the words svg.c adds itself (hover texts' ranges) */
    const struct svg_rule *rules;
    size_t nrules;
};

/* One series over categories (svg_bars, svg_points): y[i] is the value of
 * category i; lo and hi (both or neither; may be NULL) an interval drawn as
 * a bar with end caps.  name labels it in the legend (NULL: no legend). */
struct svg_series {
    const char *name;
    const double *y;
    const double *lo, *hi;
};

/* One series over a numeric x (svg_lines): n points (x, y), drawn in the
 * order given, with optional interval bars lo..hi at each point. */
struct svg_curve {
    const char *name;
    const double *x, *y;
    const double *lo, *hi;
    size_t n;
};

/* Bars: labels[0..ncat) along the category axis, for each category one bar
 * per series side by side (or stacked with SVG_STACKED).  Values must be
 * >= 0 when stacked.  Intervals are drawn on unstacked bars. */
int svg_bars(struct at_ctx *ctx, struct buf *out, const struct svg_frame *f,
             const char *const *labels, size_t ncat, const struct svg_series *s, size_t ns);

/* Points with interval bars over categories: for each category one marker
 * per series, series offset a little so that their intervals do not hide
 * each other (e.g. "documented" without interval, "estimated" with one). */
int svg_points(struct at_ctx *ctx, struct buf *out, const struct svg_frame *f,
               const char *const *labels, size_t ncat, const struct svg_series *s, size_t ns);

/* Lines (and dots, and interval bars) over a numeric x axis. */
int svg_lines(struct at_ctx *ctx, struct buf *out, const struct svg_frame *f,
              const struct svg_curve *c, size_t nc);

/* A histogram of the n values v (e.g. posterior draws) in bins equal bins
 * (0: chosen by the Freedman-Diaconis rule, at most 100).  With
 * SVG_DENSITY the bars show density and a Gaussian kernel density curve
 * (Silverman's bandwidth) is drawn over them; otherwise bars show counts. */
int svg_histogram(struct at_ctx *ctx, struct buf *out, const struct svg_frame *f,
                  const double *v, size_t n, size_t bins);

/* Round ticks for an axis showing lo..hi: step is 1, 2 or 5 times a power
 * of ten, at least min_step (0: no minimum; 1 for whole numbers), the
 * smallest such that there are at most max (3..SVG_MAX_TICKS) ticks; the
 * axis is widened to [first, last], multiples of step with first <= lo and
 * last >= hi.  lo == hi is widened to lo - 1 .. hi + 1 (0 .. 1 for 0).
 * Returns the number of ticks written to ticks (ticks[i] = first + i*step),
 * or 0 when lo or hi is not finite or lo > hi. */
struct svg_axis {
    double first, last, step;
};
size_t svg_ticks(double lo, double hi, size_t max, double min_step, struct svg_axis *axis,
                 double ticks[SVG_MAX_TICKS]);

/* A number's text: as many decimals as step needs (step 0: up to 3,
 * trailing zeros dropped), thousands separated by commas unless plain
 * ("10,000", "0.25", "-1.5"; plain: "2019"), never "-0". */
void svg_format_number(struct buf *out, double v, double step, bool plain);

/* Appends s as XML character data or attribute text: & < > " ' escaped;
 * tab, newline and carriage return become spaces; other control characters
 * are dropped, and so are the bidirectional overrides and isolates (which
 * could make a label read backwards); bytes that are not UTF-8 (and code
 * points XML forbids) become U+FFFD.  NULL appends nothing. */
void svg_escape(struct buf *out, const char *s);

#endif
