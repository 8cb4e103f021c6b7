/*
 * estimates.js: multiple systems estimation in the browser (#/estimates),
 * as `attest estimate` runs it: from lists of sources in the archive (by
 * stratum, at a tree head) or from a table of counts (typed, or a CSV file
 * read on the page), with any of the methods and their options.  The
 * result shows documented against estimated with the interval, the
 * warnings in full and the chart the server draws in the page's language;
 * an estimate from the archive is stored when the role may write.  The
 * stored estimates are listed, and each has its page (#/estimates/ID)
 * with what it was computed from, its figures and its chart.
 */
'use strict';

(function () {

var A = window.ATTEST;
var h = A.h, clear = A.clear, t = A.t, api = A.api;

var METHODS = ['loglinear', 'dga', 'lcmcr', 'chapman'];
var STRATA = ['', 'province', 'period', 'act'];

function num(v) {
    return typeof v === 'number' ? Math.round(v).toLocaleString(A.state.lang === 'ko' ? 'ko-KR' : 'en-US') : '–';
}

function methodLabel(m) { return m ? t('es.m.' + m) : ''; }

/* The strata as a table: documented, estimated, the interval, SE, method, model. */
function reportTable(doc) {
    return h('table', { class: 'list es-report' },
        h('caption', { class: 'muted' }, t('es.reportCaption')),
        h('thead', null, h('tr', null, ['es.stratum', 'es.documented', 'es.estimated', 'es.interval', 'es.se',
                                          'es.method', 'es.model'].map(function (k) {
            return h('th', { scope: 'col', class: k === 'es.stratum' || k === 'es.method' || k === 'es.model' ? null : 'num' }, t(k));
        }))),
        h('tbody', null, (doc.strata || []).map(function (r) {
            var stratum = r.stratum === 'all' ? t('es.all') : r.stratum;
            if (r.error) return h('tr', { 'data-stratum': r.stratum }, h('th', { scope: 'row' }, stratum),
                                  h('td', { class: 'num' }, num(r.documented)),
                                  h('td', { colspan: 5 }, t('es.notEstimated', { why: r.error })));
            return h('tr', { 'data-stratum': r.stratum },
                h('th', { scope: 'row' }, stratum), h('td', { class: 'num' }, num(r.documented)),
                h('td', { class: 'num es-estimate' }, num(r.estimate)),
                h('td', { class: 'num' }, num(r.lower) + ' – ' + num(r.upper)), h('td', { class: 'num' }, num(r.se)),
                h('td', null, methodLabel(r.method)), h('td', null, r.model || ''));
        })));
}

/* Every warning in full, the strata's and the estimate's. */
function warnings(doc) {
    var all = [];
    (doc.strata || []).forEach(function (r) {
        (r.warnings || []).forEach(function (w) { all.push((r.stratum === 'all' ? '' : r.stratum + ': ') + w); });
    });
    (doc.warnings || []).forEach(function (w) { all.push(w); });
    if (!all.length) return null;
    return h('section', { class: 'card es-warnings' }, h('h3', null, t('es.warnings')),
             h('ul', null, all.map(function (w) { return h('li', null, w); })));
}

function chartImage(src, alt) {
    var note = h('p', { class: 'muted es-nochart', hidden: true }, t('es.noChart'));
    var img = h('img', { class: 'chart es-chart', alt: alt, src: src, onerror: function () {
        img.hidden = true;
        note.hidden = false;
    } });
    return h('div', null, img, note);
}

/* What an estimate from the archive was computed from. */
function provenance(doc) {
    var head = doc.tree_head || {}, link = doc.linkage || {};
    var rows = [['es.id', doc.id], ['es.version', doc.version], ['es.lists', doc.lists_spec],
                ['es.treeHead', head.size ? t('es.treeHeadText', { size: head.size, when: A.when(head.signed_at) }) : null],
                ['es.linkage', t('es.linkageText', { n: link.persons_clustered || 0 })],
                ['es.clearance', doc.clearance ? A.vocabLabel('clearance', doc.clearance) : null],
                ['es.computed', doc.computed_by ? t('es.computedText', { who: doc.computed_by, when: A.when(doc.computed_at) }) : null]];
    return h('dl', { class: 'es-provenance' }, rows.filter(function (r) { return r[1] !== undefined && r[1] !== null; })
        .map(function (r) { return [h('dt', null, t(r[0])), h('dd', { 'data-field': r[0] }, String(r[1]))]; }));
}

function result(doc) {
    var chart = doc.chart ? chartImage('data:image/svg+xml;charset=utf-8,' + encodeURIComponent(doc.chart), t('es.chart'))
                          : h('p', { class: 'muted es-nochart' }, t('es.noChart'));
    return h('section', { class: 'card', id: 'es-result' },
        h('h2', null, t('es.result')),
        h('p', { id: 'es-stored' }, doc.source === 'counts' ? t('es.fromCounts')
            : doc.stored ? h('span', null, t('es.stored') + ' ', A.hashLink('estimates/' + encodeURIComponent(doc.id), doc.id))
            : t('es.notStored')),
        reportTable(doc), chart, warnings(doc));
}

function field(id, label, input, hint) {
    return h('div', { class: 'field' }, h('label', { for: id }, label), input,
             hint ? h('span', { class: 'hint' }, hint) : null);
}

function options(values, label, selected) {
    return values.map(function (v) { return h('option', { value: v, selected: v === selected }, label(v)); });
}

function form(onDone) {
    var err = h('p', { class: 'error-box', role: 'alert', hidden: true });
    var source = h('select', { id: 'es-source', name: 'source', onchange: show },
        h('option', { value: 'lists' }, t('es.fromLists')), h('option', { value: 'counts' }, t('es.fromTable')));
    var lists = h('textarea', { id: 'es-lists', name: 'lists', rows: 3,
                                placeholder: 'NGO-A=interview,interviewer:NGO-A*;UN=document,publisher:UN*' });
    var strata = h('select', { id: 'es-strata', name: 'strata' }, options(STRATA, function (s) { return t('es.strata.' + (s || 'none')); }, ''));
    var at = h('input', { id: 'es-at', name: 'at', inputmode: 'numeric', size: 8 });
    var counts = h('textarea', { id: 'es-counts', name: 'counts', rows: 6, placeholder: 'A,B,C,count\n1,0,0,120\n0,1,0,95\n…' });
    var file = h('input', { id: 'es-file', type: 'file', accept: '.csv,text/csv', onchange: function () {
        if (!file.files[0]) return;
        file.files[0].text().then(function (x) { counts.value = x; });
    } });
    var method = h('select', { id: 'es-method', name: 'method', onchange: show }, options(METHODS, methodLabel, 'loglinear'));
    var criterion = h('select', { id: 'es-criterion', name: 'criterion' },
        h('option', { value: 'bic' }, 'BIC'), h('option', { value: 'aic' }, 'AIC'));
    var lc = {};
    [['seed', 1], ['classes', 10], ['burnin', 10000], ['samples', 1000], ['thinning', 100]].forEach(function (x) {
        lc[x[0]] = h('input', { id: 'es-' + x[0], name: x[0], inputmode: 'numeric', size: 8, value: String(x[1]) });
    });
    var fromLists = h('div', { class: 'fields', id: 'es-lists-fields' },
        field('es-lists', t('es.listsLabel'), lists, t('es.listsHint')), field('es-strata', t('es.strataLabel'), strata),
        field('es-at', t('es.atLabel'), at, t('es.atHint')));
    var fromCounts = h('div', { class: 'fields', id: 'es-counts-fields', hidden: true },
        field('es-counts', t('es.countsLabel'), counts, t('es.countsHint')), field('es-file', t('es.fileLabel'), file));
    var crit = field('es-criterion', t('es.criterion'), criterion);
    var chain = h('fieldset', { id: 'es-chain', hidden: true }, h('legend', null, t('es.chain')),
        h('div', { class: 'fields' }, Object.keys(lc).map(function (k) { return field('es-' + k, t('es.lc.' + k), lc[k]); })));
    var run = h('button', { type: 'submit', class: 'primary', id: 'es-run' }, t('es.run'));
    var fields = { lists: lists, counts: counts, strata: strata, at: at, method: method, criterion: criterion };
    Object.keys(lc).forEach(function (k) { fields[k] = lc[k]; });
    function show() {
        fromLists.hidden = source.value !== 'lists';
        fromCounts.hidden = source.value !== 'counts';
        crit.hidden = method.value !== 'loglinear';
        chain.hidden = method.value !== 'lcmcr';
    }
    return h('form', { class: 'card', id: 'es-form', novalidate: true, onsubmit: function (e) {
        e.preventDefault();
        err.hidden = true;
        var body = { method: method.value };
        if (source.value === 'lists') {
            body.lists = lists.value.trim();
            if (strata.value) body.strata = strata.value;
            if (at.value.trim()) body.at = Number(at.value.trim());
        } else {
            body.counts = counts.value;
        }
        if (method.value === 'loglinear') body.criterion = criterion.value;
        if (method.value === 'lcmcr') Object.keys(lc).forEach(function (k) {
            if (lc[k].value.trim()) body[k] = Number(lc[k].value.trim());
        });
        run.disabled = true;
        A.say(t('es.running'));
        api('POST', '/estimates?lang=' + A.state.lang, body).then(function (doc) {
            A.say(t('es.done'));
            onDone(doc);
        }).catch(function (e2) {
            err.textContent = e2.message;
            err.hidden = false;
            (fields[e2.field] || (source.value === 'lists' ? lists : counts)).focus();
        }).then(function () { run.disabled = false; });
    } },
        h('h2', null, t('es.runTitle')), h('p', { class: 'muted' }, t('es.about')), err,
        h('div', { class: 'fields' }, field('es-source', t('es.source'), source),
          field('es-method', t('es.method'), method), crit),
        fromLists, fromCounts, chain, h('div', { class: 'actions' }, run));
}

function storedList(list) {
    if (!list.length) return h('p', { class: 'muted', id: 'es-none' }, t('es.none'));
    return h('table', { class: 'list', id: 'es-list' },
        h('caption', { class: 'muted' }, t('es.listCaption')),
        h('thead', null, h('tr', null, ['es.id', 'es.method', 'es.strataCount', 'es.lists', 'es.computed'].map(function (k) {
            return h('th', { scope: 'col' }, t(k));
        }))),
        h('tbody', null, list.map(function (e) {
            return h('tr', { 'data-estimate': e.id },
                h('td', null, A.hashLink('estimates/' + encodeURIComponent(e.id), e.id)),
                h('td', null, methodLabel(e.method)), h('td', { class: 'num' }, String(e.strata)),
                h('td', null, h('code', null, e.lists_spec || '')),
                h('td', null, t('es.computedText', { who: e.computed_by || '', when: A.when(e.computed_at) })));
        })));
}

function one(el, id) {
    el.appendChild(h('h1', null, t('es.oneTitle', { id: id })));
    el.appendChild(h('p', null, A.hashLink('estimates', t('es.back'))));
    return api('GET', '/estimates/' + encodeURIComponent(id)).then(function (doc) {
        A.append(el, [h('section', { class: 'card' }, provenance(doc)),
                      h('section', { class: 'card', id: 'es-shown' }, reportTable(doc),
                        chartImage('/api/v1/estimates/' + encodeURIComponent(id) + '/chart?lang=' + A.state.lang,
                                   t('es.chart'))),
                      warnings(doc)]);
    }).catch(function (e) { el.appendChild(A.errorBox(e)); });
}

A.VIEWS.estimates = function (el, arg) {
    if (arg) return one(el, arg);
    var out = h('div', { id: 'es-out' }), listBox = h('section', { class: 'card', id: 'es-stored-list' });
    function reload() {
        return api('GET', '/estimates').then(function (x) {
            clear(listBox).append(h('h2', null, t('es.storedTitle')), storedList(x.estimates || []));
        }).catch(function (e) { clear(listBox).appendChild(A.errorBox(e)); });
    }
    el.appendChild(h('h1', null, t('nav.estimates')));
    el.appendChild(form(function (doc) {
        clear(out).appendChild(result(doc));
        reload();
    }));
    el.appendChild(out);
    el.appendChild(listBox);
    return reload();
};

})();
