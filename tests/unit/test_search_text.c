/*
 * test_search_text.c: the texts a record is indexed by, and the SQL
 * function search_text that gives the same texts to the indexes'
 * external content.
 */
#include "../../src/core/attest.h"
#include "../../src/core/search_text.h"
#include "unit.h"

#include <string.h>

static const char doc_text[] =
    "{\"id\": \"pe-0000000000aa\", \"type\": \"person\", \"data\": {\"names\":"
    " [{\"name\": \"FICTIONAL Kim Yong\"}, {\"name\": \"김영수\"}], \"sex\": \"male\"}}";

UNIT_TEST(search_texts_of_a_record)
{
    json_t *doc = json_loads(doc_text, 0, NULL);
    struct search_texts x;

    REQUIRE(doc != NULL);
    search_texts_make(&x, model_type("person"), doc);
    CHECK_STR(buf_str(&x.words), "pe-0000000000aa\nFICTIONAL Kim Yong\n김영수\n");
    CHECK_STR(buf_str(&x.cjk), "김영수\n");
    CHECK_STR(buf_str(&x.grams), "김 영 김영 수 영수 ");
    search_texts_free(&x);
    json_decref(doc);
}

/* The function gives back what search_texts_make made, and no row (NULL)
 * for the non-Latin indexes of a record without non-ASCII text. */
UNIT_TEST(search_text_function_gives_the_same_texts)
{
    static const char *const want[] = {
        "pe-0000000000aa\nFICTIONAL Kim Yong\n김영수\n", "김영수\n", "김 영 김영 수 영수 ",
    };
    sqlite3 *db;
    sqlite3_stmt *stmt;

    REQUIRE(sqlite3_open(":memory:", &db) == SQLITE_OK);
    REQUIRE(search_text_connect(db) == SQLITE_OK);
    REQUIRE(sqlite3_prepare_v2(db, "SELECT search_text(?1, ?2, ?3)", -1, &stmt, NULL) == SQLITE_OK);
    for (int which = 0; which < 3; which++) {
        sqlite3_bind_text(stmt, 1, "person", -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 2, doc_text, -1, SQLITE_STATIC);
        sqlite3_bind_int(stmt, 3, which);
        REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
        CHECK_STR((const char *)sqlite3_column_text(stmt, 0), want[which]);
        sqlite3_reset(stmt);
        sqlite3_bind_text(stmt, 2, "{\"id\": \"ev-0000000000ab\", \"data\": {\"title\": \"FICTIONAL\"}}",
                          -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 1, "event", -1, SQLITE_STATIC);
        REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
        CHECK(which == 0 ? sqlite3_column_type(stmt, 0) == SQLITE_TEXT
                         : sqlite3_column_type(stmt, 0) == SQLITE_NULL);
        sqlite3_reset(stmt);
    }
    /* A row of no known type is an error, not an empty text. */
    sqlite3_bind_text(stmt, 1, "nothing", -1, SQLITE_STATIC);
    CHECK(sqlite3_step(stmt) == SQLITE_ERROR);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
}
