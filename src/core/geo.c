/*
 * geo.c: geodesics on the WGS84 ellipsoid through PROJ, and geodesic
 * circles as polygons in longitude and latitude.
 *
 * A circle is sampled by walking out along every half degree of azimuth.
 * Its longitudes are then unwrapped (each step taken the short way round);
 * the net turn of the unwrapped ring tells the cases apart: no net turn
 * and no pole inside is an ordinary ring, cut into pieces at ±180°; a full
 * turn means one pole is inside, and the ring is closed along that pole's
 * parallel; no net turn with both poles inside means the circle covers
 * all but a patch about the antipode, which becomes a hole or, when the
 * patch straddles ±180°, notches in the world's box.
 */
#include "attest.h"
#include "geo.h"

#include <geodesic.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define CIRCLE_POINTS 720

static struct geod_geodesic wgs84;
static pthread_once_t wgs84_once = PTHREAD_ONCE_INIT;

static void wgs84_init(void)
{
    geod_init(&wgs84, 6378137.0, 1 / 298.257223563);
}

static const struct geod_geodesic *ellipsoid(void)
{
    pthread_once(&wgs84_once, wgs84_init);
    return &wgs84;
}

void geo_inverse(double lat1, double lon1, double lat2, double lon2,
                 double *dist_m, double *azi1, double *azi2)
{
    geod_inverse(ellipsoid(), lat1, lon1, lat2, lon2, dist_m, azi1, azi2);
}

double geo_distance_m(double lat1, double lon1, double lat2, double lon2)
{
    double s = 0;

    geod_inverse(ellipsoid(), lat1, lon1, lat2, lon2, &s, NULL, NULL);
    return s;
}

double geo_central_angle(double lat1, double lon1, double lat2, double lon2)
{
    double dlat = (lat2 - lat1) * (M_PI / 360), dlon = remainder(lon2 - lon1, 360) * (M_PI / 360);
    double h = sin(dlat) * sin(dlat)
               + cos(lat1 * (M_PI / 180)) * cos(lat2 * (M_PI / 180)) * sin(dlon) * sin(dlon);

    return 2 * asin(sqrt(fmin(1, h)));
}

void geo_direct(double lat, double lon, double azi, double dist_m, double *lat2, double *lon2)
{
    geod_direct(ellipsoid(), lat, lon, azi, dist_m, lat2, lon2, NULL);
}

void geo_unit_vector(double lat, double lon, double v[3])
{
    double phi = lat * (M_PI / 180), lambda = lon * (M_PI / 180);

    v[0] = cos(phi) * cos(lambda);
    v[1] = cos(phi) * sin(lambda);
    v[2] = sin(phi);
}

bool geo_valid(double lat, double lon)
{
    return isfinite(lat) && isfinite(lon) && lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180;
}

/* Parses count comma-separated numbers from text into out. */
static bool parse_numbers(const char *text, double *out, int count)
{
    const char *p = text;

    for (int i = 0; i < count; i++) {
        char *end;
        while (*p == ' ')
            p++;
        out[i] = strtod(p, &end);
        if (end == p || !isfinite(out[i]))
            return false;
        p = end;
        while (*p == ' ')
            p++;
        if (i + 1 < count && *p++ != ',')
            return false;
    }
    return *p == '\0';
}

int geo_parse_point(struct at_ctx *ctx, const char *text, double *lat, double *lon)
{
    double v[2];

    if (!parse_numbers(text, v, 2) || !geo_valid(v[0], v[1]))
        return ctx_error(ctx, AT_EINVAL, "\"%s\" is not a point; give LAT,LON in decimal "
                         "degrees, latitude -90..90 and longitude -180..180 (39.03,125.75)", text);
    *lat = v[0];
    *lon = v[1];
    return AT_OK;
}

int geo_parse_bbox(struct at_ctx *ctx, const char *text, struct geo_bbox *box)
{
    double v[4];

    if (!parse_numbers(text, v, 4) || !geo_valid(v[1], v[0]) || !geo_valid(v[3], v[2])
        || v[1] > v[3])
        return ctx_error(ctx, AT_EINVAL, "\"%s\" is not a box; give WEST,SOUTH,EAST,NORTH in "
                         "decimal degrees with south <= north (124.3,37.7,130.7,43.0)", text);
    box->west = v[0];
    box->south = v[1];
    box->east = v[2];
    box->north = v[3];
    return AT_OK;
}

/* Rings. */

static void ring_push(struct geo_ring *r, double lon, double lat)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 16;
        r->lon = xrealloc(r->lon, r->cap * sizeof *r->lon);
        r->lat = xrealloc(r->lat, r->cap * sizeof *r->lat);
    }
    r->lon[r->n] = lon;
    r->lat[r->n] = lat;
    r->n++;
}

static void ring_free(struct geo_ring *r)
{
    free(r->lon);
    free(r->lat);
    memset(r, 0, sizeof *r);
}

/* Twice the signed area of an open ring; positive when counter-clockwise. */
static double ring_area2(const struct geo_ring *r)
{
    double a = 0;

    for (size_t i = 0; i < r->n; i++) {
        size_t j = (i + 1) % r->n;
        a += r->lon[i] * r->lat[j] - r->lon[j] * r->lat[i];
    }
    return a;
}

/* Turns an open ring into a closed one running counter-clockwise
 * (ccw true) or clockwise. */
static void ring_finish(struct geo_ring *r, bool ccw)
{
    if ((ring_area2(r) > 0) != ccw) {
        for (size_t i = 0, j = r->n - 1; i < j; i++, j--) {
            double t = r->lon[i];
            r->lon[i] = r->lon[j], r->lon[j] = t;
            t = r->lat[i];
            r->lat[i] = r->lat[j], r->lat[j] = t;
        }
    }
    ring_push(r, r->lon[0], r->lat[0]);
}

static struct geo_polygon *shape_add(struct geo_shape *s)
{
    s->polys = xrealloc(s->polys, (s->n + 1) * sizeof *s->polys);
    memset(&s->polys[s->n], 0, sizeof s->polys[s->n]);
    return &s->polys[s->n++];
}

void geo_shape_free(struct geo_shape *s)
{
    for (size_t i = 0; i < s->n; i++) {
        ring_free(&s->polys[i].outer);
        ring_free(&s->polys[i].hole);
    }
    free(s->polys);
    memset(s, 0, sizeof *s);
}

static void world_box(struct geo_ring *r)
{
    ring_push(r, -180, -90);
    ring_push(r, 180, -90);
    ring_push(r, 180, 90);
    ring_push(r, -180, 90);
}

/* Keeps the part of the open ring in on the side of the line lon = edge
 * given by side (+1: lon >= edge, -1: lon <= edge), Sutherland-Hodgman. */
static void clip_edge(const struct geo_ring *in, double edge, int side, struct geo_ring *out)
{
    out->n = 0;
    for (size_t i = 0; i < in->n; i++) {
        size_t j = (i + 1) % in->n;
        double ax = in->lon[i], ay = in->lat[i], bx = in->lon[j], by = in->lat[j];
        bool a_in = side > 0 ? ax >= edge : ax <= edge;
        bool b_in = side > 0 ? bx >= edge : bx <= edge;
        if (a_in)
            ring_push(out, ax, ay);
        if (a_in != b_in)
            ring_push(out, edge, ay + (edge - ax) / (bx - ax) * (by - ay));
    }
}

/* An ordinary ring (unwrapped longitudes within ±540°), cut at ±180°. */
static void circle_plain(const struct geo_ring *ring, struct geo_shape *out)
{
    struct geo_ring a = { 0 }, b = { 0 };

    for (int k = -1; k <= 1; k++) {
        clip_edge(ring, -180 + 360.0 * k, +1, &a);
        clip_edge(&a, 180 + 360.0 * k, -1, &b);
        if (b.n < 3 || fabs(ring_area2(&b)) < 1e-12)
            continue;
        struct geo_polygon *p = shape_add(out);
        for (size_t i = 0; i < b.n; i++)
            ring_push(&p->outer, b.lon[i] - 360.0 * k, b.lat[i]);
        ring_finish(&p->outer, true);
    }
    ring_free(&a);
    ring_free(&b);
}

/* Normalises a longitude to [-180, 180]. */
static double lon_norm(double lon)
{
    return remainder(lon, 360);
}

/* A ring that turns once round a pole (total is its net turn, ±360°):
 * closed along the pole's parallel from -180° to 180°. */
static void circle_cap(const struct geo_ring *ring, double total, double pole,
                       struct geo_shape *out)
{
    size_t n = ring->n, s = 0;
    struct geo_polygon *p = shape_add(out);
    struct geo_ring q = { 0 };

    /* Start just after the step that crosses ±180°. */
    for (size_t i = 0; i < n; i++) {
        if (fabs(lon_norm(ring->lon[(i + 1) % n]) - lon_norm(ring->lon[i])) > 180) {
            s = (i + 1) % n;
            break;
        }
    }
    ring_push(&q, lon_norm(ring->lon[s]), ring->lat[s]);
    for (size_t k = 1; k <= n; k++) {
        size_t i = (s + k) % n;
        double prev = q.lon[k - 1];
        ring_push(&q, prev + remainder(ring->lon[i] - prev, 360), ring->lat[i]);
    }
    double e = total > 0 ? 180 : -180;
    double x0 = q.lon[n - 1], y0 = q.lat[n - 1], x1 = q.lon[n], y1 = q.lat[n];
    double y = x1 != x0 ? y0 + (e - x0) / (x1 - x0) * (y1 - y0) : y0;
    ring_push(&p->outer, -e, y);
    for (size_t k = 0; k < n; k++)
        ring_push(&p->outer, fmax(-180, fmin(180, q.lon[k])), q.lat[k]);
    ring_push(&p->outer, e, y);
    ring_push(&p->outer, e, pole);
    ring_push(&p->outer, -e, pole);
    ring_finish(&p->outer, true);
    ring_free(&q);
}

/* Where the step from point i to i+1 of ring crosses lon = 180. */
static double cross_lat(const struct geo_ring *r, size_t i)
{
    size_t j = (i + 1) % r->n;
    return r->lat[i] + (180 - r->lon[i]) / (r->lon[j] - r->lon[i]) * (r->lat[j] - r->lat[i]);
}

/* Appends the points of r from index from to index to (cyclic, both
 * included), shifted by dx, forwards or backwards. */
static void push_arc(struct geo_ring *out, const struct geo_ring *r, size_t from, size_t to,
                     double dx, bool backwards)
{
    size_t n = r->n, count = (to + n - from) % n + 1;

    for (size_t k = 0; k < count; k++) {
        size_t i = backwards ? (to + n - k) % n : (from + k) % n;
        ring_push(out, r->lon[i] + dx, r->lat[i]);
    }
}

/* Both poles inside: the world less the patch the ring encloses. */
static void circle_world_less(struct geo_ring *ring, struct geo_shape *out)
{
    struct geo_polygon *p = shape_add(out);
    double lo = INFINITY, hi = -INFINITY, mean = 0;
    size_t n = ring->n;

    for (size_t i = 0; i < n; i++)
        mean += ring->lon[i] / (double)n;
    for (size_t i = 0; i < n; i++) {
        ring->lon[i] -= 360 * round(mean / 360);
        lo = fmin(lo, ring->lon[i]);
        hi = fmax(hi, ring->lon[i]);
    }
    if (lo >= -180 && hi <= 180) {
        world_box(&p->outer);
        ring_finish(&p->outer, true);
        for (size_t i = 0; i < n; i++)
            ring_push(&p->hole, ring->lon[i], ring->lat[i]);
        ring_finish(&p->hole, false);
        return;
    }
    /* Work on the side of +180°, mirroring a patch that straddles -180°. */
    double mirror = lo < -180 ? -1 : 1;
    for (size_t i = 0; i < n; i++)
        ring->lon[i] *= mirror;
    size_t c[2], nc = 0;
    for (size_t i = 0; i < n && nc < 2; i++)
        if ((ring->lon[i] <= 180) != (ring->lon[(i + 1) % n] <= 180))
            c[nc++] = i;
    if (nc < 2)
        return;
    /* The inner arc runs from c[0]+1 to c[1] or from c[1]+1 to c[0]. */
    size_t in_from = (c[0] + 1) % n, in_to = c[1], out_from = (c[1] + 1) % n, out_to = c[0];
    double y_in_start = cross_lat(ring, c[0]), y_in_end = cross_lat(ring, c[1]);
    if (ring->lon[in_from] > 180) {
        size_t t = in_from;
        in_from = out_from, out_from = t;
        t = in_to;
        in_to = out_to, out_to = t;
        double y = y_in_start;
        y_in_start = y_in_end, y_in_end = y;
    }
    double ylo = fmin(y_in_start, y_in_end), yhi = fmax(y_in_start, y_in_end);
    bool in_up = y_in_start <= y_in_end;
    struct geo_ring *o = &p->outer;
    ring_push(o, -180, -90);
    ring_push(o, 180, -90);
    ring_push(o, 180, ylo);
    push_arc(o, ring, in_from, in_to, 0, !in_up);
    ring_push(o, 180, yhi);
    ring_push(o, 180, 90);
    ring_push(o, -180, 90);
    ring_push(o, -180, yhi);
    /* The outer arc runs from the inner arc's end back to its start. */
    push_arc(o, ring, out_from, out_to, -360, !in_up);
    ring_push(o, -180, ylo);
    for (size_t i = 0; i < o->n; i++)
        o->lon[i] *= mirror;
    ring_finish(o, true);
}

int geo_circle(struct at_ctx *ctx, double lat, double lon, double radius_m,
               struct geo_shape *out)
{
    struct geo_ring ring = { 0 };

    memset(out, 0, sizeof *out);
    if (!geo_valid(lat, lon))
        return ctx_error(ctx, AT_EINVAL, "centre %g,%g is out of range", lat, lon);
    if (!(radius_m > 0) || radius_m > GEO_MAX_RADIUS_M)
        return ctx_error(ctx, AT_EINVAL, "radius %g m: give more than 0 and at most %.0f m "
                         "(half the Earth's circumference)", radius_m, GEO_MAX_RADIUS_M);
    if (radius_m >= geo_distance_m(lat, lon, -lat, lon_norm(lon + 180)) - 0.001) {
        struct geo_polygon *p = shape_add(out);
        world_box(&p->outer);
        ring_finish(&p->outer, true);
        return AT_OK;
    }
    for (int i = 0; i < CIRCLE_POINTS; i++) {
        double y, x;
        geo_direct(lat, lon, i * (360.0 / CIRCLE_POINTS), radius_m, &y, &x);
        if (i > 0)
            x = ring.lon[i - 1] + remainder(x - ring.lon[i - 1], 360);
        ring_push(&ring, x, y);
    }
    double last = ring.lon[ring.n - 1];
    double total = last + remainder(ring.lon[0] - last, 360) - ring.lon[0];
    double to_north = geo_distance_m(lat, lon, 90, 0), to_south = geo_distance_m(lat, lon, -90, 0);
    if (fabs(total) > 180)
        circle_cap(&ring, total, to_north < to_south ? 90 : -90, out);
    else if (to_north < radius_m && to_south < radius_m)
        circle_world_less(&ring, out);
    else
        circle_plain(&ring, out);
    ring_free(&ring);
    return AT_OK;
}

/* Even-odd test of a point against a closed ring. */
static bool ring_contains(const struct geo_ring *r, double lat, double lon)
{
    bool in = false;

    for (size_t i = 0, j = r->n - 1; i < r->n; j = i++) {
        if ((r->lat[i] > lat) != (r->lat[j] > lat)
            && lon < (r->lon[j] - r->lon[i]) * (lat - r->lat[i]) / (r->lat[j] - r->lat[i]) + r->lon[i])
            in = !in;
    }
    return in;
}

bool geo_shape_contains(const struct geo_shape *s, double lat, double lon)
{
    for (size_t i = 0; i < s->n; i++) {
        const struct geo_polygon *p = &s->polys[i];
        if (ring_contains(&p->outer, lat, lon) && !(p->hole.n && ring_contains(&p->hole, lat, lon)))
            return true;
    }
    return false;
}
