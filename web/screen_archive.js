/*
 * screen_archive.js: on the screening page, the archive's own
 * organisations, persons and vessels screened, as `attest screen --record
 * ID` and `attest screen archive [--new [--since DATE]]` do: one record
 * with all its names and identifiers, or every record with hits, or only
 * what the last list import (or the lists since a day) newly hits; hits an
 * analyst dismissed shown apart, with who.
 */
'use strict';

(function () {

var A = window.ATTEST;
var h = A.h, clear = A.clear, t = A.t, api = A.api;

/* One record's result (core's screen_record_decided object). */
function recordResult(r) {
    var card = h('section', { class: 'card sa-record', 'data-record': r.record },
                 h('h3', null, A.recordLink(r.record, r.name || r.record), ' ',
                   h('span', { class: 'muted' }, A.typeLabel(r.type))));
    if (!r.hits.length) card.appendChild(h('p', { class: 'sc-none' }, t('sc.none')));
    else card.appendChild(h('table', { class: 'sa-hits' },
        h('thead', null, h('tr', null, ['sc.entry', 'sc.score', 'sa.query', 'sc.matched'].map(function (k) {
            return h('th', null, t(k)); }))),
        h('tbody', null, r.hits.map(function (x) {
            var ref = x.list.replace(/-.*/, '') + ':' + x.key;
            return h('tr', { 'data-entry': ref }, h('td', null, h('strong', null, x.name), ' ', h('code', null, ref)),
                     h('td', { class: 'num' }, String(x.score)), h('td', null, x.query || ''),
                     h('td', null, (x.matched_name || '') + (x.quality ? ' (' + x.quality + ')' : '')));
        }))));
    if (r.dismissed.length) card.appendChild(h('ul', { class: 'sa-dismissed' }, r.dismissed.map(function (x) {
        var d = x.dismissal || {};
        return h('li', { 'data-entry': x.list.replace(/-.*/, '') + ':' + x.key },
                 t('sa.dismissedBy', { e: x.name + ' (' + x.key + ')', by: d.by || '', at: (d.at || '').slice(0, 10) }));
    })));
    return card;
}

function section() {
    var record = A.picker ? A.picker(h('input', { id: 'sa-record', placeholder: 'or-…, pe-…, vs-…' }),
                                     'organisation person vessel')
                          : h('input', { id: 'sa-record' });
    var newOnly = h('input', { id: 'sa-new', type: 'checkbox' });
    var since = h('input', { id: 'sa-since', type: 'date' });
    var out = h('div', { id: 'sa-results', 'aria-live': 'polite' });
    function show(path, render) {
        clear(out).appendChild(h('p', { class: 'muted' }, t('app.loading')));
        return api('GET', path).then(function (r) { clear(out); render(r); })
            .catch(function (err) { clear(out).appendChild(A.errorBox(err)); });
    }
    var one = h('button', { type: 'button', id: 'sa-one' }, t('sa.one'));
    one.addEventListener('click', function () {
        var id = record.value.trim();
        if (!id) { clear(out).appendChild(h('p', { class: 'error-box' }, t('sa.needRecord'))); return; }
        show('/screen/records/' + encodeURIComponent(id), function (r) {
            out.appendChild(h('p', { class: 'sc-versions' }, t('sc.versions', { v: r.versions.join(', ') })));
            out.appendChild(recordResult(r));
        });
    });
    var all = h('button', { type: 'button', id: 'sa-all' }, t('sa.all'));
    all.addEventListener('click', function () {
        var q = newOnly.checked ? '?new=1' + (since.value ? '&since=' + encodeURIComponent(since.value) : '') : '';
        show('/screen/archive' + q, function (r) {
            out.appendChild(h('p', { class: 'sc-versions' }, t('sc.versions', { v: r.versions.join(', ') })));
            if (r.before) out.appendChild(h('p', { class: 'sa-before' }, t('sa.before', {
                v: r.before.join(', ') || '–' }) + (r.last_import ? ' ' + t('sa.lastImport', { v: r.last_import }) : '')));
            if (!r.records.length) out.appendChild(h('p', { class: 'sa-none' }, t(r.before ? 'sa.noneNew' : 'sa.none')));
            r.records.forEach(function (x) { out.appendChild(recordResult(x)); });
        });
    });
    return h('section', { id: 'sa', class: 'card' }, h('h2', null, t('sa.title')),
             h('p', { class: 'muted' }, t('sa.about')),
             h('div', { class: 'fields' }, A.labelled('sa-record', t('sa.record'), record)),
             h('div', { class: 'actions' }, one),
             h('div', { class: 'fields' },
               h('div', { class: 'field' }, h('label', { for: 'sa-new' }, newOnly, ' ', t('sa.new'))),
               A.labelled('sa-since', t('sa.since'), since)),
             h('div', { class: 'actions' }, all), out);
}

A.screenSections.push(section);

})();
