/* fixture.c: see fixture.h. */
#include "fixture.h"
#include "unit.h"
#include "../../src/core/evlog.h"
#include "../../src/core/keys.h"
#include "../../src/core/lists.h"
#include "../../src/core/model.h"
#include "../../src/core/sync.h"
#include "../../src/core/unlock.h"

#include <dirent.h>

struct store *unit_archive(struct at_ctx *ctx, const char *name, struct session *admin)
{
    /* The cheapest Argon2id cost: these keys guard nothing. */
    struct kdf cheap = { crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN };
    struct store *st = NULL;
    char dir[512];

    snprintf(dir, sizeof dir, "%s/%s", unit_tmpdir(), name);
    if (unlock_create(ctx, dir, "admin", UNIT_PASSPHRASE, &cheap, &st, admin) != AT_OK)
        return NULL;
    return st;
}

static int pin_peer(struct at_ctx *ctx, struct store *st, void *arg)
{
    const char **a = arg;

    return sync_peer_add(ctx, st, a[0], a[1], "team");
}

int unit_peers_open(struct at_ctx *ctx, struct unit_peers *p, const char *name_a,
                    const char *name_b)
{
    struct buf la = BUF_INIT, lb = BUF_INIT;
    int rc = AT_ERR;

    *p = (struct unit_peers){ 0 };
    if ((p->a = unit_archive(ctx, name_a, &p->sa)) != NULL
        && (p->b = unit_archive(ctx, name_b, &p->sb)) != NULL
        && (rc = sync_key_line(ctx, p->a, &la)) == AT_OK
        && (rc = sync_key_line(ctx, p->b, &lb)) == AT_OK
        && (rc = evlog_write(ctx, p->a, pin_peer, (const char *[]){ "b", buf_str(&lb) })) == AT_OK)
        rc = evlog_write(ctx, p->b, pin_peer, (const char *[]){ "a", buf_str(&la) });
    buf_free(&la);
    buf_free(&lb);
    return rc;
}

void unit_peers_close(struct unit_peers *p)
{
    if (p->a) {
        store_close(p->a);
        access_session_free(&p->sa);
    }
    if (p->b) {
        store_close(p->b);
        access_session_free(&p->sb);
    }
    *p = (struct unit_peers){ 0 };
}

int unit_add(struct at_ctx *ctx, struct store *st, const char *type, const char *json,
             int clearance, char *id)
{
    struct record_write w = RECORD_WRITE_INIT;
    json_t *data = json_loads(json, 0, NULL);
    char fresh[RECORD_ID_MAX];
    int rc;

    if (data == NULL)
        return ctx_error(ctx, AT_EINVAL, "unit_add: not JSON: %s", json);
    w.clearance = clearance;
    if ((rc = store_begin(ctx, st)) == AT_OK) {
        rc = record_add(ctx, st, model_type(type), data, &w, id ? id : fresh);
        if (rc == AT_OK)
            rc = evlog_commit(ctx, st);
        else
            store_rollback(st);
    }
    json_decref(data);
    return rc;
}

int unit_lists(struct at_ctx *ctx, struct store *st)
{
    struct list_data d;
    char version[64];
    bool already;
    int rc;

    if ((rc = lists_read_un(ctx, "tests/data/sanctions/un/un-2026-02-27.xml", &d)) != AT_OK)
        return rc;
    rc = lists_import(ctx, st, &d, version, &already);
    lists_data_free(&d);
    if (rc != AT_OK)
        return rc;
    if ((rc = lists_read_ofac(ctx, "tests/data/sanctions/ofac", "2021-07-07", &d)) != AT_OK)
        return rc;
    rc = lists_import(ctx, st, &d, version, &already);
    lists_data_free(&d);
    return rc;
}

int64_t unit_sql_int(struct store *st, const char *sql)
{
    sqlite3_stmt *stmt;
    int64_t v = -1;

    if (sqlite3_prepare_v2(store_db(st), sql, -1, &stmt, NULL) == SQLITE_OK
        && sqlite3_step(stmt) == SQLITE_ROW)
        v = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return v;
}

int unit_vault_files(const char *archive, const char *prefix)
{
    char path[600];
    struct dirent *e;
    DIR *d;
    int n = 0;

    snprintf(path, sizeof path, "%s/%s/vault", unit_tmpdir(), archive);
    if ((d = opendir(path)) == NULL)
        return -1;
    while ((e = readdir(d)) != NULL)
        n += prefix ? strncmp(e->d_name, prefix, strlen(prefix)) == 0 : e->d_name[0] != '.';
    closedir(d);
    return n;
}
