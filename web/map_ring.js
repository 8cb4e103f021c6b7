/*
 * map_ring.js: range rings on the main map, as `attest sites ring LAT,LON
 * --km K --places` draws them: a point (typed, or the map's centre after
 * "go to place") and a radius; the server gives the geodesic circle on the
 * ellipsoid and the gazetteer's places inside it, nearest first (GET
 * /api/v1/ring); the ring is drawn on the map and the places listed, each
 * one a button that shows it.  Loaded after app.js, whose helpers it takes
 * from window.ATTEST.
 */
'use strict';

(function () {

var A = window.ATTEST;
var h = A.h, t = A.t;

function ring(map) {
    var layer = L.layerGroup().addTo(map);
    var lat = h('input', { id: 'ring-lat', inputmode: 'decimal', autocomplete: 'off', size: 9 });
    var lon = h('input', { id: 'ring-lon', inputmode: 'decimal', autocomplete: 'off', size: 9 });
    var km = h('input', { id: 'ring-km', inputmode: 'decimal', autocomplete: 'off', size: 6, value: '50' });
    var err = h('p', { class: 'error-box', role: 'alert', hidden: true });
    var note = h('p', { class: 'muted', id: 'ring-note', 'aria-live': 'polite' });
    var list = h('ul', { class: 'plain', id: 'ring-places' });

    function centre() {
        var c = map.getCenter();
        lat.value = c.lat.toFixed(5);
        lon.value = c.lng.toFixed(5);
    }

    function draw(e) {
        e.preventDefault();
        err.hidden = true;
        A.api('GET', '/ring' + A.qs({ lat: lat.value.trim(), lon: lon.value.trim(), km: km.value.trim() })).then(function (x) {
            var f = x.features[0];
            layer.clearLayers();
            var g = L.geoJSON(f, { style: { color: '#b3261e', weight: 2, dashArray: '6 4', fillOpacity: 0.04 },
                                   interactive: false }).addTo(layer);
            L.circleMarker([f.properties.centre_lat, f.properties.centre_lon], { radius: 4, color: '#b3261e' }).addTo(layer);
            map.fitBounds(g.getBounds(), { maxZoom: 12, animate: false });
            note.textContent = t('ring.inside', { n: x.places.length, km: f.properties.radius_km });
            A.clear(list);
            x.places.forEach(function (p) {
                list.appendChild(h('li', null, h('button', { type: 'button', class: 'linkish', onclick: function () {
                    map.setView([p.lat, p.lon], Math.max(map.getZoom(), 11), { animate: false });
                } }, p.name + ' · ' + p.hangul), ' ', h('span', { class: 'muted' },
                    A.t('place.' + p.kind) + ' · ' + p.distance_km + ' km')));
            });
        }).catch(function (e2) {
            err.textContent = e2.message;
            err.hidden = false;
            ({ lat: lat, lon: lon, km: km }[e2.field] || lat).focus();
        });
    }

    function clearRing() {
        layer.clearLayers();
        A.clear(list);
        note.textContent = '';
    }

    return h('details', { class: 'ring-box', id: 'ring-box' },
        h('summary', null, t('ring.title')),
        h('form', { id: 'ring-form', novalidate: true, onsubmit: draw },
          h('p', { class: 'muted' }, t('ring.about')), err,
          h('div', { class: 'field' }, h('label', { for: 'ring-lat' }, A.fieldLabel('lat')), lat),
          h('div', { class: 'field' }, h('label', { for: 'ring-lon' }, A.fieldLabel('lon')), lon),
          h('div', { class: 'field' }, h('label', { for: 'ring-km' }, t('ring.km')), km),
          h('div', { class: 'actions' },
            h('button', { type: 'button', id: 'ring-centre', onclick: centre }, t('ring.centre')),
            h('button', { type: 'submit', class: 'primary', id: 'ring-draw' }, t('ring.draw')),
            h('button', { type: 'button', id: 'ring-clear', onclick: clearRing }, t('ring.clear')))),
        note, list);
}

window.ATTEST_MAP = window.ATTEST_MAP || {};
window.ATTEST_MAP.ring = ring;

})();
