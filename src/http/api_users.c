/*
 * api_users.c: /api/v1/users and /api/v1/tokens: user administration in
 * the browser, through the same core calls as `attest user` (keys.h).
 * route.c lets only admins reach the user routes (ACTION_MANAGE_USERS);
 * core checks again.  A new user's passphrase is taken from the body and
 * never sent back; a change of role, disabling and an admin's reset of a
 * lost passphrase (the old one never asked) end the user's sessions and
 * tokens, as in the CLI.  Everyone changes their own passphrase
 * (`attest user passwd`): the one they have now asked again, the same
 * core call re-wrapping their keys, and all their sessions and tokens end,
 * this one too.  Tokens: everyone lists and revokes their own, admins
 * anyone's (core decides).
 */
#include "http.h"
#include "../core/evlog.h"
#include "../core/keys.h"
#include "../core/vocab.h"

#include <string.h>

/* A change made by evlog_write: add (name, role, pass, kdf), role (name,
 * role), enable (name, enable), reset (name, pass, kdf: a new passphrase),
 * passwd (pass, kdf: the user's own new passphrase) or revoke (name: the
 * token's id). */
struct user_change {
    const char *sub;
    const struct session *by;
    const char *name, *pass;
    enum role role;
    const struct kdf *kdf;
    bool enable;
};

static int change_user(struct at_ctx *ctx, struct store *st, void *arg)
{
    struct user_change *c = arg;

    if (strcmp(c->sub, "add") == 0)
        return keys_user_add(ctx, st, c->by, c->name, c->role, c->pass, c->kdf);
    if (strcmp(c->sub, "role") == 0)
        return keys_set_role(ctx, st, c->by, c->name, c->role);
    if (strcmp(c->sub, "revoke") == 0)
        return keys_token_revoke(ctx, st, c->by, c->name);
    if (strcmp(c->sub, "reset") == 0)
        return keys_passphrase_reset(ctx, st, c->by, c->name, c->pass, c->kdf);
    if (strcmp(c->sub, "passwd") == 0)
        return keys_passwd(ctx, st, c->by, c->pass, c->kdf);
    return keys_user_enable(ctx, st, c->by, c->name, c->enable);
}

/* Replies with the users, each with the clearance their role reads up to. */
static int reply_users(struct request *r, unsigned status)
{
    json_t *users, *u;
    enum role role;
    size_t i;
    int rc = keys_user_list(&r->ctx, r->st, &users);

    if (rc != AT_OK)
        return http_core_error(r, rc);
    json_array_foreach(users, i, u) {
        if (access_role_parse(&r->ctx, json_string_value(json_object_get(u, "role")), &role) == AT_OK)
            json_object_set_new(u, "clearance",
                                json_string(vocab_clearance_name(access_role_clearance(role))));
    }
    return http_json(r, status, json_pack("{s:o}", "users", users));
}

/* Writes change c; the reply is the user list afresh. */
static int write_change(struct request *r, struct user_change *c, unsigned status)
{
    int rc = evlog_write(&r->ctx, r->st, change_user, c);

    return rc == AT_OK ? reply_users(r, status) : http_core_error(r, rc);
}

/* The "role" member of body into *role; 0, or the 400 status set. */
static int role_arg(struct request *r, json_t *body, enum role *role)
{
    const char *text = json_string_value(json_object_get(body, "role"));

    if (text == NULL)
        return http_error(r, 400, "invalid", "role", "\"role\" is required: admin, officer, "
                          "investigator, analyst, partner or public");
    if (access_role_parse(&r->ctx, text, role) != AT_OK)
        return http_error(r, 400, "invalid", "role", "%s", r->ctx.message);
    return 0;
}

/* GET /api/v1/users */
int api_users_list(struct request *r)
{
    return reply_users(r, 200);
}

/* POST /api/v1/users {name, role, passphrase[, kdf]} */
int api_users_add(struct request *r)
{
    json_t *body = http_body_json(r, true);
    struct kdf kdf = keys_kdf_default();
    const char *name, *pass, *kdf_name;
    enum role role;
    int status;

    if (body == NULL)
        return (int)r->status;
    name = json_string_value(json_object_get(body, "name"));
    pass = json_string_value(json_object_get(body, "passphrase"));
    kdf_name = json_string_value(json_object_get(body, "kdf"));
    if (name == NULL || *name == '\0')
        status = http_error(r, 400, "invalid", "name", "\"name\" is required: the new user's name");
    else if (pass == NULL || *pass == '\0')
        status = http_error(r, 400, "invalid", "passphrase", "\"passphrase\" is required: the "
                            "new user's first passphrase, to hand to them in person");
    else if ((status = role_arg(r, body, &role)) != 0)
        ;
    else if (kdf_name && keys_kdf_parse(&r->ctx, kdf_name, &kdf) != AT_OK)
        status = http_error(r, 400, "invalid", "kdf", "%s", r->ctx.message);
    else
        status = write_change(r, &(struct user_change){ .sub = "add", .by = &r->keys, .name = name,
                                                        .pass = pass, .role = role, .kdf = &kdf },
                              201);
    json_decref(body);
    return status;
}

/* POST /api/v1/users/{name} {role} or {enabled: true|false} */
int api_users_change(struct request *r)
{
    json_t *body = http_body_json(r, true), *enabled;
    enum role role;
    int status;

    if (body == NULL)
        return (int)r->status;
    enabled = json_object_get(body, "enabled");
    if (json_object_get(body, "role") != NULL) {
        if ((status = role_arg(r, body, &role)) == 0)
            status = write_change(r, &(struct user_change){ .sub = "role", .by = &r->keys,
                                                            .name = r->params[0], .role = role }, 200);
    } else if (json_is_boolean(enabled)) {
        status = write_change(r, &(struct user_change){ .sub = "enable", .by = &r->keys,
                                                        .name = r->params[0],
                                                        .enable = json_is_true(enabled) }, 200);
    } else {
        status = http_error(r, 400, "invalid", "role", "give {\"role\": ROLE} or {\"enabled\": "
                            "true|false}");
    }
    json_decref(body);
    return status;
}

/* POST /api/v1/users/{name}/passphrase {passphrase[, kdf]} */
int api_users_passphrase(struct request *r)
{
    json_t *body = http_body_json(r, true);
    struct kdf kdf = keys_kdf_default();
    const char *pass, *kdf_name;
    int status;

    if (body == NULL)
        return (int)r->status;
    pass = json_string_value(json_object_get(body, "passphrase"));
    kdf_name = json_string_value(json_object_get(body, "kdf"));
    if (pass == NULL || *pass == '\0')
        status = http_error(r, 400, "invalid", "passphrase", "\"passphrase\" is required: the "
                            "user's new passphrase, to hand to them in person");
    else if (kdf_name && keys_kdf_parse(&r->ctx, kdf_name, &kdf) != AT_OK)
        status = http_error(r, 400, "invalid", "kdf", "%s", r->ctx.message);
    else
        status = write_change(r, &(struct user_change){ .sub = "reset", .by = &r->keys,
                                                        .name = r->params[0], .pass = pass,
                                                        .kdf = &kdf }, 200);
    json_decref(body);
    return status;
}

/* POST /api/v1/me/passphrase {current, passphrase[, kdf]}: only from a
 * login, whose session holds the user's own unlocked keys (a request by
 * API token carries the server's, which must never be wrapped under the
 * user's passphrase). */
int api_users_passwd(struct request *r)
{
    json_t *body = http_body_json(r, true);
    struct kdf kdf = keys_kdf_default();
    const char *current, *pass, *kdf_name;
    int status;

    if (body == NULL)
        return (int)r->status;
    current = json_string_value(json_object_get(body, "current"));
    pass = json_string_value(json_object_get(body, "passphrase"));
    kdf_name = json_string_value(json_object_get(body, "kdf"));
    if (current == NULL || *current == '\0')
        status = http_error(r, 400, "invalid", "current", "\"current\" is required: your "
                            "passphrase now, asked again before it is changed");
    else if (pass == NULL || *pass == '\0')
        status = http_error(r, 400, "invalid", "passphrase", "\"passphrase\" is required: your "
                            "new passphrase");
    else if (kdf_name && keys_kdf_parse(&r->ctx, kdf_name, &kdf) != AT_OK)
        status = http_error(r, 400, "invalid", "kdf", "%s", r->ctx.message);
    else if (r->session == NULL)
        status = http_error(r, 403, "forbidden", NULL, "change your passphrase from a login "
                            "(POST /api/v1/login), not with an API token");
    else if ((status = auth_recheck(r, "current", current)) != 0)
        ;
    else if ((status = evlog_write(&r->ctx, r->st, change_user,
                                   &(struct user_change){ .sub = "passwd", .by = &r->keys,
                                                          .pass = pass, .kdf = &kdf })) != AT_OK)
        status = http_core_error(r, status);
    else
        status = http_json(r, 200, json_pack("{s:s, s:b}", "user", r->keys.user, "logged_out", 1));
    json_decref(body);
    return status;
}

/* GET /api/v1/tokens[?user=] */
int api_tokens_list(struct request *r)
{
    json_t *tokens;
    int rc = keys_token_list(&r->ctx, r->st, &r->keys, http_arg(r, "user"), &tokens);

    return rc == AT_OK ? http_json(r, 200, json_pack("{s:o}", "tokens", tokens)) : http_core_error(r, rc);
}

/* POST /api/v1/tokens/{id}/revoke */
int api_tokens_revoke(struct request *r)
{
    int rc = evlog_write(&r->ctx, r->st, change_user,
                         &(struct user_change){ .sub = "revoke", .by = &r->keys, .name = r->params[0] });

    return rc == AT_OK ? http_json(r, 200, json_pack("{s:s}", "revoked", r->params[0]))
                       : http_core_error(r, rc);
}
