/*
 * test_names_scripts.c: the readings attest keeps for scripts where ICU
 * is wrong for names or has nothing: Japanese names in kanji (only where
 * the name is Japanese), Arabic, Thai and Khmer names, Korean company
 * words in Hangul, and legal forms brought to one short form.
 */
#include "../../src/core/attest.h"
#include "../../src/core/names.h"
#include "unit.h"

static bool has_form(const char *name, const char *want)
{
    struct at_ctx ctx = { 0 };
    struct name_forms f = { { NULL }, 0 };
    bool found = false;

    if (names_normalise(&ctx, name, &f) != AT_OK)
        return false;
    for (size_t i = 0; i < f.n; i++) {
        found |= strcmp(f.form[i], want) == 0;
        if (!found)
            printf("# %s: %s\n", name, f.form[i]);
    }
    names_forms_free(&f);
    return found;
}

UNIT_TEST(names_scripts_japanese_read_as_japanese)
{
    /* kanji of a Japanese name: the Japanese reading, and the Chinese one */
    CHECK(has_form("佐藤太郎", "sato taro"));
    CHECK(has_form("佐藤太郎", "zuo teng tai lang"));
    CHECK(has_form("安倍 晋三", "abe shinzo"));
    /* kana, by ICU */
    CHECK(has_form("さとう たろう", "satou tarou"));
    /* one character that is also a Chinese family name stays Chinese */
    CHECK(has_form("林明", "lin ming"));
    CHECK(!has_form("林明", "hayashi ming"));
}

UNIT_TEST(names_scripts_arabic_thai_khmer)
{
    CHECK(has_form("محمد علي حسن", "muhammad ali hassan"));
    CHECK(has_form("صدام حسين التكريتي", "saddam hussein al tikriti"));
    CHECK(has_form("สมชาย ทักษิณ", "somchai thaksin"));
    CHECK(has_form("ហ៊ុន សែន", "hun sen"));
}

UNIT_TEST(names_scripts_korean_company_words)
{
    CHECK(has_form("조선련봉총회사", "korea ryonbong general corp"));
    CHECK(has_form("금강은행", "kumgang bank"));
    CHECK(has_form("조선안산해운회사", "korea ansan shipping co"));
    /* in romanisation too */
    CHECK(has_form("CHOSON TAESONG UNHAENG", "korea taesong bank"));
}

UNIT_TEST(names_scripts_legal_forms)
{
    CHECK(has_form("Siemens Aktiengesellschaft", "siemens ag"));
    CHECK(has_form("SIEMENS AG", "siemens ag"));
    CHECK(has_form("Muster Gesellschaft mit beschränkter Haftung", "muster gmbh"));
    CHECK(has_form("Acme Limited Liability Company", "acme llc"));
    CHECK(has_form("Korea Ryonbong General Corporation", "korea ryonbong general corp"));
    CHECK(has_form("Hwasin Shipping Company Limited", "hwasin shipping co ltd"));
    CHECK(has_form("华信船务有限公司", "hua xin chuan wu co ltd"));
}
