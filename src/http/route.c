/*
 * route.c: the route table, sorted by path then method, and the one gate
 * every request passes: who is asking, whether they must be logged in,
 * whether their role may do what the route does (each entry names its
 * action), and the CSRF check on every state-changing request.  What each
 * user may do with a given record is then decided by core (access.c),
 * with the user as the store's session.
 */
#include "http.h"
#include "../core/vocab.h"

#include <string.h>

static const struct route routes[] = {
    { .method = "GET", .path = "/",
      .need = NEED_NOTHING, .handler = assets_serve,
      .summary = "the web application" },
    { .method = "GET", .path = "/api/v1/basemaps",
      .need = NEED_LOGIN, .action = ACTION_READ, .handler = api_basemaps,
      .summary = "the archive's offline basemaps, for the map's layer switcher" },
    { .method = "GET", .path = "/api/v1/cases/{id}",
      .need = NEED_LOGIN, .action = ACTION_READ, .handler = api_cases_get,
      .summary = "casework: a case with its chain of sales, ILO checklist, dependants and referrals" },
    { .method = "POST", .path = "/api/v1/cases/{id}/indicators",
      .need = NEED_LOGIN, .action = ACTION_WRITE, .handler = api_cases_indicator_set,
      .summary = "casework: set an ILO indicator on a case: {indicator, status, note, source}" },
    { .method = "POST", .path = "/api/v1/cases/{id}/sales",
      .need = NEED_LOGIN, .action = ACTION_WRITE, .handler = api_cases_sale_add,
      .summary = "casework: put a sale into a case's chain: {sale, before}" },
    { .method = "POST", .path = "/api/v1/cases/{id}/sales/{n}/remove",
      .need = NEED_LOGIN, .action = ACTION_WRITE, .handler = api_cases_sale_remove,
      .summary = "casework: take sale n (from 1) out of a case's chain: {reason}" },
    { .method = "GET", .path = "/api/v1/claims",
      .need = NEED_LOGIN, .action = ACTION_READ, .handler = api_claims_list,
      .summary = "figures claimed in documents, side by side, ?about=TOPIC" },
    { .method = "POST", .path = "/api/v1/claims",
      .need = NEED_LOGIN, .action = ACTION_WRITE, .handler = api_claims_create,
      .summary = "record a claim from a span of a document" },
    { .method = "POST", .path = "/api/v1/documents",
      .need = NEED_LOGIN, .action = ACTION_WRITE, .handler = api_documents_import,
      .summary = "import a text, Markdown or HTML document (a digest is split into articles)" },
    { .method = "GET", .path = "/api/v1/documents/{id}",
      .need = NEED_LOGIN, .action = ACTION_READ, .handler = api_documents_get,
      .summary = "a document with its text, its suggested tags and its claims" },
    { .method = "GET", .path = "/api/v1/evidence",
      .need = NEED_LOGIN, .action = ACTION_GET_EVIDENCE, .handler = api_evidence_list,
      .summary = "list evidence items" },
    { .method = "POST", .path = "/api/v1/evidence",
      .need = NEED_LOGIN, .action = ACTION_ADD_EVIDENCE, .handler = api_evidence_upload,
      .summary = "upload an evidence file (raw body, streamed)" },
    { .method = "GET", .path = "/api/v1/evidence/{id}",
      .need = NEED_LOGIN, .action = ACTION_GET_EVIDENCE, .handler = api_evidence_get,
      .summary = "an evidence item's details and custody" },
    { .method = "POST", .path = "/api/v1/evidence/{id}/custody",
      .need = NEED_LOGIN, .action = ACTION_ADD_EVIDENCE, .handler = api_evidence_custody_add,
      .summary = "add a custody event to an evidence item: {action, from, to, how, at, note}" },
    { .method = "GET", .path = "/api/v1/evidence/{id}/file",
      .need = NEED_LOGIN, .action = ACTION_GET_EVIDENCE, .handler = api_evidence_file,
      .summary = "download an evidence file, decrypted and checked" },
    { .method = "GET", .path = "/api/v1/evidence/{id}/preview",
      .need = NEED_LOGIN, .action = ACTION_GET_EVIDENCE, .handler = api_evidence_preview,
      .summary = "an image, audio, video or text item shown inline, sandboxed; a PDF's pages "
                 "as PNG drawn in a sandbox (?page=N); 415 for other types" },
    { .method = "GET", .path = "/api/v1/export/{format}",
      .need = NEED_LOGIN, .action = ACTION_EXPORT_BUNDLE, .handler = api_export,
      .summary = "export: jsonl, csv of ?type=, or with ?tier= the map as kml, kmz, geojson, csv" },
    { .method = "GET", .path = "/api/v1/export/{format}/report",
      .need = NEED_LOGIN, .action = ACTION_EXPORT_BUNDLE, .handler = api_export_report,
      .summary = "what a map export at ?tier= lets out; each record left out with why and the fix" },
    { .method = "POST", .path = "/api/v1/import",
      .need = NEED_LOGIN, .action = ACTION_WRITE, .handler = api_import,
      .summary = "import a CSV, JSON Lines, KML or KMZ file of records (the body), as attest import" },
    { .method = "GET", .path = "/api/v1/link/decisions",
      .need = NEED_LOGIN, .action = ACTION_READ, .handler = api_link_decisions,
      .summary = "record linkage: the analysts' decisions on pairs, ?type=person|event" },
    { .method = "POST", .path = "/api/v1/link/decisions",
      .need = NEED_LOGIN, .action = ACTION_WRITE, .handler = api_link_decide,
      .summary = "record linkage: accept or reject a pair (a versioned decision)" },
    { .method = "GET", .path = "/api/v1/link/review",
      .need = NEED_LOGIN, .action = ACTION_READ, .handler = api_link_review,
      .summary = "record linkage: the doubtful pairs to review, ?type=person|event [&blind=1]" },
    { .method = "GET", .path = "/api/v1/lists",
      .need = NEED_LOGIN, .action = ACTION_READ, .handler = api_lists,
      .summary = "the sanctions list versions held" },
    { .method = "POST", .path = "/api/v1/lists",
      .need = NEED_LOGIN, .action = ACTION_WRITE, .handler = api_lists_import,
      .summary = "import a new version of the UN list (?source=un, the XML file as the body) or OFAC's (?source=ofac[&date=], a tar or zip archive of its files): &filename=" },
    { .method = "GET", .path = "/api/v1/lists/{version}/diff",
      .need = NEED_LOGIN, .action = ACTION_READ, .handler = api_lists_diff,
      .summary = "what changed in a list version, from the one before or ?from=" },
    { .method = "GET", .path = "/api/v1/lists/{version}/entries/{key}",
      .need = NEED_LOGIN, .action = ACTION_READ, .handler = api_lists_entry,
      .summary = "one list entry as a version lists it, as attest lists show" },
    { .method = "POST", .path = "/api/v1/login",
      .need = NEED_NOTHING, .handler = auth_login,
      .summary = "log in: {username, passphrase}" },
    { .method = "POST", .path = "/api/v1/logout",
      .need = NEED_LOGIN, .action = ACTION_READ, .handler = auth_logout,
      .summary = "log out" },
    { .method = "GET", .path = "/api/v1/map",
      .need = NEED_LOGIN, .action = ACTION_READ, .handler = api_map,
      .summary = "GeoJSON of sites, pinpoints and events in ?bbox=" },
    { .method = "GET", .path = "/api/v1/me",
      .need = NEED_LOGIN, .action = ACTION_READ, .handler = auth_me,
      .summary = "the logged-in user" },
    { .method = "POST", .path = "/api/v1/me/passphrase",
      .need = NEED_LOGIN, .action = ACTION_READ, .handler = api_users_passwd,
      .summary = "change your own passphrase: {current, passphrase}; your sessions and tokens end" },
    { .method = "GET", .path = "/api/v1/openapi.json",
      .need = NEED_NOTHING, .handler = assets_openapi,
      .summary = "this API's OpenAPI 3 description" },
    { .method = "GET", .path = "/api/v1/places",
      .need = NEED_LOGIN, .action = ACTION_READ, .handler = api_places,
      .summary = "the gazetteer's places spelled like ?q= in any script or romanisation" },
    { .method = "GET", .path = "/api/v1/proof/consistency",
      .need = NEED_LOGIN, .action = ACTION_READ, .handler = api_proof_consistency,
      .summary = "proof that the log of ?old_size= entries is a prefix of the newest signed "
                 "tree, as attest prove --consistency OLD_SIZE --json" },
    { .method = "GET", .path = "/api/v1/records",
      .need = NEED_LOGIN, .action = ACTION_READ, .handler = api_records_list,
      .summary = "list records with filters and paging" },
    { .method = "POST", .path = "/api/v1/records",
      .need = NEED_LOGIN, .action = ACTION_WRITE, .handler = api_records_create,
      .summary = "create a record" },
    { .method = "GET", .path = "/api/v1/records/{id}",
      .need = NEED_LOGIN, .action = ACTION_READ, .handler = api_records_get,
      .summary = "a record's current (or ?version=) version" },
    { .method = "GET", .path = "/api/v1/records/{id}/history",
      .need = NEED_LOGIN, .action = ACTION_READ, .handler = api_records_history,
      .summary = "every version of a record" },
    { .method = "GET", .path = "/api/v1/records/{id}/proof",
      .need = NEED_LOGIN, .action = ACTION_READ, .handler = api_records_proof,
      .summary = "proof that a record's version is in the signed log, as attest prove ID --json" },
    { .method = "POST", .path = "/api/v1/records/{id}/retract",
      .need = NEED_LOGIN, .action = ACTION_WRITE, .handler = api_records_retract,
      .summary = "retract a record" },
    { .method = "POST", .path = "/api/v1/records/{id}/versions",
      .need = NEED_LOGIN, .action = ACTION_WRITE, .handler = api_records_amend,
      .summary = "write a new version" },
    { .method = "GET", .path = "/api/v1/ring",
      .need = NEED_LOGIN, .action = ACTION_READ, .handler = api_ring,
      .summary = "a range ring: the geodesic circle of ?km= about ?lat=&lon=, and the places inside" },
    { .method = "POST", .path = "/api/v1/screen",
      .need = NEED_LOGIN, .action = ACTION_READ, .handler = api_screen,
      .summary = "screen a batch of names against the sanctions lists (OpenSanctions /match shape)" },
    { .method = "GET", .path = "/api/v1/screen/archive",
      .need = NEED_LOGIN, .action = ACTION_READ, .handler = api_screen_archive,
      .summary = "the archive's organisations, persons and vessels screened; ?new=1[&since=] only new hits" },
    { .method = "GET", .path = "/api/v1/screen/compare",
      .need = NEED_LOGIN, .action = ACTION_READ, .handler = api_screen_compare,
      .summary = "two names compared as screening would score them, with both scorers" },
    { .method = "POST", .path = "/api/v1/screen/compare",
      .need = NEED_LOGIN, .action = ACTION_READ, .handler = api_screen_compare_file,
      .summary = "a file of name pairs compared as screen compare --file: ?filename=, the pairs as the body" },
    { .method = "GET", .path = "/api/v1/screen/decisions",
      .need = NEED_LOGIN, .action = ACTION_READ, .handler = api_screen_decisions,
      .summary = "analysts' decisions on screening hits: ?record=, ?all=1" },
    { .method = "POST", .path = "/api/v1/screen/decisions",
      .need = NEED_LOGIN, .action = ACTION_WRITE, .handler = api_screen_dismiss,
      .summary = "dismiss a hit: the record is not that listed entry" },
    { .method = "POST", .path = "/api/v1/screen/decisions/withdraw",
      .need = NEED_LOGIN, .action = ACTION_WRITE, .handler = api_screen_withdraw,
      .summary = "withdraw a dismissal" },
    { .method = "GET", .path = "/api/v1/screen/records/{id}",
      .need = NEED_LOGIN, .action = ACTION_READ, .handler = api_screen_record,
      .summary = "one organisation, person or vessel screened with its names and identifiers" },
    { .method = "GET", .path = "/api/v1/screen/successors",
      .need = NEED_LOGIN, .action = ACTION_READ, .handler = api_screen_successors,
      .summary = "the likely successors of a listed entity, with the evidence" },
    { .method = "GET", .path = "/api/v1/search",
      .need = NEED_LOGIN, .action = ACTION_READ, .handler = api_search,
      .summary = "full-text search: ?q=" },
    { .method = "GET", .path = "/api/v1/sites",
      .need = NEED_LOGIN, .action = ACTION_READ, .handler = api_sites_list,
      .summary = "GeoJSON of the sites in ?bbox= (the map's site layer)" },
    { .method = "GET", .path = "/api/v1/sites/candidates",
      .need = NEED_LOGIN, .action = ACTION_READ, .handler = api_sites_candidates,
      .summary = "the candidate sites of the last clustering run, with their corroboration" },
    { .method = "POST", .path = "/api/v1/sites/cluster",
      .need = NEED_LOGIN, .action = ACTION_WRITE, .handler = api_sites_cluster,
      .summary = "cluster the pinpoints no site claims into candidate sites" },
    { .method = "POST", .path = "/api/v1/sites/decisions",
      .need = NEED_LOGIN, .action = ACTION_WRITE, .handler = api_sites_decide,
      .summary = "confirm a candidate site, split a site or merge sites" },
    { .method = "GET", .path = "/api/v1/sites/{id}",
      .need = NEED_LOGIN, .action = ACTION_READ, .handler = api_sites_get,
      .summary = "a site with its pinpoints" },
    { .method = "GET", .path = "/api/v1/stats",
      .need = NEED_LOGIN, .action = ACTION_READ, .handler = api_stats,
      .summary = "counts by type; acts by type, year, province, agency; victims by sex and age; "
                 "the witness sample; arrivals per ?period=half|year" },
    { .method = "GET", .path = "/api/v1/stats/charts/{name}",
      .need = NEED_LOGIN, .action = ACTION_READ, .handler = api_stats_chart,
      .summary = "one table of /api/v1/stats as an SVG chart" },
    { .method = "GET", .path = "/api/v1/sync/conflicts",
      .need = NEED_LOGIN, .action = ACTION_READ, .handler = api_sync_conflicts,
      .summary = "records with concurrent versions from other archives, for a person to resolve" },
    { .method = "GET", .path = "/api/v1/sync/export",
      .need = NEED_LOGIN, .action = ACTION_SYNC, .handler = api_sync_export,
      .summary = "a pack for the pinned peer ?to=NAME [&since=MARK] as a file, as attest sync export" },
    { .method = "POST", .path = "/api/v1/sync/import",
      .need = NEED_LOGIN, .action = ACTION_SYNC, .handler = api_sync_import,
      .summary = "import a pack file (the body, ?filename=F.pack) as attest sync import: all or nothing" },
    { .method = "GET", .path = "/api/v1/sync/key",
      .need = NEED_LOGIN, .action = ACTION_MANAGE_PEERS, .handler = api_sync_key,
      .summary = "this archive's key line, for another archive to pin (admins)" },
    { .method = "GET", .path = "/api/v1/sync/mark",
      .need = NEED_LOGIN, .action = ACTION_SYNC, .handler = api_sync_mark,
      .summary = "what this archive holds (its mark), for a push to send only the rest" },
    { .method = "GET", .path = "/api/v1/sync/pack",
      .need = NEED_LOGIN, .action = ACTION_SYNC, .handler = api_sync_pack,
      .summary = "pull: a pack for the archive ?archive= of what it lacks (since ?since=MARK)" },
    { .method = "GET", .path = "/api/v1/sync/peers",
      .need = NEED_LOGIN, .action = ACTION_MANAGE_PEERS, .handler = api_sync_peers,
      .summary = "the pinned peers (admins)" },
    { .method = "POST", .path = "/api/v1/sync/peers",
      .need = NEED_LOGIN, .action = ACTION_MANAGE_PEERS, .handler = api_sync_peer_add,
      .summary = "pin a peer: {name, line, tier, url}; the line from its administrator (admins)" },
    { .method = "DELETE", .path = "/api/v1/sync/peers/{name}",
      .need = NEED_LOGIN, .action = ACTION_MANAGE_PEERS, .handler = api_sync_peer_remove,
      .summary = "unpin a peer (admins)" },
    { .method = "POST", .path = "/api/v1/sync/peers/{name}/jobs",
      .need = NEED_LOGIN, .action = ACTION_MANAGE_PEERS, .handler = api_sync_job_start,
      .summary = "start a push or pull with a peer's server as a job: {kind, token[, url, chunk_size]} (admins)" },
    { .method = "GET", .path = "/api/v1/sync/peers/{name}/jobs",
      .need = NEED_LOGIN, .action = ACTION_MANAGE_PEERS, .handler = api_sync_job_list,
      .summary = "a peer's sync jobs, newest first: running, and the last ended ones kept (admins)" },
    { .method = "GET", .path = "/api/v1/sync/peers/{name}/jobs/{id}",
      .need = NEED_LOGIN, .action = ACTION_SYNC, .handler = api_sync_job_get,
      .summary = "how far a job is: its stage, bytes, and end (admins; with the sync right, "
                 "the jobs one started, as a traveller's delivery)" },
    { .method = "POST", .path = "/api/v1/sync/peers/{name}/pull",
      .need = NEED_LOGIN, .action = ACTION_MANAGE_PEERS, .handler = api_sync_peer_pull,
      .summary = "pull from a peer's server: {token[, url]}, resuming a pull cut short (admins)" },
    { .method = "POST", .path = "/api/v1/sync/peers/{name}/push",
      .need = NEED_LOGIN, .action = ACTION_MANAGE_PEERS, .handler = api_sync_peer_push,
      .summary = "push to a peer's server: {token[, url]}, resuming a push cut short (admins)" },
    { .method = "POST", .path = "/api/v1/sync/peers/{name}/restore",
      .need = NEED_LOGIN, .action = ACTION_SYNC, .handler = api_sync_restore,
      .summary = "travel restore: {token[, url]}: deliver a travel pack that waits, then pull "
                 "everything from the centre's server" },
    { .method = "GET", .path = "/api/v1/sync/peers/{name}/travel",
      .need = NEED_LOGIN, .action = ACTION_SYNC, .handler = api_sync_travel_pack,
      .summary = "the travel pack for the centre that waits here, to carry apart" },
    { .method = "POST", .path = "/api/v1/sync/peers/{name}/travel",
      .need = NEED_LOGIN, .action = ACTION_SYNC, .handler = api_sync_travel,
      .summary = "travel: {confirm: NAME[, token, url]}: a pack for the centre, then every "
                 "witness datum removed; the pack delivered when a token is given" },
    { .method = "GET", .path = "/api/v1/sync/status",
      .need = NEED_LOGIN, .action = ACTION_MANAGE_PEERS, .handler = api_sync_status,
      .summary = "each peer's mark, what waits for it and the last exchange; conflicts (admins)" },
    { .method = "POST", .path = "/api/v1/sync/uploads",
      .need = NEED_LOGIN, .action = ACTION_SYNC, .handler = api_sync_upload_create,
      .summary = "push: start a resumable upload of a pack of ?length= bytes" },
    { .method = "DELETE", .path = "/api/v1/sync/uploads/{id}",
      .need = NEED_LOGIN, .action = ACTION_SYNC, .handler = api_sync_upload_delete,
      .summary = "push: abandon an upload" },
    { .method = "GET", .path = "/api/v1/sync/uploads/{id}",
      .need = NEED_LOGIN, .action = ACTION_SYNC, .handler = api_sync_upload_get,
      .summary = "push: the offset an upload has reached (to resume after an interruption)" },
    { .method = "PUT", .path = "/api/v1/sync/uploads/{id}",
      .need = NEED_LOGIN, .action = ACTION_SYNC, .handler = api_sync_upload_put,
      .summary = "push: one chunk at ?offset= (or Content-Range); a gap or overlap is refused" },
    { .method = "POST", .path = "/api/v1/sync/uploads/{id}/apply",
      .need = NEED_LOGIN, .action = ACTION_SYNC, .handler = api_sync_upload_apply,
      .summary = "push: import the complete pack in one transaction; replies with this archive's mark" },
    { .method = "POST", .path = "/api/v1/tags/{id}",
      .need = NEED_LOGIN, .action = ACTION_WRITE, .handler = api_tags_decide,
      .summary = "accept or reject a suggested tag: {status}" },
    { .method = "GET", .path = "/api/v1/tokens",
      .need = NEED_LOGIN, .action = ACTION_READ, .handler = api_tokens_list,
      .summary = "API tokens: your own, or an admin's ?user= (everyone's without)" },
    { .method = "POST", .path = "/api/v1/tokens",
      .need = NEED_LOGIN, .action = ACTION_READ, .handler = auth_token_create,
      .summary = "make an API token for scripts" },
    { .method = "POST", .path = "/api/v1/tokens/{id}/revoke",
      .need = NEED_LOGIN, .action = ACTION_READ, .handler = api_tokens_revoke,
      .summary = "revoke an API token (your own; an admin's anyone's)" },
    { .method = "GET", .path = "/api/v1/types",
      .need = NEED_LOGIN, .action = ACTION_READ, .handler = api_types,
      .summary = "the record types and their fields" },
    { .method = "GET", .path = "/api/v1/users",
      .need = NEED_LOGIN, .action = ACTION_MANAGE_USERS, .handler = api_users_list,
      .summary = "the archive's users, their roles and whether enabled (admins)" },
    { .method = "POST", .path = "/api/v1/users",
      .need = NEED_LOGIN, .action = ACTION_MANAGE_USERS, .handler = api_users_add,
      .summary = "add a user: {name, role, passphrase} (admins)" },
    { .method = "POST", .path = "/api/v1/users/{name}",
      .need = NEED_LOGIN, .action = ACTION_MANAGE_USERS, .handler = api_users_change,
      .summary = "change a user's role {role}, or disable or enable them {enabled} (admins)" },
    { .method = "POST", .path = "/api/v1/users/{name}/passphrase",
      .need = NEED_LOGIN, .action = ACTION_MANAGE_USERS, .handler = api_users_passphrase,
      .summary = "reset a user's lost passphrase: {passphrase}; their sessions and tokens end (admins)" },
    { .method = "GET", .path = "/api/v1/vocab",
      .need = NEED_LOGIN, .action = ACTION_READ, .handler = api_vocab,
      .summary = "the controlled vocabularies" },
    { .method = "POST", .path = "/api/v1/verify",
      .need = NEED_LOGIN, .action = ACTION_MANAGE_USERS, .handler = api_verify,
      .summary = "recompute the archive as attest verify: {vault, full} (admins)" },
    { .method = "POST", .path = "/api/v1/verify/bundle",
      .need = NEED_LOGIN, .action = ACTION_READ, .handler = api_verify_bundle,
      .summary = "check an evidence bundle (the .tar as the body) as attest verify-bundle" },
    { .method = "POST", .path = "/api/v1/witnesses/{id}/identity",
      .need = NEED_LOGIN, .action = ACTION_WRITE, .handler = api_identity_set,
      .summary = "seal a witness's identity" },
    { .method = "GET", .path = "/tiles/{name}/{z}/{x}/{y}",
      .need = NEED_LOGIN, .action = ACTION_READ, .handler = api_tile,
      .summary = "one tile of a basemap (PNG, JPEG or WebP; 404 where it has none)" },
    /* The analysis workflows in the browser: estimates, linkage runs, basemaps. */
    { .method = "GET", .path = "/api/v1/estimates",
      .need = NEED_LOGIN, .action = ACTION_READ, .handler = api_estimates_list,
      .summary = "the stored estimates the reader may see, newest first" },
    { .method = "POST", .path = "/api/v1/estimates",
      .need = NEED_LOGIN, .action = ACTION_READ, .handler = api_estimates_run,
      .summary = "run an estimate from lists of sources or a table of counts; stored when the role may write" },
    { .method = "GET", .path = "/api/v1/estimates/{id}",
      .need = NEED_LOGIN, .action = ACTION_READ, .handler = api_estimates_get,
      .summary = "the newest stored version of an estimate" },
    { .method = "GET", .path = "/api/v1/estimates/{id}/chart",
      .need = NEED_LOGIN, .action = ACTION_READ, .handler = api_estimates_chart,
      .summary = "a stored estimate as an SVG chart (?lang=en|ko)" },
    { .method = "GET", .path = "/api/v1/link/clusters",
      .need = NEED_LOGIN, .action = ACTION_READ, .handler = api_link_clusters,
      .summary = "the linkage's clusters of two or more records (?type=person|event)" },
    { .method = "POST", .path = "/api/v1/link/runs",
      .need = NEED_LOGIN, .action = ACTION_WRITE, .handler = api_link_run,
      .summary = "run record linkage: {type, threshold, config}" },
    { .method = "POST", .path = "/api/v1/basemaps",
      .need = NEED_LOGIN, .action = ACTION_WRITE, .handler = api_basemaps_add,
      .summary = "add a basemap: the file as the body, ?filename= (.mbtiles, .tif, .kmz, ...) and ?name=" },
    { .method = "DELETE", .path = "/api/v1/basemaps/{name}",
      .need = NEED_LOGIN, .action = ACTION_WRITE, .handler = api_basemaps_remove,
      .summary = "remove a basemap and its tiles" },
    { .method = "GET", .path = "/api/v1/basemaps/{name}/file",
      .need = NEED_LOGIN, .action = ACTION_WRITE, .handler = api_basemaps_export,
      .summary = "download a basemap as an MBTiles file (not encrypted), as attest basemap export" },
};

const struct route *route_all(size_t *count)
{
    *count = ARRAY_LEN(routes);
    return routes;
}

/* Matches url against pattern, capturing {…} segments into r->params. */
static bool match(struct request *r, const char *pattern, const char *url)
{
    size_t used = 0;
    int nparams = 0;

    while (*pattern && *url) {
        if (*pattern == '{') {
            const char *end = strchr(url, '/');
            size_t n = end ? (size_t)(end - url) : strlen(url);
            if (n == 0 || used + n + 1 > sizeof r->param_buf || nparams == HTTP_MAX_PARAMS)
                return false;
            memcpy(r->param_buf + used, url, n);
            r->param_buf[used + n] = '\0';
            r->params[nparams++] = r->param_buf + used;
            used += n + 1;
            url += n;
            pattern = strchr(pattern, '}') + 1;
        } else if (*pattern++ != *url++) {
            return false;
        }
    }
    return *pattern == '\0' && *url == '\0';
}

/* Finds r's route and checks that its caller may call it: logged in when
 * it needs a login, and the CSRF token on a change.  Returns 0 and sets
 * *out (NULL for the web application's own paths), or the error status
 * it set. */
static int gate(struct request *r, const struct route **out)
{
    bool path_found = false;
    bool changes = strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0;

    *out = NULL;
    /* Decided afresh each time: a session may end while a body arrives. */
    r->session = NULL;
    r->logged_in = false;
    access_session_free(&r->keys);
    if (auth_identify(r) != AT_OK)     /* a token that has ended: log in again */
        return http_error(r, 401, "unauthorised", NULL, "%s", r->ctx.message);
    for (size_t i = 0; i < ARRAY_LEN(routes); i++) {
        const struct route *rt = &routes[i];
        if (!match(r, rt->path, r->url))
            continue;
        path_found = true;
        /* HEAD runs the GET handler; libmicrohttpd sends no body for it. */
        if (strcmp(rt->method, r->method) != 0
            && !(strcmp(r->method, "HEAD") == 0 && strcmp(rt->method, "GET") == 0))
            continue;
        if (rt->need == NEED_LOGIN && !r->logged_in)
            return http_error(r, 401, "unauthorised", NULL, "log in first (POST /api/v1/login)");
        if (rt->need == NEED_LOGIN
            && access_check(&r->ctx, &r->keys, rt->action, CLEARANCE_PUBLIC) != AT_OK)
            return http_core_error(r, AT_EDENIED);
        if (changes && rt->handler != auth_login && !auth_csrf_ok(r))
            return http_error(r, 403, "csrf", NULL, "missing or wrong X-CSRF-Token header");
        *out = rt;
        return 0;
    }
    if (path_found)
        return http_error(r, 405, "method_not_allowed", NULL, "%s is not allowed here", r->method);
    if (strncmp(r->url, "/api/", 5) != 0)
        return 0; /* the web application's own paths */
    return http_error(r, 404, "not_found", NULL, "no such route");
}

int route_gate(struct request *r)
{
    const struct route *rt;

    return gate(r, &rt);
}

int route_dispatch(struct request *r)
{
    const struct route *rt;
    int status = gate(r, &rt);

    if (status != 0)
        return status;
    if (rt == NULL)
        return assets_serve(r);
    store_set_session(r->st, r->logged_in ? &r->keys : NULL);
    status = rt->handler(r);
    store_set_session(r->st, NULL);
    return status;
}
