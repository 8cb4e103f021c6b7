/*
 * geo.h: geometry on the WGS84 ellipsoid.  Distances, bearings and
 * destination points come from PROJ's geodesic routines (Karney's
 * algorithms, accurate to nanometres); circles of any radius up to half the
 * Earth's circumference are built from them as polygons in longitude and
 * latitude, cut at the antimeridian and closed over a pole, as GeoJSON
 * (RFC 7946) and KML expect.
 *
 * Coordinates are degrees: latitude in [-90, 90], longitude in [-180, 180].
 */
#ifndef GEO_H
#define GEO_H

#include "attest.h"

/* The mean radius of the Earth (IUGG), for chord lengths between unit
 * vectors, which order points by great-circle distance on a sphere. */
#define GEO_MEAN_RADIUS_M 6371008.8

/* The geodesic distance in metres between two points. */
double geo_distance_m(double lat1, double lon1, double lat2, double lon2);

/* Cheap bounds on geo_distance_m: with sigma = geo_central_angle() of the
 * same points (latitudes taken as they are, on a unit sphere), the
 * geodesic distance lies between GEO_MIN_CURVATURE_M * sigma and
 * GEO_MAX_CURVATURE_M * sigma.  Proof: the ellipsoid's line element is
 * ds^2 = M(lat)^2 dlat^2 + N(lat)^2 cos^2(lat) dlon^2, the unit sphere's
 * the same with M = N = 1, and M and N lie between a(1 - e^2) (M at the
 * equator) and a / sqrt(1 - e^2) (both at the poles), so every path is
 * between those multiples of its length on the sphere; the geodesic is no
 * shorter on the sphere than the great circle, and the great circle no
 * shorter on the ellipsoid than the geodesic.  The constants are rounded
 * outwards (the two differ from the mean radius by -0.56% and +0.45%). */
#define GEO_MIN_CURVATURE_M 6335439.0
#define GEO_MAX_CURVATURE_M 6399594.0

/* The great-circle angle in radians between two points on a unit sphere
 * (haversine). */
double geo_central_angle(double lat1, double lon1, double lat2, double lon2);

/* Distance in metres and forward azimuths (degrees clockwise from north) at
 * each end.  Any of the outputs may be NULL. */
void geo_inverse(double lat1, double lon1, double lat2, double lon2,
                 double *dist_m, double *azi1, double *azi2);

/* The point reached by going dist_m along azimuth azi from (lat, lon). */
void geo_direct(double lat, double lon, double azi, double dist_m, double *lat2, double *lon2);

/* The unit vector of a point on a sphere: (cos φ cos λ, cos φ sin λ, sin φ). */
void geo_unit_vector(double lat, double lon, double v[3]);

/* True when lat and lon are finite and within range. */
bool geo_valid(double lat, double lon);

/* Parses "LAT,LON" (decimal degrees, optional spaces). */
int geo_parse_point(struct at_ctx *ctx, const char *text, double *lat, double *lon);

/* A box in degrees.  west > east means the box crosses the antimeridian. */
struct geo_bbox {
    double west, south, east, north;
};

/* Parses "WEST,SOUTH,EAST,NORTH" (the order of GeoJSON and ogr2ogr -spat). */
int geo_parse_bbox(struct at_ctx *ctx, const char *text, struct geo_bbox *box);

/* A closed ring: the last point repeats the first.  Owns its arrays. */
struct geo_ring {
    size_t n, cap;
    double *lon, *lat;
};

/* A polygon: an exterior ring, counter-clockwise in (lon, lat), and at most
 * one hole, clockwise (hole.n == 0 when there is none). */
struct geo_polygon {
    struct geo_ring outer, hole;
};

/* A multipolygon.  Owns its polygons; release it with geo_shape_free. */
struct geo_shape {
    size_t n;
    struct geo_polygon *polys;
};

/* The largest radius geo_circle accepts: half the equatorial circumference. */
#define GEO_MAX_RADIUS_M 20037508.34

/*
 * Fills out with the points within radius_m of (lat, lon), sampled every
 * half degree of azimuth: one polygon, two when the circle crosses the
 * antimeridian, a polygon closed along the pole's parallel when the
 * circle holds one pole, the world with a hole about the antipode when it
 * holds both, and the whole world when it reaches the antipode.
 */
int geo_circle(struct at_ctx *ctx, double lat, double lon, double radius_m,
               struct geo_shape *out);

void geo_shape_free(struct geo_shape *s);

/* True when (lat, lon) lies inside the shape (even-odd rule in degrees). */
bool geo_shape_contains(const struct geo_shape *s, double lat, double lon);

#endif
