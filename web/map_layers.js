/*
 * map_layers.js: what the main map draws beside its markers.  Cluster
 * bubbles that say what they hold (sites, pinpoints and events counted
 * apart, and the interviews the pinpoints were placed in), split as one
 * zooms in; the outlines and line features of sites (a camp's fence, a
 * route), drawn from zoom 9; a legend kept on the map, always in view; and
 * the gazetteer's place names on every map, in Korean and English, more
 * of them as one zooms in (provinces first, then cities and counties,
 * then districts and towns); and the offline reference map's fine part,
 * Natural Earth's 1:10m coast and borders around Korea and the rivers of
 * North Korea (World Data Bank II through GSHHG) from zoom 6.
 * Loaded after app.js, whose helpers it takes from window.ATTEST.
 */
'use strict';

(function () {

var A = window.ATTEST;
var KINDS = ['site', 'pinpoint', 'event'];

/* What the markers under a cluster hold: counts by type, and the
 * interviews of its pinpoints. */
function tally(markers) {
    var n = { site: 0, pinpoint: 0, event: 0, interviews: 0 };
    var seen = {};
    markers.forEach(function (m) {
        var p = m.options.attest || {};
        if (n[p.type] !== undefined) n[p.type]++;
        if (p.interview && !seen[p.interview]) {
            seen[p.interview] = true;
            n.interviews++;
        }
    });
    return n;
}

/* The words a cluster is read with (its title, and for screen readers). */
function clusterWords(n) {
    var parts = [];
    KINDS.forEach(function (k) {
        if (n[k]) parts.push(A.t('map.cl.' + k, { n: n[k] }));
    });
    if (n.interviews) parts.push(A.t('map.cl.interviews', { n: n.interviews }));
    return parts.join(' · ');
}

/* The bubble: the total, coloured by what most of it is, over a strip of
 * the counts by type. */
function clusterIcon(cluster) {
    var n = tally(cluster.getAllChildMarkers());
    var total = n.site + n.pinpoint + n.event;
    var most = KINDS.slice().sort(function (a, b) { return n[b] - n[a]; })[0];
    var size = total < 10 ? 34 : total < 100 ? 40 : total < 1000 ? 46 : 52;
    var strip = A.h('span', { class: 'cl-strip' });
    KINDS.forEach(function (k) {
        if (n[k]) strip.appendChild(A.h('span', { class: 'cl-' + k }, String(n[k])));
    });
    var div = A.h('div', { class: 'cl cl-most-' + most, title: clusterWords(n), role: 'img',
                           'aria-label': clusterWords(n) },
                  A.h('b', null, String(total)), strip);
    return L.divIcon({ html: div.outerHTML, className: 'cl-icon', iconSize: [size, size] });
}

/* A bubble the server counted (GET /map with zoom, docs/api.md): too
 * many records in view to send, so the server sends how many of each type
 * are in each cell; a click zooms to the records it holds. */
function serverBubble(map, c) {
    var n = { site: c.types.site || 0, pinpoint: c.types.pinpoint || 0, event: c.types.event || 0 };
    var most = KINDS.slice().sort(function (a, b) { return n[b] - n[a]; })[0];
    var size = c.count < 10 ? 34 : c.count < 100 ? 40 : c.count < 1000 ? 46 : 52;
    var strip = A.h('span', { class: 'cl-strip' });
    KINDS.forEach(function (k) {
        if (n[k]) strip.appendChild(A.h('span', { class: 'cl-' + k }, String(n[k])));
    });
    var div = A.h('div', { class: 'cl cl-server cl-most-' + most, title: clusterWords(n), role: 'img',
                           'aria-label': clusterWords(n) },
                  A.h('b', null, String(c.count)), strip);
    var m = L.marker([c.lat, c.lon], { keyboard: true, title: clusterWords(n),
                                       icon: L.divIcon({ html: div.outerHTML, className: 'cl-icon',
                                                         iconSize: [size, size] }) });
    m.on('click', function () {
        map.fitBounds([[c.bbox[1], c.bbox[0]], [c.bbox[3], c.bbox[2]]], { maxZoom: map.getZoom() + 3 });
    });
    return m;
}

/* The cluster layer of the main map. */
function clusters() {
    return L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 45,
                                  disableClusteringAtZoom: 15, chunkedLoading: true,
                                  iconCreateFunction: clusterIcon });
}

/* Sites' outlines and lines, under the markers, shown from zoom 9. */
function shapes(map) {
    var group = L.layerGroup().addTo(map);
    var feats = [];
    function draw() {
        group.clearLayers();
        if (map.getZoom() < 9) return;
        feats.forEach(function (f) {
            var p = f.properties;
            if (p.outline) {
                L.geoJSON(p.outline, { interactive: false, style: function () {
                    return { className: 'site-outline st-line-' + (p.site_type || 'other'), weight: 2,
                             color: '#5b2c6f', fillOpacity: 0.08 };
                } }).addTo(group);
            }
            if (p.lines) {
                L.geoJSON(p.lines, { interactive: false, style: function () {
                    return { className: 'site-line', weight: 3, color: '#b35c00', dashArray: '6 4' };
                } }).addTo(group);
            }
        });
    }
    map.on('zoomend', draw);
    return {
        show: function (all) {
            feats = all.filter(function (f) { return f.properties.outline || f.properties.lines; });
            draw();
        }
    };
}

/* The legend as a control on the map (bottom right), always in view;
 * folded to its title on a narrow screen. */
function legend(map, items) {
    var body = A.h('div', { class: 'map-legend-body' }, items);
    var button = A.h('button', { type: 'button', class: 'linkish map-legend-toggle', 'aria-expanded': 'true',
                                 onclick: function () {
                                     body.hidden = !body.hidden;
                                     button.setAttribute('aria-expanded', body.hidden ? 'false' : 'true');
                                 } }, A.t('map.legend'));
    var Box = L.Control.extend({
        options: { position: 'bottomright' },
        onAdd: function () {
            var div = A.h('div', { class: 'map-legend', id: 'map-legend', role: 'region',
                                   'aria-label': A.t('map.legend') }, button, body);
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            return div;
        }
    });
    if (window.matchMedia && window.matchMedia('(max-width: 700px)').matches) {
        body.hidden = true;
        button.setAttribute('aria-expanded', 'false');
    }
    new Box().addTo(map);
}

/* The legend's entries for clusters, outlines and lines. */
function legendExtras() {
    return A.h('ul', { class: 'legend' },
        A.h('li', null, A.h('span', { class: 'cl cl-most-pinpoint cl-sample', 'aria-hidden': 'true' }, A.h('b', null, '9')),
            A.t('map.cl.legend')),
        A.h('li', null, A.h('span', { class: 'lg-outline', 'aria-hidden': 'true' }), A.t('map.outline')),
        A.h('li', null, A.h('span', { class: 'lg-line', 'aria-hidden': 'true' }), A.t('map.lines')));
}

/* The zoom from which each kind of place is named. */
var NAME_ZOOM = { reference: 5, province: 6, border_city: 7, city: 8, county: 9, district: 11, town: 11 };

/* The gazetteer's places (GET /api/v1/places?bbox=), fetched once. */
var placesOnce = null;
function places() {
    if (!placesOnce) placesOnce = A.api('GET', '/places' + A.qs({ bbox: '118,33,136,47' }))
        .then(function (r) { return r.places; })
        .catch(function () { placesOnce = null; return []; });
    return placesOnce;
}

/* A layer of place names for map: the places of the view whose kind is
 * named at its zoom, Hangul over the romanised name. */
function placeNames(map) {
    var group = L.layerGroup();
    var all = [];
    function draw() {
        group.clearLayers();
        if (!map.hasLayer(group)) return;
        var z = map.getZoom(), view = map.getBounds().pad(0.1);
        all.forEach(function (p) {
            if (z < (NAME_ZOOM[p.kind] || 9) || !view.contains([p.lat, p.lon])) return;
            var label = A.h('span', { class: 'pn pn-' + p.kind, 'data-place-id': p.id },
                            A.h('span', { class: 'pn-ko', lang: 'ko' }, p.hangul),
                            A.h('span', { class: 'pn-en', lang: 'en' }, p.name));
            L.marker([p.lat, p.lon], { interactive: false, keyboard: false,
                                       icon: L.divIcon({ className: 'pn-icon', html: label.outerHTML,
                                                         iconSize: null }) }).addTo(group);
        });
    }
    places().then(function (list) { all = list; draw(); });
    map.on('moveend overlayadd', draw);
    return group;
}

/* The zoom from which the reference map is Natural Earth's 1:10m around
 * Korea rather than the 1:50m world. */
var FINE_ZOOM = 6;

/* The reference map's fine part (tools/refmap.js makes it at build time):
 * land without outlines, rivers, coast, borders (North Korea's stronger),
 * fetched once. */
var fineOnce = null;
function fineData() {
    if (!fineOnce) fineOnce = fetch('/assets/refmap-10m.json')
        .then(function (r) { return r.json(); })
        .catch(function () { fineOnce = null; return null; });
    return fineOnce;
}

/* The reference map's fine part for map, shown from FINE_ZOOM on: inside
 * its box a ground of the sea's colour hides the 1:50m land, then the
 * 1:10m land, the rivers (under the lines that follow them), coast and
 * borders.  filled() says whether the reference map
 * is the base layer; over imagery only the lines are drawn.  Returns
 * { layer, shown(), restyle() }: the caller draws the 1:50m world without
 * outlines while shown() is true. */
function fineReference(map, filled) {
    var group = L.layerGroup();
    var drawn = null;
    var sea = getComputedStyle(document.documentElement).getPropertyValue('--sea').trim() || '#c9dbe6';
    var LINE = { river: ['#6a9cc4', 1], coast: ['#6d8795', 0.8], border: ['#5b6b73', 1],
                 border_dprk: ['#5b6b73', 1.8] };
    function shown() {
        return drawn !== null && map.getZoom() >= FINE_ZOOM;
    }
    function style(f) {
        var k = f.properties.kind, opacity = filled() ? 1 : 0;
        if (LINE[k]) return { color: LINE[k][0], weight: LINE[k][1], dashArray: k === 'border' ? '4 3' : null,
                              fill: false, className: 'ref-' + k };
        return { stroke: false, fillOpacity: opacity, className: 'ref-' + k,
                 fillColor: k === 'ground' ? sea : f.id === '408' ? '#f3eee2' : '#e4e7e1' };
    }
    function restyle() {
        if (drawn === null) return;
        if (shown()) group.addLayer(drawn);
        else group.removeLayer(drawn);
        drawn.setStyle(style);
    }
    fineData().then(function (data) {
        if (!data) return;
        var b = data.bbox;
        /* One layer, drawn in this order: the ground, the land, the lines. */
        var ground = { type: 'Feature', properties: { kind: 'ground' }, geometry: { type: 'Polygon',
            coordinates: [[[b[0], b[1]], [b[2], b[1]], [b[2], b[3]], [b[0], b[3]], [b[0], b[1]]]] } };
        var land = data.features.filter(function (f) { return f.properties.kind === 'land'; });
        var lines = data.features.filter(function (f) { return LINE[f.properties.kind]; });
        drawn = L.geoJSON({ type: 'FeatureCollection', features: [ground].concat(land, lines) },
                          { interactive: false, style: style });
        restyle();
        map.fire('attest:fine');
    });
    map.on('zoomend baselayerchange', restyle);
    return { layer: group, shown: shown, restyle: restyle };
}

window.ATTEST_MAP = window.ATTEST_MAP || {};
window.ATTEST_MAP.fineReference = fineReference;
window.ATTEST_MAP.placeNames = placeNames;
window.ATTEST_MAP.clusters = clusters;
window.ATTEST_MAP.serverBubble = serverBubble;
window.ATTEST_MAP.shapes = shapes;
window.ATTEST_MAP.legend = legend;
window.ATTEST_MAP.legendExtras = legendExtras;
window.ATTEST_MAP.clusterWords = clusterWords;

})();
