/*
 * test_corroboration.c: an event's independent sources (a witness
 * interviewed twice, one household, one group interview, hearsay from a
 * listed source or through a third person, documents), its strongest
 * basis of knowledge, the agreement of its accounts on date, place and
 * victims, linked event records counted together, and that a reader
 * counts only what they may read and is never told a witness's id.  All data is FICTIONAL.
 */
#include "../../src/core/attest.h"
#include "../../src/core/corroboration.h"
#include "../../src/core/evlog.h"
#include "../../src/core/vocab.h"
#include "fixture.h"
#include "unit.h"

#include <stdlib.h>

/* Adds a record with source (an interview or document id, or NULL). */
static int add(struct at_ctx *ctx, struct store *st, const char *type, const char *json,
               const char *source, int clearance, char *id)
{
    struct record_write w = RECORD_WRITE_INIT;
    json_t *data = json_loads(json, 0, NULL);
    char fresh[RECORD_ID_MAX];
    int rc;

    w.source = source;
    w.clearance = clearance;
    if ((rc = store_begin(ctx, st)) == AT_OK) {
        rc = record_add(ctx, st, model_type(type), data, &w, id ? id : fresh);
        rc = rc == AT_OK ? evlog_commit(ctx, st) : (store_rollback(st), rc);
    }
    json_decref(data);
    return rc;
}

/* Witness n and an interview of them (in group, or none) at clearance. */
static int interview(struct at_ctx *ctx, struct store *st, int n, const char *group,
                     int clearance, char *witness, char *iv)
{
    char json[256];
    int rc;

    snprintf(json, sizeof json, "{\"code\": \"FICTIONAL-W%d\"}", n);
    if (witness[0] == '\0' && (rc = add(ctx, st, "witness", json, NULL, clearance, witness)) != AT_OK)
        return rc;
    snprintf(json, sizeof json, "{\"witness\": \"%s\"%s%s%s}", witness,
             group ? ", \"group\": \"" : "", group ? group : "", group ? "\"" : "");
    return add(ctx, st, "interview", json, NULL, clearance, iv);
}

/* A pinpoint of event ev from interview iv. */
static int place(struct at_ctx *ctx, struct store *st, const char *ev, const char *iv,
                 double lat, double lon, double radius, const char *basis, const char *date)
{
    char json[512];

    snprintf(json, sizeof json, "{\"event\": \"%s\", \"interview\": \"%s\", \"lat\": %.5f, "
             "\"lon\": %.5f, \"uncertainty_m\": %.0f, \"basis\": \"%s\", \"date\": \"%s\"}",
             ev, iv, lat, lon, radius, basis, date);
    return add(ctx, st, "pinpoint", json, NULL, -1, NULL);
}

static int relate(struct at_ctx *ctx, struct store *st, const char *kind, const char *from,
                  const char *to, int clearance)
{
    char json[256];

    snprintf(json, sizeof json, "{\"kind\": \"%s\", \"from\": \"%s\", \"to\": \"%s\"}", kind, from, to);
    return add(ctx, st, "relation", json, NULL, clearance, NULL);
}

static json_int_t count(json_t *o, const char *key)
{
    return json_integer_value(json_object_get(o, key));
}

static json_int_t sources(struct at_ctx *ctx, struct store *st, const char *ev)
{
    json_t *c = NULL;
    json_int_t n = -1;

    if (corroboration_of_event(ctx, st, ev, &c) == AT_OK)
        n = count(c, "sources");
    json_decref(c);
    return n;
}

/* An event placed by four witnesses, from five interviews. */
struct scene {
    struct store *st;
    struct session admin;
    char ev[RECORD_ID_MAX], w[4][RECORD_ID_MAX], iv[5][RECORD_ID_MAX];
};

static bool scene(struct at_ctx *ctx, struct scene *s, const char *name, const char *const groups[4])
{
    memset(s->w, 0, sizeof s->w);
    if ((s->st = unit_archive(ctx, name, &s->admin)) == NULL
        || add(ctx, s->st, "event", "{\"title\": \"FICTIONAL execution\", \"date\": \"1997-03\"}",
               NULL, -1, s->ev) != AT_OK)
        return false;
    for (int i = 0; i < 4; i++)
        if (interview(ctx, s->st, i, groups ? groups[i] : NULL, -1, s->w[i], s->iv[i]) != AT_OK
            || place(ctx, s->st, s->ev, s->iv[i], 42.0, 129.0 + i * 0.001, 500,
                     i == 0 ? "eyewitness" : "heard_from_witness", "1997-03") != AT_OK)
            return false;
    /* The first witness again, in a later interview. */
    return interview(ctx, s->st, 0, NULL, -1, s->w[0], s->iv[4]) == AT_OK
           && place(ctx, s->st, s->ev, s->iv[4], 42.0, 129.0, 500, "present", "1997") == AT_OK;
}

UNIT_TEST(corroboration_witness_counts_once)
{
    struct at_ctx ctx = { 0 };
    struct scene s;
    json_t *c = NULL;

    REQUIRE(scene(&ctx, &s, "a", NULL));
    REQUIRE(corroboration_of_event(&ctx, s.st, s.ev, &c) == AT_OK);
    CHECK(count(c, "accounts") == 5);
    CHECK(count(c, "sources") == 4);
    CHECK(count(c, "source_records") == 4);
    CHECK(count(c, "unattributed") == 0);
    CHECK(count(c, "direct_sources") == 1);
    CHECK_STR(json_string_value(json_object_get(c, "strongest_basis")), "present");
    json_decref(c);
    store_close(s.st);
}

UNIT_TEST(corroboration_household_counts_once)
{
    struct at_ctx ctx = { 0 };
    struct scene s;

    REQUIRE(scene(&ctx, &s, "a", NULL));
    REQUIRE(relate(&ctx, s.st, "same_household", s.w[1], s.w[2], -1) == AT_OK);
    CHECK(sources(&ctx, s.st, s.ev) == 3);
    /* A household through a person who is no source joins them all the same. */
    char pe[RECORD_ID_MAX];
    REQUIRE(add(&ctx, s.st, "person", "{\"names\": [\"FICTIONAL Kim\"]}", NULL, -1, pe) == AT_OK);
    REQUIRE(relate(&ctx, s.st, "same_household", s.w[3], pe, -1) == AT_OK);
    REQUIRE(relate(&ctx, s.st, "same_household", pe, s.w[2], -1) == AT_OK);
    CHECK(sources(&ctx, s.st, s.ev) == 2);
    store_close(s.st);
}

UNIT_TEST(corroboration_interview_group_counts_once)
{
    struct at_ctx ctx = { 0 };
    const char *const groups[4] = { NULL, "FICTIONAL group 7", "FICTIONAL group 7", "FICTIONAL group 8" };
    struct scene s;

    REQUIRE(scene(&ctx, &s, "a", groups));
    CHECK(sources(&ctx, s.st, s.ev) == 3);
    store_close(s.st);
}

UNIT_TEST(corroboration_hearsay_counts_once)
{
    struct at_ctx ctx = { 0 };
    struct scene s;
    char pe[RECORD_ID_MAX];

    REQUIRE(scene(&ctx, &s, "a", NULL));
    /* Heard from another listed source. */
    REQUIRE(relate(&ctx, s.st, "heard_from", s.w[1], s.w[0], -1) == AT_OK);
    CHECK(sources(&ctx, s.st, s.ev) == 3);
    /* Two who heard it from the same person share one origin. */
    REQUIRE(add(&ctx, s.st, "person", "{\"names\": [\"FICTIONAL Ri\"]}", NULL, -1, pe) == AT_OK);
    REQUIRE(relate(&ctx, s.st, "heard_from", s.w[2], pe, -1) == AT_OK);
    CHECK(sources(&ctx, s.st, s.ev) == 3);
    REQUIRE(relate(&ctx, s.st, "heard_from", s.w[3], pe, -1) == AT_OK);
    CHECK(sources(&ctx, s.st, s.ev) == 2);
    store_close(s.st);
}

UNIT_TEST(corroboration_documents_and_information)
{
    struct at_ctx ctx = { 0 };
    struct store *st;
    struct session admin;
    char ev[RECORD_ID_MAX], dc[RECORD_ID_MAX], act[RECORD_ID_MAX], w[RECORD_ID_MAX] = "";
    char iv[RECORD_ID_MAX], json[256];
    json_t *c = NULL;

    REQUIRE((st = unit_archive(&ctx, "a", &admin)) != NULL);
    REQUIRE(add(&ctx, st, "document", "{\"title\": \"FICTIONAL report\"}", NULL, -1, dc) == AT_OK);
    REQUIRE(interview(&ctx, st, 1, NULL, -1, w, iv) == AT_OK);
    /* The event as the document tells it, an act as the interview tells it. */
    REQUIRE(add(&ctx, st, "event", "{\"title\": \"FICTIONAL event\"}", dc, -1, ev) == AT_OK);
    snprintf(json, sizeof json, "{\"event\": \"%s\", \"act_type\": \"torture\"}", ev);
    REQUIRE(add(&ctx, st, "act", json, iv, -1, act) == AT_OK);
    /* The same witness says so again in an information relation to the act. */
    snprintf(json, sizeof json, "{\"kind\": \"information\", \"from\": \"%s\", \"to\": \"%s\", "
             "\"basis\": \"heard_from_victim\"}", w, act);
    REQUIRE(add(&ctx, st, "relation", json, NULL, -1, NULL) == AT_OK);
    REQUIRE(corroboration_of_event(&ctx, st, ev, &c) == AT_OK);
    CHECK(count(c, "accounts") == 3);
    CHECK(count(c, "sources") == 2);
    CHECK(count(c, "direct_sources") == 0);
    CHECK_STR(json_string_value(json_object_get(c, "strongest_basis")), "heard_from_victim");
    json_decref(c);
    /* Not an event. */
    CHECK(corroboration_of_event(&ctx, st, dc, &c) == AT_ENOTFOUND);
    store_close(st);
}

UNIT_TEST(corroboration_agreement)
{
    struct at_ctx ctx = { 0 };
    struct scene s;
    char json[256], iv[RECORD_ID_MAX], w[RECORD_ID_MAX] = "";
    json_t *c = NULL, *d;

    REQUIRE(scene(&ctx, &s, "a", NULL));
    /* Placements 0..3 km apart within 500 m each; dates 1997 and 1997-03. */
    REQUIRE(corroboration_of_event(&ctx, s.st, s.ev, &c) == AT_OK);
    d = json_object_get(c, "date");
    CHECK(count(d, "accounts") == 5);
    CHECK(json_is_true(json_object_get(d, "agree")));
    CHECK_STR(json_string_value(json_object_get(d, "from")), "1997-01-01");
    CHECK_STR(json_string_value(json_object_get(d, "to")), "1997-12-31");
    d = json_object_get(c, "place");
    CHECK(count(d, "accounts") == 5);
    CHECK(json_is_true(json_object_get(d, "agree")));
    CHECK(json_number_value(json_object_get(d, "spread_m")) > 200);
    CHECK(json_is_null(json_object_get(json_object_get(c, "victims"), "agree")));
    json_decref(c);

    /* A fifth witness: 20 km away, in 1999, about 4 victims. */
    REQUIRE(interview(&ctx, s.st, 5, NULL, -1, w, iv) == AT_OK);
    REQUIRE(place(&ctx, s.st, s.ev, iv, 42.2, 129.0, 1000, "rumour", "1999") == AT_OK);
    snprintf(json, sizeof json, "{\"event\": \"%s\", \"act_type\": \"public_execution\", "
             "\"victim_count\": 4, \"count_approximate\": 1}", s.ev);
    REQUIRE(add(&ctx, s.st, "act", json, iv, -1, NULL) == AT_OK);
    /* The first says three. */
    snprintf(json, sizeof json, "{\"event\": \"%s\", \"act_type\": \"public_execution\", "
             "\"victim_count\": 3}", s.ev);
    REQUIRE(add(&ctx, s.st, "act", json, s.iv[0], -1, NULL) == AT_OK);
    REQUIRE(corroboration_of_event(&ctx, s.st, s.ev, &c) == AT_OK);
    CHECK(json_is_false(json_object_get(json_object_get(c, "date"), "agree")));
    CHECK(json_is_false(json_object_get(json_object_get(c, "place"), "agree")));
    d = json_object_get(c, "victims");
    CHECK(count(d, "accounts") == 2);
    CHECK(json_is_true(json_object_get(d, "agree")));   /* about 4 takes in 3 */
    CHECK(count(d, "min") == 3 && count(d, "max") == 4);
    json_decref(c);

    /* A second act of the first account: 3 + 2 = 5 is more than about 4 allows. */
    snprintf(json, sizeof json, "{\"event\": \"%s\", \"act_type\": \"torture\", \"victim_count\": 2}", s.ev);
    REQUIRE(add(&ctx, s.st, "act", json, s.iv[0], -1, NULL) == AT_OK);
    REQUIRE(corroboration_of_event(&ctx, s.st, s.ev, &c) == AT_OK);
    d = json_object_get(c, "victims");
    CHECK(json_is_true(json_object_get(d, "agree")));   /* 5 is within 4 +/- 25% */
    CHECK(count(d, "max") == 5);
    json_decref(c);
    snprintf(json, sizeof json, "{\"event\": \"%s\", \"act_type\": \"torture\", \"victim_count\": 1}", s.ev);
    REQUIRE(add(&ctx, s.st, "act", json, s.iv[0], -1, NULL) == AT_OK);
    REQUIRE(corroboration_of_event(&ctx, s.st, s.ev, &c) == AT_OK);
    CHECK(json_is_false(json_object_get(json_object_get(c, "victims"), "agree")));
    json_decref(c);
    store_close(s.st);
}

UNIT_TEST(corroboration_counts_what_the_reader_may_read)
{
    struct at_ctx ctx = { 0 };
    struct scene s;
    struct session analyst;
    char w[2][RECORD_ID_MAX] = { "", "" }, iv[RECORD_ID_MAX], *text;
    json_t *c = NULL;

    REQUIRE(scene(&ctx, &s, "a", NULL));
    /* Two more witnesses whose interviews an analyst may read... */
    for (int i = 0; i < 2; i++) {
        REQUIRE(interview(&ctx, s.st, 5 + i, NULL, CLEARANCE_RESTRICTED, w[i], iv) == AT_OK);
        REQUIRE(place(&ctx, s.st, s.ev, iv, 42.0, 129.0, 500, "eyewitness", "1997") == AT_OK);
    }
    /* ...of one household, which the analyst may not see. */
    REQUIRE(relate(&ctx, s.st, "same_household", w[0], w[1], CLEARANCE_CONFIDENTIAL) == AT_OK);
    CHECK(sources(&ctx, s.st, s.ev) == 5);

    analyst = s.admin;
    analyst.role = ROLE_ANALYST;
    analyst.clearance = access_role_clearance(ROLE_ANALYST);
    store_set_session(s.st, &analyst);
    REQUIRE(corroboration_of_event(&ctx, s.st, s.ev, &c) == AT_OK);
    /* Only the two it may read, and as two: the count does not tell of
     * the household it may not see. */
    CHECK(count(c, "accounts") == 7);
    CHECK(count(c, "sources") == 2);
    CHECK(count(c, "unattributed") == 5);
    text = json_dumps(c, 0);
    CHECK(text && strstr(text, "wt-") == NULL && strstr(text, "iv-") == NULL
          && strstr(text, "FICTIONAL-W") == NULL);
    free(text);
    json_decref(c);

    /* A public reader may not read the event at all. */
    analyst.role = ROLE_PUBLIC;
    analyst.clearance = CLEARANCE_PUBLIC;
    CHECK(corroboration_of_event(&ctx, s.st, s.ev, &c) == AT_ENOTFOUND);
    store_set_session(s.st, &s.admin);
    store_close(s.st);
}

UNIT_TEST(corroboration_basis_rank_follows_the_vocabulary)
{
    CHECK(corroboration_basis_rank("present") == 0);
    CHECK(corroboration_basis_rank("eyewitness") < corroboration_basis_rank("heard_from_victim"));
    CHECK(corroboration_basis_rank("rumour") < corroboration_basis_rank("unknown"));
    CHECK(corroboration_basis_rank(NULL) == corroboration_basis_rank("unknown"));
    CHECK(corroboration_basis_rank("no such basis") == corroboration_basis_rank("unknown"));
}

UNIT_TEST(corroboration_counts_linked_events_together)
{
    struct at_ctx ctx = { 0 };
    struct scene s;
    char ev2[RECORD_ID_MAX], ev3[RECORD_ID_MAX], w[RECORD_ID_MAX] = "", iv[RECORD_ID_MAX];
    struct buf sql = BUF_INIT;
    json_t *c = NULL;

    REQUIRE(scene(&ctx, &s, "a", NULL));
    /* A second entry of the same execution, from another witness... */
    REQUIRE(interview(&ctx, s.st, 5, NULL, -1, w, iv) == AT_OK);
    REQUIRE(add(&ctx, s.st, "event", "{\"title\": \"FICTIONAL execution, as told again\", "
                "\"date\": \"1997\"}", iv, -1, ev2) == AT_OK);
    /* ...and a third the reader may not read. */
    REQUIRE(add(&ctx, s.st, "event", "{\"title\": \"FICTIONAL execution, a third time\"}",
                iv, CLEARANCE_CONFIDENTIAL, ev3) == AT_OK);
    CHECK(sources(&ctx, s.st, s.ev) == 4);
    /* The clusters record linkage stores (the table as `attest link` makes it). */
    buf_printf(&sql, "INSERT INTO link_cluster(record_id, type, cluster_id) VALUES ('%s', 'event', 'k1'), ('%s', 'event', 'k1'), "
               "('%s', 'event', 'k1'), ('%s', 'witness', 'k1')", s.ev, ev2, ev3, w);
    REQUIRE(store_exec(&ctx, s.st, buf_str(&sql)) == AT_OK);
    buf_free(&sql);
    REQUIRE(corroboration_of_event(&ctx, s.st, s.ev, &c) == AT_OK);
    CHECK(count(c, "linked_events") == 2);
    CHECK(count(c, "sources") == 5);
    CHECK(count(c, "accounts") == 7);
    json_decref(c);
    /* Seen from the other entry, the same. */
    REQUIRE(corroboration_of_event(&ctx, s.st, ev2, &c) == AT_OK);
    CHECK(count(c, "sources") == 5);
    json_decref(c);

    struct session analyst = s.admin;
    analyst.role = ROLE_ANALYST;
    analyst.clearance = access_role_clearance(ROLE_ANALYST);
    store_set_session(s.st, &analyst);
    REQUIRE(corroboration_of_event(&ctx, s.st, s.ev, &c) == AT_OK);
    CHECK(count(c, "linked_events") == 1);   /* the confidential entry is not counted */
    json_decref(c);
    store_set_session(s.st, &s.admin);
    store_close(s.st);
}
