/*
 * names_scripts.c: attest's own readings of names where ICU's
 * transliterators are wrong for names or missing (see names_int.h).
 *
 * ICU reads Chinese characters by their Mandarin sound, so a Japanese
 * name in kanji comes out as Chinese (佐藤太郎 zuo teng tai lang); Arabic
 * script carries no short vowels, so ICU gives consonants (محمد mhmd);
 * ICU's Thai-Latin is ISO 11940, a letter-for-letter transliteration and
 * not the spelling Thais use (สมชาย smchay, not Somchai); and ICU has no
 * Khmer-Latin at all.  For these scripts, the common words of names are
 * read from tables here, in the spellings that lists and documents use;
 * the rest is left to ICU.  Korean company words in Hangul are read as
 * their English, as the lists translate them (조선련봉총회사 KOREA RYONBONG
 * GENERAL CORPORATION), and legal forms in any language are brought to
 * one short form on which both sides meet (Aktiengesellschaft AG,
 * Corporation Corp, 有限公司 Co Ltd).
 */
#include "attest.h"
#include "names.h"
#include "names_int.h"

#include <string.h>

struct reading {
    const char *script, *latin;
};

/* Japanese family and given names in kanji, Hepburn without long marks. */
static const struct reading japanese_family[] = {
    { "佐々木", "sasaki" }, { "佐藤", "sato" }, { "鈴木", "suzuki" }, { "高橋", "takahashi" },
    { "田中", "tanaka" }, { "伊藤", "ito" }, { "渡辺", "watanabe" }, { "渡邊", "watanabe" },
    { "山本", "yamamoto" }, { "中村", "nakamura" }, { "小林", "kobayashi" }, { "加藤", "kato" },
    { "吉田", "yoshida" }, { "山田", "yamada" }, { "松本", "matsumoto" }, { "井上", "inoue" },
    { "木村", "kimura" }, { "清水", "shimizu" }, { "山口", "yamaguchi" }, { "斎藤", "saito" },
    { "斉藤", "saito" }, { "山崎", "yamazaki" }, { "阿部", "abe" }, { "安倍", "abe" },
    { "池田", "ikeda" }, { "橋本", "hashimoto" }, { "山下", "yamashita" }, { "石川", "ishikawa" },
    { "中島", "nakajima" }, { "前田", "maeda" }, { "藤田", "fujita" }, { "後藤", "goto" },
    { "岡田", "okada" }, { "長谷川", "hasegawa" }, { "村上", "murakami" }, { "近藤", "kondo" },
    { "石井", "ishii" }, { "坂本", "sakamoto" }, { "遠藤", "endo" }, { "青木", "aoki" },
    { "藤井", "fujii" }, { "西村", "nishimura" }, { "福田", "fukuda" }, { "太田", "ota" },
    { "三浦", "miura" }, { "藤原", "fujiwara" }, { "岡本", "okamoto" }, { "松田", "matsuda" },
    { "中川", "nakagawa" }, { "中野", "nakano" }, { "原田", "harada" }, { "小川", "ogawa" },
    { "竹内", "takeuchi" }, { "金子", "kaneko" }, { "和田", "wada" }, { "中山", "nakayama" },
    { "石田", "ishida" }, { "上田", "ueda" }, { "森田", "morita" }, { "小島", "kojima" },
    { "菅", "suga" }, { "岸田", "kishida" }, { "麻生", "aso" }, { "林", "hayashi" },
    { "森", "mori" },
};
static const struct reading japanese_given[] = {
    { "太郎", "taro" }, { "花子", "hanako" }, { "健一", "kenichi" }, { "大輔", "daisuke" },
    { "翔太", "shota" }, { "由美", "yumi" }, { "直樹", "naoki" }, { "美香", "mika" },
    { "誠", "makoto" }, { "浩", "hiroshi" }, { "拓也", "takuya" }, { "恵子", "keiko" },
    { "明美", "akemi" }, { "隆", "takashi" }, { "真一", "shinichi" }, { "和也", "kazuya" },
    { "裕子", "yuko" }, { "修", "osamu" }, { "晋三", "shinzo" }, { "一郎", "ichiro" },
    { "次郎", "jiro" }, { "三郎", "saburo" }, { "健太", "kenta" }, { "大樹", "daiki" },
    { "陽子", "yoko" }, { "洋子", "yoko" }, { "久美子", "kumiko" }, { "智子", "tomoko" },
    { "文雄", "fumio" }, { "義偉", "yoshihide" }, { "太郎", "taro" }, { "清", "kiyoshi" },
    { "茂", "shigeru" }, { "勇", "isamu" }, { "学", "manabu" }, { "正", "tadashi" },
};

/* Arabic words of names, as English-language documents spell them. */
static const struct reading arabic[] = {
    { "محمد", "muhammad" }, { "علي", "ali" }, { "حسن", "hassan" }, { "حسين", "hussein" },
    { "أحمد", "ahmad" }, { "احمد", "ahmad" }, { "عبد الله", "abdullah" }, { "عبد", "abd" },
    { "الله", "allah" },
    { "خالد", "khalid" }, { "عمر", "omar" }, { "يوسف", "yusuf" }, { "إبراهيم", "ibrahim" },
    { "ابراهيم", "ibrahim" }, { "محمود", "mahmoud" }, { "سعيد", "said" }, { "صالح", "salih" },
    { "جمال", "jamal" }, { "ناصر", "nasser" }, { "كريم", "karim" }, { "رشيد", "rashid" },
    { "فاطمة", "fatima" }, { "مريم", "maryam" }, { "زينب", "zainab" }, { "عثمان", "uthman" },
    { "مصطفى", "mustafa" }, { "طارق", "tariq" }, { "عادل", "adel" }, { "سليمان", "sulaiman" },
    { "صدام", "saddam" }, { "قصي", "qusay" }, { "عدي", "uday" }, { "حامد", "hamid" },
    { "عابد", "abid" }, { "مجيد", "majid" }, { "تكريتي", "tikriti" }, { "رحمن", "rahman" },
    { "عزيز", "aziz" }, { "حميد", "hamid" }, { "جعفر", "jafar" }, { "موسى", "musa" },
    { "عيسى", "isa" }, { "أسامة", "usama" }, { "اسامة", "usama" }, { "بن", "bin" },
    { "أبو", "abu" }, { "ابو", "abu" }, { "لادن", "ladin" }, { "ظواهري", "zawahiri" },
    { "بكر", "bakr" }, { "بغدادي", "baghdadi" }, { "نصر", "nasr" }, { "منصور", "mansour" },
    { "هاشم", "hashim" }, { "قاسم", "qasim" }, { "كاظم", "kazim" }, { "مهدي", "mahdi" },
    { "جواد", "jawad" }, { "رضا", "reza" }, { "حيدر", "haidar" }, { "ياسين", "yasin" },
};

/* Thai and Khmer words of names, as their own people write them in Latin
 * (Thai: the Royal Thai General System; Khmer: UNGEGN as commonly used). */
static const struct reading thai_khmer[] = {
    { "สมชาย", "somchai" }, { "สมศักดิ์", "somsak" }, { "ประยุทธ์", "prayut" }, { "ทักษิณ", "thaksin" },
    { "สุเทพ", "suthep" }, { "อภิสิทธิ์", "abhisit" }, { "ชัยวัฒน์", "chaiwat" }, { "วิชัย", "wichai" },
    { "สุรชัย", "surachai" }, { "ณัฐพล", "nattaphon" }, { "ชินวัตร", "shinawatra" },
    { "จันทร์โอชา", "chan-o-cha" }, { "ยิ่งลักษณ์", "yingluck" }, { "ประวิตร", "prawit" },
    { "วงษ์สุวรรณ", "wongsuwan" }, { "สมพงษ์", "sompong" }, { "สุรินทร์", "surin" },
    { "ហ៊ុន", "hun" }, { "សែន", "sen" }, { "សុខ", "sok" }, { "ចាន់", "chan" }, { "សម", "sam" },
    { "រង្ស៊ី", "rainsy" }, { "ឃៀវ", "khieu" }, { "សំផន", "samphan" }, { "នួន", "nuon" },
    { "ជា", "chea" }, { "ម៉ាណែត", "manet" }, { "ប៉ុល", "pol" }, { "ពត", "pot" },
    { "តា", "ta" }, { "ម៉ុក", "mok" }, { "ខៀវ", "khieu" }, { "អៀង", "ieng" }, { "សារី", "sary" },
    { "ធីរិទ្ធ", "thirith" }, { "កឹម", "kem" }, { "សុខា", "sokha" },
};

/* Korean company words and their English, as the lists translate them;
 * 조선 leads a name, the others end it. */
static const struct reading hangul_company[] = {
    { "무역총회사", "trading general corporation" }, { "총회사", "general corporation" },
    { "주식회사", "co ltd" }, { "무역회사", "trading corporation" }, { "해운회사", "shipping company" },
    { "합영회사", "joint venture company" }, { "회사", "company" }, { "무역", "trading" },
    { "은행", "bank" }, { "해운", "shipping" }, { "총국", "general bureau" }, { "상사", "trading company" },
    { "그룹", "group" }, { "기업소", "enterprise" }, { "련합", "united" }, { "연합", "united" },
};
#define HANGUL_KOREA "조선"

/* Legal forms and company words: first each word alone (a word one
 * letter off counts too: comapny, limted), then the phrases they make,
 * each to the one short form it becomes. */
static const struct reading legal_words[] = {
    { "corporation", "corp" }, { "incorporated", "inc" }, { "company", "co" }, { "limited", "ltd" },
    { "aktiengesellschaft", "ag" }, { "jusikhoesa", "co ltd" }, { "chonghoesa", "general corp" },
    { "hoesa", "co" }, { "muyok", "trading" }, { "unhaeng", "bank" }, { "haeun", "shipping" },
    { "chongguk", "general bureau" }, { "choson", "korea" }, { "chosun", "korea" },
    { "joson", "korea" }, { "josun", "korea" },
};
static const struct reading legal_forms[] = {
    { "gesellschaft mit beschrankter haftung", "gmbh" },
    { "ltd liability co", "llc" }, { "ltd liability partnership", "llp" },
    { "public ltd co", "plc" }, { "public joint stock co", "pjsc" },
    { "open joint stock co", "ojsc" }, { "closed joint stock co", "cjsc" },
    { "joint stock co", "jsc" }, { "private ltd co", "pvt ltd" }, { "proprietary ltd", "pty ltd" },
    { "sociedad anonima", "sa" }, { "societe anonyme", "sa" }, { "societa per azioni", "spa" },
    { "gu fen you xian gong si", "co ltd" }, { "you xian gong si", "co ltd" },
    { "you xian ze ren gong si", "co ltd" }, { "zhu shi hui she", "co ltd" }, { "jusik hoesa", "co ltd" },
};

static bool starts(const char *s, const char *w)
{
    return strncmp(s, w, strlen(w)) == 0;
}

/* The longest entry of table[n] that s starts with, or NULL. */
static const struct reading *longest(const struct reading *table, size_t n, const char *s)
{
    const struct reading *best = NULL;

    for (size_t i = 0; i < n; i++)
        if (starts(s, table[i].script) && (best == NULL || strlen(table[i].script) > strlen(best->script)))
            best = &table[i];
    return best;
}

static void put_word(struct buf *out, const char *w)
{
    if (out->len && out->data[out->len - 1] != ' ')
        buf_putc(out, ' ');
    buf_puts(out, w);
    buf_putc(out, ' ');
}

/* Hiragana or katakana in s. */
static bool has_kana(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (p[0] == 0xE3 && (p[1] == 0x81 || p[1] == 0x82 || p[1] == 0x83))
            return true;
    return false;
}

bool names_read_tables(const char *s, struct buf *out)
{
    /* Japanese names only where the name is Japanese: kana, or a family
     * name of two kanji or more in the table at its start. */
    const struct reading *fam = longest(japanese_family, ARRAY_LEN(japanese_family), s);
    const char *rest = fam ? s + strlen(fam->script) + (s[strlen(fam->script)] == ' ') : NULL;
    bool japanese = has_kana(s) || (fam && strlen(fam->script) > 3)
                 || (rest && longest(japanese_given, ARRAY_LEN(japanese_given), rest));
    bool changed = false;

    buf_reset(out);
    for (const char *p = s; *p;) {
        const struct reading *r = NULL;
        bool article = false;
        if (japanese) {
            r = longest(japanese_family, ARRAY_LEN(japanese_family), p);
            if (r == NULL)
                r = longest(japanese_given, ARRAY_LEN(japanese_given), p);
        }
        if (r == NULL)
            r = longest(arabic, ARRAY_LEN(arabic), p);
        if (r == NULL && starts(p, "ال") && (p == s || p[-1] == ' ')) {
            /* the article: al- before a word of the table */
            r = longest(arabic, ARRAY_LEN(arabic), p + strlen("ال"));
            article = r != NULL;
        }
        if (r == NULL)
            r = longest(thai_khmer, ARRAY_LEN(thai_khmer), p);
        if (r) {
            put_word(out, article ? "al" : r->latin);
            if (article)
                put_word(out, r->latin);
            p += strlen(r->script) + (article ? strlen("ال") : 0);
            changed = true;
            continue;
        }
        buf_putc(out, *p++);
    }
    buf_puts(out, "");
    return changed;
}

bool names_hangul_company(const char *s, struct buf *out)
{
    size_t n = strlen(s), korea = starts(s, HANGUL_KOREA) ? strlen(HANGUL_KOREA) : 0;
    const struct reading *tail = NULL;
    size_t tail_at = n;

    /* the longest company word that ends the name */
    for (size_t i = 0; i < ARRAY_LEN(hangul_company); i++) {
        size_t len = strlen(hangul_company[i].script);
        if (len < n - korea && memcmp(s + n - len, hangul_company[i].script, len) == 0
            && (tail == NULL || len > n - tail_at)) {
            tail = &hangul_company[i];
            tail_at = n - len;
        }
    }
    if (tail == NULL && korea == 0)
        return false;
    buf_reset(out);
    if (korea)
        buf_puts(out, "korea ");
    buf_append(out, s + korea, tail_at - korea);
    if (tail) {
        buf_putc(out, ' ');
        buf_puts(out, tail->latin);
    }
    buf_puts(out, "");
    return true;
}

bool names_one_edit(const char *a, size_t na, const char *b, size_t nb)
{
    size_t p = 0;

    if (na < nb)
        return names_one_edit(b, nb, a, na);
    if (na - nb > 1)
        return false;
    while (p < nb && a[p] == b[p])
        p++;
    if (na > nb)
        return memcmp(a + p + 1, b + p, nb - p) == 0;
    if (p == na)
        return true;
    return memcmp(a + p + 1, b + p + 1, na - p - 1) == 0
        || (p + 1 < na && a[p] == b[p + 1] && a[p + 1] == b[p]
            && memcmp(a + p + 2, b + p + 2, na - p - 2) == 0);
}

/* The short form of one word: a legal word, or one of seven letters or
 * more one edit off it. */
static const char *legal_word(const char *w, size_t len)
{
    for (size_t i = 0; i < ARRAY_LEN(legal_words); i++) {
        const char *lw = legal_words[i].script;
        if (len < 6 && lw[0] != w[0])
            continue;
        size_t n = strlen(lw);
        if ((n == len && memcmp(lw, w, n) == 0) || (n >= 7 && names_one_edit(w, len, lw, n)))
            return legal_words[i].latin;
    }
    return NULL;
}

void names_legal_forms(struct buf *form)
{
    struct buf words = BUF_INIT, out = BUF_INIT;
    const char *p = buf_str(form);

    /* the words alone */
    while (*p) {
        size_t len = strcspn(p, " ");
        const char *short_form = legal_word(p, len);
        if (words.len)
            buf_putc(&words, ' ');
        if (short_form)
            buf_puts(&words, short_form);
        else
            buf_append(&words, p, len);
        p += len;
        while (*p == ' ')
            p++;
    }
    /* then the phrases */
    for (p = buf_str(&words); *p;) {
        const struct reading *best = NULL;
        for (size_t i = 0; i < ARRAY_LEN(legal_forms); i++) {
            if (p[0] != legal_forms[i].script[0])
                continue;
            size_t len = strlen(legal_forms[i].script);
            if (strncmp(p, legal_forms[i].script, len) == 0 && (p[len] == ' ' || p[len] == '\0')
                && (best == NULL || len > strlen(best->script)))
                best = &legal_forms[i];
        }
        if (out.len)
            buf_putc(&out, ' ');
        if (best) {
            buf_puts(&out, best->latin);
            p += strlen(best->script);
        } else {
            size_t len = strcspn(p, " ");
            buf_append(&out, p, len);
            p += len;
        }
        while (*p == ' ')
            p++;
    }
    buf_reset(form);
    buf_append(form, out.data ? out.data : "", out.len);
    buf_puts(form, "");
    buf_free(&words);
    buf_free(&out);
}
