/*
 * gen_records.c: a seeded generator of FICTIONAL testimony for the archive
 * benchmark.  Everything it writes is invented and says so.
 *
 *   gen_records N SEED JSONL CSV QUERIES NQUERIES
 *
 * writes N records to JSONL as `attest import jsonl` takes them, the same
 * rows to CSV (type,id,data with data the JSON text of the fields) for the
 * sqlite3 shell's .import, and NQUERIES search queries, one per line, drawn
 * from the same words as the records.  The same N and SEED always give the
 * same bytes.
 *
 * Records come in interview clusters, in an order where every reference
 * points back to a record already written: a witness (every second
 * interview or so), an interview of that witness, then two to four events
 * told in it, each with its victims (persons), acts and pinpoints.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define FICTIONAL "FICTIONAL DEMO DATA"

static uint64_t rng_state;

/* splitmix64: small, fast and good enough for test data. */
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static unsigned below(unsigned n)
{
    return (unsigned)(rnd() % n);
}

static double uniform(double lo, double hi)
{
    return lo + (hi - lo) * (double)(rnd() >> 11) / (double)(1ull << 53);
}

#define PICK(a) ((a)[below(ARRAY_LEN(a))])

static const char *const english[] = {
    "public", "execution", "detention", "camp", "market", "river", "border", "crossing",
    "labour", "interrogation", "security", "officer", "prisoners", "trial", "stadium", "mine",
    "farm", "hospital", "school", "railway", "station", "factory", "bridge", "riverbank",
    "hillside", "village", "burial", "bodies", "guards", "beating", "starvation", "repatriated",
    "broker", "sold", "bride", "wages", "logging", "construction", "crowd", "gathered",
    "shot", "hanged", "disappeared", "arrested", "night", "winter", "spring", "truck",
    "soldiers", "family", "children", "mother", "brother", "neighbour", "smuggling", "phone",
    "videos", "religion", "bible", "escape", "caught", "returned", "beaten", "cell",
    "holding", "centre", "court", "sentence", "warning", "students", "workers", "abroad",
    "restaurant", "lumber", "dormitory", "passport", "confiscated", "debt", "quota", "ditch",
};

static const char *const hangul[] = {
    "공개처형", "비밀처형", "구금", "수용소", "정치범", "보위부", "안전부", "교화소",
    "노동단련대", "집결소", "시장", "강변", "국경", "도강", "탈북", "강제송환",
    "인신매매", "중국", "장마당", "재판", "총살", "교수형", "매장", "시신",
    "경비대", "고문", "취조", "굶주림", "광산", "농장", "벌목", "건설",
    "철도역", "학교", "운동장", "야산", "다리", "공장", "병원", "군중",
    "주민", "가족", "아이들", "여성", "브로커", "임금", "여권", "압수",
    "밀수", "휴대전화", "성경", "체포", "겨울", "새벽", "트럭", "군인",
    "구덩이", "보초", "감방", "판결", "경고", "노동자", "해외", "식당",
};

static const char *const chinese[] = {
    "延吉", "图们", "长白", "丹东", "沈阳", "公安", "遣返", "边境", "人贩子", "婚姻",
    "劳务", "工厂", "餐厅", "木材", "煤矿", "图们江", "鸭绿江", "拘留所", "派出所", "农村",
};

/* Places in North Korea with a point near their centre. */
static const struct place {
    const char *province_ko, *province_en, *county_ko, *county_en;
    double lat, lon;
} places[] = {
    { "함경북도", "North Hamgyong", "회령", "Hoeryong", 42.44, 129.75 },
    { "함경북도", "North Hamgyong", "무산", "Musan", 42.23, 129.20 },
    { "함경북도", "North Hamgyong", "온성", "Onsong", 42.95, 129.99 },
    { "함경북도", "North Hamgyong", "청진", "Chongjin", 41.79, 129.78 },
    { "함경북도", "North Hamgyong", "김책", "Kimchaek", 40.67, 129.19 },
    { "함경북도", "North Hamgyong", "길주", "Kilju", 40.96, 129.33 },
    { "양강도", "Ryanggang", "혜산", "Hyesan", 41.40, 128.18 },
    { "함경남도", "South Hamgyong", "함흥", "Hamhung", 39.92, 127.54 },
    { "함경남도", "South Hamgyong", "요덕", "Yodok", 39.75, 126.80 },
    { "평안북도", "North Pyongan", "신의주", "Sinuiju", 40.10, 124.40 },
    { "평안남도", "South Pyongan", "평성", "Pyongsong", 39.25, 125.87 },
    { "평안남도", "South Pyongan", "개천", "Kaechon", 39.70, 125.90 },
    { "황해남도", "South Hwanghae", "해주", "Haeju", 38.04, 125.71 },
    { "황해북도", "North Hwanghae", "사리원", "Sariwon", 38.51, 125.76 },
    { "강원도", "Kangwon", "원산", "Wonsan", 39.15, 127.44 },
    { "자강도", "Chagang", "강계", "Kanggye", 40.97, 126.59 },
    { "평양", "Pyongyang", "평양", "Pyongyang", 39.03, 125.75 },
};

static const struct { const char *ko, *en; } surnames[] = {
    { "김", "Kim" }, { "리", "Ri" }, { "박", "Pak" }, { "최", "Choe" }, { "정", "Jong" },
    { "강", "Kang" }, { "조", "Jo" }, { "윤", "Yun" }, { "장", "Jang" }, { "한", "Han" },
    { "림", "Rim" }, { "오", "O" }, { "신", "Sin" }, { "홍", "Hong" }, { "문", "Mun" },
};

static const struct { const char *ko, *en; } syllables[] = {
    { "영", "yong" }, { "철", "chol" }, { "순", "sun" }, { "희", "hui" }, { "명", "myong" },
    { "옥", "ok" }, { "혁", "hyok" }, { "남", "nam" }, { "성", "song" }, { "일", "il" },
    { "수", "su" }, { "미", "mi" }, { "경", "kyong" }, { "광", "kwang" }, { "금", "kum" },
    { "춘", "chun" }, { "혜", "hye" }, { "은", "un" }, { "복", "bok" }, { "향", "hyang" },
};

static const char *const act_types[] = {
    "public_execution", "secret_execution", "death_in_custody", "arbitrary_detention",
    "torture", "enforced_disappearance", "forced_labour", "trafficking", "sale",
    "forced_repatriation", "wage_withholding", "document_confiscation", "starvation",
};

static const char *const site_types[] = {
    "public_execution_site", "secret_killing_site", "burial_site", "body_disposal_site",
    "detention_facility", "political_prison_camp", "interrogation_facility",
    "document_location", "border_crossing", "workplace",
};

static const char *const bases[] = {
    "present", "eyewitness", "heard_from_victim", "heard_from_witness", "rumour",
};

static const char *const occupations[] = {
    "farmer", "miner", "teacher", "soldier", "trader", "factory worker", "student",
    "농민", "광부", "교원", "장사꾼", "노동자",
};

/* A growing string buffer; the generator exits on running out of memory. */
struct text {
    char *s;
    size_t len, cap;
};

static void put(struct text *t, const char *fmt, ...)
{
    va_list ap;
    int n;

    for (;;) {
        va_start(ap, fmt);
        n = vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
        va_end(ap);
        if (n < 0)
            abort();
        if ((size_t)n < t->cap - t->len)
            break;
        t->cap = (t->cap + (size_t)n + 1) * 2;
        if ((t->s = realloc(t->s, t->cap)) == NULL)
            abort();
    }
    t->len += (size_t)n;
}

/* Ids: the type prefix and 12 characters of the archive's alphabet, from a
 * per-type counter scrambled by odd multipliers and right xor-shifts (each a
 * bijection on 60 bits), so ids are unique and look random, as real ones do. */
static void make_id(char *out, const char *prefix, uint64_t serial)
{
    static const char alphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";
    const uint64_t mask = (1ull << 60) - 1;
    uint64_t x = (serial * 0x9E3779B97F4A7C15u + 0x632BE59BD9B4E019u) & mask;
    int n = sprintf(out, "%s-", prefix);

    x ^= x >> 29;
    x = (x * 0xBF58476D1CE4E5B9u) & mask;
    x ^= x >> 31;

    for (int i = 11; i >= 0; i--, x >>= 5)
        out[n + i] = alphabet[x & 31];
    out[n + 12] = '\0';
}

/* Mixed text of count words: mostly English and Hangul, sometimes Chinese;
 * Hangul words sometimes run together as they do in Korean writing. */
static void mixed_words(struct text *t, int count)
{
    for (int i = 0; i < count; i++) {
        unsigned r = below(100);
        if (i)
            put(t, " ");
        if (r < 45)
            put(t, "%s", PICK(english));
        else if (r < 80)
            put(t, "%s", PICK(hangul));
        else if (r < 92)
            put(t, "%s%s", PICK(hangul), PICK(hangul));
        else
            put(t, "%s", PICK(chinese));
    }
}

static void fuzzy_date(struct text *t, int from_year, int to_year)
{
    int year = from_year + (int)below((unsigned)(to_year - from_year + 1));
    unsigned r = below(10);

    if (r < 4)
        put(t, "%d-%02u-%02u", year, 1 + below(12), 1 + below(28));
    else if (r < 7)
        put(t, "%d-%02u", year, 1 + below(12));
    else if (r < 8)
        put(t, "~%d", year);
    else if (r < 9)
        put(t, "%d/%d", year, year + 1 + (int)below(2));
    else
        put(t, "%d", year);
}

struct out {
    FILE *jsonl, *csv;
    long left;
    struct text data;
};

/* Writes one record whose fields are in o->data; source may be NULL. */
static void emit(struct out *o, const char *type, const char *id, const char *source)
{
    fprintf(o->jsonl, "{\"type\":\"%s\",\"id\":\"%s\",", type, id);
    if (source)
        fprintf(o->jsonl, "\"source\":\"%s\",", source);
    fprintf(o->jsonl, "\"data\":{%s}}\n", o->data.s);
    fprintf(o->csv, "%s,%s,\"{", type, id);
    for (const char *p = o->data.s; *p; p++) {
        if (*p == '"')
            fputc('"', o->csv);
        fputc(*p, o->csv);
    }
    fputs("}\"\n", o->csv);
    o->data.len = 0;
    o->data.s[0] = '\0';
    o->left--;
}

/* Per-type counters for ids, each type from its own starting point. */
static uint64_t serial[6] = { 0, 1ull << 40, 2ull << 40, 3ull << 40, 4ull << 40, 5ull << 40 };

static void witness(struct out *o, char *id)
{
    const struct place *home = &PICK(places);

    make_id(id, "wt", serial[0]++);
    put(&o->data, "\"code\":\"W-%07" PRIu64 "\",\"sex\":\"%s\",\"birth_year\":%u,"
        "\"home_province\":\"%s\",\"home_county\":\"%s %s\",\"year_left\":%u,"
        "\"notes\":\"" FICTIONAL ". ", serial[0], below(3) ? "female" : "male",
        1940 + below(60), home->province_ko, home->county_ko, home->county_en,
        1995 + below(25));
    mixed_words(&o->data, 6);
    put(&o->data, "\"");
    emit(o, "witness", id, NULL);
}

static void interview(struct out *o, const char *wt, char *id)
{
    static const char *const cities[] = { "Seoul", "서울", "Busan", "인천", "Incheon", "London" };

    make_id(id, "iv", serial[1]++);
    put(&o->data, "\"witness\":\"%s\",\"interviewer\":\"staff-%02u\",\"date\":\"", wt, below(40));
    fuzzy_date(&o->data, 2008, 2024);
    put(&o->data, "\",\"place\":\"%s\",\"language\":\"%s\",\"summary\":\"" FICTIONAL ". ",
        PICK(cities), below(10) ? "ko" : "en");
    mixed_words(&o->data, 10 + (int)below(10));
    put(&o->data, "\"");
    emit(o, "interview", id, NULL);
}

static void event(struct out *o, const char *iv, const struct place *pl, char *id)
{
    make_id(id, "ev", serial[2]++);
    put(&o->data, "\"title\":\"");
    mixed_words(&o->data, 2 + (int)below(3));
    put(&o->data, " %s %s\",\"date\":\"", pl->county_ko, pl->county_en);
    fuzzy_date(&o->data, 1990, 2023);
    put(&o->data, "\",\"place\":\"%s %s\",\"province\":\"%s\",\"county\":\"%s\","
        "\"lat\":%.5f,\"lon\":%.5f,\"description\":\"" FICTIONAL ". ",
        PICK(hangul), PICK(english), pl->province_ko, pl->county_en,
        pl->lat + uniform(-0.05, 0.05), pl->lon + uniform(-0.05, 0.05));
    mixed_words(&o->data, 12 + (int)below(16));
    put(&o->data, "\"");
    emit(o, "event", id, iv);
}

static void person(struct out *o, const struct place *pl, char *id)
{
    unsigned s = below(ARRAY_LEN(surnames)), g1 = below(ARRAY_LEN(syllables)),
             g2 = below(ARRAY_LEN(syllables));

    make_id(id, "pe", serial[3]++);
    put(&o->data, "\"names\":[{\"name\":\"%s%s%s\",\"lang\":\"ko\"},"
        "{\"name\":\"%s %c%s-%s\",\"lang\":\"ko-Latn\"}],\"sex\":\"%s\",\"birth_date\":\"",
        surnames[s].ko, syllables[g1].ko, syllables[g2].ko, surnames[s].en,
        syllables[g1].en[0] - 'a' + 'A', syllables[g1].en + 1, syllables[g2].en,
        below(2) ? "female" : "male");
    fuzzy_date(&o->data, 1930, 2005);
    put(&o->data, "\",\"home_province\":\"%s\",\"occupation\":\"%s\",\"description\":\""
        FICTIONAL ". ", pl->province_ko, PICK(occupations));
    mixed_words(&o->data, 4 + (int)below(6));
    put(&o->data, "\"");
    emit(o, "person", id, NULL);
}

static void act(struct out *o, const char *ev, const char *victim, const char *iv)
{
    char id[32];
    const char *type = PICK(act_types);

    make_id(id, "ac", serial[4]++);
    put(&o->data, "\"event\":\"%s\",\"act_type\":\"%s\",", ev, type);
    if (victim)
        put(&o->data, "\"victim\":\"%s\",", victim);
    else
        put(&o->data, "\"victim_count\":%u,\"count_approximate\":1,", 2 + below(60));
    if (strcmp(type, "sale") == 0 || strcmp(type, "trafficking") == 0)
        put(&o->data, "\"amount\":%u,\"currency\":\"CNY\",", 1000 * (2 + below(30)));
    put(&o->data, "\"description\":\"" FICTIONAL ". ");
    mixed_words(&o->data, 5 + (int)below(10));
    put(&o->data, "\"");
    emit(o, "act", id, iv);
}

static void pinpoint(struct out *o, const char *iv, const char *ev, const struct place *pl)
{
    char id[32];

    make_id(id, "pp", serial[5]++);
    put(&o->data, "\"lat\":%.6f,\"lon\":%.6f,\"uncertainty_m\":%u,\"site_type\":\"%s\","
        "\"interview\":\"%s\",\"event\":\"%s\",\"imagery_date\":\"20%02u-%02u\","
        "\"basis\":\"%s\",\"description\":\"" FICTIONAL ". ",
        pl->lat + uniform(-0.06, 0.06), pl->lon + uniform(-0.06, 0.06), 10 * (1 + below(200)),
        PICK(site_types), iv, ev, 10 + below(14), 1 + below(12), PICK(bases));
    mixed_words(&o->data, 3 + (int)below(6));
    put(&o->data, "\"");
    emit(o, "pinpoint", id, iv);
}

static void records(struct out *o)
{
    char wt[32] = "", iv[32], ev[32], pe[32];

    while (o->left > 0) {
        if (wt[0] == '\0' || below(2) == 0)
            witness(o, wt);
        if (o->left > 0)
            interview(o, wt, iv);
        for (unsigned e = 2 + below(3); e > 0 && o->left > 0; e--) {
            const struct place *pl = &PICK(places);
            event(o, iv, pl, ev);
            for (unsigned v = 1 + below(3); v > 0 && o->left > 0; v--) {
                person(o, pl, pe);
                if (o->left > 0)
                    act(o, ev, pe, iv);
            }
            if (below(3) == 0 && o->left > 0)
                act(o, ev, NULL, iv);
            for (unsigned p = 1 + below(2); p > 0 && o->left > 0; p--)
                pinpoint(o, iv, ev, pl);
        }
    }
}

/* The first n Unicode characters of s from character k. */
static void utf8_slice(FILE *f, const char *s, int k, int n)
{
    for (; k > 0 && *s; k--)
        do s++; while (((unsigned char)*s & 0xC0) == 0x80);
    for (; n > 0 && *s; n--) {
        do fputc(*s++, f); while (((unsigned char)*s & 0xC0) == 0x80);
    }
    fputc('\n', f);
}

static int utf8_len(const char *s)
{
    int n = 0;

    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* The query mix: English words and word prefixes, Hangul substrings of two
 * characters and of three or more, names, and Chinese. */
static void queries(FILE *f, long count)
{
    for (long i = 0; i < count; i++) {
        unsigned r = below(100);
        if (r < 25) {
            fprintf(f, "%s\n", PICK(english));
        } else if (r < 35) {
            fprintf(f, "%s %s\n", PICK(english), PICK(english));
        } else if (r < 45) {
            const char *w = PICK(english);
            fprintf(f, "%.*s\n", 3 + (int)below(3), w);
        } else if (r < 60) {
            const char *w = PICK(hangul);
            int n = utf8_len(w);
            utf8_slice(f, w, n > 2 ? (int)below((unsigned)n - 1) : 0, 2);
        } else if (r < 75) {
            const char *w = PICK(hangul);
            int n = utf8_len(w);
            if (n < 3)
                fprintf(f, "%s%s\n", w, PICK(hangul));
            else
                utf8_slice(f, w, 0, 3 + (int)below((unsigned)n - 2));
        } else if (r < 85) {
            fprintf(f, "%s%s%s\n", PICK(surnames).ko, PICK(syllables).ko, PICK(syllables).ko);
        } else {
            fprintf(f, "%s\n", PICK(chinese));
        }
    }
}

int main(int argc, char **argv)
{
    struct out o = { 0 };
    FILE *q;

    if (argc != 7) {
        fprintf(stderr, "usage: gen_records N SEED JSONL CSV QUERIES NQUERIES\n");
        return 2;
    }
    o.left = atol(argv[1]);
    rng_state = strtoull(argv[2], NULL, 10);
    o.jsonl = fopen(argv[3], "w");
    o.csv = fopen(argv[4], "w");
    q = fopen(argv[5], "w");
    if (o.jsonl == NULL || o.csv == NULL || q == NULL) {
        perror("gen_records");
        return 1;
    }
    o.data.cap = 1 << 16;
    if ((o.data.s = calloc(1, o.data.cap)) == NULL)
        abort();
    fputs("type,id,data\n", o.csv);
    records(&o);
    queries(q, atol(argv[6]));
    free(o.data.s);
    if (fclose(o.jsonl) != 0 || fclose(o.csv) != 0 || fclose(q) != 0) {
        perror("gen_records");
        return 1;
    }
    return 0;
}
