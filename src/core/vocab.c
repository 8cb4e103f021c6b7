/*
 * vocab.c: the controlled vocabularies.  They follow the HURIDOCS Events
 * Standard Formats where it has a list (reliability mt42, degree of
 * involvement mt18), and the practice of North Korea mapping projects
 * where it does not (site types, basis of knowledge).
 */
#include "attest.h"
#include "vocab.h"

#include <stdlib.h>
#include <string.h>

#define TERMS(a) a, ARRAY_LEN(a)

static const struct vocab_term act_type[] = {
    { "public_execution", "Public execution", "공개처형" },
    { "secret_execution", "Secret execution", "비밀처형" },
    { "extrajudicial_killing", "Extrajudicial killing", "초법적 살해" },
    { "death_in_custody", "Death in custody", "구금 중 사망" },
    { "arbitrary_detention", "Arbitrary detention", "자의적 구금" },
    { "torture", "Torture", "고문" },
    { "enforced_disappearance", "Enforced disappearance", "강제실종" },
    { "abduction", "Abduction", "납치" },
    { "forced_labour", "Forced labour", "강제노동" },
    { "trafficking", "Trafficking in persons", "인신매매" },
    { "sale", "Sale of a person", "인신매매(판매)" },
    { "sexual_violence", "Sexual violence", "성폭력" },
    { "forced_repatriation", "Forced repatriation", "강제송환" },
    { "forced_abortion", "Forced abortion", "강제낙태" },
    { "infanticide", "Infanticide", "영아살해" },
    { "wage_withholding", "Wages withheld", "임금 착취" },
    { "document_confiscation", "Identity documents confiscated", "신분증 압수" },
    { "starvation", "Deliberate starvation", "고의적 기아" },
    { "other", "Other", "기타" },
};

static const struct vocab_term site_type[] = {
    { "public_execution_site", "Public execution site", "공개처형 장소" },
    { "secret_killing_site", "Secret killing site", "비밀처형 장소" },
    { "burial_site", "Burial site", "매장지" },
    { "body_disposal_site", "Body disposal site", "시신 처리 장소" },
    { "detention_facility", "Detention facility", "구금시설" },
    { "political_prison_camp", "Political prison camp", "정치범수용소" },
    { "interrogation_facility", "Interrogation facility", "취조시설" },
    { "document_location", "Place holding documents", "문서 보관 장소" },
    { "border_crossing", "Border crossing", "국경 통과 지점" },
    { "workplace", "Workplace", "작업장" },
    { "other", "Other", "기타" },
};

static const struct vocab_term basis_of_knowledge[] = {
    { "present", "Present or involved (victim, participant)", "직접 경험" },
    { "eyewitness", "Saw it", "목격" },
    { "heard_from_victim", "Heard from the victim", "피해자로부터 들음" },
    { "heard_from_witness", "Heard from a witness", "목격자로부터 들음" },
    { "rumour", "Rumour", "소문" },
    { "document", "Read it in a document", "문서" },
    { "unknown", "Unknown", "미상" },
};

static const struct vocab_term reliability[] = {
    { "highly_reliable", "Highly reliable", "매우 신뢰" },
    { "likely_reliable", "Likely reliable", "신뢰 가능" },
    { "unsure", "Unsure", "불확실" },
    { "likely_unreliable", "Likely unreliable", "신뢰 어려움" },
    { "highly_unreliable", "Highly unreliable", "매우 신뢰 어려움" },
    { "unknown", "Unknown", "미상" },
};

static const struct vocab_term clearance[] = {
    { "public", "Public", "공개" },
    { "partner", "Partners", "협력기관" },
    { "restricted", "Restricted to the team", "내부" },
    { "confidential", "Confidential", "기밀" },
};

static const struct vocab_term confidence[] = {
    { "confirmed", "Confirmed", "확인" },
    { "probable", "Probable", "유력" },
    { "possible", "Possible", "가능" },
    { "unverified", "Unverified", "미확인" },
};

static const struct vocab_term tier[] = {
    { "public", "May be published", "공개 가능" },
    { "partner", "Partners only", "협력기관 한정" },
    { "court", "Court only", "법원 한정" },
};

static const struct vocab_term sex[] = {
    { "female", "Female", "여성" },
    { "male", "Male", "남성" },
    { "other", "Other", "기타" },
    { "unknown", "Unknown", "미상" },
};

static const struct vocab_term organisation_kind[] = {
    { "state_agency", "State agency", "국가기관" },
    { "security_agency", "Security or police agency", "보안기관" },
    { "military_unit", "Military unit", "군부대" },
    { "party_organ", "Party organ", "당 기관" },
    { "company", "Company", "회사" },
    { "bank", "Bank", "은행" },
    { "ngo", "Non-governmental organisation", "비정부기구" },
    { "other", "Other", "기타" },
};

static const struct vocab_term relation_kind[] = {
    { "involvement", "Perpetrator involved in an act or event", "가해 관여" },
    { "information", "Source gave information on", "정보 제공" },
    { "family", "Family tie", "가족" },
    { "same_household", "Same household", "동일 가구" },
    { "heard_from", "Heard it from", "전해 들음" },
    { "member_of", "Member or employee of", "소속" },
    { "ownership", "Owns", "소유" },
    { "directorship", "Director of", "임원" },
    { "succession", "Successor of", "승계" },
    { "occurred_at", "Happened at the site", "발생 장소" },
    { "part_of", "Part of a larger event", "하위 사건" },
};

static const struct vocab_term involvement_degree[] = {
    { "directly_carried_out", "Directly carried out", "직접 실행" },
    { "gave_orders", "Gave orders", "명령" },
    { "planned", "Planned", "계획" },
    { "confirmed_present", "Confirmed present", "현장 있음 확인" },
    { "passive_accomplice", "Passive accomplice", "소극적 공범" },
    { "failed_to_prevent", "Failed to prevent", "방지 불이행" },
    { "suspected", "Suspected", "혐의" },
    { "unknown", "Unknown", "미상" },
};

static const struct vocab_term consent_use[] = {
    { "analysis", "Analysis by the team", "내부 분석" },
    { "share_partner", "Sharing with partner organisations", "협력기관 공유" },
    { "court", "Use before a court or UN mechanism", "법적 절차" },
    { "publication", "Publication (anonymised)", "공개 (익명)" },
};

static const struct vocab_term currency[] = {
    { "CNY", "Chinese yuan", "위안" },
    { "KPW", "North Korean won", "북한 원" },
    { "KRW", "South Korean won", "한국 원" },
    { "USD", "US dollar", "미국 달러" },
    { "EUR", "Euro", "유로" },
    { "RUB", "Russian rouble", "루블" },
    { "JPY", "Japanese yen", "엔" },
    /* where sales and overseas labour are paid */
    { "MNT", "Mongolian tögrög", "투그릭" },
    { "THB", "Thai baht", "바트" },
    { "LAK", "Lao kip", "킵" },
    { "VND", "Vietnamese dong", "동" },
    { "KHR", "Cambodian riel", "리엘" },
    { "MYR", "Malaysian ringgit", "링깃" },
    { "AED", "UAE dirham", "디르함" },
    { "QAR", "Qatari riyal", "카타르 리얄" },
    { "KWD", "Kuwaiti dinar", "쿠웨이트 디나르" },
    { "PLN", "Polish złoty", "즐로티" },
    { "GBP", "Pound sterling", "파운드" },
};

/* Documents as sources: formats, and the figures claimed in them. */
static const struct vocab_term document_format[] = {
    { "text", "Plain text", "일반 텍스트" },
    { "markdown", "Markdown", "마크다운" },
    { "html", "HTML", "HTML 웹 문서" },
};

static const struct vocab_term quantity_unit[] = {
    { "people", "People", "명" },
    { "workers", "Workers", "노동자" },
    { "defectors", "Defectors", "탈북민" },
    { "refugees", "Refugees", "난민" },
    { "arrivals", "Arrivals", "입국자" },
    { "women", "Women", "여성" },
    { "children", "Children", "아동" },
    { "usd", "US dollars", "미국 달러" },
    { "cny", "Chinese yuan", "위안" },
    { "won", "Won", "원" },
    { "kpw", "North Korean won", "북한 원" },
    { "krw", "South Korean won", "한국 원" },
    { "eur", "Euros", "유로" },
    { "rub", "Russian roubles", "루블" },
    { "percent", "Percent", "퍼센트" },
    { "miles", "Miles", "마일" },
    { "km", "Kilometres", "킬로미터" },
};

static const struct vocab_term claim_topic[] = {
    { "workers_abroad", "Workers sent abroad", "해외 파견 노동자" },
    { "revenue", "Revenue to the state", "국가 수입" },
    { "arrivals", "Arrivals of defectors", "탈북민 입국" },
    { "trafficking_price", "Price paid in trafficking", "인신매매 가격" },
    { "trafficking_victims", "Victims of trafficking", "인신매매 피해자" },
    { "detention", "People detained", "구금자" },
    { "executions", "Executions", "처형" },
    { "repatriations", "Forced repatriations", "강제송환" },
    { "other", "Other", "기타" },
};

static const struct vocab_term claim_qualifier[] = {
    { "exactly", "Exactly", "정확히" },
    { "about", "About", "약" },
    { "at_least", "At least", "최소" },
    { "at_most", "At most", "최대" },
    { "more_than", "More than", "이상" },
    { "less_than", "Less than", "미만" },
};

/* ---- casework: trafficking and overseas-labour cases, dependants, referrals ---- */

static const struct vocab_term case_kind[] = {
    { "trafficking", "Trafficking (sale of a person)", "인신매매" },
    { "overseas_labour", "Overseas labour", "해외 파견 노동" },
};

static const struct vocab_term case_status[] = {
    { "open", "Open", "진행 중" },
    { "monitoring", "Monitoring", "관찰 중" },
    { "closed", "Closed", "종결" },
};

/* The ILO's eleven indicators of forced labour (ILO, 2012), in its order. */
static const struct vocab_term ilo_indicator[] = {
    { "abuse_of_vulnerability", "Abuse of vulnerability", "취약성 악용" },
    { "deception", "Deception", "기만" },
    { "restriction_of_movement", "Restriction of movement", "이동의 제한" },
    { "isolation", "Isolation", "고립" },
    { "physical_sexual_violence", "Physical and sexual violence", "신체적·성적 폭력" },
    { "intimidation_threats", "Intimidation and threats", "협박과 위협" },
    { "retention_of_documents", "Retention of identity documents", "신분증 압류" },
    { "withholding_of_wages", "Withholding of wages", "임금 체불" },
    { "debt_bondage", "Debt bondage", "부채 속박" },
    { "abusive_conditions", "Abusive working and living conditions", "열악한 노동·생활 환경" },
    { "excessive_overtime", "Excessive overtime", "과도한 초과 근무" },
};

static const struct vocab_term indicator_status[] = {
    { "observed", "Observed", "확인됨" },
    { "not_observed", "Not observed", "확인되지 않음" },
    { "unknown", "Unknown", "미상" },
};

static const struct vocab_term labour_sector[] = {
    { "construction", "Construction", "건설" },
    { "logging", "Logging", "벌목" },
    { "fishing", "Fishing and seafood processing", "어업·수산물 가공" },
    { "manufacturing", "Manufacturing and textiles", "제조·봉제" },
    { "mining", "Mining", "광업" },
    { "agriculture", "Agriculture", "농업" },
    { "restaurant", "Restaurants and hospitality", "식당·접객" },
    { "it", "Information technology", "정보기술" },
    { "medical", "Medical work", "의료" },
    { "other", "Other", "기타" },
};

static const struct vocab_term wage_period[] = {
    { "hour", "Per hour", "시간당" },
    { "day", "Per day", "일당" },
    { "week", "Per week", "주당" },
    { "month", "Per month", "월" },
    { "year", "Per year", "연" },
};

static const struct vocab_term citizenship_status[] = {
    { "citizen", "Holds a citizenship", "국적 있음" },
    { "stateless", "Stateless", "무국적" },
    { "pending", "Application pending", "신청 중" },
    { "unknown", "Unknown", "미상" },
};

static const struct vocab_term schooling[] = {
    { "enrolled", "In school", "재학" },
    { "not_enrolled", "Not in school", "미취학" },
    { "refused", "Refused enrolment", "입학 거부" },
    { "not_school_age", "Not of school age", "학령 전" },
    { "unknown", "Unknown", "미상" },
};

static const struct vocab_term birth_registration[] = {
    { "registered", "Birth registered", "출생 등록됨" },
    { "unregistered", "Birth not registered", "출생 미등록" },
    { "unknown", "Unknown", "미상" },
};

static const struct vocab_term need_kind[] = {
    { "safety", "Safety and protection", "신변 보호" },
    { "shelter", "Shelter", "쉼터" },
    { "medical", "Medical care", "의료" },
    { "psychosocial", "Psychosocial support", "심리 지원" },
    { "legal", "Legal aid", "법률 지원" },
    { "documents", "Identity documents", "신분 서류" },
    { "education", "Education", "교육" },
    { "livelihood", "Livelihood and work", "생계·취업" },
    { "financial", "Financial help", "재정 지원" },
    { "family", "Family tracing and reunion", "가족 찾기·재결합" },
    { "other", "Other", "기타" },
};

static const struct vocab_term referral_status[] = {
    { "needed", "Needed", "필요" },
    { "referred", "Referred", "연계됨" },
    { "provided", "Help given", "지원 완료" },
    { "declined", "Declined", "거절" },
    { "closed", "Closed", "종결" },
};
/* ---- end of casework ---- */

/*
 * Other words for terms, as witnesses and analysts write them in their own
 * files (a Google Earth folder called "처형장", a value "body site"), in
 * English and Korean, separated by |.  A word stands for one term only:
 * "killing site" is a public execution site, as the mapping reports use
 * it for the sites of state-sanctioned killing (a secret one is named so).
 */
static const struct {
    const char *vocab, *code, *words;
} synonyms[] = {
    { "site_type", "public_execution_site",
      "killing site|killing ground|execution site|execution ground|public execution|"
      "처형장|공개처형장|처형 장소|사형장|총살장" },
    { "site_type", "secret_killing_site",
      "secret execution site|secret killing|secret execution|비밀처형장|비공개처형장" },
    { "site_type", "burial_site",
      "grave|mass grave|burial ground|cemetery|매장 장소|묘지|공동묘지|집단매장지|무덤|암매장지" },
    { "site_type", "body_disposal_site",
      "body site|body disposal|dumping site|body dumping site|cremation site|crematorium|"
      "시신 처리장|시체 처리장|시신 유기 장소|시신 유기지|화장터" },
    { "site_type", "detention_facility",
      "detention centre|detention center|holding centre|holding center|prison|jail|"
      "구류장|구금소|집결소|노동단련대|교화소|감옥|유치장" },
    { "site_type", "political_prison_camp",
      "kwanliso|political prison|concentration camp|관리소|수용소" },
    { "site_type", "interrogation_facility",
      "interrogation centre|interrogation center|interrogation room|취조실|조사실|예심실" },
    { "site_type", "document_location", "archive|records office|문서고|기록 보관소" },
    { "site_type", "border_crossing",
      "crossing point|river crossing|crossing|도강 지점|도강|국경 통과|월경 지점" },
    { "site_type", "workplace", "work site|worksite|factory|mine|작업 현장|공장|광산" },
    { "basis_of_knowledge", "present", "victim|participant|was there|직접 경험|피해자|당사자" },
    { "basis_of_knowledge", "eyewitness", "eye witness|saw it|witnessed|seen|직접 목격|봤음" },
    { "basis_of_knowledge", "rumour", "rumor|hearsay|소문|풍문" },
    { "basis_of_knowledge", "document", "record|기록" },
    { "basis_of_knowledge", "unknown", "모름|not known" },
    { "confidence", "confirmed", "certain|확실" },
    { "confidence", "probable", "likely" },
    { "confidence", "possible", "maybe|가능성" },
    { "confidence", "unverified", "unconfirmed|확인 안됨" },
    { "tier", "public", "publish|published|공개" },
    { "tier", "partner", "partners|협력기관" },
    { "tier", "court", "court only|법원" },
    /* casework: the words caseworkers use for the ILO indicators */
    { "ilo_indicator", "retention_of_documents",
      "withheld documents|withheld identity documents|passport held|passport withheld|"
      "passport confiscated|retained documents|documents retained|여권 압수|신분증 압수" },
    { "ilo_indicator", "withholding_of_wages",
      "withheld wages|wages withheld|unpaid wages|wage theft|임금 착취|임금 미지급" },
    { "ilo_indicator", "physical_sexual_violence",
      "physical abuse|sexual abuse|violence|beating|폭행|성폭력" },
    { "ilo_indicator", "intimidation_threats", "intimidation|threats|threat|협박|위협" },
    { "ilo_indicator", "restriction_of_movement", "confinement|locked in|감금|이동 제한" },
    { "ilo_indicator", "abusive_conditions",
      "abusive working conditions|abusive living conditions|poor conditions|열악한 환경" },
    { "ilo_indicator", "excessive_overtime", "overtime|long hours|장시간 노동" },
    { "ilo_indicator", "debt_bondage", "debt|bonded labour|빚|채무" },
    { "ilo_indicator", "abuse_of_vulnerability", "vulnerability|취약성" },
    { "indicator_status", "observed", "yes|seen|present|예" },
    { "indicator_status", "not_observed", "no|absent|not seen|아니오" },
    { "currency", "CNY", "yuan|rmb|renminbi|元|위안화" },
    { "currency", "USD", "dollar|us dollar|us$|달러" },
    { "currency", "KPW", "north korean won|북한 돈" },
    { "currency", "KRW", "south korean won|원화" },
    { "currency", "RUB", "rouble|ruble|рубль" },
};

/* Sorted by name: vocab_find searches in order and `attest vocab` lists it so. */
static const struct vocab vocabs[] = {
    { "act_type", "what was done to the victim in an act", TERMS(act_type) },
    { "basis_of_knowledge", "how the source knows what they report", TERMS(basis_of_knowledge) },
    { "claim_qualifier", "how exact a claimed figure is", TERMS(claim_qualifier) },
    { "claim_topic", "what a figure claimed in a document is about", TERMS(claim_topic) },
    { "birth_registration", "whether a child's birth is registered", TERMS(birth_registration) },
    { "case_kind", "what a case is about", TERMS(case_kind) },
    { "case_status", "where a case stands", TERMS(case_status) },
    { "citizenship_status", "whether a child holds a citizenship", TERMS(citizenship_status) },
    { "clearance", "who may see a record, lowest first", TERMS(clearance) },
    { "confidence", "how sure the team is that a site is real", TERMS(confidence) },
    { "consent_use", "what a witness consents their testimony be used for", TERMS(consent_use) },
    { "currency", "currency of an amount (ISO 4217)", TERMS(currency) },
    { "document_format", "the format a document was imported from", TERMS(document_format) },
    { "ilo_indicator", "the ILO's eleven indicators of forced labour", TERMS(ilo_indicator) },
    { "indicator_status", "whether an indicator was observed in a case", TERMS(indicator_status) },
    { "involvement_degree", "a perpetrator's part in an act", TERMS(involvement_degree) },
    { "labour_sector", "the sector an overseas worker works in", TERMS(labour_sector) },
    { "need_kind", "what help a person in a case needs", TERMS(need_kind) },
    { "organisation_kind", "what an organisation is", TERMS(organisation_kind) },
    { "quantity_unit", "what a figure counts or measures", TERMS(quantity_unit) },
    { "referral_status", "where a need or referral stands", TERMS(referral_status) },
    { "relation_kind", "how two records are linked", TERMS(relation_kind) },
    { "reliability", "reliability of a source or a piece of information", TERMS(reliability) },
    { "schooling", "whether a child goes to school", TERMS(schooling) },
    { "sex", "sex of a person", TERMS(sex) },
    { "site_type", "what a site was used for", TERMS(site_type) },
    { "tier", "the widest audience a site may be published to", TERMS(tier) },
    { "wage_period", "what period a stated wage is for", TERMS(wage_period) },
};

const struct vocab *vocab_all(size_t *count)
{
    *count = ARRAY_LEN(vocabs);
    return vocabs;
}

const struct vocab *vocab_find(const char *name)
{
    for (size_t i = 0; i < ARRAY_LEN(vocabs); i++)
        if (strcmp(vocabs[i].name, name) == 0)
            return &vocabs[i];
    return NULL;
}

int vocab_index(const struct vocab *v, const char *code)
{
    for (size_t i = 0; i < v->nterms; i++)
        if (strcmp(v->terms[i].code, code) == 0)
            return (int)i;
    return -1;
}

void vocab_list_codes(const struct vocab *v, struct buf *out)
{
    for (size_t i = 0; i < v->nterms; i++)
        buf_printf(out, "%s%s", i ? ", " : "", v->terms[i].code);
}

int vocab_clearance_parse(struct at_ctx *ctx, const char *code, int *out)
{
    const struct vocab *v = vocab_find("clearance");
    int i = vocab_index(v, code);
    struct buf valid = BUF_INIT;

    if (i >= 0) {
        *out = i;
        return AT_OK;
    }
    vocab_list_codes(v, &valid);
    ctx_error(ctx, AT_EINVAL, "unknown clearance \"%s\"; valid: %s", code, buf_str(&valid));
    buf_free(&valid);
    return AT_EINVAL;
}

const char *vocab_clearance_name(int level)
{
    const struct vocab *v = vocab_find("clearance");

    if (level < 0 || (size_t)level >= v->nterms)
        return "unknown";
    return v->terms[level].code;
}

void vocab_synonyms(const struct vocab *v, const char *code, struct buf *out)
{
    for (size_t k = 0; k < ARRAY_LEN(synonyms); k++) {
        if (strcmp(synonyms[k].vocab, v->name) != 0 || strcmp(synonyms[k].code, code) != 0)
            continue;
        for (const char *s = synonyms[k].words; *s;) {
            size_t n = strcspn(s, "|");
            buf_printf(out, "%s%.*s", out->len ? " | " : "", (int)n, s);
            s += n + (s[n] == '|');
        }
    }
}

/*
 * The key words are compared by: ASCII letters in lower case, "_", "-",
 * "#", "/" and white space as one space, none at either end, Korean with
 * no spaces at all, and a last English word made singular ("sites",
 * "facilities").
 */
static void words_key(const char *words, struct buf *out)
{
    bool korean = false;

    buf_reset(out);
    for (const char *s = words; *s; s++)
        korean |= (unsigned char)*s >= 0x80;
    for (const char *s = words; *s; s++) {
        char c = *s;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c == '_' || c == '-' || c == '#' || c == '/' || c == ' ' || c == '\t' || c == '\n'
            || c == '\r') {
            if (!korean && out->len && out->data[out->len - 1] != ' ')
                buf_putc(out, ' ');
            continue;
        }
        buf_putc(out, c);
    }
    if (out->len && out->data[out->len - 1] == ' ')
        out->data[--out->len] = '\0';
    if (!korean && out->len > 4 && strcmp(out->data + out->len - 3, "ies") == 0) {
        out->len -= 3;
        buf_putc(out, 'y');
    } else if (!korean && out->len > 3 && out->data[out->len - 1] == 's'
               && out->data[out->len - 2] != 's') {
        out->data[--out->len] = '\0';
    }
}

/* Calls fn with the key of each way of writing term i of v until it
 * returns true; returns that. */
static bool each_spelling(const struct vocab *v, size_t i, bool (*fn)(void *, const char *),
                          void *arg)
{
    const struct vocab_term *t = &v->terms[i];
    struct buf key = BUF_INIT, one = BUF_INIT;
    const char *fixed[] = { t->code, t->label, t->label_ko };
    bool done = false;

    for (size_t k = 0; !done && k < ARRAY_LEN(fixed); k++) {
        words_key(fixed[k], &key);
        done = fn(arg, buf_str(&key));
    }
    for (size_t k = 0; !done && k < ARRAY_LEN(synonyms); k++) {
        if (strcmp(synonyms[k].vocab, v->name) != 0 || strcmp(synonyms[k].code, t->code) != 0)
            continue;
        for (const char *s = synonyms[k].words; !done && *s;) {
            size_t n = strcspn(s, "|");
            buf_reset(&one);
            buf_append(&one, s, n);
            words_key(buf_str(&one), &key);
            done = fn(arg, buf_str(&key));
            s += n + (s[n] == '|');
        }
    }
    buf_free(&key);
    buf_free(&one);
    return done;
}

static bool same_key(void *arg, const char *key)
{
    return strcmp(arg, key) == 0;
}

const char *vocab_match(const struct vocab *v, const char *words)
{
    struct buf key = BUF_INIT;
    const char *code = NULL;

    if (words == NULL)
        return NULL;
    words_key(words, &key);
    for (size_t i = 0; code == NULL && key.len && i < v->nterms; i++)
        if (each_spelling(v, i, same_key, key.data))
            code = v->terms[i].code;
    buf_free(&key);
    return code;
}

/* The edit distance (Levenshtein, over bytes) of a and b. */
static size_t distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b), *row = xmalloc((m + 1) * sizeof *row), d;

    for (size_t j = 0; j <= m; j++)
        row[j] = j;
    for (size_t i = 1; i <= n; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            diag = up;
            row[j] = best;
        }
    }
    d = row[m];
    free(row);
    return d;
}

struct nearest {
    const char *key;
    size_t best;
};

static bool nearer(void *arg, const char *key)
{
    struct nearest *n = arg;
    size_t d = distance(n->key, key);

    if (d < n->best)
        n->best = d;
    return false;
}

void vocab_closest(const struct vocab *v, const char *words, size_t n, struct buf *out)
{
    struct buf key = BUF_INIT;
    size_t *dist = xmalloc((v->nterms + 1) * sizeof *dist), shown = 0;
    bool *taken = xcalloc(v->nterms + 1, sizeof *taken);

    words_key(words ? words : "", &key);
    for (size_t i = 0; i < v->nterms; i++) {
        struct nearest near = { buf_str(&key), (size_t)-1 };
        each_spelling(v, i, nearer, &near);
        dist[i] = near.best;
    }
    for (; shown < n && shown < v->nterms; shown++) {
        size_t best = v->nterms;
        for (size_t i = 0; i < v->nterms; i++)
            if (!taken[i] && (best == v->nterms || dist[i] < dist[best]))
                best = i;
        taken[best] = true;
        buf_printf(out, "%s%s", shown ? ", " : "", v->terms[best].code);
    }
    free(dist);
    free(taken);
    buf_free(&key);
}
