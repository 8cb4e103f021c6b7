/*
 * link.js: record linkage started from the browser (#/link), as `attest
 * link persons|events` runs it: the type, the threshold and, when wanted,
 * the text of a linkage configuration.  The run's summary (records,
 * pairs compared, links, clusters, decisions respected, its model), a
 * link to the review of its doubtful pairs (#/review), and the clusters of
 * two or more records it made, each record by its title.
 */
'use strict';

(function () {

var A = window.ATTEST;
var h = A.h, clear = A.clear, t = A.t, api = A.api, field = A.labelled;

function recordItem(id) {
    var a = A.recordLink(id, id);
    if (A.titleOf) A.titleOf(id).then(function (title) {
        if (title) a.textContent = title + ' (' + id + ')';
    });
    return h('li', null, a);
}

function clusters(type, box) {
    return api('GET', '/link/clusters?type=' + type).then(function (x) {
        var list = x.clusters || [];
        clear(box).append(h('h2', null, t('ln.clustersTitle', { n: list.length })));
        if (!list.length) {
            box.appendChild(h('p', { class: 'muted', id: 'ln-no-clusters' }, t('ln.noClusters')));
            return;
        }
        box.appendChild(h('ol', { id: 'ln-clusters' }, list.map(function (c) {
            return h('li', { 'data-cluster': c.cluster },
                     h('span', { class: 'muted' }, t('ln.cluster', { id: c.cluster, n: c.records.length })),
                     h('ul', null, c.records.map(recordItem)));
        })));
    }).catch(function (e) { clear(box).appendChild(A.errorBox(e)); });
}

function summary(s) {
    var rows = [['ln.records', s.records], ['ln.pairs', s.pairs_compared], ['ln.links', s.links],
                ['ln.clusters', s.clusters], ['ln.decisions', s.decisions], ['ln.run', s.run],
                ['ln.model', s.model_version]];
    return h('section', { class: 'card', id: 'ln-result' },
        h('h2', null, t('ln.done', { type: t('ln.type.' + s.type) })),
        h('dl', null, rows.map(function (r) {
            return [h('dt', null, t(r[0])), h('dd', { 'data-field': r[0] }, String(r[1]))];
        })),
        h('p', null, A.hashLink('review?type=' + s.type, t('ln.toReview'))));
}

A.VIEWS.link = function (el, arg, params) {
    var err = h('p', { class: 'error-box', role: 'alert', hidden: true });
    var type = h('select', { id: 'ln-type', name: 'type', onchange: function () { clusters(type.value, box); } },
        ['person', 'event'].map(function (v) {
            return h('option', { value: v, selected: v === (params.type || 'person') }, t('ln.type.' + v));
        }));
    var threshold = h('input', { id: 'ln-threshold', name: 'threshold', inputmode: 'decimal', size: 6,
                                 placeholder: '0.8', 'aria-describedby': 'ln-threshold-hint' });
    var config = h('textarea', { id: 'ln-config', name: 'config', rows: 5, 'aria-describedby': 'ln-config-hint' });
    var run = h('button', { type: 'submit', class: 'primary', id: 'ln-run' }, t('ln.run'));
    var out = h('div', { id: 'ln-out' }), box = h('section', { class: 'card', id: 'ln-clusters-box' });
    var fields = { threshold: threshold, config: config, type: type };
    el.appendChild(h('h1', null, t('nav.link')));
    el.appendChild(h('form', { class: 'card', id: 'ln-form', novalidate: true, onsubmit: function (e) {
        e.preventDefault();
        err.hidden = true;
        var body = { type: type.value };
        if (threshold.value.trim()) body.threshold = Number(threshold.value.trim());
        if (config.value.trim()) body.config = config.value;
        run.disabled = true;
        A.say(t('ln.running'));
        api('POST', '/link/runs', body).then(function (s) {
            A.say(t('ln.done', { type: t('ln.type.' + s.type) }));
            clear(out).appendChild(summary(s));
            return clusters(s.type, box);
        }).catch(function (e2) {
            err.textContent = e2.message;
            err.hidden = false;
            (fields[e2.field] || threshold).focus();
        }).then(function () { run.disabled = false; });
    } },
        h('h2', null, t('ln.runTitle')), h('p', { class: 'muted' }, t('ln.about')), err,
        h('div', { class: 'fields' },
          field('ln-type', t('ln.typeLabel'), type),
          field('ln-threshold', t('ln.threshold'), threshold, t('ln.thresholdHint')),
          field('ln-config', t('ln.config'), config, t('ln.configHint'))),
        h('div', { class: 'actions' }, run)));
    el.appendChild(out);
    el.appendChild(box);
    return clusters(type.value, box);
};

})();
