/*
 * schema.c: the archive's SQL schema, in one place, and its migrations.
 *
 * The enduring tables (record_version, log_entry, meta) hold what can never
 * be recomputed; they are only ever appended to.  The derived tables
 * (record_current, record_ref, search_*) are a view of the enduring ones
 * that `attest rebuild` drops and recreates.
 *
 * SCHEMA_VERSION is PRAGMA user_version.  migrations[k] upgrades an archive
 * from version k+1 to k+2; an archive is created at version 1 and then
 * walked up the list, so a fresh archive and an upgraded one take the same
 * path.  Never edit a migration that has shipped: add a new one.
 */
#include "attest.h"
#include "schema.h"

/* 'attS' as a big-endian integer: identifies an attest archive file. */
const int schema_application_id = 0x61747453;

static const char schema_v1[] =
    "CREATE TABLE meta (\n"
    "  key   TEXT PRIMARY KEY,\n"
    "  value TEXT NOT NULL\n"
    ") WITHOUT ROWID;\n"
    /* Every version of every record.  doc is the canonical JSON of the
     * version (sorted keys, no whitespace); its SHA-256 leaf is in the log. */
    "CREATE TABLE record_version (\n"
    "  id       TEXT NOT NULL,\n"
    "  version  INTEGER NOT NULL CHECK (version >= 1),\n"
    "  type     TEXT NOT NULL,\n"
    "  log_seq  INTEGER NOT NULL UNIQUE REFERENCES log_entry(seq),\n"
    "  doc      TEXT NOT NULL,\n"
    "  PRIMARY KEY (id, version)\n"
    ");\n"
    /* The append-only log: one leaf per record version written.  leaf is
     * the RFC 6962 leaf hash SHA-256(0x00 || doc). */
    "CREATE TABLE log_entry (\n"
    "  seq        INTEGER PRIMARY KEY,\n"
    "  leaf       BLOB NOT NULL CHECK (length(leaf) = 32),\n"
    "  written_at TEXT NOT NULL\n"
    ");\n"
    /* Derived: the current version of each record, with the columns that
     * list filters need. */
    "CREATE TABLE record_current (\n"
    "  rowid     INTEGER PRIMARY KEY,\n"
    "  id        TEXT NOT NULL UNIQUE,\n"
    "  type      TEXT NOT NULL,\n"
    "  version   INTEGER NOT NULL,\n"
    "  clearance INTEGER NOT NULL,\n"
    "  retracted INTEGER NOT NULL DEFAULT 0,\n"
    "  date_lo   INTEGER,\n"
    "  date_hi   INTEGER,\n"
    "  place     TEXT,\n"
    "  lat       REAL,\n"
    "  lon       REAL,\n"
    "  doc       TEXT NOT NULL\n"
    ");\n"
    "CREATE INDEX record_current_type ON record_current(type, date_lo);\n"
    /* Derived: the references each current record makes to others. */
    "CREATE TABLE record_ref (\n"
    "  id     TEXT NOT NULL,\n"
    "  field  TEXT NOT NULL,\n"
    "  target TEXT NOT NULL\n"
    ");\n"
    "CREATE INDEX record_ref_id ON record_ref(id);\n"
    "CREATE INDEX record_ref_target ON record_ref(target);\n"
    /* Derived: full-text search.  Words through unicode61; Korean and
     * Chinese text also through trigrams, so that a name is found inside a
     * longer run of Hangul with no spaces. */
    "CREATE VIRTUAL TABLE search_words USING fts5(\n"
    "  text, tokenize = 'unicode61 remove_diacritics 2');\n"
    "CREATE VIRTUAL TABLE search_cjk USING fts5(\n"
    "  text, tokenize = 'trigram');\n";

/* Upgrades, oldest first: migrations[k] takes version k+1 to k+2. */
static const char *const migrations[] = {
    /* 1 -> 2: signed tree heads (enduring) and the cache of complete
     * Merkle subtree hashes that makes proofs O(log n) (derived). */
    "CREATE TABLE tree_head (\n"
    "  seq       INTEGER PRIMARY KEY,\n"
    "  size      INTEGER NOT NULL,\n"
    "  root      BLOB NOT NULL CHECK (length(root) = 32),\n"
    "  signed_at TEXT NOT NULL,\n"
    "  signature BLOB NOT NULL\n"
    ");\n"
    "CREATE TABLE merkle_node (\n"
    "  level INTEGER NOT NULL,\n"
    "  idx   INTEGER NOT NULL,\n"
    "  hash  BLOB NOT NULL,\n"
    "  PRIMARY KEY (level, idx)\n"
    ") WITHOUT ROWID;\n",
    /* 2 -> 3: users and keys, and the log entries that are not record
     * versions (user changes, sealed identities, evidence, custody). */
    "CREATE TABLE user (\n"
    "  name           TEXT PRIMARY KEY,\n"
    "  role           TEXT NOT NULL,\n"
    "  kdf_salt       BLOB NOT NULL,\n"
    "  kdf_ops        INTEGER NOT NULL,\n"
    "  kdf_mem        INTEGER NOT NULL,\n"
    "  wrapped_master BLOB NOT NULL,\n"
    "  box_pk         BLOB NOT NULL,\n"
    "  wrapped_box_sk BLOB NOT NULL,\n"
    "  log_seq        INTEGER NOT NULL REFERENCES log_entry(seq)\n"
    ");\n"
    "CREATE TABLE log_item (\n"
    "  seq  INTEGER PRIMARY KEY REFERENCES log_entry(seq),\n"
    "  kind TEXT NOT NULL,\n"
    "  ref  TEXT NOT NULL,\n"
    "  doc  TEXT NOT NULL\n"
    ");\n"
    "CREATE INDEX log_item_ref ON log_item(ref, kind);\n",
    /* 3 -> 4: the vault's index (derived from the log items): which vault
     * file each evidence item is, and its newest entry. */
    "CREATE TABLE vault_item (\n"
    "  id   TEXT PRIMARY KEY,\n"
    "  name TEXT NOT NULL UNIQUE,\n"
    "  seq  INTEGER NOT NULL REFERENCES log_item(seq)\n"
    ");\n",
    /* 4 -> 5: API tokens for scripts, kept as SHA-256 hashes only. */
    "CREATE TABLE api_token (\n"
    "  hash       BLOB PRIMARY KEY,\n"
    "  user       TEXT NOT NULL REFERENCES user(name),\n"
    "  label      TEXT NOT NULL,\n"
    "  created_at TEXT NOT NULL,\n"
    "  revoked    INTEGER NOT NULL DEFAULT 0\n"
    ");\n",
    /* ---- mapping: spatial index and candidate sites ----
     * 5 -> 6: derived, all of it.  geo_rtree holds a point box for each
     * current, unretracted record with a point (id = record_current's
     * rowid), filled here for archives written before it existed.
     * site_candidate holds the last `sites cluster` run: candidate sites
     * (label c1, c2, ...; site set when the candidate adds placements to
     * an existing site) with their corroboration as JSON, and
     * site_candidate_member their pinpoints. */
    "CREATE VIRTUAL TABLE geo_rtree USING rtree(\n"
    "  id, min_lat, max_lat, min_lon, max_lon, +type);\n"
    "INSERT INTO geo_rtree(id, min_lat, max_lat, min_lon, max_lon, type)\n"
    "  SELECT rowid, lat, lat, lon, lon, type FROM record_current\n"
    "  WHERE lat IS NOT NULL AND lon IS NOT NULL AND NOT retracted;\n"
    "CREATE TABLE site_candidate (\n"
    "  label     TEXT PRIMARY KEY,\n"
    "  site_type TEXT NOT NULL,\n"
    "  site      TEXT,\n"
    "  lat       REAL NOT NULL,\n"
    "  lon       REAL NOT NULL,\n"
    "  doc       TEXT NOT NULL\n"
    ");\n"
    "CREATE TABLE site_candidate_member (\n"
    "  label    TEXT NOT NULL,\n"
    "  pinpoint TEXT NOT NULL,\n"
    "  PRIMARY KEY (label, pinpoint)\n"
    ") WITHOUT ROWID;\n",
    /* ---- end of mapping ---- */

    /* ---- sanctions lists (issue 6) ---------------------------------- */
    /* 6 -> 7: imported sanctions list versions (enduring: each import is
     * one log item whose digest covers every entry document), their
     * entries as canonical JSON, and the names and attributes of each
     * entry that screening, diffs and successor ranking read. */
    "CREATE TABLE list_version (\n"
    "  id          TEXT PRIMARY KEY,\n"
    "  source      TEXT NOT NULL,\n"
    "  published   TEXT NOT NULL,\n"
    "  imported_at TEXT NOT NULL,\n"
    "  file_sha256 TEXT NOT NULL,\n"
    "  entries     INTEGER NOT NULL,\n"
    "  log_seq     INTEGER NOT NULL REFERENCES log_entry(seq)\n"
    ");\n"
    "CREATE TABLE list_entry (\n"
    "  version   TEXT NOT NULL REFERENCES list_version(id),\n"
    "  key       TEXT NOT NULL,\n"
    "  type      TEXT NOT NULL,\n"
    "  name      TEXT NOT NULL,\n"
    "  listed_on TEXT,\n"
    "  doc       TEXT NOT NULL,\n"
    "  PRIMARY KEY (version, key)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE list_name (\n"
    "  version TEXT NOT NULL,\n"
    "  key     TEXT NOT NULL,\n"
    "  name    TEXT NOT NULL,\n"
    "  quality TEXT NOT NULL\n"
    ");\n"
    "CREATE INDEX list_name_key ON list_name(version, key);\n"
    "CREATE TABLE list_attr (\n"
    "  version TEXT NOT NULL,\n"
    "  key     TEXT NOT NULL,\n"
    "  kind    TEXT NOT NULL,\n"
    "  value   TEXT NOT NULL,\n"
    "  norm    TEXT NOT NULL\n"
    ");\n"
    "CREATE INDEX list_attr_key ON list_attr(version, key);\n"
    "CREATE INDEX list_attr_norm ON list_attr(kind, norm);\n",
    /* ---- end of sanctions lists ------------------------------------- */
    /* 7 -> 8: derived: the characters and character pairs of non-Latin
     * text, so that a one- or two-character Korean or Chinese query (a
     * given name, a place) is an index look-up: trigrams need three. */
    "CREATE VIRTUAL TABLE search_short USING fts5(grams, tokenize = 'unicode61', columnsize = 0);\n",
    /* 8 -> 9: derived: the spatial index carries each point's record id,
     * exact coordinates and clearance, so that radius and box queries are
     * answered from the index without reading the records. */
    "DROP TABLE geo_rtree;\n"
    "CREATE VIRTUAL TABLE geo_rtree USING rtree(\n"
    "  id, min_lat, max_lat, min_lon, max_lon, +type, +rid, +lat, +lon, +clearance);\n"
    "INSERT INTO geo_rtree(id, min_lat, max_lat, min_lon, max_lon, type, rid, lat, lon, clearance)\n"
    "  SELECT rowid, lat, lat, lon, lon, type, id, lat, lon, clearance FROM record_current\n"
    "  WHERE lat IS NOT NULL AND lon IS NOT NULL AND NOT retracted;\n",
    /* 9 -> 10: ending sessions and tokens.  A user's generation grows at
     * each change of role or passphrase and at each disabling, and a
     * session or token made under an older one no longer works; a disabled
     * user cannot log in.  Tokens expire (those made before this version
     * 90 days after they were made) and remember their user's generation. */
    "ALTER TABLE user ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;\n"
    "ALTER TABLE user ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;\n"
    "ALTER TABLE api_token ADD COLUMN expires_at TEXT;\n"
    "ALTER TABLE api_token ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;\n"
    "UPDATE api_token SET expires_at = strftime('%Y-%m-%dT%H:%M:%SZ', created_at, '+90 days');\n",
    /* 10 -> 11: record linkage.  Enduring: each run (its model version,
     * configuration and parameters, one log item), the pairs it scored
     * and each record's cluster; analysts' decisions on pairs, versioned,
     * one log item each.  Derived: link_cluster, the latest clusters of
     * persons and events (rebuilt from the latest runs and decisions). */
    "CREATE TABLE link_run (\n"
    "  run           INTEGER PRIMARY KEY,\n"
    "  type          TEXT NOT NULL,\n"
    "  model_version TEXT NOT NULL,\n"
    "  threshold     REAL NOT NULL,\n"
    "  config        TEXT NOT NULL,\n"
    "  params        TEXT NOT NULL,\n"
    "  author        TEXT NOT NULL,\n"
    "  created_at    TEXT NOT NULL,\n"
    "  log_seq       INTEGER NOT NULL REFERENCES log_entry(seq)\n"
    ");\n"
    "CREATE TABLE link_pair (\n"
    "  run         INTEGER NOT NULL,\n"
    "  a           TEXT NOT NULL,\n"
    "  b           TEXT NOT NULL,\n"
    "  probability REAL NOT NULL,\n"
    "  weight      REAL NOT NULL,\n"
    "  PRIMARY KEY (run, a, b)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE link_member (\n"
    "  run        INTEGER NOT NULL,\n"
    "  record_id  TEXT NOT NULL,\n"
    "  cluster_id TEXT NOT NULL,\n"
    "  PRIMARY KEY (run, record_id)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE link_decision (\n"
    "  a          TEXT NOT NULL,\n"
    "  b          TEXT NOT NULL,\n"
    "  version    INTEGER NOT NULL,\n"
    "  type       TEXT NOT NULL,\n"
    "  decision   TEXT NOT NULL,\n"
    "  note       TEXT,\n"
    "  author     TEXT NOT NULL,\n"
    "  decided_at TEXT NOT NULL,\n"
    "  log_seq    INTEGER NOT NULL REFERENCES log_entry(seq),\n"
    "  PRIMARY KEY (a, b, version)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE link_cluster (\n"
    "  record_id  TEXT PRIMARY KEY,\n"
    "  type       TEXT NOT NULL,\n"
    "  cluster_id TEXT NOT NULL\n"
    ");\n"
    "CREATE INDEX link_cluster_id ON link_cluster(cluster_id);\n",
    /* 11 -> 12: basemaps (enduring, outside the log: imagery is not
     * evidence).  Each tile is kept inside the encrypted database, keyed
     * by the XYZ scheme the server serves (MBTiles' TMS rows flipped). */
    "CREATE TABLE basemap (\n"
    "  name      TEXT PRIMARY KEY,\n"
    "  format    TEXT NOT NULL,\n"
    "  minzoom   INTEGER NOT NULL,\n"
    "  maxzoom   INTEGER NOT NULL,\n"
    "  west      REAL NOT NULL,\n"
    "  south     REAL NOT NULL,\n"
    "  east      REAL NOT NULL,\n"
    "  north     REAL NOT NULL,\n"
    "  tiles     INTEGER NOT NULL,\n"
    "  bytes     INTEGER NOT NULL,\n"
    "  title     TEXT NOT NULL,\n"
    "  added_by  TEXT NOT NULL,\n"
    "  added_at  TEXT NOT NULL\n"
    ");\n"
    "CREATE TABLE basemap_tile (\n"
    "  name TEXT NOT NULL,\n"
    "  z    INTEGER NOT NULL,\n"
    "  x    INTEGER NOT NULL,\n"
    "  y    INTEGER NOT NULL,\n"
    "  data BLOB NOT NULL,\n"
    "  PRIMARY KEY (name, z, x, y)\n"
    ") WITHOUT ROWID;\n",
    /* 12 -> 13: witness codes by value, for the check that each names one
     * witness (record.c); derived, as record_current is. */
    "CREATE INDEX record_current_witness_code ON record_current(\n"
    "  upper(trim(json_extract(doc, '$.data.code'))))\n"
    "  WHERE type = 'witness' AND retracted = 0;\n",
    /* 13 -> 14: sync.  Each version's global identity (origin, oseq: the
     * archive it was first written in and its log sequence number there),
     * its origin time (what the current-view rule orders heads by), the
     * proof of an imported version from its origin's log, and the versions
     * it was based on (record_base); existing versions are this archive's
     * own, each based on the one before.  Pinned peers; the origins of
     * imported log items (sync_item: the local item each stands for, held
     * when it was written by the import rather than found already here);
     * record_conflict is derived. */
    "ALTER TABLE record_version ADD COLUMN origin TEXT;\n"
    "ALTER TABLE record_version ADD COLUMN oseq INTEGER;\n"
    "ALTER TABLE record_version ADD COLUMN origin_at TEXT;\n"
    "ALTER TABLE record_version ADD COLUMN proof TEXT;\n"
    "UPDATE record_version SET origin = (SELECT value FROM meta WHERE key = 'archive_id'),\n"
    "  oseq = log_seq, origin_at = coalesce(json_extract(doc, '$.origin.written_at'),\n"
    "                                        json_extract(doc, '$.written_at'));\n"
    "CREATE UNIQUE INDEX record_version_gid ON record_version(origin, oseq);\n"
    "CREATE TABLE record_base (\n"
    "  id          TEXT NOT NULL,\n"
    "  version     INTEGER NOT NULL,\n"
    "  base_origin TEXT NOT NULL,\n"
    "  base_oseq   INTEGER NOT NULL,\n"
    "  PRIMARY KEY (id, version, base_origin, base_oseq)\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX record_base_of ON record_base(id, base_origin, base_oseq);\n"
    "INSERT INTO record_base SELECT v.id, v.version, p.origin, p.oseq\n"
    "  FROM record_version v JOIN record_version p ON p.id = v.id AND p.version = v.version - 1;\n"
    "CREATE TABLE record_conflict (\n"
    "  id TEXT PRIMARY KEY\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE peer (\n"
    "  name     TEXT PRIMARY KEY,\n"
    "  archive  TEXT NOT NULL UNIQUE,\n"
    "  tier     TEXT NOT NULL,\n"
    "  line     TEXT NOT NULL,\n"
    "  added_by TEXT NOT NULL,\n"
    "  added_at TEXT NOT NULL,\n"
    "  mark     TEXT\n"
    ");\n"
    "CREATE TABLE sync_item (\n"
    "  origin TEXT NOT NULL,\n"
    "  oseq   INTEGER NOT NULL,\n"
    "  seq    INTEGER NOT NULL REFERENCES log_item(seq),\n"
    "  held   INTEGER NOT NULL,\n"
    "  proof  TEXT NOT NULL,\n"
    "  PRIMARY KEY (origin, oseq)\n"
    ");\n"
    "CREATE INDEX sync_item_seq ON sync_item(seq) WHERE held = 1;\n",
    /* 14 -> 15: the tags suggested in documents' texts and the analysts'
     * decisions on them (enduring, as link_decision: each decision is
     * also in the log, kind "tag").  Spans are code points of the
     * document's text, end exclusive. */
    "CREATE TABLE doc_tag (\n"
    "  id         INTEGER PRIMARY KEY,\n"
    "  document   TEXT NOT NULL,\n"
    "  span_start INTEGER NOT NULL,\n"
    "  span_end   INTEGER NOT NULL CHECK (span_end > span_start),\n"
    "  kind       TEXT NOT NULL,\n"
    "  target     TEXT NOT NULL,\n"
    "  label      TEXT NOT NULL,\n"
    "  text       TEXT NOT NULL,\n"
    "  status     TEXT NOT NULL CHECK (status IN ('suggested', 'accepted', 'rejected')),\n"
    "  decided_by TEXT,\n"
    "  decided_at TEXT,\n"
    "  log_seq    INTEGER REFERENCES log_entry(seq),\n"
    "  relation   TEXT\n"
    ");\n"
    "CREATE INDEX doc_tag_document ON doc_tag(document, span_start);\n",
    /* 15 -> 16: derived: the points of the spatial index again, stored in
     * the order of a grid of 0.01 degree (cell = row * 36001 + column,
     * row = floor((lat + 90) * 100), column = floor((lon + 180) * 100)),
     * so that a radius query reads the points near each other from pages
     * near each other (spatial.c).  And the map's counts per grid cell (layer.c), kept
     * current on each write.  A row is one cell of the grid of a level
     * (the Web Mercator tiles of zoom `level`), one record type and one
     * clearance: how many points, the sums of their coordinates in units
     * of 1e-7 degree and of their R*Tree ids (the id itself when n is 1),
     * and their extent.  layer_state holds the generation of the current
     * records (grown by every write, for the map's reply cache) and
     * whether the counts are built: an archive upgraded with points in it
     * has them only after `attest rebuild`, and counts by scanning till
     * then. */
    "CREATE TABLE geo_point (\n"
    "  cell      INTEGER NOT NULL,\n"
    "  id        INTEGER NOT NULL,\n"
    "  rid       TEXT NOT NULL,\n"
    "  type      TEXT NOT NULL,\n"
    "  clearance INTEGER NOT NULL,\n"
    "  lat       REAL NOT NULL,\n"
    "  lon       REAL NOT NULL,\n"
    "  PRIMARY KEY (cell, id)\n"
    ") WITHOUT ROWID;\n"
    "INSERT INTO geo_point(cell, id, rid, type, clearance, lat, lon)\n"
    "  SELECT CAST((lat + 90) * 100 AS INTEGER) * 36001 + CAST((lon + 180) * 100 AS INTEGER),\n"
    "         id, rid, type, clearance, lat, lon FROM geo_rtree;\n"
    "CREATE TABLE layer_count (\n"
    "  level     INTEGER NOT NULL,\n"
    "  y         INTEGER NOT NULL,\n"
    "  x         INTEGER NOT NULL,\n"
    "  type      TEXT NOT NULL,\n"
    "  clearance INTEGER NOT NULL,\n"
    "  n         INTEGER NOT NULL CHECK (n > 0),\n"
    "  lat_e7    INTEGER NOT NULL,\n"
    "  lon_e7    INTEGER NOT NULL,\n"
    "  rid_sum   INTEGER NOT NULL,\n"
    "  south     REAL NOT NULL,\n"
    "  west      REAL NOT NULL,\n"
    "  north     REAL NOT NULL,\n"
    "  east      REAL NOT NULL,\n"
    "  PRIMARY KEY (level, y, x, type, clearance)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE layer_state (\n"
    "  generation INTEGER NOT NULL,\n"
    "  built      INTEGER NOT NULL\n"
    ");\n"
    "INSERT INTO layer_state(generation, built)\n"
    "  SELECT 0, NOT EXISTS (SELECT 1 FROM geo_rtree);\n",
    /* 16 -> 17: basemap tiles in a rowid table, found through an index of
     * their keys alone.  Kept WITHOUT ROWID, each tile lay in its key's
     * b-tree, and every comparison of a lookup read the whole tile. */
    "CREATE TABLE basemap_tile_rows (\n"
    "  name TEXT NOT NULL,\n"
    "  z    INTEGER NOT NULL,\n"
    "  x    INTEGER NOT NULL,\n"
    "  y    INTEGER NOT NULL,\n"
    "  data BLOB NOT NULL,\n"
    "  PRIMARY KEY (name, z, x, y)\n"
    ");\n"
    "INSERT INTO basemap_tile_rows (name, z, x, y, data)\n"
    "  SELECT name, z, x, y, data FROM basemap_tile;\n"
    "DROP TABLE basemap_tile;\n"
    "ALTER TABLE basemap_tile_rows RENAME TO basemap_tile;\n",
    /* 17 -> 18: a peer's server address (for a push or pull from the
     * browser) and the last exchange with it (enduring, beside the peer). */
    "ALTER TABLE peer ADD COLUMN url TEXT;\n"
    "ALTER TABLE peer ADD COLUMN exchanged TEXT;\n"
    "ALTER TABLE peer ADD COLUMN exchanged_at TEXT;\n",
    /* 18 -> 19: a version's source is one of the references the record
     * makes (derived, as record.c now writes them; attest rebuild makes
     * them too): here, those of the archives written before. */
    "INSERT INTO record_ref(id, field, target)\n"
    "  SELECT id, 'source', json_extract(doc, '$.source') FROM record_current\n"
    "  WHERE json_type(doc, '$.source') = 'text';\n"
    /* ... and which confidential records a record picker has offered to
     * whom (derived from the log's "offer" entries: record_log_offers). */
    "CREATE TABLE record_offered (\n"
    "  user TEXT NOT NULL,\n"
    "  id   TEXT NOT NULL,\n"
    "  PRIMARY KEY (user, id)\n"
    ") WITHOUT ROWID;\n",
    /* 19 -> 20: derived: the map's counts kept also by the values of the
     * map's field filters (layer.c's LAYER_FIELDS: site_type, confidence,
     * province; a value absent is an empty blob, which no filter's text
     * equals; these rows at the levels of the grid plus 32, beside the
     * rows by cell alone, whose values are empty), so that any
     * combination of them is answered from the counts; layer_value holds each counted point's values, to take it
     * out again, and finds the points of a value when a date or place
     * filter is counted point by point.  Built by `attest rebuild`; till then the map counts by
     * scanning. */
    "DROP TABLE layer_count;\n"
    "CREATE TABLE layer_count (\n"
    "  level      INTEGER NOT NULL,\n"
    "  y          INTEGER NOT NULL,\n"
    "  x          INTEGER NOT NULL,\n"
    "  type       TEXT NOT NULL,\n"
    "  clearance  INTEGER NOT NULL,\n"
    "  site_type  NOT NULL,\n"
    "  confidence NOT NULL,\n"
    "  province   NOT NULL,\n"
    "  n          INTEGER NOT NULL CHECK (n > 0),\n"
    "  lat_e7     INTEGER NOT NULL,\n"
    "  lon_e7     INTEGER NOT NULL,\n"
    "  rid_sum    INTEGER NOT NULL,\n"
    "  south      REAL NOT NULL,\n"
    "  west       REAL NOT NULL,\n"
    "  north      REAL NOT NULL,\n"
    "  east       REAL NOT NULL,\n"
    "  PRIMARY KEY (level, y, x, type, clearance, site_type, confidence, province)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE layer_value (\n"
    "  id         INTEGER PRIMARY KEY,\n"
    "  site_type  NOT NULL,\n"
    "  confidence NOT NULL,\n"
    "  province   NOT NULL\n"
    ");\n"
    "CREATE INDEX layer_value_site_type ON layer_value(site_type);\n"
    "CREATE INDEX layer_value_confidence ON layer_value(confidence);\n"
    "CREATE INDEX layer_value_province ON layer_value(province);\n"
    "UPDATE layer_state SET generation = generation + 1,\n"
    "  built = NOT EXISTS (SELECT 1 FROM geo_rtree);\n",
    /* 20 -> 21: the certificate (PEM) that vouches for a peer's server
     * when no system CA does, as `--cacert` (enduring, beside the peer). */
    "ALTER TABLE peer ADD COLUMN cacert TEXT;\n",
    /* 21 -> 22: derived: the dates the map filters each point by (layer.c):
     * its own date or, for an undated site or pinpoint, each of its
     * events' dates, with the lowest clearance that sees it; dated is 0
     * while they are not kept (a bulk write leaves them to its end; an
     * archive with points has them made by `attest rebuild`, and till
     * then the map reads the records for a date filter, as before). */
    "CREATE TABLE layer_date (\n"
    "  id   INTEGER NOT NULL,\n"
    "  lo   INTEGER NOT NULL,\n"
    "  hi   INTEGER NOT NULL,\n"
    "  lmin INTEGER NOT NULL,\n"
    "  PRIMARY KEY (id, lo, hi)\n"
    ") WITHOUT ROWID;\n"
    "ALTER TABLE layer_state ADD COLUMN dated INTEGER NOT NULL DEFAULT 0;\n"
    "UPDATE layer_state SET dated = NOT EXISTS (SELECT 1 FROM geo_rtree);\n",
    /* 22 -> 23: a record's heads (record.c's HEADS_SQL: a record's
     * versions in the order of the current-view rule, each probed in
     * record_base by its identity) read from an index alone, not from each
     * version's row with its document. */
    "CREATE INDEX record_version_heads ON record_version(id, origin_at, origin, oseq, version);\n",
    /* 23 -> 24: the server's sync jobs with peers' servers (sync_jobs.c),
     * kept across restarts: counts, notes, result and error as JSON; who
     * started each by login name; a peer's last SYNC_JOBS_KEPT ended jobs. */
    "CREATE TABLE sync_job (\n"
    "  id         TEXT PRIMARY KEY,\n"
    "  peer       TEXT NOT NULL,\n"
    "  kind       TEXT NOT NULL,\n"
    "  state      TEXT NOT NULL,\n"
    "  stage      TEXT NOT NULL,\n"
    "  done       INTEGER NOT NULL,\n"
    "  total      INTEGER NOT NULL,\n"
    "  resumed_at INTEGER,\n"
    "  counts     TEXT NOT NULL,\n"
    "  notes      TEXT NOT NULL,\n"
    "  result     TEXT,\n"
    "  error      TEXT,\n"
    "  started_by TEXT,\n"
    "  started_at TEXT NOT NULL,\n"
    "  ended_at   TEXT\n"
    ");\n"
    "CREATE INDEX sync_job_peer ON sync_job(peer, started_at);\n"
    "CREATE INDEX sync_job_state ON sync_job(state);\n",
    /* 24 -> 25: derived: the map's counts kept also by each point's dates
     * (layer.c: rows at the levels of the grid plus 64), keyed by an
     * interval or a gap between two (lo > hi) of its kept dates and by the
     * sign it is counted with (the rows counted so far are lo 0, hi 0,
     * sign 1), so that a date filter is summed per cell.  The table is made again, and the counts
     * with it when the archive is opened (unlock.c: layer_count_fill). */
    "DROP TABLE layer_count;\n"
    "CREATE TABLE layer_count (\n"
    "  level      INTEGER NOT NULL,\n"
    "  y          INTEGER NOT NULL,\n"
    "  x          INTEGER NOT NULL,\n"
    "  type       TEXT NOT NULL,\n"
    "  clearance  INTEGER NOT NULL,\n"
    "  site_type  NOT NULL,\n"
    "  confidence NOT NULL,\n"
    "  province   NOT NULL,\n"
    "  lo         INTEGER NOT NULL,\n"
    "  hi         INTEGER NOT NULL,\n"
    "  sign       INTEGER NOT NULL CHECK (sign IN (-1, 1)),\n"
    "  n          INTEGER NOT NULL CHECK (n > 0),\n"
    "  lat_e7     INTEGER NOT NULL,\n"
    "  lon_e7     INTEGER NOT NULL,\n"
    "  rid_sum    INTEGER NOT NULL,\n"
    "  south      REAL NOT NULL,\n"
    "  west       REAL NOT NULL,\n"
    "  north      REAL NOT NULL,\n"
    "  east       REAL NOT NULL,\n"
    "  PRIMARY KEY (level, y, x, type, clearance, site_type, confidence, province, lo, hi, sign)\n"
    ") WITHOUT ROWID;\n"
    "DELETE FROM layer_value;\n"
    "DELETE FROM layer_date;\n"
    "UPDATE layer_state SET generation = generation + 1, built = 0, dated = 1;\n",
    /* 25 -> 26: the proofs kept with imported versions and items
     * (record_version.proof, sync_item.proof) become BLOBs in the form
     * they travel in (sync_pack.c: sync_proof_keep), half the bytes of
     * their JSON.  The conversion needs C: marked here, done when the
     * archive is opened (unlock.c: sync_proofs_upgrade). */
    "INSERT INTO meta(key, value) SELECT 'proofs_to_convert', 'json'\n"
    "  WHERE EXISTS (SELECT 1 FROM record_version WHERE proof IS NOT NULL)\n"
    "     OR EXISTS (SELECT 1 FROM sync_item);\n",
    /* 26 -> 27: derived: the full-text indexes keep no copy of the text
     * (it was stored twice or three times beside each record's doc, and
     * encrypted with every page): their content is a view over
     * record_current made by search_text (search_text.c), which a snippet,
     * a delete and a rebuild read back.  Made again here from the
     * current records.  (The views may exist already in an archive whose
     * version was set back to redo an earlier migration.) */
    "DROP TABLE search_words;\n"
    "DROP TABLE search_cjk;\n"
    "DROP TABLE search_short;\n"
    "DROP VIEW IF EXISTS search_words_text;\n"
    "DROP VIEW IF EXISTS search_cjk_text;\n"
    "DROP VIEW IF EXISTS search_short_text;\n"
    "CREATE VIEW search_words_text AS\n"
    "  SELECT rowid AS row, search_text(type, doc, 0) AS text FROM record_current;\n"
    "CREATE VIEW search_cjk_text AS SELECT row, text FROM (\n"
    "  SELECT rowid AS row, search_text(type, doc, 1) AS text FROM record_current)\n"
    "  WHERE text IS NOT NULL;\n"
    "CREATE VIEW search_short_text AS SELECT row, grams FROM (\n"
    "  SELECT rowid AS row, search_text(type, doc, 2) AS grams FROM record_current)\n"
    "  WHERE grams IS NOT NULL;\n"
    "CREATE VIRTUAL TABLE search_words USING fts5(text,\n"
    "  tokenize = 'unicode61 remove_diacritics 2', content = 'search_words_text', content_rowid = 'row');\n"
    "CREATE VIRTUAL TABLE search_cjk USING fts5(text,\n"
    "  tokenize = 'trigram', content = 'search_cjk_text', content_rowid = 'row');\n"
    "CREATE VIRTUAL TABLE search_short USING fts5(grams, tokenize = 'unicode61', columnsize = 0,\n"
    "  content = 'search_short_text', content_rowid = 'row');\n"
    "INSERT INTO search_words(search_words) VALUES ('rebuild');\n"
    "INSERT INTO search_cjk(search_cjk) VALUES ('rebuild');\n"
    "INSERT INTO search_short(search_short) VALUES ('rebuild');\n",
    /* 27 -> 28: what the proofs of a pack's versions share, kept once:
     * the tree heads they are against (proof_head) and the hashes of their
     * paths (proof_node: the hash of leaves [lo, hi) of the tree under
     * head), which a version's proof names instead of holding them
     * (sync_pack.c: sync_proof_store).  Proofs kept before keep them.  (The
     * tables may exist already in an archive whose version was set back to
     * redo an earlier migration.) */
    "CREATE TABLE IF NOT EXISTS proof_head (\n"
    "  id        INTEGER PRIMARY KEY,\n"
    "  size      INTEGER NOT NULL,\n"
    "  root      BLOB NOT NULL,\n"
    "  signature BLOB NOT NULL,\n"
    "  signed_at TEXT NOT NULL,\n"
    "  sign_pk   BLOB NOT NULL\n"
    ");\n"
    "CREATE INDEX IF NOT EXISTS proof_head_root ON proof_head(root);\n"
    "CREATE TABLE IF NOT EXISTS proof_node (\n"
    "  head INTEGER NOT NULL REFERENCES proof_head(id),\n"
    "  lo   INTEGER NOT NULL,\n"
    "  hi   INTEGER NOT NULL,\n"
    "  hash BLOB NOT NULL,\n"
    "  PRIMARY KEY (head, lo, hi)\n"
    ") WITHOUT ROWID;\n",
    /* 28 -> 29: derived: the map's counts by values (layer.c: levels 32 to
     * 63) keep only the points with a value, as no field filter matches
     * one without; the rows of points without are let go.  And the proofs
     * of versions kept whole (before 28, or JSON before 26) are kept as
     * an import keeps them now, which needs C: marked here, done when the
     * archive is opened (unlock.c: sync_proofs_upgrade). */
    "DELETE FROM layer_count WHERE level >= 32 AND level < 64\n"
    "  AND site_type = x'' AND confidence = x'' AND province = x'';\n"
    "UPDATE layer_state SET generation = generation + 1;\n"
    "INSERT OR IGNORE INTO meta(key, value) SELECT 'proofs_to_store', 'whole'\n"
    "  WHERE EXISTS (SELECT 1 FROM record_version WHERE proof IS NOT NULL\n"
    "                AND (typeof(proof) != 'blob' OR substr(proof, 1, 1) != x'80'));\n",
};

const char *schema_create_sql(void)
{
    return schema_v1;
}

int schema_version(void)
{
    return 1 + (int)ARRAY_LEN(migrations);
}

const char *schema_migration(int from_version)
{
    if (from_version < 1 || from_version >= schema_version())
        return NULL;
    return migrations[from_version - 1];
}
