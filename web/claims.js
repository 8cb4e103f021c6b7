/*
 * claims.js: figures claimed in documents, side by side (#/claims, linked
 * from the documents page), as `attest claims list [--about TOPIC]`: every
 * claim the reader may see, or those about one topic, ordered by topic,
 * period and quantity, each with its document, publisher and date and the
 * quote it was taken from (GET /api/v1/claims?about=).  A document's own
 * claims are on its page (document.js).  Text from the archive is set as
 * text.
 */
'use strict';

(function () {

var A = window.ATTEST;
var h = A.h, clear = A.clear, t = A.t, api = A.api;

function figure(c) {
    var n = Number(c.quantity).toLocaleString(A.state.lang === 'ko' ? 'ko-KR' : 'en-GB');
    return (c.qualifier ? c.qualifier + ' ' : '') + n + ' ' + (c.unit || '');
}

function table(claims) {
    if (!claims.length) return h('p', { class: 'muted', id: 'cl-none' }, t('cl.none'));
    return h('table', { class: 'list claims', id: 'cl-table' },
        h('thead', null, h('tr', null, ['cl.figure', 'cl.topic', 'cl.period', 'cl.place', 'cl.document', 'cl.quote']
            .map(function (k) { return h('th', { scope: 'col' }, t(k)); }))),
        h('tbody', null, claims.map(function (c) {
            return h('tr', { 'data-claim': c.id },
                h('td', { class: 'cl-figure' }, figure(c)),
                h('td', null, A.vocabLabel('claim_topic', c.topic)),
                h('td', null, c.period || ''), h('td', null, c.place || ''),
                h('td', null, A.hashLink('document/' + encodeURIComponent(c.document), c.title || c.document),
                  h('div', { class: 'muted' }, [c.publisher, c.document_date].filter(Boolean).join(' · '))),
                h('td', null, c.quote ? h('q', null, c.quote) : ''));
        })));
}

A.VIEWS.claims = function (el, arg, params) {
    el.appendChild(h('p', { class: 'crumbs' }, A.hashLink('documents', t('doc.list'))));
    el.appendChild(h('h1', null, t('nav.claims')));
    el.appendChild(h('p', { class: 'muted about' }, t('cl.about')));
    var about = h('select', { id: 'cl-about', name: 'about' }, A.vocabOptions('claim_topic', params.about || '', t('cl.all')));
    var out = h('div', { id: 'cl-out', 'aria-live': 'polite' });
    function show() {
        api('GET', '/claims' + (about.value ? '?about=' + encodeURIComponent(about.value) : '')).then(function (x) {
            clear(out).appendChild(h('div', { class: 'table-scroll' }, table(x.claims)));
        }).catch(function (e) { clear(out).appendChild(A.errorBox(e)); });
    }
    about.addEventListener('change', show);
    el.appendChild(h('div', { class: 'field' }, h('label', { for: 'cl-about' }, t('cl.topic')), about));
    el.appendChild(out);
    show();
};

})();
