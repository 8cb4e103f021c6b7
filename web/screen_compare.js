/*
 * screen_compare.js: on the screening page, two names compared as
 * screening would score the first against the second if it were listed,
 * with both scorers, as `attest screen compare NAME1 NAME2` does: each
 * score, whether it is a match at the default threshold, and which words
 * paired with which.
 */
'use strict';

(function () {

var A = window.ATTEST;
var h = A.h, clear = A.clear, t = A.t, api = A.api;

/* A scorer's explanation, each part "part: text": word pairs as
 * "query ↔ listed (score)", other values as they are. */
function explain(ex) {
    return Object.keys(ex).map(function (k) {
        var v = ex[k];
        var text = Array.isArray(v) ? v.map(function (p) {
            return p && typeof p === 'object' && 'query' in p
                ? p.query + ' ↔ ' + (p.name || '–') + (p.score !== undefined ? ' (' + p.score + ')' : '')
                : typeof p === 'object' ? JSON.stringify(p) : String(p);
        }).join(', ') || '–' : typeof v === 'object' ? JSON.stringify(v) : String(v);
        return k.replace(/_/g, ' ') + ': ' + text;
    }).join('; ');
}

function section() {
    var name1 = h('input', { id: 'cp-name1' }), name2 = h('input', { id: 'cp-name2' });
    var type = h('select', { id: 'cp-type' }, ['', 'person', 'company', 'vessel', 'aircraft'].map(function (k) {
        return h('option', { value: k }, t('cp.type.' + (k || 'any')));
    }));
    var out = h('div', { id: 'cp-result', 'aria-live': 'polite' });
    var form = h('form', { id: 'cp', class: 'card' }, h('h2', null, t('cp.title')), h('p', { class: 'muted' }, t('cp.about')),
                 h('div', { class: 'fields' }, A.labelled('cp-name1', t('cp.name1'), name1),
                   A.labelled('cp-name2', t('cp.name2'), name2), A.labelled('cp-type', t('sc.schema'), type)),
                 h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'cp-run' }, t('cp.run'))), out);
    form.addEventListener('submit', function (e) {
        e.preventDefault();
        var q = A.qs({ name1: name1.value.trim(), name2: name2.value.trim(), type: type.value });
        clear(out).appendChild(h('p', { class: 'muted' }, t('app.loading')));
        api('GET', '/screen/compare' + q).then(function (r) {
            clear(out).appendChild(h('p', { class: 'cp-weights' }, t(r.weights === 'lists' ? 'cp.weightsLists' : 'cp.weightsDefault')));
            out.appendChild(h('table', { class: 'cp-scores' },
                h('thead', null, h('tr', null, ['cp.scorer', 'sc.score', 'cp.match', 'sc.why'].map(function (k) {
                    return h('th', null, t(k)); }))),
                h('tbody', null, ['attest', 'ofac'].map(function (s) {
                    var x = r[s];
                    return h('tr', { 'data-scorer': s, 'data-match': String(x.match) }, h('td', null, s),
                             h('td', { class: 'num' }, x.score.toFixed(1)),
                             h('td', null, t(x.match ? 'cp.yes' : 'cp.no', { n: r.threshold })), h('td', null, explain(x.explain || {})));
                }))));
        }).catch(function (err) { clear(out).appendChild(A.errorBox(err)); });
    });
    return form;
}

A.screenSections.push(section);

})();
