/*
 * auth.c: who is making a request.  Logins check a user's passphrase
 * (Argon2id, in core) and open a session: a random cookie (HttpOnly,
 * SameSite=Strict, Secure under TLS) and a CSRF token that every state-
 * changing request must echo in X-CSRF-Token.  Scripts use API tokens
 * (Authorization: Bearer ...), kept only as hashes, which expire and can
 * be revoked.
 *
 * Each request checks its user afresh in the archive: a session or token
 * made before the user's role or passphrase changed, or before they were
 * disabled, has ended, even when the change was made by another process.
 *
 * Guessing is slowed, never locked out: after a wrong passphrase, the next
 * guess for that user from that address is not checked (429) until a delay
 * has passed that doubles with each failure up to DELAY_CAP_MS; a right
 * passphrase after the delay always works, and other users and addresses
 * are untouched.  The guesses for one user are checked one at a time, so
 * that parallel requests gain nothing.  Each user keeps at most
 * SESSIONS_PER_USER sessions, the oldest giving way to a new one.
 */
#include "http.h"
#include "../core/evlog.h"
#include "../core/keys.h"
#include "../core/record.h"
#include "../core/vocab.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

#define SESSIONS_PER_USER 16
#define SESSION_CHUNK 64        /* sessions are allocated this many at a time */
#define SESSION_IDLE_S (30 * 60)
#define SESSION_MAX_S (12 * 60 * 60)
#define TOKEN_BYTES 32
#define DELAY_FIRST_MS 1000     /* after the first wrong passphrase; doubled after each */
#define DELAY_CAP_MS 5000       /* the longest delay */
#define FORGET_MS (15 * 60 * 1000) /* failures older than this are forgotten */
#define MAX_TRACKED 4096
#define MAX_CHECKING 64         /* logins being checked at once: at most one per worker */

/* Slots are never freed or moved, so that a request may keep a pointer to
 * one; a request checks that the slot still holds its cookie (current). */
struct http_session {
    char cookie[64];            /* base64url of TOKEN_BYTES random bytes */
    char csrf[64];
    struct session keys;        /* the user's role and unlocked keys */
    int64_t generation;         /* the user's generation at login */
    time_t created, seen;
    bool used;
};

/* Wrong passphrases for one user from one address. */
struct failures {
    char who[128];              /* "NAME ADDRESS" */
    int count;
    int64_t last_ms;            /* the last failure */
    int64_t not_before_ms;      /* no guess is checked before then */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t checked = PTHREAD_COND_INITIALIZER;
static struct http_session **chunks;
static size_t nchunks;
static struct failures failures[MAX_TRACKED];
static char checking[MAX_CHECKING][64]; /* user names whose login is being checked */
static bool secure;

void auth_init(bool secure_cookies)
{
    secure = secure_cookies;
}

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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

#define SESSION_AT(i) (&chunks[(i) / SESSION_CHUNK][(i) % SESSION_CHUNK])

static void session_end(struct http_session *s)
{
    access_session_free(&s->keys);
    memset(s, 0, sizeof *s);
}

/* The session whose cookie is cookie, or NULL.  Under the lock. */
static struct http_session *session_find(const char *cookie)
{
    for (size_t i = 0; i < nchunks * SESSION_CHUNK; i++) {
        struct http_session *s = SESSION_AT(i);
        if (s->used && sodium_memcmp(s->cookie, cookie, sizeof s->cookie) == 0)
            return s;
    }
    return NULL;
}

/* r's session if its slot still holds r's cookie (it may have been ended
 * and reused since), else NULL.  Under the lock. */
static struct http_session *current(struct request *r)
{
    char cookie[64] = { 0 };

    if (r->session == NULL || !cookie_value(r, cookie, sizeof cookie) || !r->session->used
        || sodium_memcmp(r->session->cookie, cookie, sizeof cookie) != 0)
        return NULL;
    return r->session;
}

/* A free slot for a session of user: ends idle sessions, and user's oldest
 * when they have SESSIONS_PER_USER; grows the pool when it is full.  Under
 * the lock. */
static struct http_session *session_slot(const char *user, time_t now)
{
    struct http_session *free_slot = NULL, *oldest = NULL;
    int mine = 0;

    for (size_t i = 0; i < nchunks * SESSION_CHUNK; i++) {
        struct http_session *s = SESSION_AT(i);
        if (s->used && (now - s->seen > SESSION_IDLE_S || now - s->created > SESSION_MAX_S))
            session_end(s);
        if (!s->used) {
            if (free_slot == NULL)
                free_slot = s;
        } else if (strcmp(s->keys.user, user) == 0) {
            mine++;
            if (oldest == NULL || s->created < oldest->created)
                oldest = s;
        }
    }
    if (mine >= SESSIONS_PER_USER) {
        session_end(oldest);
        return oldest;
    }
    if (free_slot == NULL) {
        chunks = xrealloc(chunks, (nchunks + 1) * sizeof *chunks);
        chunks[nchunks] = xcalloc(SESSION_CHUNK, sizeof **chunks);
        free_slot = chunks[nchunks++];
    }
    return free_slot;
}

/* Whether user may still use what was made under generation: they exist,
 * are enabled, and their generation has not grown. */
static bool user_current(struct request *r, const char *user, int64_t generation)
{
    int64_t now_generation;
    bool enabled;

    return keys_user_state(&r->ctx, r->st, user, &now_generation, &enabled) == AT_OK && enabled
           && now_generation == generation;
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
        r->keys.clearance = access_role_clearance(role);
        r->logged_in = true;
    }
    return rc;
}

int auth_identify(struct request *r)
{
    const char *bearer = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Authorization");
    char cookie[64] = { 0 };
    struct http_session *s;
    int64_t generation = 0;
    time_t now = time(NULL);

    if (bearer && strncmp(bearer, "Bearer ", 7) == 0)
        return token_identify(r, bearer + 7);
    if (!cookie_value(r, cookie, sizeof cookie))
        return AT_OK;
    pthread_mutex_lock(&lock);
    if ((s = session_find(cookie)) != NULL) {
        if (now - s->seen > SESSION_IDLE_S || now - s->created > SESSION_MAX_S) {
            session_end(s);
        } else {
            s->seen = now;
            r->session = s;
            r->keys = s->keys;
            generation = s->generation;
        }
    }
    pthread_mutex_unlock(&lock);
    if (r->session == NULL)
        return AT_OK;
    if (!user_current(r, r->keys.user, generation)) {
        pthread_mutex_lock(&lock);
        if ((s = current(r)) != NULL)
            session_end(s);
        pthread_mutex_unlock(&lock);
        r->session = NULL;
        access_session_free(&r->keys);
        return AT_OK;
    }
    r->logged_in = true;
    return AT_OK;
}

bool auth_csrf_ok(struct request *r)
{
    const char *given = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-CSRF-Token");
    struct http_session *s;
    bool ok;

    if (r->session == NULL)
        return true; /* API tokens are not sent by browsers on their own */
    pthread_mutex_lock(&lock);
    s = current(r);
    ok = s && given && strlen(given) == strlen(s->csrf)
         && sodium_memcmp(given, s->csrf, strlen(given)) == 0;
    pthread_mutex_unlock(&lock);
    return ok;
}

/* The failures of user from address, or NULL; made if need be (in place
 * of the entry with the oldest failure when the table is full: at worst
 * a guesser's delay starts again from the first).  Under the lock. */
static struct failures *failures_of(const char *user, const char *address, bool make)
{
    struct failures *victim = NULL;
    char who[sizeof failures[0].who];

    snprintf(who, sizeof who, "%s %s", user, address);
    for (int i = 0; i < MAX_TRACKED; i++) {
        struct failures *f = &failures[i];
        if (f->who[0] && strcmp(f->who, who) == 0)
            return f;
        if (victim == NULL || (victim->who[0] && (f->who[0] == '\0' || f->last_ms < victim->last_ms)))
            victim = f;
    }
    if (!make)
        return NULL;
    memset(victim, 0, sizeof *victim);
    snprintf(victim->who, sizeof victim->who, "%s", who);
    return victim;
}

/* Milliseconds until a guess for user from address is checked (0: now). */
static int64_t wait_ms(const char *user, const char *address, int64_t now)
{
    struct failures *f = failures_of(user, address, false);

    return f && f->not_before_ms > now ? f->not_before_ms - now : 0;
}

static void note_failure(const char *user, const char *address, int64_t now)
{
    struct failures *f = failures_of(user, address, true);
    int64_t delay = DELAY_FIRST_MS;

    if (now - f->last_ms > FORGET_MS)
        f->count = 0;
    for (int i = f->count++; i > 0 && delay < DELAY_CAP_MS; i--)
        delay *= 2;
    f->last_ms = now;
    f->not_before_ms = now + (delay < DELAY_CAP_MS ? delay : DELAY_CAP_MS);
}

/* The slot of checking[] that holds user, or -1.  Under the lock. */
static int checking_slot(const char *user)
{
    for (int i = 0; i < MAX_CHECKING; i++)
        if (strcmp(checking[i], user) == 0)
            return i;
    return -1;
}

/* Waits until no other login of user is being checked and claims the
 * check; or, when user's delay from this address has not passed, sets a
 * 429 reply and returns its status.  Returns 0 when claimed. */
static int claim_check(struct request *r, const char *user)
{
    int64_t wait;
    int slot;

    pthread_mutex_lock(&lock);
    while ((wait = wait_ms(user, r->ip, now_ms())) == 0
           && (checking_slot(user) >= 0 || (slot = checking_slot("")) < 0))
        pthread_cond_wait(&checked, &lock);
    if (wait == 0)
        snprintf(checking[slot], sizeof checking[slot], "%s", user);
    pthread_mutex_unlock(&lock);
    if (wait == 0)
        return 0;
    http_error(r, 429, "too_many_attempts", NULL, "a wrong passphrase was given for this user "
               "from this address: try again in %ld seconds", (long)((wait + 999) / 1000));
    json_object_set_new(json_object_get(r->reply, "error"), "retry_after",
                        json_integer((wait + 999) / 1000));
    return (int)r->status;
}

/* Ends the check claimed by claim_check, noting whether it failed. */
static void release_check(struct request *r, const char *user, bool failed)
{
    struct failures *f;

    pthread_mutex_lock(&lock);
    if (failed)
        note_failure(user, r->ip, now_ms());
    else if ((f = failures_of(user, r->ip, false)) != NULL)
        memset(f, 0, sizeof *f);
    memset(checking[checking_slot(user)], 0, sizeof checking[0]);
    pthread_cond_broadcast(&checked);
    pthread_mutex_unlock(&lock);
}

/* Logins take a JSON body only (a form or text/plain body is what a
 * foreign page can send without asking), and, when the browser says
 * where the request comes from, from this server's own pages.  Returns 0,
 * or the status of the error reply it set. */
static int login_request_ok(struct request *r)
{
    const char *type = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Type");
    const char *origin = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Origin");
    const char *host = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Host");
    const char *authority = origin ? strstr(origin, "://") : NULL;
    size_t n = strlen("application/json");

    if (type == NULL || strncasecmp(type, "application/json", n) != 0
        || (type[n] != '\0' && type[n] != ';' && type[n] != ' '))
        return http_error(r, 415, "unsupported_media_type", "Content-Type", "log in with a JSON "
                          "body {\"username\", \"passphrase\"} sent as Content-Type: application/json");
    if (origin && (authority == NULL || host == NULL || strcasecmp(authority + 3, host) != 0))
        return http_error(r, 403, "origin", "Origin", "logins are taken only from this server's "
                          "own pages");
    return 0;
}

/* Opens a session for keys (taking them) and sets the reply. */
static int open_session(struct request *r, struct session *keys, int64_t generation)
{
    time_t now = time(NULL);
    struct http_session *s;
    json_t *reply;

    pthread_mutex_lock(&lock);
    s = session_slot(keys->user, now);
    s->used = true;
    s->keys = *keys;
    s->generation = generation;
    s->created = s->seen = now;
    random_token(s->cookie, sizeof s->cookie);
    random_token(s->csrf, sizeof s->csrf);
    snprintf(r->set_cookie, sizeof r->set_cookie,
             "attest_session=%s; Path=/; HttpOnly; SameSite=Strict%s", s->cookie,
             secure ? "; Secure" : "");
    reply = json_pack("{s:s, s:s, s:s, s:s}", "user", keys->user, "role", access_role_name(keys->role),
                      "clearance", vocab_clearance_name(keys->clearance), "csrf_token", s->csrf);
    pthread_mutex_unlock(&lock);
    access_session_free(keys);
    return http_json(r, 200, reply);
}

int auth_login(struct request *r)
{
    json_t *body;
    char user[64];
    const char *pass;
    struct session keys;
    int64_t generation = 0;
    bool enabled;
    int rc, status;

    if ((status = login_request_ok(r)) != 0 || (body = http_body_json(r, true)) == NULL)
        return status ? status : (int)r->status;
    pass = json_string_value(json_object_get(body, "passphrase"));
    if (!json_is_string(json_object_get(body, "username")) || pass == NULL
        || json_string_length(json_object_get(body, "username")) == 0) {
        status = http_error(r, 400, "invalid", pass ? "username" : "passphrase",
                            "give \"username\" and \"passphrase\" as text");
        json_decref(body);
        return status;
    }
    snprintf(user, sizeof user, "%s", json_string_value(json_object_get(body, "username")));
    if ((status = claim_check(r, user)) != 0) {
        json_decref(body);
        return status;
    }
    /* Read before the passphrase is checked: a change made meanwhile ends
     * the session at its first use. */
    if (keys_user_state(&r->ctx, r->st, user, &generation, &enabled) != AT_OK)
        generation = 0;
    rc = keys_login(&r->ctx, r->st, user, pass, &keys);
    json_decref(body);
    release_check(r, user, rc != AT_OK);
    if (rc != AT_OK)
        return http_error(r, 401, "unauthorised", NULL, "wrong user name or passphrase, or the "
                          "user is disabled");
    return open_session(r, &keys, generation);
}

int auth_recheck(struct request *r, const char *field, const char *pass)
{
    struct session again;
    int rc, status;

    if (pass == NULL || *pass == '\0')
        return http_error(r, 400, "invalid", field, "\"%s\" is required: your passphrase now, "
                          "asked again before it is changed", field);
    if ((status = claim_check(r, r->keys.user)) != 0)
        return status;
    rc = keys_login(&r->ctx, r->st, r->keys.user, pass, &again);
    release_check(r, r->keys.user, rc != AT_OK);
    if (rc != AT_OK)
        return http_error(r, 403, "wrong_passphrase", field, "\"%s\": that is not your passphrase "
                          "now; nothing was changed", field);
    access_session_free(&again);
    return 0;
}

int auth_logout(struct request *r)
{
    struct http_session *s;

    pthread_mutex_lock(&lock);
    if ((s = current(r)) != NULL)
        session_end(s);
    r->session = NULL;
    pthread_mutex_unlock(&lock);
    snprintf(r->set_cookie, sizeof r->set_cookie,
             "attest_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s", secure ? "; Secure" : "");
    return http_json(r, 200, json_pack("{s:b}", "logged_out", 1));
}

int auth_me(struct request *r)
{
    json_t *me = json_pack("{s:s, s:s, s:s}", "user", r->keys.user, "role", access_role_name(r->keys.role),
                           "clearance", vocab_clearance_name(r->keys.clearance));
    struct http_session *s;

    if (r->session) {
        pthread_mutex_lock(&lock);
        if ((s = current(r)) != NULL)
            json_object_set_new(me, "csrf_token", json_string(s->csrf));
        pthread_mutex_unlock(&lock);
    }
    if (server_tile_url())
        json_object_set_new(me, "tiles", json_string(server_tile_url()));
    return http_json(r, 200, me);
}

struct token_request {
    const struct session *keys;
    const char *label;
    int days;
    char *token;   /* 64 bytes */
};

static int create_token(struct at_ctx *ctx, struct store *st, void *arg)
{
    struct token_request *t = arg;

    return keys_token_create(ctx, st, t->keys, t->label, t->days, t->token);
}

int auth_token_create(struct request *r)
{
    json_t *body = http_body_json(r, true), *days_v;
    json_int_t days = TOKEN_DAYS_DEFAULT;
    char token[64];
    int rc;

    if (body == NULL)
        return (int)r->status;
    if ((days_v = json_object_get(body, "expires_days")) != NULL) {
        days = json_is_integer(days_v) ? json_integer_value(days_v) : 0;
        if (days < 1 || days > TOKEN_DAYS_MAX) {
            json_decref(body);
            return http_error(r, 400, "invalid", "expires_days", "\"expires_days\" must be a whole "
                              "number of days from 1 to %d (default %d)", TOKEN_DAYS_MAX,
                              TOKEN_DAYS_DEFAULT);
        }
    }
    rc = evlog_write(&r->ctx, r->st, create_token,
                     &(struct token_request){ &r->keys, json_string_value(json_object_get(body, "label")),
                                              (int)days, token });
    json_decref(body);
    if (rc != AT_OK)
        return http_core_error(r, rc);
    return http_json(r, 201, json_pack("{s:s, s:s, s:I}", "token", token, "user", r->keys.user,
                                       "expires_days", days));
}
