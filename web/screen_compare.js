/*
 * screen_compare.js: on the screening page, two names compared as
 * screening would score the first against the second if it were listed,
 * with both scorers, as `attest screen compare NAME1 NAME2` does: each
 * score, whether it is a match at the default threshold, and which words
 * paired with which; and a file of pairs compared as `attest screen
 * compare --file PAIRS.tsv` does, a row a pair.
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

/* A file of pairs (name1<TAB>name2<TAB>type a line), each compared; the
 * results a row a pair, with the file's line; a bad line is the server's
 * message naming it. */
function fileForm() {
    var file = h('input', { id: 'cp-file', type: 'file', accept: '.tsv,.txt,text/tab-separated-values,text/plain' });
    var run = h('button', { type: 'button', id: 'cp-file-run' }, t('cp.fileRun'));
    var out = h('div', { id: 'cp-file-result', 'aria-live': 'polite' });
    function cell(x, threshold) {
        return h('td', { 'data-match': String(x.match) }, x.score.toFixed(1) + ' · ' + t(x.match ? 'cp.yes' : 'cp.no', { n: threshold }),
                 h('div', { class: 'muted' }, explain(x.explain || {})));
    }
    run.addEventListener('click', function () {
        if (!file.files.length) { clear(out).appendChild(h('p', { class: 'error-box' }, t('cp.needFile'))); return; }
        var f = file.files[0];
        clear(out).appendChild(h('p', { class: 'muted' }, t('app.loading')));
        api('POST', '/screen/compare?filename=' + encodeURIComponent(f.name), f, 'text/tab-separated-values').then(function (rows) {
            clear(out).appendChild(h('p', { class: 'cp-file-done' }, t('cp.fileDone', { n: rows.length })));
            out.appendChild(h('table', { class: 'cp-pairs' },
                h('thead', null, h('tr', null, ['cp.line', 'cp.name1', 'cp.name2', 'sc.schema', 'attest', 'ofac'].map(function (k) {
                    return h('th', null, k === 'attest' || k === 'ofac' ? k : t(k)); }))),
                h('tbody', null, rows.map(function (r) {
                    return h('tr', { 'data-line': String(r.line) }, h('td', { class: 'num' }, String(r.line)),
                             h('td', null, r.name1), h('td', null, r.name2), h('td', null, t('cp.type.' + (r.type || 'any'))),
                             cell(r.attest, r.threshold), cell(r.ofac, r.threshold));
                }))));
        }).catch(function (err) { clear(out).appendChild(A.errorBox(err)); });
    });
    return h('section', { id: 'cp-files', class: 'card' }, h('h2', null, t('cp.fileTitle')), h('p', { class: 'muted' }, t('cp.fileAbout')),
             h('div', { class: 'fields' }, A.labelled('cp-file', t('cp.file'), file)),
             h('div', { class: 'actions' }, run), out);
}

A.screenSections.push(section, fileForm);

})();
