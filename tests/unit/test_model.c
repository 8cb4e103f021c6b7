/* test_model.c: the record types and the validator. */
#include "../../src/core/attest.h"
#include "../../src/core/model.h"
#include "unit.h"

#include <stdlib.h>

static int validate(const char *type, const char *json, struct at_ctx *ctx, json_t **out)
{
    json_t *data = json_loads(json, 0, NULL);
    int rc = model_validate(ctx, model_type(type), data);

    if (out)
        *out = data;
    else
        json_decref(data);
    return rc;
}

UNIT_TEST(model_types_are_sorted_and_prefixes_unique)
{
    size_t n;
    const struct type_spec *t = model_types(&n);

    for (size_t i = 1; i < n; i++) {
        CHECK(strcmp(t[i - 1].name, t[i].name) < 0);
        for (size_t j = 0; j < i; j++)
            CHECK(strcmp(t[i].prefix, t[j].prefix) != 0);
    }
}

UNIT_TEST(model_ids_have_prefix_and_alphabet)
{
    char id[32];
    const struct type_spec *ev = model_type("event");

    for (int i = 0; i < 100; i++) {
        model_new_id(ev, id);
        CHECK(strncmp(id, "ev-", 3) == 0 && strlen(id) == 15);
        CHECK(model_id_valid(id));
        CHECK(model_type_of_id(id) == ev);
    }
    CHECK(!model_id_valid("ev-0000000000il"));   /* i and l are not id characters */
    CHECK(!model_id_valid("zz-000000000000"));
    CHECK(!model_id_valid("ev-00000"));
}

UNIT_TEST(model_refuses_bad_values_naming_the_field)
{
    struct at_ctx ctx = { 0 };

    CHECK(validate("pinpoint", "{\"lat\": 91, \"lon\": 3}", &ctx, NULL) == AT_EINVAL);
    CHECK(strstr(ctx.message, "\"lat\"") && strstr(ctx.message, "[-90, 90]"));
    CHECK(validate("event", "{\"title\": \"t\", \"date\": \"1997-02-30\"}", &ctx, NULL) == AT_EINVAL);
    CHECK(strstr(ctx.message, "\"date\"") && strstr(ctx.message, "28 days"));
    CHECK(validate("act", "{\"event\": \"ev-000000000000\", \"act_type\": \"tortur\"}", &ctx, NULL) == AT_EINVAL);
    CHECK(strstr(ctx.message, "valid: public_execution"));
    CHECK(validate("event", "{\"title\": \"t\", \"colour\": \"red\"}", &ctx, NULL) == AT_EINVAL);
    CHECK(strstr(ctx.message, "valid: title, date"));
    CHECK(validate("event", "{\"date\": \"1997\"}", &ctx, NULL) == AT_EINVAL);
    CHECK(strstr(ctx.message, "\"title\": required"));
    CHECK(validate("act", "{\"event\": \"pe-000000000000\", \"act_type\": \"torture\"}", &ctx, NULL) == AT_EINVAL);
    CHECK(strstr(ctx.message, "is of type person"));
    CHECK(validate("vessel", "{\"names\": [\"X\"], \"imo\": \"9176188\"}", &ctx, NULL) == AT_EINVAL);
    CHECK(strstr(ctx.message, "check digit"));
    CHECK(validate("event", "{\"title\": \"t\", \"lat\": 40}", &ctx, NULL) == AT_EINVAL);
    CHECK(validate("act", "{\"event\": \"ev-000000000000\", \"act_type\": \"sale\", \"amount\": 5000}", &ctx, NULL) == AT_EINVAL);
    CHECK(strstr(ctx.message, "currency"));
    CHECK(validate("relation", "{\"kind\": \"family\", \"from\": \"ev-000000000000\", \"to\": \"pe-000000000000\"}", &ctx, NULL) == AT_EINVAL);
    CHECK(strstr(ctx.message, "family relation cannot start at a record of type event") != NULL);
    CHECK(validate("pinpoint", "{\"lat\": 42, \"lon\": 129, \"place_id\": \"county:Atlantis\"}", &ctx, NULL) == AT_EINVAL);
    CHECK(strstr(ctx.message, "\"place_id\"") && strstr(ctx.message, "not a place of the gazetteer"));
    CHECK(validate("pinpoint", "{\"lat\": 42, \"lon\": 129, \"place_id\": \"county:요덕군\"}", &ctx, NULL) == AT_OK);
}

UNIT_TEST(model_canonicalises_values)
{
    struct at_ctx ctx = { 0 };
    json_t *data;

    REQUIRE(validate("person", "{\"names\": [\"  김철수 \", {\"name\": \"Kim Chol Su\", \"lang\": \"en\"}],"
                     " \"birth_date\": \"~1960\", \"description\": \"\"}", &ctx, &data) == AT_OK);
    char *s = json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS);
    CHECK_STR(s, "{\"birth_date\":\"~1960\",\"names\":[{\"name\":\"김철수\"},{\"lang\":\"en\",\"name\":\"Kim Chol Su\"}]}");
    free(s);
    json_decref(data);
    REQUIRE(validate("vessel", "{\"names\": [\"CHON MA SAN\"], \"imo\": \"IMO 9176187\"}", &ctx, &data) == AT_OK);
    CHECK_STR(json_string_value(json_object_get(data, "imo")), "9176187");
    json_decref(data);
}

UNIT_TEST(model_set_from_text_converts_types)
{
    struct at_ctx ctx = { 0 };
    const struct type_spec *t = model_type("pinpoint");
    json_t *data = json_object();

    CHECK(model_set_from_text(&ctx, t, data, "lat", "42.5") == AT_OK);
    CHECK(json_is_real(json_object_get(data, "lat")));
    CHECK(model_set_from_text(&ctx, t, data, "lat", "north") == AT_EINVAL);
    CHECK(model_set_from_text(&ctx, t, data, "colour", "x") == AT_EINVAL);
    json_decref(data);
    data = json_object();
    CHECK(model_set_from_text(&ctx, model_type("person"), data, "names", "김철수 | Kim Chol Su") == AT_OK);
    CHECK(json_array_size(json_object_get(data, "names")) == 2);
    json_decref(data);
}
