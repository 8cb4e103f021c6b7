/*
 * map_review.js: corroboration review on the main map, as `attest sites`
 * does it: group the pinpoints no site claims into candidate sites (POST
 * /api/v1/sites/cluster), show the candidates on the map and in the side
 * panel with their corroboration (GET /api/v1/sites/candidates), confirm
 * one as a site; and, in a site's panel, split checked pinpoints off into
 * a new site or merge another site into it (POST /api/v1/sites/decisions).
 * Each decision is a new version of the records, made by the server with
 * the same core calls and rights as the command line.  Loaded after
 * app.js, whose helpers it takes from window.ATTEST.
 */
'use strict';

(function () {

var A = window.ATTEST;
var h = A.h, t = A.t;

function decide(body) {
    return A.api('POST', '/sites/decisions', body);
}

/* The corroboration of a candidate, as the site panel shows a site's. */
function corroboration(c) {
    var k = c.corroboration || {};
    return h('dl', { class: 'kv' },
        h('dt', null, t('map.witnesses')), h('dd', null, String(k.witnesses || 0)),
        h('dt', null, t('map.pinpoints')), h('dd', null, String(k.placements || (c.pinpoints || []).length)),
        h('dt', null, t('map.strongest')), h('dd', null, k.basis ? A.vocabLabel('basis_of_knowledge', k.basis) : t('map.none')),
        h('dt', null, t('map.spread')), h('dd', null, Math.round(k.spread_m || 0) + ' m'),
        h('dt', null, A.fieldLabel('confidence')), h('dd', null, A.vocabLabel('confidence', k.confidence) || t('map.none')));
}

/* The review section of the side panel; show(el) puts a candidate's
 * details where the map shows a feature's; done() reloads the map. */
function review(map, show, done) {
    var layer = L.layerGroup().addTo(map);
    var list = h('ul', { class: 'plain rv-list', id: 'rv-candidates' });
    var note = h('p', { class: 'muted', 'aria-live': 'polite' });

    function openCandidate(c) {
        var name = h('input', { id: 'rv-name', value: c.label, size: 24 });
        var err = h('p', { class: 'error-box', role: 'alert', hidden: true });
        var el = h('div', { class: 'rv-candidate', 'data-label': c.label },
            h('p', { class: 'muted' }, t('map.rv.candidate'), c.site ? ' · ' + t('map.rv.matches', { id: c.site }) : ''),
            corroboration(c),
            h('h3', null, t('map.pinpoints') + ' (' + c.pinpoints.length + ')'),
            h('ul', { class: 'plain' }, c.pinpoints.map(function (id) { return h('li', null, A.recordLink(id)); })),
            h('div', { class: 'field' }, h('label', { for: 'rv-name' }, t('map.rv.name')), name),
            err,
            h('button', { type: 'button', id: 'rv-confirm', onclick: function () {
                err.hidden = true;
                decide({ decision: 'confirm', candidate: c.label, name: name.value.trim() || null }).then(function (x) {
                    note.textContent = t('map.rv.confirmed', { id: x.site });
                    note.setAttribute('data-site', x.site);
                    layer.clearLayers();
                    A.clear(list);
                    done(x.site, [c.lat, c.lon]);
                }).catch(function (e) { err.textContent = e.message; err.hidden = false; });
            } }, t('map.rv.confirm')));
        show(c.label, el);
        map.setView([c.lat, c.lon], Math.max(map.getZoom(), 14));
    }

    function candidates() {
        return A.api('GET', '/sites/candidates').then(function (x) {
            layer.clearLayers();
            A.clear(list);
            note.textContent = x.candidates.length ? t('map.rv.count', { n: x.candidates.length }) : t('map.rv.none');
            x.candidates.forEach(function (c) {
                var k = c.corroboration || {};
                L.circleMarker([c.lat, c.lon], { radius: 11, className: 'rv-cand', color: '#b35c00', weight: 2,
                                                 dashArray: '4 3', fillOpacity: 0.15 })
                    .on('click', function () { openCandidate(c); }).addTo(layer);
                list.appendChild(h('li', null, h('button', { type: 'button', class: 'linkish', 'data-label': c.label,
                                                             onclick: function () { openCandidate(c); } },
                    t('map.rv.line', { label: c.label, n: c.pinpoints.length, w: k.witnesses || 0,
                                       c: A.vocabLabel('confidence', k.confidence) || '—' }))));
            });
        }).catch(function (e) { note.textContent = e.message; });
    }

    return h('details', { class: 'rv-box', id: 'rv-box' },
        h('summary', null, t('map.rv.title')),
        h('p', { class: 'hint' }, t('map.rv.about')),
        h('div', { class: 'rv-actions' },
          h('button', { type: 'button', id: 'rv-cluster', onclick: function () {
              A.api('POST', '/sites/cluster', {}).then(candidates)
                  .catch(function (e) { note.textContent = e.message; });
          } }, t('map.rv.cluster')),
          h('button', { type: 'button', id: 'rv-show', onclick: candidates }, t('map.rv.show'))),
        note, list);
}

/* A site's panel's tools: split checked pinpoints off, merge another site
 * in.  others: a promise of the sites in view (their ids and labels). */
function siteTools(el, site, others, done) {
    var err = h('p', { class: 'error-box', role: 'alert', hidden: true });
    var fail = function (e) { err.textContent = e.message; err.hidden = false; };
    var checks = site.pinpoints.map(function (pp) {
        var id = 'rv-pp-' + pp.id;
        return h('div', { class: 'check' }, h('input', { type: 'checkbox', id: id, value: pp.id }),
                 h('label', { for: id }, pp.id));
    });
    var name = h('input', { id: 'rv-split-name', size: 20 });
    var other = h('select', { id: 'rv-merge-site' }, h('option', { value: '' }, '—'));
    others.then(function (sites) {
        sites.filter(function (o) { return o.id !== site.id; }).forEach(function (o) {
            other.appendChild(h('option', { value: o.id }, (o.label || o.id) + ' (' + o.id + ')'));
        });
    }).catch(fail);
    el.appendChild(h('section', { class: 'rv-site', id: 'rv-site' },
        h('h3', null, t('map.rv.title')), err,
        site.pinpoints.length > 1 ? h('fieldset', null, h('legend', null, t('map.rv.split')), checks,
            h('div', { class: 'field' }, h('label', { for: 'rv-split-name' }, t('map.rv.name')), name),
            h('button', { type: 'button', id: 'rv-split', onclick: function () {
                var ids = checks.map(function (c) { return c.firstChild; })
                    .filter(function (i) { return i.checked; }).map(function (i) { return i.value; });
                decide({ decision: 'split', site: site.id, pinpoints: ids, name: name.value.trim() || null })
                    .then(function (x) { done(x.site, t('map.rv.splitDone', { id: x.site })); }).catch(fail);
            } }, t('map.rv.splitGo'))) : null,
        h('fieldset', null, h('legend', null, t('map.rv.merge')),
            h('div', { class: 'field' }, h('label', { for: 'rv-merge-site' }, t('map.rv.mergeWhich')), other),
            h('button', { type: 'button', id: 'rv-merge', onclick: function () {
                decide({ decision: 'merge', site: site.id, sites: other.value ? [other.value] : [] })
                    .then(function (x) { done(x.site, t('map.rv.merged', { id: x.site })); }).catch(fail);
            } }, t('map.rv.mergeGo')))));
}

window.ATTEST_MAP = window.ATTEST_MAP || {};
window.ATTEST_MAP.review = review;
window.ATTEST_MAP.siteTools = siteTools;

})();
