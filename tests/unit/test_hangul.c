/*
 * test_hangul.c: romanisation of Hangul place and personal names, checked
 * against the spellings in the standard tables and in common use (RR as
 * the South Korean government writes it, MR as Western atlases and
 * scholarship write it, the DPRK forms on its own publications and on the
 * UN and OFAC lists).
 */
#include "../../src/core/attest.h"
#include "../../src/core/hangul.h"
#include "unit.h"

#include <stdlib.h>

static const struct {
    const char *hangul;
    unsigned flags;
    const char *rr, *mr, *mr_plain, *dprk;
} places[] = {
    /* provinces, with the suffix hyphen */
    { "평안남도", HANGUL_ADMIN_HYPHEN, "Pyeongannam-do", "P'yŏngan-namdo",
      "Pyongan-namdo", "Phyongannam-do" },
    { "평안북도", HANGUL_ADMIN_HYPHEN, "Pyeonganbuk-do", "P'yŏngan-bukto",
      "Pyongan-bukto", "Phyonganbuk-do" },
    { "자강도", HANGUL_ADMIN_HYPHEN, "Jagang-do", "Chagang-do", "Chagang-do",
      "Jagang-do" },
    { "량강도", HANGUL_ADMIN_HYPHEN, "Ryanggang-do", "Ryanggang-do",
      "Ryanggang-do", "Ryanggang-do" },
    { "양강도", HANGUL_ADMIN_HYPHEN, "Yanggang-do", "Yanggang-do",
      "Yanggang-do", "Yanggang-do" },
    { "함경남도", HANGUL_ADMIN_HYPHEN, "Hamgyeongnam-do", "Hamgyŏng-namdo",
      "Hamgyong-namdo", "Hamgyongnam-do" },
    { "함경북도", HANGUL_ADMIN_HYPHEN, "Hamgyeongbuk-do", "Hamgyŏng-bukto",
      "Hamgyong-bukto", "Hamgyongbuk-do" },
    { "황해남도", HANGUL_ADMIN_HYPHEN, "Hwanghaenam-do", "Hwanghae-namdo",
      "Hwanghae-namdo", "Hwanghaenam-do" },
    { "황해북도", HANGUL_ADMIN_HYPHEN, "Hwanghaebuk-do", "Hwanghae-bukto",
      "Hwanghae-bukto", "Hwanghaebuk-do" },
    { "강원도", HANGUL_ADMIN_HYPHEN, "Gangwon-do", "Kangwŏn-do", "Kangwon-do",
      "Kangwon-do" },
    { "풍계리", HANGUL_ADMIN_HYPHEN, "Punggye-ri", "P'unggye-ri",
      "Punggye-ri", "Phunggye-ri" },
    { "모란봉구역", HANGUL_ADMIN_HYPHEN, "Moranbong-guyeok", "Moranbong-guyŏk",
      "Moranbong-guyok", "Moranbong-guyok" },
    /* the same without the flag */
    { "함경북도", 0, "Hamgyeongbukdo", "Hamgyŏngbukto", "Hamgyongbukto",
      "Hamgyongbukto" },
    /* cities, counties, camps */
    { "평양", 0, "Pyeongyang", "P'yŏngyang", "Pyongyang", "Phyongyang" },
    { "라선", 0, "Raseon", "Rasŏn", "Rason", "Rason" },
    { "개성", 0, "Gaeseong", "Kaesŏng", "Kaesong", "Kaesong" },
    { "남포", 0, "Nampo", "Namp'o", "Nampo", "Nampho" },
    { "원산", 0, "Wonsan", "Wŏnsan", "Wonsan", "Wonsan" },
    { "혜산", 0, "Hyesan", "Hyesan", "Hyesan", "Hyesan" },
    { "회령", 0, "Hoeryeong", "Hoeryŏng", "Hoeryong", "Hoeryong" },
    { "무산", 0, "Musan", "Musan", "Musan", "Musan" },
    { "온성", 0, "Onseong", "Onsŏng", "Onsong", "Onsong" },
    { "신의주", 0, "Sinuiju", "Sinŭiju", "Sinuiju", "Sinuiju" },
    { "청진", 0, "Cheongjin", "Ch'ŏngjin", "Chongjin", "Chongjin" },
    { "김책", 0, "Gimchaek", "Kimch'aek", "Kimchaek", "Kimchaek" },
    { "단천", 0, "Dancheon", "Tanch'ŏn", "Tanchon", "Tanchon" },
    { "요덕", 0, "Yodeok", "Yodŏk", "Yodok", "Yodok" },
    { "개천", 0, "Gaecheon", "Kaech'ŏn", "Kaechon", "Kaechon" },
    { "화성", 0, "Hwaseong", "Hwasŏng", "Hwasong", "Hwasong" },
    { "전거리", 0, "Jeongeori", "Chŏn'gŏri", "Chongori", "Jongori" },
    { "함흥", 0, "Hamheung", "Hamhŭng", "Hamhung", "Hamhung" },
    { "흥남", 0, "Heungnam", "Hŭngnam", "Hungnam", "Hungnam" },
    { "강계", 0, "Ganggye", "Kanggye", "Kanggye", "Kanggye" },
    { "해주", 0, "Haeju", "Haeju", "Haeju", "Haeju" },
    { "사리원", 0, "Sariwon", "Sariwŏn", "Sariwon", "Sariwon" },
    { "평성", 0, "Pyeongseong", "P'yŏngsŏng", "Pyongsong", "Phyongsong" },
    { "영변", 0, "Yeongbyeon", "Yŏngbyŏn", "Yongbyon", "Yongbyon" },
    { "나진", 0, "Najin", "Najin", "Najin", "Najin" },
    { "만포", 0, "Manpo", "Manp'o", "Manpo", "Manpho" },
    /* mountains, rivers, words across the Korean sound changes */
    { "백두산", 0, "Baekdusan", "Paektusan", "Paektusan", "Paektusan" },
    { "금강산", 0, "Geumgangsan", "Kŭmgangsan", "Kumgangsan", "Kumgangsan" },
    { "칠보산", 0, "Chilbosan", "Ch'ilbosan", "Chilbosan", "Chilbosan" },
    { "대동강", 0, "Daedonggang", "Taedonggang", "Taedonggang", "Taedonggang" },
    { "압록강", 0, "Amnokgang", "Amnokkang", "Amnokkang", "Amnokkang" },
    { "조선", 0, "Joseon", "Chosŏn", "Choson", "Joson" },
    { "련봉", 0, "Ryeonbong", "Ryŏnbong", "Ryonbong", "Ryonbong" },
    { "로동", 0, "Rodong", "Rodong", "Rodong", "Rodong" },
    { "종로", 0, "Jongno", "Chongno", "Chongno", "Jongno" },
    { "신라", 0, "Silla", "Silla", "Silla", "Silla" },
    { "설날", 0, "Seollal", "Sŏllal", "Sollal", "Sollal" },
    { "독립문", 0, "Dongnimmun", "Tongnimmun", "Tongnimmun", "Tongnimmun" },
    { "한국", 0, "Hanguk", "Han'guk", "Hanguk", "Hanguk" },
    { "북한", 0, "Bukhan", "Pukhan", "Pukhan", "Pukhan" },
    { "서울", 0, "Seoul", "Sŏul", "Soul", "Soul" },
    { "부산", 0, "Busan", "Pusan", "Pusan", "Pusan" },
    { "같이", 0, "Gachi", "Kach'i", "Kachi", "Kachi" },
    { "좋고", 0, "Joko", "Chok'o", "Choko", "Jokho" },
};

UNIT_TEST(hangul_place_names_in_every_system)
{
    struct at_ctx ctx = { 0 };

    for (size_t i = 0; i < ARRAY_LEN(places); i++) {
        struct hangul_place p;
        const char *h = places[i].hangul;

        REQUIRE(hangul_place(&ctx, h, strlen(h), places[i].flags, &p) == AT_OK);
        CHECK_STR(p.rr, places[i].rr);
        CHECK_STR(p.mr, places[i].mr);
        CHECK_STR(p.mr_plain, places[i].mr_plain);
        CHECK_STR(p.dprk, places[i].dprk);
        hangul_place_free(&p);
    }
}

/* The romanisation of s in sys with flags, as a static string. */
static const char *rom(const char *s, enum hangul_system sys, unsigned flags)
{
    static struct buf b;
    struct at_ctx ctx = { 0 };

    buf_reset(&b);
    if (hangul_romanise(&ctx, s, strlen(s), sys, flags, &b) != AT_OK)
        return NULL;
    return buf_str(&b);
}

UNIT_TEST(hangul_other_text_passes_through)
{
    CHECK_STR(rom("평양 Pyongyang, 2023년!", HANGUL_RR, HANGUL_CAPITALISE),
              "Pyeongyang Pyongyang, 2023nyeon!");
    CHECK_STR(rom("조선(朝鮮) ㄱ", HANGUL_MR, 0), "chosŏn(朝鮮) ㄱ");
    CHECK_STR(rom("", HANGUL_DPRK, 0), "");
    CHECK_STR(rom("어랑", HANGUL_MR, HANGUL_CAPITALISE), "Ŏrang");
    CHECK_STR(rom("을지", HANGUL_MR, HANGUL_CAPITALISE), "Ŭlchi");
    /* the suffix hyphen needs two syllables before the suffix */
    CHECK_STR(rom("강도", HANGUL_RR, HANGUL_ADMIN_HYPHEN), "gangdo");
    CHECK_STR(rom("개성시", HANGUL_RR, HANGUL_ADMIN_HYPHEN), "gaeseong-si");
}

static const struct {
    const char *hangul;
    const char *rr, *mr, *mr_plain, *dprk;
} names[] = {
    { "김일성", "Kim Ilseong", "Kim Ilsŏng", "Kim Ilsong", "Kim Il Song" },
    { "김정일", "Kim Jeongil", "Kim Chŏngil", "Kim Chongil", "Kim Jong Il" },
    { "김정은", "Kim Jeongeun", "Kim Chŏngŭn", "Kim Chongun", "Kim Jong Un" },
    { "리설주", "Ri Seolju", "Ri Sŏlchu", "Ri Solchu", "Ri Sol Ju" },
    { "박근혜", "Park Geunhye", "Pak Kŭnhye", "Pak Kunhye", "Pak Kun Hye" },
    { "이명박", "Lee Myeongbak", "I Myŏngbak", "I Myongbak", "I Myong Pak" },
    { "장성택", "Jang Seongtaek", "Chang Sŏngt'aek", "Chang Songtaek",
      "Jang Song Thaek" },
    { "최룡해", "Choi Ryonghae", "Ch'oe Ryonghae", "Choe Ryonghae",
      "Choe Ryong Hae" },
    { "남궁민", "Namgung Min", "Namgung Min", "Namgung Min", "Namgung Min" },
    { "선우 진", "Sunwoo Jin", "Sŏnu Chin", "Sonu Chin", "Sonu Jin" },
};

UNIT_TEST(hangul_name_primary_forms)
{
    static const enum hangul_system sys[4] = {
        HANGUL_RR, HANGUL_MR, HANGUL_MR_PLAIN, HANGUL_DPRK,
    };
    struct at_ctx ctx = { 0 };
    struct buf b = BUF_INIT;

    for (size_t i = 0; i < ARRAY_LEN(names); i++) {
        const char *want[4] = {
            names[i].rr, names[i].mr, names[i].mr_plain, names[i].dprk,
        };
        for (int k = 0; k < 4; k++) {
            buf_reset(&b);
            REQUIRE(hangul_name(&ctx, names[i].hangul, strlen(names[i].hangul),
                                sys[k], 0, &b) == AT_OK);
            CHECK_STR(buf_str(&b), want[k]);
        }
    }
    buf_reset(&b);
    CHECK(hangul_name(&ctx, "김정은", strlen("김정은"), HANGUL_RR,
                      HANGUL_NAME_HYPHEN, &b) == AT_OK);
    CHECK_STR(buf_str(&b), "Kim Jeong-eun");
    buf_reset(&b);
    CHECK(hangul_name(&ctx, "김정은", strlen("김정은"), HANGUL_MR,
                      HANGUL_NAME_HYPHEN, &b) == AT_OK);
    CHECK_STR(buf_str(&b), "Kim Chŏng-ŭn");
    buf_reset(&b);
    CHECK(hangul_name(&ctx, "김정은", strlen("김정은"), HANGUL_DPRK,
                      HANGUL_NAME_HYPHEN, &b) == AT_OK);
    CHECK_STR(buf_str(&b), "Kim Jong-un");
    buf_free(&b);
}

/* Checks that every string in want[] is a variant of name. */
static void check_variants(const char *name, const char *const *want)
{
    struct at_ctx ctx = { 0 };
    struct hangul_names v;

    if (hangul_name_variants(&ctx, name, strlen(name), &v) != AT_OK) {
        unit_fail(__FILE__, __LINE__, ctx.message);
        return;
    }
    for (; *want; want++) {
        if (!hangul_names_contain(&v, *want)) {
            char m[256];
            snprintf(m, sizeof m, "%s: \"%s\" is not among %zu variants",
                     name, *want, v.n);
            unit_fail(__FILE__, __LINE__, m);
        }
    }
    for (size_t i = 0; i < v.n; i++)
        for (size_t j = i + 1; j < v.n; j++)
            CHECK(strcmp(v.v[i], v.v[j]) != 0);
    hangul_names_free(&v);
}

UNIT_TEST(hangul_name_variants_cover_published_spellings)
{
    check_variants("김정은", (const char *const[]){
        "Kim Jong Un", "Kim Jong-un", "Kim Jeongeun", "Gim Jeong-eun",
        "Kim Chŏngŭn", "Kim Chŏng-ŭn", "Kim Chong Un", "kim jong un",
        "kim jeong-eun", "kim chongun", NULL });
    check_variants("김일성", (const char *const[]){
        "Kim Il Sung", "Kim Il-sung", "Kim Ilsŏng", "Kim Il-sŏng",
        "Kim Il Song", "kim il sung", NULL });
    check_variants("김정일", (const char *const[]){
        "Kim Jong Il", "Kim Jong-il", "Kim Chŏngil", "Kim Jeong-il", NULL });
    check_variants("리설주", (const char *const[]){
        "Ri Sol Ju", "Ri Sŏlchu", "Ri Seol-ju", "Lee Seol-ju", NULL });
    check_variants("박근혜", (const char *const[]){
        "Park Geun-hye", "Pak Kŭnhye", "Bak Geunhye", "park geun-hye", NULL });
    check_variants("이명박", (const char *const[]){
        "Lee Myung-bak", "Yi Myŏng-bak", "I Myeongbak", "lee myung-bak",
        NULL });
    check_variants("장성택", (const char *const[]){
        "Jang Song Thaek", "Chang Sŏng-t'aek", "jang song thaek", NULL });
    check_variants("최룡해", (const char *const[]){
        "Choe Ryong Hae", "Choi Ryong-hae", NULL });
    /* the UN list's spellings of the same people */
    check_variants("윤호진", (const char *const[]){
        "Yun Ho-jin", "Yun Ho-chin", NULL });
    check_variants("리제선", (const char *const[]){
        "Ri Je-son", "Ri Che-son", NULL });
    check_variants("백창호", (const char *const[]){
        "Paek Chang-ho", "Paek Ch'ang-ho", NULL });
    check_variants("문정철", (const char *const[]){
        "Mun Chong-chol", "Moon Jeong-cheol", NULL });
    check_variants("김영철", (const char *const[]){
        "Kim Yong Chol", "Kim Young-chul", NULL });
    check_variants("남궁민", (const char *const[]){
        "Namgung Min", "Namkung Min", NULL });
    check_variants("김", (const char *const[]){ "Kim", "Gim", "kim", NULL });
}

UNIT_TEST(hangul_names_split_and_refuse)
{
    struct at_ctx ctx = { 0 };
    struct buf b = BUF_INIT;
    struct hangul_names v;

    CHECK(hangul_name(&ctx, " 김 정은 ", strlen(" 김 정은 "), HANGUL_DPRK, 0,
                      &b) == AT_OK);
    CHECK_STR(buf_str(&b), "Kim Jong Un");
    buf_reset(&b);
    /* a space overrides the table: 남 is the family name here */
    CHECK(hangul_name(&ctx, "남 궁민", strlen("남 궁민"), HANGUL_RR, 0,
                      &b) == AT_OK);
    CHECK_STR(buf_str(&b), "Nam Gungmin");
    CHECK(hangul_name(&ctx, "Kim", 3, HANGUL_RR, 0, &b) == AT_EINVAL);
    CHECK(strstr(ctx.message, "byte 0") != NULL);
    CHECK(hangul_name(&ctx, "", 0, HANGUL_RR, 0, &b) == AT_EINVAL);
    CHECK(hangul_name(&ctx, "김정은 동지", strlen("김정은 동지"), HANGUL_RR, 0,
                      &b) == AT_EINVAL);
    CHECK(hangul_name_variants(&ctx, "김\xff", 4, &v) == AT_EINVAL);
    CHECK(v.n == 0 && v.v == NULL);
    CHECK(strstr(ctx.message, "byte 3") != NULL);
    buf_free(&b);
}

UNIT_TEST(hangul_invalid_utf8_is_refused)
{
    static const struct {
        const char *bytes;
        size_t len;
        const char *where;
    } bad[] = {
        { "\xff", 1, "byte 0" },
        { "평양\xc3", 7, "byte 6" },              /* truncated */
        { "a\xc0\xaf", 3, "byte 1" },             /* overlong */
        { "ab\xed\xa0\x80", 5, "byte 2" },        /* surrogate */
        { "\xf4\x90\x80\x80", 4, "byte 0" },      /* above U+10FFFF */
        { "평\x80양", 7, "byte 3" },              /* stray continuation */
        { "a\0b", 3, "byte 1" },                  /* NUL */
    };
    struct at_ctx ctx = { 0 };
    struct buf b = BUF_INIT;

    buf_puts(&b, "kept");
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        ctx_clear(&ctx);
        CHECK(hangul_romanise(&ctx, bad[i].bytes, bad[i].len, HANGUL_RR, 0,
                              &b) == AT_EINVAL);
        CHECK(strstr(ctx.message, bad[i].where) != NULL);
        CHECK_STR(buf_str(&b), "kept");
    }
    CHECK(hangul_romanise(&ctx, "x", 1, (enum hangul_system)9, 0, &b)
          == AT_EINVAL);
    buf_free(&b);
}
