/*
 * polygon.h: a site's outline, kept in its "geometry" field as the text
 * of a GeoJSON geometry object (RFC 7946), Polygon or MultiPolygon:
 *   {"type":"Polygon","coordinates":[[[lon,lat],[lon,lat],...]]}
 * Each ring is closed (its last position repeats its first) and has at
 * least four positions; the first ring of a polygon is its outline, the
 * others its holes.  Positions are [longitude, latitude] in WGS84 degrees;
 * an altitude, when given, is dropped.
 */
#ifndef POLYGON_H
#define POLYGON_H

#include "attest.h"

#include <jansson.h>

/* Most positions one outline (or one site's lines) may hold. */
#define POLYGON_MAX_POSITIONS 100000

/* Parses and checks geometry text; on success *out is a new reference to
 * the geometry in canonical form (type and coordinates only, altitudes
 * dropped).  On failure the message says which ring and position. */
int polygon_parse(struct at_ctx *ctx, const char *text, json_t **out);

/* The compact text of a geometry object; the caller frees it. */
char *polygon_text(json_t *geometry);

/* The mean of the positions of the outlines (each closing position left
 * out): where a site's point goes when only its outline is known.
 * Longitudes are averaged about the first position, so an outline across
 * the antimeridian gets a centre beside it. */
void polygon_centre(json_t *geometry, double *lat, double *lon);

/* Calls fn for each polygon of geometry with its rings (an array of rings,
 * each an array of [lon, lat]). */
void polygon_each(json_t *geometry, void (*fn)(void *arg, json_t *rings), void *arg);

/* A site's line features (a fence, a route), kept in its "lines" field as
 * the text of a GeoJSON MultiLineString (a LineString is taken as one):
 * each line has two positions or more; a closed line repeats its first.
 * Parses and checks text like polygon_parse; *out is a MultiLineString. */
int polygon_lines_parse(struct at_ctx *ctx, const char *text, json_t **out);

/* The mean of the positions of a MultiLineString (a closed line's last
 * position left out), as polygon_centre. */
void polygon_lines_centre(json_t *lines, double *lat, double *lon);

/* Twice the signed area of a ring in degrees (positive: counter-clockwise). */
double polygon_ring_area2(json_t *ring);

#endif
