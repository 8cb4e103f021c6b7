/*
 * svg.c: small charts as standalone SVG documents (see svg.h).
 *
 * Every chart is laid out the same way: the title at the top, the legend
 * under it, the plot with its axes, the axis labels, and the note under
 * everything.  struct chart holds the layout; the functions below the
 * layout part draw into it.  Text widths are estimated (0.6 em for most
 * characters, 1 em from U+1100 on, which covers Hangul and CJK) since the
 * reader's font is unknown; long category labels are shortened with an
 * ellipsis and keep their full text in a <title>.
 */
#include "attest.h"
#include "svg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Okabe and Ito's palette, told apart by colour-blind readers too. */
static const char *const palette[SVG_MAX_SERIES] = {
    "#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7", "#56b4e9", "#000000", "#f0e442",
};

/* ---- the words of charts, in English and Korean ---- */

/* Every word a chart draws of its own, in one table: chart builders look
 * theirs up with svg_word; tests/unit/test_svg.c draws every chart in
 * Korean and fails on a word missing here. */
static const struct svg_word_pair words[] = {
    /* svg.c's own */
    { " to ", " ~ " },
    /* estimates (mse_chart.c) */
    { "Documented and estimated victims by stratum", "층별 기록된 피해자와 추정 피해자" },
    { "Documented counts come from convenience samples and are not trends: compare the estimates "
      "with their intervals, not the documented counts.",
      "기록된 수는 편의 표본에서 나온 것이며 추세가 아닙니다. 기록된 수가 아니라 추정치를 그 구간과 "
      "함께 비교하십시오." },
    { "stratum", "층" },
    { "victims", "피해자 수" },
    { "documented", "기록됨" },
    { "estimated, 95% interval", "추정치, 95% 구간" },
    { "95% interval", "95% 구간" },
    { "total victims N", "전체 피해자 수 N" },
    { "density", "밀도" },
    { "twice the drop in log-likelihood", "로그 가능도 감소량의 두 배" },
    { "posterior probability", "사후 확률" },
    { "all", "전체" },
    { "loglinear", "로그선형 모형" },
    { "dga", "분해 가능 그래프 평균(DGA)" },
    { "lcmcr", "잠재 계층 모형(LCMCR)" },
    { "chapman", "채프먼 추정" },
    /* sentences with figures or codes ("{}": each put back in its place,
     * svg_note); the estimates' warnings under a curve (mse_report.c) */
    { "The profile likelihood of the chosen model does not close: its interval is the normal one "
      "and is too narrow.",
      "선택된 모형의 프로파일 가능도가 닫히지 않습니다. 구간은 정규 근사 구간이어서 실제보다 "
      "좁습니다." },
    { "The chosen model {} has a {} term, the highest order considered: it is at the edge of the "
      "candidate models, and a richer dependence between the lists would move the estimate.",
      "선택된 모형 {}에는 고려한 가장 높은 차수의 항({})이 있습니다. 후보 모형의 경계에 있으므로 "
      "명단 사이의 의존을 더 풍부하게 잡으면 추정치가 달라집니다." },
    { "The chosen model {} uses every degree of freedom: nothing is left to check how well it fits.",
      "선택된 모형 {}은(는) 자유도를 모두 씁니다. 적합도를 확인할 여지가 남지 않습니다." },
    { "Model {} is almost as good by {} ({} behind) but estimates {} instead of {}: the choice of "
      "model alone moves the estimate by {}; consider dga or lcmcr, which average over models.",
      "모형 {}은(는) {} 기준으로 거의 같은 수준({} 차이)이지만 추정치가 {}입니다(선택된 모형은 {}). "
      "모형 선택만으로 추정치가 {} 달라지므로, 여러 모형을 평균하는 dga나 lcmcr을 고려하십시오." },
    { "With {} lists the search fitted every two-way model, then added three-way terms one at a "
      "time while {} improved; it did not fit every hierarchical model.",
      "명단이 {}개여서 이원 상호작용 모형을 모두 적합한 뒤, {}이(가) 나아지는 동안 삼원 항을 하나씩 "
      "더했습니다. 모든 계층 모형을 적합하지는 않았습니다." },
    { "The posterior still has {} of its weight near the top of the range searched (up to {}): the "
      "estimate may be cut off.",
      "사후 분포 가중치의 {}가 아직 탐색 범위의 위쪽 끝(최대 {}) 가까이에 있습니다. 추정치가 잘렸을 "
      "수 있습니다." },
    { "No single dependence graph is convincing (the most probable, {}, has {}): the estimate "
      "averages over several.",
      "뚜렷하게 설득력 있는 의존 그래프가 없습니다(가장 가능성 높은 {}도 {}). 추정치는 여러 그래프의 "
      "평균입니다." },
    { "The sampler may not have settled (Geweke z {}, split R-hat {}, {} effective draws): run it "
      "longer, with more samples or more thinning, and compare seeds.",
      "표본 추출이 아직 수렴하지 않았을 수 있습니다(Geweke z {}, 분할 R-hat {}, 유효 표본 {}개). "
      "표본 수나 솎아내기 간격을 늘려 더 오래 실행하고, 시드를 바꿔 비교하십시오." },
    { "Two-list estimates assume the lists are independent; lists that tend to name the same "
      "people make them too low.",
      "두 명단 추정은 두 명단이 서로 독립이라고 가정합니다. 같은 사람을 함께 올리는 경향이 있는 "
      "명단이면 추정치가 실제보다 낮아집니다." },
    /* the arrivals' and sale prices' notes (stats.c) */
    { "Counted from each witness's arrival date (field arrived); {} witnesses have none.",
      "증언자마다 입국 날짜(arrived 필드)로 셉니다. 입국 날짜가 없는 증언자는 {}명입니다." },
    { "Counted from each witness's arrival date (field arrived); a date that does not fix the "
      "half-year is counted as uncertain (--period year counts it by year); {} witnesses have none.",
      "증언자마다 입국 날짜(arrived 필드)로 셉니다. 반기가 정해지지 않는 날짜는 불확실로 셉니다"
      "(--period year로 하면 연도별로 셉니다). 입국 날짜가 없는 증언자는 {}명입니다." },
    { "Each sale of a chain counts once, at its own date and place; prices are converted to {}, the "
      "currency most sales were paid in (give --rate {} to convert others).",
      "한 경로의 거래는 각각 그 날짜와 장소에서 한 번씩 셉니다. 가격은 대부분의 거래에 쓰인 통화인 "
      "{}(으)로 환산했습니다(다른 통화는 --rate {}로 환율을 주면 환산합니다)." },
    { "Each sale of a chain counts once, at its own date and place; prices are converted to {} at "
      "the rates stated for this table.",
      "한 경로의 거래는 각각 그 날짜와 장소에서 한 번씩 셉니다. 가격은 이 표에 주어진 환율로 {}(으)로 "
      "환산했습니다." },
    { "Rate stated for this table: {} {} = {} {}.", "이 표에 주어진 환율: {} {} = {} {}." },
    { "{} sale in {}, with no rate given, left out.", "환율이 주어지지 않아 뺀 거래: {}건 ({})." },
    { "{} sales in {}, with no rate given, left out.", "환율이 주어지지 않아 뺀 거래: {}건 ({})." },
    /* statistics (stats.c): titles, axes, columns, notes */
    { "Acts by type", "유형별 행위" },
    { "Acts by year", "연도별 행위" },
    { "Acts by province", "도별 행위" },
    { "Victims by sex", "성별 피해자" },
    { "Victims by age at the act", "행위 당시 연령별 피해자" },
    { "Acts by perpetrator agency", "가해 기관별 행위" },
    { "Witnesses by home province", "출신 도별 증언자" },
    { "Witnesses by year of exit", "탈북 연도별 증언자" },
    { "Witnesses by sex", "성별 증언자" },
    { "Arrivals per year", "연도별 입국자" },
    { "Arrivals per half-year", "반기별 입국자" },
    { "Sale prices by year", "연도별 인신매매 가격" },
    { "Sale prices by region", "지역별 인신매매 가격" },
    { "ILO indicators of forced labour in the cases", "사건에 나타난 ILO 강제노동 지표" },
    { "Overseas workers by country of work", "근무 국가별 해외 노동자" },
    { "act type", "행위 유형" },
    { "year", "연도" },
    { "province", "도" },
    { "sex", "성별" },
    { "age band", "연령대" },
    { "agency", "기관" },
    { "home province", "출신 도" },
    { "year left", "탈북 연도" },
    { "period", "기간" },
    { "region", "지역" },
    { "indicator", "지표" },
    { "country", "국가" },
    { "number", "수" },
    { "acts", "행위 수" },
    { "witnesses", "증언자 수" },
    { "arrivals", "입국자 수" },
    { "women", "여성" },
    { "sales", "거래 수" },
    { "median", "중앙값" },
    { "observed", "관찰됨" },
    { "not_observed", "관찰되지 않음" },
    { "unknown", "알 수 없음" },
    { "workers", "노동자 수" },
    { "Documented counts from convenience samples are not trends: they rise and fall with who was "
      "interviewed, when and by whom, not only with what happened.",
      "편의 표본에서 나온 기록 건수는 추세가 아닙니다. 일어난 일뿐 아니라 누가, 언제, 누구에게 "
      "면담되었는지에 따라 오르내립니다." },
    { "These are the witnesses interviewed for this archive, a convenience sample, not all who left: "
      "where they come from and when they left shapes every other count.",
      "이 기록보관소를 위해 면담한 증언자들로, 떠난 모든 사람이 아닌 편의 표본입니다. 이들의 출신지와 "
      "떠난 시기가 다른 모든 수치를 좌우합니다." },
    { "The year is the act's date, or its event's; a date not within one year is counted as uncertain.",
      "연도는 행위의 날짜, 없으면 그 사건의 날짜입니다. 한 해 안에 들지 않는 날짜는 불확실로 "
      "집계합니다." },
    { "The province is the act's event's.", "도는 행위가 속한 사건의 도입니다." },
    { "A victim is counted once for each act; counted groups have no sex recorded.",
      "피해자는 행위마다 한 번씩 집계되며, 수로만 기록된 집단에는 성별이 없습니다." },
    { "Age is the act's year less the year of birth, where both are known to the year.",
      "연령은 행위 연도에서 출생 연도를 뺀 값이며, 둘 다 연 단위로 알려진 경우에만 계산합니다." },
    { "An agency is an organisation involved in the act or its event, or one that a person involved "
      "belongs to; an act with several agencies counts under each.",
      "기관은 행위나 그 사건에 관여한 조직, 또는 관여한 사람이 속한 조직입니다. 여러 기관이 관여한 "
      "행위는 각 기관에 집계됩니다." },
    { "Cells of fewer than 5 witnesses are withheld at this clearance and not drawn.",
      "이 열람 등급에서는 증언자가 5명 미만인 칸을 공개하지 않으며 그리지 않습니다." },
    { "Cases of both kinds; unknown counts the cases where the indicator is unknown or not recorded.",
      "두 종류의 사건을 모두 포함하며, '알 수 없음'은 지표가 알려지지 않았거나 기록되지 않은 사건의 "
      "수입니다." },
    { "One overseas-labour case is one worker; the share is the median percent of the stated wage "
      "taken, where recorded.",
      "해외 노동 사건 하나가 노동자 한 명이며, 비율은 기록된 경우 명시된 임금에서 떼인 몫의 "
      "중앙값(%)입니다." },
    { "The region is the province in North Korea, else the country, of a place the gazetteer knows; "
      "otherwise the place as written.",
      "지역은 지명 사전에 있는 장소의 북한 도, 아니면 국가이며, 그 외에는 기록된 장소 그대로입니다." },
};

static _Thread_local size_t word_misses;

int svg_lang_parse(struct at_ctx *ctx, const char *text, enum svg_lang *out)
{
    if (text == NULL || *text == '\0' || strcmp(text, "en") == 0)
        *out = SVG_EN;
    else if (strcmp(text, "ko") == 0)
        *out = SVG_KO;
    else
        return ctx_error(ctx, AT_EINVAL, "lang \"%.20s\": use en or ko", text);
    return AT_OK;
}

const char *svg_word(enum svg_lang lang, const char *en)
{
    if (lang == SVG_EN || en == NULL)
        return en;
    for (size_t i = 0; i < ARRAY_LEN(words); i++)
        if (strcmp(words[i].en, en) == 0)
            return words[i].ko;
    word_misses++;
    return en;
}

/* Whether a word of a sentence (its core: no opening bracket, no closing
 * punctuation) is a figure or code of the data rather than a word. */
static bool word_is_data(const char *w, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((w[i] >= '0' && w[i] <= '9') || w[i] == '['
            || (i + 1 < n && w[i] >= 'A' && w[i] <= 'Z' && w[i + 1] >= 'A' && w[i + 1] <= 'Z'))
            return true;
    return false;
}

/* One sentence of n bytes in Korean, appended to out (see svg_note). */
static void sentence_ko(const char *en, size_t n, struct buf *out)
{
    struct buf text = BUF_INIT, shape = BUF_INIT;
    const char *data[16], *ko, *p = en, *end = en + n;
    size_t data_len[16], ndata = 0;

    buf_append(&text, en, n);
    for (size_t i = 0; i < ARRAY_LEN(words); i++)
        if (strcmp(words[i].en, buf_str(&text)) == 0) {
            buf_puts(out, words[i].ko);
            goto out;
        }
    while (p < end) {
        size_t w = strcspn(p, " "), lead = 0, trail = 0;

        if (w > (size_t)(end - p))
            w = (size_t)(end - p);
        while (lead < w && p[lead] == '(')
            lead++;
        while (trail < w - lead && strchr(",;:.)", p[w - 1 - trail]))
            trail++;
        if (ndata < ARRAY_LEN(data) && word_is_data(p + lead, w - lead - trail)) {
            data[ndata] = p + lead;
            data_len[ndata++] = w - lead - trail;
            buf_printf(&shape, "%.*s{}%.*s", (int)lead, p, (int)trail, p + w - trail);
        } else {
            buf_append(&shape, p, w);
        }
        p += w;
        for (; p < end && *p == ' '; p++)
            buf_putc(&shape, ' ');
    }
    ko = ndata ? svg_word(SVG_KO, buf_str(&shape)) : svg_word(SVG_KO, buf_str(&text));
    if (ko == buf_str(&shape) || ko == buf_str(&text)) {
        buf_puts(out, buf_str(&text));
        goto out;
    }
    for (size_t k = 0; *ko; ) {
        if (ko[0] == '{' && ko[1] == '}' && k < ndata) {
            buf_append(out, data[k], data_len[k]);
            k++;
            ko += 2;
        } else {
            buf_putc(out, *ko++);
        }
    }
out:
    buf_free(&text);
    buf_free(&shape);
}

void svg_note(enum svg_lang lang, const char *note, struct buf *out)
{
    if (lang == SVG_EN) {
        buf_puts(out, note);
        return;
    }
    while (*note) {
        const char *end = strstr(note, ". ");
        size_t n = end ? (size_t)(end - note) + 1 : strlen(note);

        if (out->len)
            buf_putc(out, ' ');
        sentence_ko(note, n, out);
        note += n;
        while (*note == ' ')
            note++;
    }
}

size_t svg_word_misses(void)
{
    return word_misses;
}

const struct svg_word_pair *svg_words(size_t *n)
{
    *n = ARRAY_LEN(words);
    return words;
}

#define FONT 12          /* ticks, labels, note */
#define SMALL 10         /* values on bars, rule labels */
#define TITLE_FONT 15
#define LINE 16          /* height of a line of FONT text */
#define PAD 12           /* around the document */
#define MAX_LABEL 180.0  /* widest category label, in pixels */
#define MAX_RULES 32
#define KDE_STEPS 200
#define MAX_BAR 48.0     /* thickest bar, in pixels */
#define MIN_PLOT 100.0   /* least height of a plot across the page */

/* ---- text ---- */

/* Decodes the UTF-8 character at s into *cp; returns its length (at least
 * 1).  A malformed sequence gives U+FFFD and the length of what was read. */
static size_t utf8_next(const unsigned char *s, uint32_t *cp)
{
    unsigned c = s[0];
    size_t n, i;
    uint32_t v, min;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2, v = c & 0x1f, min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3, v = c & 0x0f, min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4, v = c & 0x07, min = 0x10000;
    } else {
        *cp = 0xfffd;
        return 1;
    }
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            *cp = 0xfffd;
            return i;
        }
        v = v << 6 | (s[i] & 0x3f);
    }
    *cp = v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff) ? 0xfffd : v;
    return n;
}

static bool is_dropped(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e)
           || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e || cp == 0x200f;
}

void svg_escape(struct buf *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    uint32_t cp;
    size_t n;

    for (; p && *p; p += n) {
        n = utf8_next(p, &cp);
        switch (cp) {
        case '&': buf_puts(out, "&amp;"); break;
        case '<': buf_puts(out, "&lt;"); break;
        case '>': buf_puts(out, "&gt;"); break;
        case '"': buf_puts(out, "&quot;"); break;
        case '\'': buf_puts(out, "&#39;"); break;
        case '\t': case '\n': case '\r': buf_putc(out, ' '); break;
        default:
            if (cp == 0xfffd || cp == 0xfffe || cp == 0xffff)
                buf_puts(out, "\xef\xbf\xbd");
            else if (!is_dropped(cp))
                buf_append(out, p, n);
        }
    }
}

static double char_width(uint32_t cp, double size)
{
    return (cp >= 0x1100 ? 1.0 : 0.6) * size;
}

static double text_width(const char *s, double size)
{
    const unsigned char *p = (const unsigned char *)s;
    double w = 0;
    uint32_t cp;

    for (; p && *p; p += utf8_next(p, &cp))
        utf8_next(p, &cp), w += is_dropped(cp) ? 0 : char_width(cp, size);
    return w;
}

/* The first bytes of s that fit in max pixels with an ellipsis after them;
 * returns their length, or strlen(s) when all of s fits. */
static size_t text_fit(const char *s, double size, double max)
{
    const unsigned char *p = (const unsigned char *)s;
    double w = 0, room = max - char_width(0x2026, size);
    size_t n, fit = 0;
    uint32_t cp;

    if (text_width(s, size) <= max)
        return strlen(s);
    for (; *p; p += n) {
        n = utf8_next(p, &cp);
        w += char_width(cp, size);
        if (w > room)
            break;
        fit = (size_t)(p + n - (const unsigned char *)s);
    }
    return fit;
}

/* Appends the number v as an attribute value with one decimal. */
static void num(struct buf *out, double v)
{
    if (fabs(v) < 0.05)
        v = 0;
    buf_printf(out, "%.1f", v);
}

/* Appends <text ATTRS>S</text> at (x, y); S shortened to max pixels (0: no
 * limit) with its full text kept in a <title>.  attrs may be "". */
static void text_at(struct buf *out, double x, double y, const char *attrs, double size,
                    double max, const char *s)
{
    size_t fit = max > 0 ? text_fit(s, size, max) : strlen(s);
    char *cut;

    buf_puts(out, "<text x=\"");
    num(out, x);
    buf_puts(out, "\" y=\"");
    num(out, y);
    buf_printf(out, "\"%s%s", *attrs ? " " : "", attrs);
    if (size != FONT)
        buf_printf(out, " font-size=\"%d\"", (int)size);
    buf_putc(out, '>');
    if (fit == strlen(s)) {
        svg_escape(out, s);
    } else {
        cut = xmalloc(fit + 1);
        memcpy(cut, s, fit);
        cut[fit] = '\0';
        svg_escape(out, cut);
        free(cut);
        buf_puts(out, "\xe2\x80\xa6<title>");
        svg_escape(out, s);
        buf_puts(out, "</title>");
    }
    buf_puts(out, "</text>\n");
}

/* ---- numbers and ticks ---- */

static int decimals_of(double step)
{
    double scaled;

    for (int d = 0; d < 9; d++) {
        scaled = step * pow(10, d);
        if (fabs(scaled - round(scaled)) < 1e-6 * fmax(1, scaled))
            return d;
    }
    return 9;
}

void svg_format_number(struct buf *out, double v, double step, bool plain)
{
    char t[400], *p, *dot, *end;
    int d = step > 0 ? decimals_of(step) : 3;
    size_t intlen, i;

    snprintf(t, sizeof t, "%.*f", d, v);
    if (step <= 0 && strchr(t, '.')) {
        end = t + strlen(t);
        while (end[-1] == '0')
            *--end = '\0';
        if (end[-1] == '.')
            end[-1] = '\0';
    }
    p = t;
    if (*p == '-') {
        if (strspn(t + 1, "0.") == strlen(t + 1))
            p++;           /* never "-0" */
        else
            buf_putc(out, *p++);
    }
    dot = strchr(p, '.');
    intlen = dot ? (size_t)(dot - p) : strlen(p);
    for (i = 0; i < intlen; i++) {
        if (!plain && i > 0 && (intlen - i) % 3 == 0)
            buf_putc(out, ',');
        buf_putc(out, p[i]);
    }
    buf_puts(out, p + intlen);
}

size_t svg_ticks(double lo, double hi, size_t max, double min_step, struct svg_axis *axis,
                 double ticks[SVG_MAX_TICKS])
{
    static const double mult[] = { 1, 2, 5 };
    double span, step, k0, k1;
    size_t n;
    int e;

    if (!isfinite(lo) || !isfinite(hi) || lo > hi)
        return 0;
    if (max < 3)
        max = 3;   /* a range across 0 needs three */
    if (max > SVG_MAX_TICKS)
        max = SVG_MAX_TICKS;
    if (lo == hi) {
        if (lo == 0)
            hi = 1;
        else
            lo -= 1, hi += 1;
    }
    span = hi - lo;
    if (!isfinite(span) || !(span > 0))   /* equal values too large for +-1 to part */
        return 0;
    for (e = (int)floor(log10(span) - log10((double)(max - 1))) - 1; e < 310; e++) {
        for (size_t m = 0; m < ARRAY_LEN(mult); m++) {
            step = mult[m] * pow(10, e);
            if (!(step > 0) || step < min_step)   /* 10^e below the denormals */
                continue;
            k0 = floor(lo / step + 1e-9);
            k1 = ceil(hi / step - 1e-9);
            if (k1 - k0 + 1 > (double)max)
                continue;
            n = (size_t)(k1 - k0) + 1;
            if (n < 2)
                n = 2, k1 = k0 + 1;
            axis->first = k0 * step;
            axis->last = k1 * step;
            axis->step = step;
            for (size_t i = 0; i < n; i++)
                ticks[i] = (k0 + (double)i) * step;
            return n;
        }
    }
    return 0;
}

/* ---- checks ---- */

static int check_values(struct at_ctx *ctx, const char *what, size_t j, const double *v,
                        size_t n, bool nan_ok)
{
    for (size_t i = 0; i < n; i++)
        if (isinf(v[i]) || (!nan_ok && isnan(v[i])))
            return ctx_error(ctx, AT_EINVAL, "chart: %s of series %zu, value %zu: %s", what,
                             j + 1, i + 1, "must be a finite number");
    return AT_OK;
}

static int check_frame(struct at_ctx *ctx, const struct svg_frame *f, bool numeric_x)
{
    const struct svg_rule *r;

    if (f == NULL || f->title == NULL)
        return ctx_error(ctx, AT_EINVAL, "chart: a title is required");
    if ((f->width && (f->width < 200 || f->width > SVG_MAX_SIDE))
        || (f->height && (f->height < 150 || f->height > SVG_MAX_SIDE)))
        return ctx_error(ctx, AT_EINVAL,
                         "chart: width must be 200 to %d and height 150 to %d pixels (or 0)",
                         SVG_MAX_SIDE, SVG_MAX_SIDE);
    if (f->nrules > MAX_RULES || (f->nrules && f->rules == NULL))
        return ctx_error(ctx, AT_EINVAL, "chart: at most %d rules, given as an array",
                         MAX_RULES);
    for (size_t i = 0; i < f->nrules; i++) {
        r = &f->rules[i];
        if (!isfinite(r->from) || !isfinite(r->to) || r->from > r->to)
            return ctx_error(ctx, AT_EINVAL,
                             "chart: rule %zu: from and to must be finite, from <= to", i + 1);
        if (r->axis == SVG_AT_X && !numeric_x)
            return ctx_error(ctx, AT_EINVAL,
                             "chart: rule %zu: an x rule needs a numeric x axis "
                             "(lines or histogram); use SVG_AT_Y", i + 1);
    }
    return AT_OK;
}

static int check_series(struct at_ctx *ctx, const char *const *labels, size_t ncat,
                        const struct svg_series *s, size_t ns, bool stacked)
{
    if (ncat == 0 || ncat > SVG_MAX_CATEGORIES || labels == NULL)
        return ctx_error(ctx, AT_EINVAL, "chart: 1 to %d categories are needed, %zu given",
                         SVG_MAX_CATEGORIES, ncat);
    for (size_t i = 0; i < ncat; i++)
        if (labels[i] == NULL)
            return ctx_error(ctx, AT_EINVAL, "chart: category %zu has no label", i + 1);
    if (ns == 0 || ns > SVG_MAX_SERIES || s == NULL)
        return ctx_error(ctx, AT_EINVAL, "chart: 1 to %d series are needed, %zu given",
                         SVG_MAX_SERIES, ns);
    for (size_t j = 0; j < ns; j++) {
        if (s[j].y == NULL || (s[j].lo == NULL) != (s[j].hi == NULL))
            return ctx_error(ctx, AT_EINVAL,
                             "chart: series %zu needs values, and lo and hi both or neither",
                             j + 1);
        if (check_values(ctx, "y", j, s[j].y, ncat, true) != AT_OK
            || (s[j].lo && (check_values(ctx, "lo", j, s[j].lo, ncat, true) != AT_OK
                            || check_values(ctx, "hi", j, s[j].hi, ncat, true) != AT_OK)))
            return AT_EINVAL;
        for (size_t i = 0; stacked && i < ncat; i++)
            if (s[j].y[i] < 0)
                return ctx_error(ctx, AT_EINVAL,
                                 "chart: series %zu, value %zu: stacked bars must be >= 0",
                                 j + 1, i + 1);
    }
    return AT_OK;
}

/* ---- layout ---- */

/* A range of values that grows as values are seen; NAN is skipped. */
struct range {
    double lo, hi;
    bool any;
};

static void range_add(struct range *r, double v)
{
    if (isnan(v))
        return;
    if (!r->any || v < r->lo)
        r->lo = v;
    if (!r->any || v > r->hi)
        r->hi = v;
    r->any = true;
}

static void range_rules(struct range *r, const struct svg_frame *f, enum svg_axis_kind axis)
{
    for (size_t i = 0; i < f->nrules; i++)
        if (f->rules[i].axis == axis)
            range_add(r, f->rules[i].from), range_add(r, f->rules[i].to);
}

struct chart {
    struct buf *out;
    const struct svg_frame *f;
    bool horizontal;                 /* value axis across the page */
    double w, h;                     /* the document */
    double x0, y0, pw, ph;           /* the plot: left, top, width, height */
    double legend_y;                 /* baseline of the legend's first row */
    const char *names[SVG_MAX_SERIES];
    size_t nnames;
    struct svg_axis va, xa;          /* value axis; numeric x axis */
    double vt[SVG_MAX_TICKS], xt[SVG_MAX_TICKS];
    size_t nvt, nxt;
    bool x_numeric, x_plain;
    size_t note_lines;
};

static int chart_axis(struct at_ctx *ctx, struct range r, double min_step, bool zero,
                      struct svg_axis *a, double *t, size_t *n)
{
    if (!r.any)
        r.lo = r.hi = 0, r.any = true;
    if (zero)
        range_add(&r, 0);
    *n = svg_ticks(r.lo, r.hi, 8, min_step, a, t);
    if (*n == 0)
        return ctx_error(ctx, AT_EINVAL, "chart: the values are too large to draw");
    return AT_OK;
}

static double tick_labels_width(const double *t, size_t n, double step, bool plain)
{
    struct buf b = BUF_INIT;
    double w = 0;

    for (size_t i = 0; i < n; i++) {
        buf_reset(&b);
        svg_format_number(&b, t[i], step, plain);
        w = fmax(w, text_width(buf_str(&b), FONT));
    }
    buf_free(&b);
    return w;
}

/* Splits the note into lines of at most width pixels, at spaces; calls
 * emit for each line when out is given; returns the number of lines. */
static size_t note_wrap(const char *note, double width, struct buf *out, double x, double y)
{
    struct buf line = BUF_INIT, word = BUF_INIT;
    const char *p = note;
    size_t lines = 0, n;

    while (p && *p) {
        n = strcspn(p, " ");
        buf_reset(&word);
        buf_append(&word, p, n);
        p += n;
        p += strspn(p, " ");
        if (line.len && text_width(buf_str(&line), FONT) + text_width(buf_str(&word), FONT)
                                + FONT * 0.6 > width) {
            if (out)
                text_at(out, x, y + (double)lines * LINE, "fill=\"#8a3b00\"", FONT, 0,
                        buf_str(&line));
            lines++;
            buf_reset(&line);
        }
        if (line.len)
            buf_putc(&line, ' ');
        buf_puts(&line, buf_str(&word));
    }
    if (line.len) {
        if (out)
            text_at(out, x, y + (double)lines * LINE, "fill=\"#8a3b00\"", FONT, 0,
                    buf_str(&line));
        lines++;
    }
    buf_free(&line);
    buf_free(&word);
    return lines;
}

/* Rows the legend takes, laid out from PAD across width w. */
static size_t legend_rows(const struct chart *c, bool draw)
{
    double x = PAD, y = c->legend_y, item;
    size_t rows = 0;

    for (size_t i = 0; i < c->nnames; i++) {
        if (c->names[i] == NULL)
            continue;
        item = 18 + fmin(text_width(c->names[i], FONT), MAX_LABEL) + 16;
        if (rows == 0 || (x + item > c->w - PAD && x > PAD)) {
            if (rows)
                y += LINE;
            rows++;
            x = PAD;
        }
        if (draw) {
            buf_puts(c->out, "<rect x=\"");
            num(c->out, x);
            buf_puts(c->out, "\" y=\"");
            num(c->out, y - 10);
            buf_printf(c->out, "\" width=\"12\" height=\"12\" fill=\"%s\"/>\n", palette[i]);
            text_at(c->out, x + 18, y, "", FONT, MAX_LABEL, c->names[i]);
        }
        x += item;
    }
    return rows;
}

/* Places the plot inside the document.  left and bottom are what the axes'
 * labels need below and beside the plot; min_ph the least plot height. */
static void chart_place(struct chart *c, double left, double bottom, double min_ph)
{
    const struct svg_frame *f = c->f;
    double top, foot;

    c->legend_y = PAD + TITLE_FONT + 4 + LINE;
    top = PAD + TITLE_FONT + 12 + (double)legend_rows(c, false) * LINE;
    c->note_lines = f->note ? note_wrap(f->note, c->w - 2 * PAD, NULL, 0, 0) : 0;
    foot = bottom + (f->x_label || (c->horizontal && f->y_label) ? LINE + 4 : 0)
           + (double)c->note_lines * LINE + (c->note_lines ? 8 : 0) + PAD;
    c->x0 = left + PAD + (f->y_label || (c->horizontal && f->x_label) ? LINE + 4 : 0);
    c->pw = c->w - c->x0 - PAD - 20;
    c->y0 = top + 6;
    c->ph = c->h - c->y0 - foot;
    if (c->ph < min_ph) {
        c->h += min_ph - c->ph;
        c->ph = min_ph;
    }
}

static void chart_open(struct chart *c)
{
    struct buf *out = c->out;

    buf_puts(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"");
    num(out, c->w);
    buf_puts(out, "\" height=\"");
    num(out, c->h);
    buf_puts(out, "\" viewBox=\"0 0 ");
    num(out, c->w);
    buf_putc(out, ' ');
    num(out, c->h);
    buf_printf(out, "\" role=\"img\" font-family=\"sans-serif\" font-size=\"%d\">\n<title>",
               FONT);
    svg_escape(out, c->f->title);
    buf_puts(out, "</title>\n<desc>");
    svg_escape(out, c->f->desc ? c->f->desc : c->f->title);
    buf_puts(out, "</desc>\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
    text_at(out, PAD, PAD + TITLE_FONT, "font-weight=\"bold\"", TITLE_FONT, c->w - 2 * PAD,
            c->f->title);
    legend_rows(c, true);
}

/* The position of value v along the value axis. */
static double vpos(const struct chart *c, double v)
{
    double t = (v - c->va.first) / (c->va.last - c->va.first);

    return c->horizontal ? c->x0 + t * c->pw : c->y0 + (1 - t) * c->ph;
}

static double xpos(const struct chart *c, double x)
{
    return c->x0 + (x - c->xa.first) / (c->xa.last - c->xa.first) * c->pw;
}

/* A line from (x1, y1) to (x2, y2) with extra attributes. */
static void line(struct buf *out, double x1, double y1, double x2, double y2, const char *attrs)
{
    buf_puts(out, "<line x1=\"");
    num(out, x1);
    buf_puts(out, "\" y1=\"");
    num(out, y1);
    buf_puts(out, "\" x2=\"");
    num(out, x2);
    buf_puts(out, "\" y2=\"");
    num(out, y2);
    buf_printf(out, "\" %s/>\n", attrs);
}

static void rect(struct buf *out, double x, double y, double w, double h, const char *attrs)
{
    buf_puts(out, "<rect x=\"");
    num(out, x);
    buf_puts(out, "\" y=\"");
    num(out, y);
    buf_puts(out, "\" width=\"");
    num(out, fmax(w, 0));
    buf_puts(out, "\" height=\"");
    num(out, fmax(h, 0));
    buf_printf(out, "\" %s", attrs);
}

/* The value axis: grid lines, tick labels and its label. */
static void draw_value_axis(struct chart *c)
{
    struct buf *out = c->out, t = BUF_INIT;
    double p;

    for (size_t i = 0; i < c->nvt; i++) {
        p = vpos(c, c->vt[i]);
        buf_reset(&t);
        svg_format_number(&t, c->vt[i], c->va.step, false);
        if (c->horizontal) {
            line(out, p, c->y0, p, c->y0 + c->ph, "stroke=\"#dddddd\"");
            text_at(out, p, c->y0 + c->ph + LINE, "text-anchor=\"middle\"", FONT, 0, buf_str(&t));
        } else {
            line(out, c->x0, p, c->x0 + c->pw, p, "stroke=\"#dddddd\"");
            text_at(out, c->x0 - 6, p + 4, "text-anchor=\"end\"", FONT, 0, buf_str(&t));
        }
    }
    buf_free(&t);
    if (c->f->y_label && c->horizontal)
        text_at(out, c->x0 + c->pw / 2, c->y0 + c->ph + 2 * LINE + 4, "text-anchor=\"middle\"",
                FONT, c->pw, c->f->y_label);
}

/* The label of the axis running up the page, turned a quarter. */
static void side_label(struct chart *c, const char *s)
{
    char attrs[128];
    double x = PAD + FONT, y = c->y0 + c->ph / 2;

    snprintf(attrs, sizeof attrs, "text-anchor=\"middle\" transform=\"rotate(-90 %.1f %.1f)\"",
             x, y);
    text_at(c->out, x, y, attrs, FONT, c->ph, s);
}

static void draw_x_axis(struct chart *c)
{
    struct buf t = BUF_INIT;
    double p;

    for (size_t i = 0; i < c->nxt; i++) {
        p = xpos(c, c->xt[i]);
        buf_reset(&t);
        svg_format_number(&t, c->xt[i], c->xa.step, c->x_plain);
        line(c->out, p, c->y0 + c->ph, p, c->y0 + c->ph + 4, "stroke=\"#444444\"");
        text_at(c->out, p, c->y0 + c->ph + LINE, "text-anchor=\"middle\"", FONT, 0,
                buf_str(&t));
    }
    buf_free(&t);
}

static void draw_rules(struct chart *c)
{
    const struct svg_rule *r;
    struct buf *out = c->out;
    double a, b;
    bool across;     /* drawn as a vertical line or band */

    for (size_t i = 0; i < c->f->nrules; i++) {
        r = &c->f->rules[i];
        across = r->axis == SVG_AT_X || c->horizontal;
        a = r->axis == SVG_AT_X ? xpos(c, r->from) : vpos(c, r->from);
        b = r->axis == SVG_AT_X ? xpos(c, r->to) : vpos(c, r->to);
        if (r->from == r->to && across)
            line(out, a, c->y0, a, c->y0 + c->ph,
                 "stroke=\"#444444\" stroke-dasharray=\"4 3\"");
        else if (r->from == r->to)
            line(out, c->x0, a, c->x0 + c->pw, a,
                 "stroke=\"#444444\" stroke-dasharray=\"4 3\"");
        else if (across)
            rect(out, fmin(a, b), c->y0, fabs(b - a), c->ph,
                 "fill=\"#000000\" fill-opacity=\"0.08\"/>\n");
        else
            rect(out, c->x0, fmin(a, b), c->pw, fabs(b - a),
                 "fill=\"#000000\" fill-opacity=\"0.08\"/>\n");
        if (r->label == NULL)
            continue;
        if (across)
            text_at(out, fmin(a, b) + 3, c->y0 + SMALL + 2 + (double)(i % 3) * (SMALL + 2),
                    "fill=\"#444444\"", SMALL, c->x0 + c->pw - fmin(a, b) - 3, r->label);
        else
            text_at(out, c->x0 + c->pw - 3, fmin(a, b) - 3,
                    "text-anchor=\"end\" fill=\"#444444\"", SMALL, c->pw, r->label);
    }
}

/* Frame, axis labels and note; called after the data are drawn. */
static void chart_close(struct chart *c)
{
    struct buf *out = c->out;
    const char *xl = c->horizontal ? c->f->x_label : c->f->y_label;

    rect(out, c->x0, c->y0, c->pw, c->ph, "fill=\"none\" stroke=\"#444444\"/>\n");
    if (xl)
        side_label(c, xl);
    if (c->f->x_label && !c->horizontal)
        text_at(out, c->x0 + c->pw / 2, c->h - PAD - (double)c->note_lines * LINE
                                             - (c->note_lines ? 8 : 0) - 4,
                "text-anchor=\"middle\"", FONT, c->pw, c->f->x_label);
    if (c->note_lines)
        note_wrap(c->f->note, c->w - 2 * PAD, out, PAD,
                  c->h - PAD - (double)(c->note_lines - 1) * LINE);
    buf_puts(out, "</svg>\n");
}

/* An interval bar from lo to hi across the category axis at p, caps half
 * cap wide. */
static void interval(struct chart *c, double p, double lo, double hi, double cap,
                     const char *colour)
{
    char attrs[64];
    double a = vpos(c, lo), b = vpos(c, hi);

    if (isnan(lo) || isnan(hi))
        return;
    snprintf(attrs, sizeof attrs, "stroke=\"%s\" stroke-width=\"1.5\"", colour);
    if (c->horizontal) {
        line(c->out, a, p, b, p, attrs);
        line(c->out, a, p - cap, a, p + cap, attrs);
        line(c->out, b, p - cap, b, p + cap, attrs);
    } else {
        line(c->out, p, a, p, b, attrs);
        line(c->out, p - cap, a, p + cap, a, attrs);
        line(c->out, p - cap, b, p + cap, b, attrs);
    }
}

/* A hover text: "CATEGORY, SERIES: VALUE [LO to HI]". */
static void tooltip(struct buf *out, enum svg_lang lang, const char *cat, const char *series, double v,
                    const double *lo, const double *hi)
{
    buf_puts(out, "<title>");
    svg_escape(out, cat);
    if (series) {
        buf_puts(out, ", ");
        svg_escape(out, series);
    }
    buf_puts(out, ": ");
    svg_format_number(out, v, 0, false);
    if (lo && !isnan(*lo) && !isnan(*hi)) {
        buf_puts(out, " (");
        svg_format_number(out, *lo, 0, false);
        buf_puts(out, svg_word(lang, " to "));
        svg_format_number(out, *hi, 0, false);
        buf_putc(out, ')');
    }
    buf_puts(out, "</title>");
}

/* ---- charts over categories ---- */

/* Lays out a chart of categories: the value axis from r, category labels
 * along the bottom (turned when they do not fit) or down the left. */
static int category_layout(struct at_ctx *ctx, struct chart *c, const char *const *labels,
                           size_t ncat, size_t ns, struct range r, bool zero)
{
    double cat_w = 0, vt_w, band, h;
    bool turn;

    for (size_t i = 0; i < ncat; i++)
        cat_w = fmax(cat_w, fmin(text_width(labels[i], FONT), MAX_LABEL));
    range_rules(&r, c->f, SVG_AT_Y);
    if (chart_axis(ctx, r, c->f->flags & SVG_Y_INTEGER ? 1 : 0, zero, &c->va, c->vt, &c->nvt)
        != AT_OK)
        return AT_EINVAL;
    vt_w = tick_labels_width(c->vt, c->nvt, c->va.step, false);
    if (c->horizontal) {
        band = fmax(18, (double)ns * 9 + 9);
        if (c->f->height == 0)
            c->h = 0;
        chart_place(c, cat_w + 8, LINE + 4, fmax(MIN_PLOT, band * (double)ncat));
        return AT_OK;
    }
    h = c->h;
    chart_place(c, vt_w + 8, 0, 80);
    band = c->pw / (double)ncat;
    turn = cat_w > band - 4;
    c->h = h;
    chart_place(c, vt_w + 8, turn ? cat_w * 0.72 + LINE : LINE + 4, 80);
    return AT_OK;
}

static void category_labels(struct chart *c, const char *const *labels, size_t ncat)
{
    double band = (c->horizontal ? c->ph : c->pw) / (double)ncat, cat_w = 0, p;
    char attrs[128];
    bool turn;

    for (size_t i = 0; i < ncat; i++)
        cat_w = fmax(cat_w, fmin(text_width(labels[i], FONT), MAX_LABEL));
    turn = !c->horizontal && cat_w > band - 4;
    for (size_t i = 0; i < ncat; i++) {
        p = (c->horizontal ? c->y0 : c->x0) + ((double)i + 0.5) * band;
        if (c->horizontal) {
            text_at(c->out, c->x0 - 6, p + 4, "text-anchor=\"end\"", FONT, MAX_LABEL, labels[i]);
        } else if (turn) {
            snprintf(attrs, sizeof attrs,
                     "text-anchor=\"end\" transform=\"rotate(-45 %.1f %.1f)\"", p,
                     c->y0 + c->ph + 12);
            text_at(c->out, p, c->y0 + c->ph + 12, attrs, FONT, MAX_LABEL, labels[i]);
        } else {
            text_at(c->out, p, c->y0 + c->ph + LINE, "text-anchor=\"middle\"", FONT, MAX_LABEL,
                    labels[i]);
        }
    }
}

static void chart_init(struct chart *c, struct buf *out, const struct svg_frame *f)
{
    memset(c, 0, sizeof *c);
    c->out = out;
    c->f = f;
    c->w = f->width ? f->width : SVG_WIDTH;
    c->h = f->height ? f->height : SVG_HEIGHT;
}

static void series_names(struct chart *c, const struct svg_series *s, size_t ns)
{
    c->nnames = ns;
    for (size_t j = 0; j < ns; j++)
        c->names[j] = s[j].name;
}

/* A bar from value a to value b in the category band at p, t thick. */
static void bar(struct chart *c, double p, double t, double a, double b, const char *colour)
{
    char attrs[64];
    double pa = vpos(c, a), pb = vpos(c, b);

    snprintf(attrs, sizeof attrs, "fill=\"%s\">", colour);
    if (c->horizontal)
        rect(c->out, fmin(pa, pb), p, fabs(pb - pa), t, attrs);
    else
        rect(c->out, p, fmin(pa, pb), t, fabs(pb - pa), attrs);
}

/* The value v written at the end of a bar whose far end is at value v. */
static void bar_value(struct chart *c, double mid, double thick, double v)
{
    struct buf t = BUF_INIT;
    double p = vpos(c, v);

    svg_format_number(&t, v, 0, false);
    if (c->horizontal && thick >= SMALL)
        text_at(c->out, v < 0 ? p - 3 : p + 3, mid + 3.5, v < 0 ? "text-anchor=\"end\"" : "",
                SMALL, 0, buf_str(&t));
    else if (!c->horizontal && text_width(buf_str(&t), SMALL) <= thick + 6)
        text_at(c->out, mid, v < 0 ? p + SMALL + 2 : p - 3, "text-anchor=\"middle\"", SMALL, 0,
                buf_str(&t));
    buf_free(&t);
}

int svg_bars(struct at_ctx *ctx, struct buf *out, const struct svg_frame *f,
             const char *const *labels, size_t ncat, const struct svg_series *s, size_t ns)
{
    bool stacked;
    struct range r = { 0 };
    struct chart c;
    double band, thick, lead, p, base, sum;

    if (check_frame(ctx, f, false) != AT_OK)
        return AT_EINVAL;
    stacked = f->flags & SVG_STACKED;
    if (check_series(ctx, labels, ncat, s, ns, stacked) != AT_OK)
        return AT_EINVAL;
    chart_init(&c, out, f);
    c.horizontal = f->flags & SVG_HORIZONTAL;
    series_names(&c, s, ns);
    for (size_t i = 0; i < ncat; i++) {
        sum = 0;
        for (size_t j = 0; j < ns; j++) {
            if (stacked) {
                sum += isnan(s[j].y[i]) ? 0 : s[j].y[i];
                continue;
            }
            range_add(&r, s[j].y[i]);
            if (s[j].lo)
                range_add(&r, s[j].lo[i]), range_add(&r, s[j].hi[i]);
        }
        if (stacked)
            range_add(&r, sum);
    }
    if (category_layout(ctx, &c, labels, ncat, ns, r, true) != AT_OK)
        return AT_EINVAL;
    chart_open(&c);
    draw_value_axis(&c);
    band = (c.horizontal ? c.ph : c.pw) / (double)ncat;
    thick = fmin(MAX_BAR, stacked ? band * 0.8 : band * 0.8 / (double)ns);
    /* the group of bars, centred in its band */
    lead = (band - thick * (stacked ? 1 : (double)ns)) / 2;
    for (size_t i = 0; i < ncat; i++) {
        base = 0;
        for (size_t j = 0; j < ns; j++) {
            if (isnan(s[j].y[i]))
                continue;
            p = (c.horizontal ? c.y0 : c.x0) + (double)i * band + lead
                + (stacked ? 0 : (double)j * thick);
            bar(&c, p, thick, stacked ? base : 0, base + s[j].y[i], palette[j]);
            tooltip(out, f->lang, labels[i], s[j].name, s[j].y[i], s[j].lo ? &s[j].lo[i] : NULL,
                    s[j].hi ? &s[j].hi[i] : NULL);
            buf_puts(out, "</rect>\n");
            if (!stacked && s[j].lo)
                interval(&c, p + thick / 2, s[j].lo[i], s[j].hi[i], fmin(thick / 4, 6),
                         "#333333");
            if (!stacked && !(f->flags & SVG_NO_VALUES))
                bar_value(&c, p + thick / 2, thick, s[j].y[i]);
            if (stacked)
                base += s[j].y[i];
        }
        if (stacked && !(f->flags & SVG_NO_VALUES))
            bar_value(&c, (c.horizontal ? c.y0 : c.x0) + ((double)i + 0.5) * band, thick, base);
    }
    line(out, c.horizontal ? vpos(&c, 0) : c.x0, c.horizontal ? c.y0 : vpos(&c, 0),
         c.horizontal ? vpos(&c, 0) : c.x0 + c.pw, c.horizontal ? c.y0 + c.ph : vpos(&c, 0),
         "stroke=\"#444444\"");
    category_labels(&c, labels, ncat);
    draw_rules(&c);
    chart_close(&c);
    return AT_OK;
}

int svg_points(struct at_ctx *ctx, struct buf *out, const struct svg_frame *f,
               const char *const *labels, size_t ncat, const struct svg_series *s, size_t ns)
{
    struct range r = { 0 };
    struct chart c;
    double band, step, p, v;

    if (check_frame(ctx, f, false) != AT_OK
        || check_series(ctx, labels, ncat, s, ns, false) != AT_OK)
        return AT_EINVAL;
    chart_init(&c, out, f);
    c.horizontal = f->flags & SVG_HORIZONTAL;
    series_names(&c, s, ns);
    for (size_t j = 0; j < ns; j++)
        for (size_t i = 0; i < ncat; i++) {
            range_add(&r, s[j].y[i]);
            if (s[j].lo)
                range_add(&r, s[j].lo[i]), range_add(&r, s[j].hi[i]);
        }
    if (category_layout(ctx, &c, labels, ncat, ns, r, f->flags & SVG_Y_FROM_ZERO) != AT_OK)
        return AT_EINVAL;
    chart_open(&c);
    draw_value_axis(&c);
    band = (c.horizontal ? c.ph : c.pw) / (double)ncat;
    step = fmin(band * 0.6 / (double)ns, 14);
    for (size_t i = 0; i < ncat; i++)
        for (size_t j = 0; j < ns; j++) {
            p = (c.horizontal ? c.y0 : c.x0) + ((double)i + 0.5) * band
                + ((double)j - (double)(ns - 1) / 2) * step;
            if (s[j].lo)
                interval(&c, p, s[j].lo[i], s[j].hi[i], 4, palette[j]);
            if (isnan(v = s[j].y[i]))
                continue;
            buf_puts(out, "<circle cx=\"");
            num(out, c.horizontal ? vpos(&c, v) : p);
            buf_puts(out, "\" cy=\"");
            num(out, c.horizontal ? p : vpos(&c, v));
            buf_printf(out, "\" r=\"4\" fill=\"%s\">", palette[j]);
            tooltip(out, f->lang, labels[i], s[j].name, v, s[j].lo ? &s[j].lo[i] : NULL,
                    s[j].hi ? &s[j].hi[i] : NULL);
            buf_puts(out, "</circle>\n");
        }
    category_labels(&c, labels, ncat);
    draw_rules(&c);
    chart_close(&c);
    return AT_OK;
}

/* ---- charts over a numeric x ---- */

/* Lays out a chart over a numeric x from the ranges of x and of values. */
static int numeric_layout(struct at_ctx *ctx, struct chart *c, struct range xr, struct range vr,
                          bool zero)
{
    const struct svg_frame *f = c->f;

    range_rules(&xr, f, SVG_AT_X);
    range_rules(&vr, f, SVG_AT_Y);
    c->x_numeric = true;
    c->x_plain = f->flags & SVG_X_INTEGER;
    if (chart_axis(ctx, xr, c->x_plain ? 1 : 0, false, &c->xa, c->xt, &c->nxt) != AT_OK
        || chart_axis(ctx, vr, f->flags & SVG_Y_INTEGER ? 1 : 0, zero, &c->va, c->vt, &c->nvt)
               != AT_OK)
        return AT_EINVAL;
    chart_place(c, tick_labels_width(c->vt, c->nvt, c->va.step, false) + 8, LINE + 4, 80);
    return AT_OK;
}

int svg_lines(struct at_ctx *ctx, struct buf *out, const struct svg_frame *f,
              const struct svg_curve *cv, size_t nc)
{
    struct range xr = { 0 }, vr = { 0 };
    struct chart c;
    bool pen;
    char attrs[96];

    if (check_frame(ctx, f, true) != AT_OK)
        return AT_EINVAL;
    if (nc == 0 || nc > SVG_MAX_SERIES || cv == NULL)
        return ctx_error(ctx, AT_EINVAL, "chart: 1 to %d curves are needed, %zu given",
                         SVG_MAX_SERIES, nc);
    chart_init(&c, out, f);
    c.nnames = nc;
    for (size_t j = 0; j < nc; j++) {
        c.names[j] = cv[j].name;
        if (cv[j].n > SVG_MAX_POINTS || (cv[j].n && (cv[j].x == NULL || cv[j].y == NULL))
            || (cv[j].lo == NULL) != (cv[j].hi == NULL))
            return ctx_error(ctx, AT_EINVAL,
                             "chart: curve %zu needs at most %d points with x and y, "
                             "and lo and hi both or neither", j + 1, SVG_MAX_POINTS);
        if (check_values(ctx, "x", j, cv[j].x, cv[j].n, false) != AT_OK
            || check_values(ctx, "y", j, cv[j].y, cv[j].n, true) != AT_OK
            || (cv[j].lo && (check_values(ctx, "lo", j, cv[j].lo, cv[j].n, true) != AT_OK
                             || check_values(ctx, "hi", j, cv[j].hi, cv[j].n, true) != AT_OK)))
            return AT_EINVAL;
        for (size_t i = 0; i < cv[j].n; i++) {
            range_add(&xr, cv[j].x[i]);
            range_add(&vr, cv[j].y[i]);
            if (cv[j].lo)
                range_add(&vr, cv[j].lo[i]), range_add(&vr, cv[j].hi[i]);
        }
    }
    if (numeric_layout(ctx, &c, xr, vr, f->flags & SVG_Y_FROM_ZERO) != AT_OK)
        return AT_EINVAL;
    chart_open(&c);
    draw_value_axis(&c);
    draw_x_axis(&c);
    draw_rules(&c);
    for (size_t j = 0; j < nc; j++) {
        if (!(f->flags & SVG_NO_LINE) && cv[j].n) {
            buf_puts(out, "<path d=\"");
            pen = false;
            for (size_t i = 0; i < cv[j].n; i++) {
                if (isnan(cv[j].y[i])) {
                    pen = false;
                    continue;
                }
                buf_putc(out, pen ? 'L' : 'M');
                num(out, xpos(&c, cv[j].x[i]));
                buf_putc(out, ' ');
                num(out, vpos(&c, cv[j].y[i]));
                pen = true;
            }
            buf_printf(out, "\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>\n", palette[j]);
        }
        for (size_t i = 0; i < cv[j].n; i++) {
            if (cv[j].lo)
                interval(&c, xpos(&c, cv[j].x[i]), cv[j].lo[i], cv[j].hi[i], 4, palette[j]);
            if ((f->flags & SVG_NO_DOTS) || isnan(cv[j].y[i]))
                continue;
            snprintf(attrs, sizeof attrs, "r=\"3\" fill=\"%s\"", palette[j]);
            buf_puts(out, "<circle cx=\"");
            num(out, xpos(&c, cv[j].x[i]));
            buf_puts(out, "\" cy=\"");
            num(out, vpos(&c, cv[j].y[i]));
            buf_printf(out, "\" %s/>\n", attrs);
        }
    }
    chart_close(&c);
    return AT_OK;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

int svg_histogram(struct at_ctx *ctx, struct buf *out, const struct svg_frame *f,
                  const double *v, size_t n, size_t bins)
{
    static const double sqrt_2pi = 2.5066282746310002;
    struct range xr = { 0 }, vr = { 0 };
    struct chart c;
    double *sorted = NULL, *count = NULL, kde[KDE_STEPS + 1], lo, hi, width, iqr, sd = 0,
           mean = 0, bw, x, scale;
    bool density = f && (f->flags & SVG_DENSITY);
    int rc = AT_EINVAL;

    if (check_frame(ctx, f, true) != AT_OK)
        return AT_EINVAL;
    if (n == 0 || n > SVG_MAX_POINTS || v == NULL || bins > 100)
        return ctx_error(ctx, AT_EINVAL,
                         "chart: a histogram needs 1 to %d values and at most 100 bins",
                         SVG_MAX_POINTS);
    if (check_values(ctx, "value", 0, v, n, false) != AT_OK)
        return AT_EINVAL;
    sorted = xmalloc(n * sizeof *sorted);
    memcpy(sorted, v, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_double);
    lo = sorted[0];
    hi = sorted[n - 1];
    iqr = sorted[(3 * (n - 1)) / 4] - sorted[(n - 1) / 4];
    for (size_t i = 0; i < n; i++)
        mean += v[i] / (double)n;
    for (size_t i = 0; i < n; i++)
        sd += (v[i] - mean) * (v[i] - mean) / (double)(n > 1 ? n - 1 : 1);
    sd = sqrt(sd);
    if (bins == 0)
        bins = iqr > 0 ? (size_t)fmin(100, fmax(1, ceil((hi - lo) / (2 * iqr / cbrt((double)n)))))
                       : (size_t)fmin(100, fmax(1, ceil(sqrt((double)n))));
    if (hi == lo)
        lo -= 0.5, hi += 0.5;
    width = (hi - lo) / (double)bins;
    if (!isfinite(width) || !isfinite(sd) || width <= 0) {
        ctx_error(ctx, AT_EINVAL, "chart: the values are too large to draw");
        goto out;
    }
    count = xcalloc(bins, sizeof *count);
    for (size_t i = 0; i < n; i++)
        count[(size_t)fmin((double)bins - 1, floor((v[i] - lo) / width))]++;
    scale = density ? 1 / ((double)n * width) : 1;
    range_add(&xr, lo);
    range_add(&xr, hi);
    for (size_t b = 0; b < bins; b++)
        range_add(&vr, count[b] * scale);
    /* Silverman's rule of thumb; the curve runs three bandwidths past the data. */
    bw = 0.9 * fmin(sd, iqr > 0 ? iqr / 1.34 : sd) * pow((double)n, -0.2);
    if (!(bw > 0))
        bw = (hi - lo) / 10;
    for (int k = 0; density && k <= KDE_STEPS; k++) {
        x = lo - 3 * bw + (hi - lo + 6 * bw) * k / KDE_STEPS;
        kde[k] = 0;
        for (size_t i = 0; i < n; i++)
            kde[k] += exp(-0.5 * (x - v[i]) * (x - v[i]) / (bw * bw));
        kde[k] /= (double)n * bw * sqrt_2pi;
        range_add(&vr, kde[k]);
        range_add(&xr, x);
    }
    chart_init(&c, out, f);
    if (numeric_layout(ctx, &c, xr, vr, true) != AT_OK)
        goto out;
    chart_open(&c);
    draw_value_axis(&c);
    draw_x_axis(&c);
    for (size_t b = 0; b < bins; b++) {
        if (count[b] == 0)
            continue;
        x = lo + (double)b * width;
        rect(out, xpos(&c, x), vpos(&c, count[b] * scale), xpos(&c, x + width) - xpos(&c, x),
             vpos(&c, 0) - vpos(&c, count[b] * scale),
             "fill=\"#0072b2\" fill-opacity=\"0.55\" stroke=\"#ffffff\" stroke-width=\"0.5\">");
        buf_puts(out, "<title>");
        svg_format_number(out, x, 0, false);
        buf_puts(out, svg_word(f->lang, " to "));
        svg_format_number(out, x + width, 0, false);
        buf_puts(out, ": ");
        svg_format_number(out, count[b], 0, false);
        buf_puts(out, "</title></rect>\n");
    }
    if (density) {
        buf_puts(out, "<path d=\"");
        for (int k = 0; k <= KDE_STEPS; k++) {
            buf_putc(out, k ? 'L' : 'M');
            num(out, xpos(&c, lo - 3 * bw + (hi - lo + 6 * bw) * k / KDE_STEPS));
            buf_putc(out, ' ');
            num(out, vpos(&c, kde[k]));
        }
        buf_printf(out, "\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>\n", palette[3]);
    }
    draw_rules(&c);
    chart_close(&c);
    rc = AT_OK;
out:
    free(sorted);
    free(count);
    return rc;
}
