/*
 * auth.c: who is making a request.  Logins check a user's passphrase
 * (Argon2id, in core) and open a session: a random cookie (HttpOnly,
 * SameSite=Strict, Secure under TLS) and a CSRF token that every state-
 * changing request must echo in X-CSRF-Token.  Scripts use API tokens
 * (Authorization: Bearer ...), kept only as hashes.  Failed logins are
 * rate-limited per user name and per address.
 */
#include "http.h"
#include "../core/evlog.h"
#include "../core/keys.h"
#include "../core/record.h"
#include "../core/vocab.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

#define MAX_SESSIONS 256
#define SESSION_IDLE_S (30 * 60)
#define SESSION_MAX_S (12 * 60 * 60)
#define TOKEN_BYTES 32
#define MAX_FAILURES 5          /* failures before a lockout */
#define LOCKOUT_S 60            /* doubled for each further failure */
#define MAX_TRACKED 512

struct http_session {
    char cookie[64];            /* base64url of TOKEN_BYTES random bytes */
    char csrf[64];
    struct session keys;        /* the user's role and unlocked keys */
    time_t created, seen;
    bool used;
};

struct failures {
    char who[80];               /* "u:NAME" or "ip:ADDRESS" */
    int count;
    time_t until;               /* locked until then */
    time_t last;                /* the last failure */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct http_session sessions[MAX_SESSIONS];
static struct failures failures[MAX_TRACKED];
static bool secure;

void auth_init(bool secure_cookies)
{
    secure = secure_cookies;
}

static void random_token(char *out, size_t n)
{
    uint8_t raw[TOKEN_BYTES];

    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(out, n, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* The cookie value named "attest_session", copied to out. */
static bool cookie_value(struct request *r, char *out, size_t n)
{
    const char *v = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "attest_session");

    if (v == NULL || strlen(v) >= n)
        return false;
    snprintf(out, n, "%s", v);
    return true;
}

/* Loads the role of an API token's user into r->keys, with the server's
 * keys for the crypto: tokens carry no passphrase. */
static int token_identify(struct request *r, const char *token)
{
    char user[64];
    enum role role;
    int rc = keys_token_user(&r->ctx, r->st, token, user, &role);

    if (rc == AT_OK) {
        r->keys = *server_keys();
        snprintf(r->keys.user, sizeof r->keys.user, "%s", user);
        r->keys.role = role;
        r->keys.clearance = role_clearance(role);
        r->logged_in = true;
    }
    return rc;
}

int auth_identify(struct request *r)
{
    const char *bearer = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Authorization");
    char cookie[64] = { 0 };
    time_t now = time(NULL);

    if (bearer && strncmp(bearer, "Bearer ", 7) == 0)
        return token_identify(r, bearer + 7);
    if (!cookie_value(r, cookie, sizeof cookie))
        return AT_OK;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < MAX_SESSIONS; i++) {
        struct http_session *s = &sessions[i];
        if (!s->used || sodium_memcmp(s->cookie, cookie, sizeof s->cookie) != 0)
            continue;
        if (now - s->seen > SESSION_IDLE_S || now - s->created > SESSION_MAX_S) {
            session_free(&s->keys);
            memset(s, 0, sizeof *s);
            break;
        }
        s->seen = now;
        r->session = s;
        r->keys = s->keys;
        r->logged_in = true;
        break;
    }
    pthread_mutex_unlock(&lock);
    return AT_OK;
}

bool auth_csrf_ok(struct request *r)
{
    const char *given = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-CSRF-Token");
    bool ok;

    if (r->session == NULL)
        return true; /* API tokens are not sent by browsers on their own */
    pthread_mutex_lock(&lock);
    ok = given && strlen(given) == strlen(r->session->csrf)
         && sodium_memcmp(given, r->session->csrf, strlen(given)) == 0;
    pthread_mutex_unlock(&lock);
    return ok;
}

/* The failures of who, or NULL. */
static struct failures *find_failures(const char *who)
{
    for (int i = 0; i < MAX_TRACKED; i++)
        if (failures[i].who[0] && strcmp(failures[i].who, who) == 0)
            return &failures[i];
    return NULL;
}

/* The failures of who, made if need be in an empty slot, else in place of
 * the entry whose last failure is oldest among those not locked now; NULL
 * when every entry is locked (they are kept). */
static struct failures *tracked(const char *who, time_t now)
{
    struct failures *f = find_failures(who), *victim = NULL;

    if (f)
        return f;
    for (int i = 0; i < MAX_TRACKED; i++) {
        struct failures *e = &failures[i];
        if (e->who[0] == '\0') {
            victim = e;
            break;
        }
        if (e->until <= now && (victim == NULL || e->last < victim->last))
            victim = e;
    }
    if (victim == NULL)
        return NULL;
    memset(victim, 0, sizeof *victim);
    snprintf(victim->who, sizeof victim->who, "%s", who);
    return victim;
}

/* Seconds until who may try again (0: now). */
static long locked_for(const char *who, time_t now)
{
    struct failures *f = find_failures(who);

    return f && f->until > now ? (long)(f->until - now) : 0;
}

static void note_failure(const char *who, time_t now)
{
    struct failures *f = tracked(who, now);

    if (f == NULL)
        return;
    f->last = now;
    if (++f->count >= MAX_FAILURES)
        f->until = now + ((time_t)LOCKOUT_S << (f->count - MAX_FAILURES < 10 ? f->count - MAX_FAILURES : 10));
}

static void forget_failures(const char *who)
{
    for (int i = 0; i < MAX_TRACKED; i++)
        if (strcmp(failures[i].who, who) == 0)
            memset(&failures[i], 0, sizeof failures[i]);
}

int api_login(struct request *r)
{
    json_t *body = http_body_json(r, true);
    const char *user, *pass;
    char by_user[80], by_ip[80];
    struct session keys;
    time_t now = time(NULL);
    long wait;
    int rc, slot = -1;

    if (body == NULL)
        return (int)r->status;
    user = json_string_value(json_object_get(body, "username"));
    pass = json_string_value(json_object_get(body, "passphrase"));
    if (user == NULL || pass == NULL) {
        json_decref(body);
        return http_error(r, 400, "invalid", user ? "passphrase" : "username",
                          "give \"username\" and \"passphrase\" as text");
    }
    snprintf(by_user, sizeof by_user, "u:%s", user);
    snprintf(by_ip, sizeof by_ip, "ip:%s", r->ip);
    pthread_mutex_lock(&lock);
    wait = locked_for(by_user, now);
    if (locked_for(by_ip, now) > wait)
        wait = locked_for(by_ip, now);
    pthread_mutex_unlock(&lock);
    if (wait > 0) {
        json_decref(body);
        return http_error(r, 429, "too_many_attempts", NULL, "too many failed logins; try again "
                          "in %ld seconds", wait);
    }
    rc = keys_login(&r->ctx, r->st, user, pass, &keys);
    json_decref(body);
    pthread_mutex_lock(&lock);
    if (rc != AT_OK) {
        note_failure(by_user, now);
        note_failure(by_ip, now);
        pthread_mutex_unlock(&lock);
        return http_error(r, 401, "unauthorised", NULL, "wrong user name or passphrase");
    }
    forget_failures(by_user);
    for (int i = 0; i < MAX_SESSIONS && slot < 0; i++)
        if (!sessions[i].used || now - sessions[i].seen > SESSION_IDLE_S)
            slot = i;
    if (slot < 0) {
        pthread_mutex_unlock(&lock);
        session_free(&keys);
        return http_error(r, 503, "busy", NULL, "too many open sessions; try again later");
    }
    struct http_session *s = &sessions[slot];
    session_free(&s->keys);
    memset(s, 0, sizeof *s);
    s->used = true;
    s->keys = keys;
    s->created = s->seen = now;
    random_token(s->cookie, sizeof s->cookie);
    random_token(s->csrf, sizeof s->csrf);
    snprintf(r->set_cookie, sizeof r->set_cookie,
             "attest_session=%s; Path=/; HttpOnly; SameSite=Strict%s", s->cookie,
             secure ? "; Secure" : "");
    json_t *reply = json_pack("{s:s, s:s, s:s, s:s}", "user", keys.user, "role", role_name(keys.role),
                              "clearance", clearance_name(keys.clearance), "csrf_token", s->csrf);
    pthread_mutex_unlock(&lock);
    session_free(&keys);
    return http_json(r, 200, reply);
}

int api_logout(struct request *r)
{
    pthread_mutex_lock(&lock);
    if (r->session) {
        session_free(&r->session->keys);
        memset(r->session, 0, sizeof *r->session);
        r->session = NULL;
    }
    pthread_mutex_unlock(&lock);
    snprintf(r->set_cookie, sizeof r->set_cookie,
             "attest_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s", secure ? "; Secure" : "");
    return http_json(r, 200, json_pack("{s:b}", "logged_out", 1));
}

int api_me(struct request *r)
{
    json_t *me = json_pack("{s:s, s:s, s:s}", "user", r->keys.user, "role", role_name(r->keys.role),
                           "clearance", clearance_name(r->keys.clearance));

    if (r->session) {
        pthread_mutex_lock(&lock);
        json_object_set_new(me, "csrf_token", json_string(r->session->csrf));
        pthread_mutex_unlock(&lock);
    }
    if (server_tile_url())
        json_object_set_new(me, "tiles", json_string(server_tile_url()));
    return http_json(r, 200, me);
}

int api_token_create(struct request *r)
{
    json_t *body = http_body_json(r, true);
    char token[64];
    int rc;

    if (body == NULL)
        return (int)r->status;
    if ((rc = store_begin(&r->ctx, r->st)) == AT_OK) {
        rc = keys_token_create(&r->ctx, r->st, &r->keys,
                               json_string_value(json_object_get(body, "label")), token);
        if (rc == AT_OK)
            rc = evlog_commit(&r->ctx, r->st);
        else
            store_rollback(r->st);
    }
    json_decref(body);
    if (rc != AT_OK)
        return http_core_error(r, rc);
    return http_json(r, 201, json_pack("{s:s, s:s}", "token", token, "user", r->keys.user));
}
