/*
 * vocab.c: the controlled vocabularies.  They follow the HURIDOCS Events
 * Standard Formats where it has a list (reliability mt42, degree of
 * involvement mt18), and the practice of North Korea mapping projects
 * where it does not (site types, basis of knowledge).
 */
#include "attest.h"
#include "vocab.h"

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
    { "sale", "Sale of a person", "매매" },
    { "sexual_violence", "Sexual violence", "성폭력" },
    { "forced_repatriation", "Forced repatriation", "강제송환" },
    { "forced_abortion", "Forced abortion", "강제낙태" },
    { "infanticide", "Infanticide", "영아살해" },
    { "wage_withholding", "Wages withheld", "임금 착취" },
    { "document_confiscation", "Identity documents confiscated", "신분증 압수" },
    { "starvation", "Deliberate starvation", "기아" },
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
    { "KRW", "South Korean won", "원" },
    { "USD", "US dollar", "미국 달러" },
    { "EUR", "Euro", "유로" },
    { "RUB", "Russian rouble", "루블" },
    { "JPY", "Japanese yen", "엔" },
};

/* Sorted by name: vocab_find searches in order and `attest vocab` lists it so. */
static const struct vocab vocabs[] = {
    { "act_type", "what was done to the victim in an act", TERMS(act_type) },
    { "basis_of_knowledge", "how the source knows what they report", TERMS(basis_of_knowledge) },
    { "clearance", "who may see a record, lowest first", TERMS(clearance) },
    { "confidence", "how sure the team is that a site is real", TERMS(confidence) },
    { "consent_use", "what a witness consents their testimony be used for", TERMS(consent_use) },
    { "currency", "currency of an amount (ISO 4217)", TERMS(currency) },
    { "involvement_degree", "a perpetrator's part in an act", TERMS(involvement_degree) },
    { "organisation_kind", "what an organisation is", TERMS(organisation_kind) },
    { "relation_kind", "how two records are linked", TERMS(relation_kind) },
    { "reliability", "reliability of a source or a piece of information", TERMS(reliability) },
    { "sex", "sex of a person", TERMS(sex) },
    { "site_type", "what a site was used for", TERMS(site_type) },
    { "tier", "the widest audience a site may be published to", TERMS(tier) },
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
