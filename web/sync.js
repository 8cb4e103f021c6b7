/*
 * sync.js: the conflicts page (#/conflicts): records that two archives
 * changed concurrently, from GET /api/v1/sync/conflicts.  Each record's
 * heads (the versions no other version is based on) are shown side by
 * side, field by field, the fields where they differ marked, with the
 * head the current view follows; a person resolves a conflict by writing
 * a new version from the record's page (its amend form), which is based
 * on every head, and the record leaves this list.
 */
'use strict';

(function () {

var A = window.ATTEST;
var h = A.h, t = A.t, api = A.api;

function headLabel(head, current) {
    return h('span', null, t('cf.version', { v: head.version }),
             head.version === current ? h('span', { class: 'badge' }, t('cf.current')) : null);
}

/* One record: its heads' fields in columns. */
function conflictTable(c, docs) {
    var names = [];
    docs.forEach(function (d) {
        Object.keys((d && d.data) || {}).forEach(function (k) { if (names.indexOf(k) < 0) names.push(k); });
    });
    names.sort();
    var current = c.current && typeof c.current === 'object' ? c.current.version : c.current;
    var text = function (v) { return v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v); };
    return h('table', { class: 'list conflict', 'data-record': c.id },
        h('caption', { class: 'muted' }, t('cf.caption', { n: c.heads.length })),
        h('thead', null,
            h('tr', null, h('th', { scope: 'col' }, t('cf.field')), c.heads.map(function (hd) {
                return h('th', { scope: 'col' }, headLabel(hd, current));
            })),
            h('tr', { class: 'muted' }, h('th', { scope: 'row' }, t('cf.from')), c.heads.map(function (hd) {
                return h('td', null, (hd.author || '') + ' · ' + (hd.origin_archive || '') + ' · ' + A.when(hd.written_at));
            }))),
        h('tbody', null, names.map(function (k) {
            var values = docs.map(function (d) { return text(((d && d.data) || {})[k]); });
            var differ = values.some(function (v) { return v !== values[0]; });
            return h('tr', { class: differ ? 'differs' : null },
                h('th', { scope: 'row' }, A.fieldLabel(k), differ ? h('span', { class: 'badge warn' }, t('cf.differs')) : null),
                values.map(function (v) { return h('td', null, v); }));
        })));
}

A.VIEWS.conflicts = function (el) {
    el.appendChild(h('h1', null, t('cf.title')));
    el.appendChild(h('p', { class: 'muted' }, t('cf.about')));
    return api('GET', '/sync/conflicts').then(function (res) {
        var list = res.conflicts || [];
        if (!list.length) {
            el.appendChild(h('p', { id: 'conflicts-none' }, t('cf.none')));
            return;
        }
        return Promise.all(list.map(function (c) {
            var section = h('section', { class: 'card conflict-record' });
            el.appendChild(section);
            return Promise.all(c.heads.map(function (hd) {
                return api('GET', '/records/' + encodeURIComponent(c.id) + '?version=' + hd.version)
                    .catch(function () { return null; });
            })).then(function (docs) {
                A.append(section, [
                    h('h2', null, A.recordLink(c.id, docs[0] ? A.recordLabel(docs[0]) : c.id), ' ',
                      h('span', { class: 'badge' }, A.typeLabel(c.type))),
                    conflictTable(c, docs),
                    h('p', null, A.hashLink('record/' + encodeURIComponent(c.id), t('cf.resolve')))]);
            });
        }));
    });
};

})();
