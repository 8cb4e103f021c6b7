#!/usr/bin/env node
/*
 * refmap.js: a build tool.  Makes the fine part of the offline reference
 * map: Natural Earth's 1:10m countries (npm's world-atlas, public domain
 * data) over the region around Korea, as GeoJSON for the web map, which
 * draws it from zoom REFMAP_ZOOM on (web/map_layers.js) and the 1:50m
 * world below that.  Countries become land fills without outlines, cut to
 * the region's box; their outlines become two kinds of lines, borders
 * (an arc two countries share) and coast (an arc of one country), cut to
 * the box too, so that no line is drawn along its edges; North Korea's
 * own borders apart, to be drawn stronger.  Coordinates are
 * rounded to 1e-4 degree (about 10 m) and thinned (Douglas-Peucker,
 * TOLERANCE degrees), far below what the 1:10m data can tell.  The
 * rivers of North Korea and of its borders (the Yalu, the Tumen) come from
 * RIVERS, World Data Bank II's permanent rivers as GSHHG carries them
 * (tools/rivers.sh made the file), cut and thinned the same way.
 *
 * usage: node tools/refmap.js OUT.json
 */
'use strict';

const fs = require('fs');
const path = require('path');
const topojson = require('topojson-client');

/* West, south, east, north: Korea, the Chinese and Russian border
 * regions, Japan's west coast. */
const BOX = [114, 32, 144, 49];
const TOLERANCE = 0.0025;
const RIVERS = path.join(__dirname, '..', 'data', 'rivers-kp.txt');

function round(v) {
    return Math.round(v * 1e4) / 1e4;
}

function inside(p, edge) {
    switch (edge) {
    case 0: return p[0] >= BOX[0];
    case 1: return p[1] >= BOX[1];
    case 2: return p[0] <= BOX[2];
    default: return p[1] <= BOX[3];
    }
}

/* Where segment a-b crosses the line of edge. */
function crossing(a, b, edge) {
    const v = [BOX[0], BOX[1], BOX[2], BOX[3]][edge];
    if (edge === 0 || edge === 2) {
        const t = (v - a[0]) / (b[0] - a[0]);
        return [v, a[1] + t * (b[1] - a[1])];
    }
    const t = (v - a[1]) / (b[1] - a[1]);
    return [a[0] + t * (b[0] - a[0]), v];
}

/* A closed ring cut to BOX (Sutherland-Hodgman, edge by edge). */
function clipRing(ring) {
    let out = ring.slice(0, -1);
    for (let edge = 0; edge < 4 && out.length > 0; edge++) {
        const input = out;
        out = [];
        for (let i = 0; i < input.length; i++) {
            const a = input[(i + input.length - 1) % input.length], b = input[i];
            if (inside(b, edge)) {
                if (!inside(a, edge)) out.push(crossing(a, b, edge));
                out.push(b);
            } else if (inside(a, edge)) {
                out.push(crossing(a, b, edge));
            }
        }
    }
    if (out.length < 3) return null;
    out.push(out[0]);
    return out;
}

function isIn(p) {
    return p[0] >= BOX[0] && p[0] <= BOX[2] && p[1] >= BOX[1] && p[1] <= BOX[3];
}

/* A line cut to BOX: the runs of it inside, each segment cut where it
 * leaves or enters (Liang-Barsky). */
function clipLine(line) {
    const runs = [];
    let run = null;
    for (let i = 1; i < line.length; i++) {
        const a = line[i - 1], b = line[i];
        let t0 = 0, t1 = 1;
        const dx = b[0] - a[0], dy = b[1] - a[1];
        const tests = [[-dx, a[0] - BOX[0]], [dx, BOX[2] - a[0]], [-dy, a[1] - BOX[1]], [dy, BOX[3] - a[1]]];
        let visible = true;
        for (const [p, q] of tests) {
            if (p === 0) {
                if (q < 0) visible = false;
            } else {
                const t = q / p;
                if (p < 0) t0 = Math.max(t0, t);
                else t1 = Math.min(t1, t);
            }
        }
        if (!visible || t0 > t1) {
            run = null;
            continue;
        }
        const s = [a[0] + t0 * dx, a[1] + t0 * dy], e = [a[0] + t1 * dx, a[1] + t1 * dy];
        if (run === null) {
            run = [s];
            runs.push(run);
        }
        run.push(e);
        if (t1 < 1) run = null;
    }
    return runs.filter((r) => r.length > 1);
}

/* Douglas-Peucker over a line of points, rounded. */
function thin(line) {
    const keep = new Uint8Array(line.length);
    keep[0] = keep[line.length - 1] = 1;
    const stack = [[0, line.length - 1]];
    while (stack.length) {
        const [i, j] = stack.pop();
        const [ax, ay] = line[i], [bx, by] = line[j];
        const dx = bx - ax, dy = by - ay, len = Math.hypot(dx, dy);
        let worst = -1, at = -1;
        for (let k = i + 1; k < j; k++) {
            const [px, py] = line[k];
            const d = len === 0 ? Math.hypot(px - ax, py - ay) : Math.abs(dy * px - dx * py + bx * ay - by * ax) / len;
            if (d > worst) {
                worst = d;
                at = k;
            }
        }
        if (worst > TOLERANCE) {
            keep[at] = 1;
            stack.push([i, at], [at, j]);
        }
    }
    const out = [];
    line.forEach((p, k) => {
        if (!keep[k]) return;
        const q = [round(p[0]), round(p[1])];
        const last = out[out.length - 1];
        if (!last || last[0] !== q[0] || last[1] !== q[1]) out.push(q);
    });
    return out;
}

/* The lines of a GMT multi-segment text file: a line "> ..." opens each
 * segment, then one "lon<TAB>lat" a vertex; "#" lines are comments. */
function segments(text) {
    const out = [];
    let line = null;
    text.split('\n').forEach((row) => {
        if (row.startsWith('>')) {
            line = [];
            out.push(line);
        } else if (row !== '' && !row.startsWith('#') && line !== null) {
            const [x, y] = row.split('\t').map(Number);
            if (Number.isFinite(x) && Number.isFinite(y)) line.push([x, y]);
        }
    });
    return out;
}

function polygons(geometry) {
    if (!geometry) return [];
    return geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
}

function main() {
    const out = process.argv[2];
    if (!out) {
        process.stderr.write('usage: node tools/refmap.js OUT.json\n');
        process.exit(2);
    }
    const dir = path.join(__dirname, '..', 'node_modules', 'world-atlas');
    const topo = JSON.parse(fs.readFileSync(path.join(dir, 'countries-10m.json'), 'utf8'));
    const features = [];

    topojson.feature(topo, topo.objects.countries).features.forEach((f) => {
        const kept = [];
        polygons(f.geometry).forEach((poly) => {
            const rings = [];
            for (const ring of poly) {
                const cut = clipRing(ring);
                if (cut === null) {
                    if (rings.length === 0) break; /* the outer ring is outside: so are its holes */
                    continue;
                }
                const thinned = thin(cut);
                if (thinned.length >= 4) rings.push(thinned);
                else if (rings.length === 0) break;
            }
            if (rings.length) kept.push(rings);
        });
        if (kept.length)
            features.push({ type: 'Feature', id: f.id, properties: { kind: 'land', name: f.properties.name },
                            geometry: { type: 'MultiPolygon', coordinates: kept } });
    });
    const lines = (kind, coordinates) => {
        const kept = [];
        coordinates.forEach((line) => clipLine(line).forEach((run) => {
            const thinned = thin(run);
            if (thinned.length > 1) kept.push(thinned);
        }));
        features.push({ type: 'Feature', properties: { kind }, geometry: { type: 'MultiLineString', coordinates: kept } });
    };
    const mesh = (kind, filter) => lines(kind, topojson.mesh(topo, topo.objects.countries, filter).coordinates);
    const dprk = (c) => c.id === '408';
    lines('river', segments(fs.readFileSync(RIVERS, 'utf8')));
    mesh('coast', (a, b) => a === b);
    mesh('border', (a, b) => a !== b && !dprk(a) && !dprk(b));
    mesh('border_dprk', (a, b) => a !== b && (dprk(a) || dprk(b)));
    fs.writeFileSync(out, JSON.stringify({
        type: 'FeatureCollection',
        source: 'Natural Earth 1:10m admin 0 countries (public domain), from world-atlas countries-10m.json; ' +
                'rivers: World Data Bank II through GSHHG (LGPL-3+), data/rivers-kp.txt',
        bbox: BOX,
        features,
    }));
}

main();
