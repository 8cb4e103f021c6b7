/*
 * case.js: the case page (#/case/ID), loaded after app.js, whose view
 * table and helpers it uses (window.ATTEST).  It shows one trafficking
 * or overseas-labour case as GET /api/v1/cases/{id} gives it: the chain of
 * sales in order on a timeline with their prices and on a map (the places
 * the gazetteer knows, joined in order), the eleven ILO indicators, the
 * dependants, and the needs and referrals the user is cleared to see (the
 * API leaves out the others); and small forms, to put a sale into the
 * chain or take one out with a reason, and to set an indicator.  Text from the archive is set as text.
 */
'use strict';

(function () {

var A = window.ATTEST;
var h = A.h, t = A.t;

function price(sale) {
    if (sale.price === undefined) return t('case.noPrice');
    return Number(sale.price).toLocaleString(A.state.lang === 'ko' ? 'ko-KR' : 'en-GB') + ' ' + (sale.currency || '');
}

/* A party to a sale: a link when it is a record's id, else the words. */
function party(v) {
    if (!v) return '';
    return /^[a-z]{2}-[0-9a-z]{12}$/.test(v) ? A.recordLink(v) : v;
}

/* The chain as an ordered timeline: number, date, place, who, price;
 * removal(sale) gives each sale's "take out" box, or null. */
function timeline(chain, removal) {
    if (!chain.length) return h('p', { class: 'muted' }, t('case.noChain'));
    return h('ol', { class: 'case-timeline', 'aria-label': t('case.timeline') }, chain.map(function (s) {
        var who = [];
        if (s.seller) who.push(h('span', null, t('case.seller') + ': ', party(s.seller)));
        if (s.buyer) who.push(h('span', null, ' → ' + t('case.buyer') + ': ', party(s.buyer)));
        if (s.broker) who.push(h('span', null, ' (' + t('case.broker') + ': ', party(s.broker), ')'));
        return h('li', { 'data-sale': String(s.n) },
                 h('span', { class: 'case-step' }, String(s.n)),
                 h('div', null,
                   h('strong', null, s.date || t('case.noDate')), ' · ', s.place || '', s.region ? h('span', { class: 'muted' }, ' (' + s.region + ')') : null,
                   h('div', null, who),
                   h('div', { class: 'case-price' }, t('case.price') + ': ' + price(s)),
                   s.note ? h('div', { class: 'muted' }, s.note) : null,
                   removal ? removal(s) : null));
    }));
}

/* Taking sale s out of the chain (`attest case sale remove`): the reason
 * asked, kept in the case's history. */
function removeBox(c, done) {
    return function (s) {
        var id = 'case-remove-' + s.n;
        var reason = h('input', { id: id, name: 'reason', autocomplete: 'off', required: true });
        var err = h('p', { class: 'error-box', role: 'alert', hidden: true });
        return h('details', { class: 'sale-remove' }, h('summary', null, t('case.removeSale')),
            h('form', { novalidate: true, onsubmit: function (e) {
                e.preventDefault();
                A.api('POST', '/cases/' + encodeURIComponent(c.id) + '/sales/' + s.n + '/remove',
                      { reason: reason.value.trim() }).then(done).catch(function (x) {
                    err.hidden = false;
                    err.textContent = x.message;
                    reason.focus();
                });
            } }, err, h('label', { for: id }, t('case.removeReason')), ' ', reason, ' ',
              h('button', { type: 'submit', class: 'danger' }, t('case.removeDo'))));
    };
}

/* The places of the chain on a map, numbered and joined in order. */
function chainMap(el, chain) {
    var placed = chain.filter(function (s) { return s.lat !== undefined && s.lon !== undefined; });
    var mapEl = h('div', { class: 'place-map case-map', id: 'case-map' });
    el.appendChild(mapEl);
    if (placed.length < chain.length)
        el.appendChild(h('p', { class: 'muted' }, t('case.unplaced', { n: chain.length - placed.length })));
    if (!placed.length || !window.L) return;
    var map = A.makeMap(mapEl, [placed[0].lat, placed[0].lon], 7);
    var points = placed.map(function (s) { return [s.lat, s.lon]; });
    placed.forEach(function (s) {
        L.marker([s.lat, s.lon], { icon: L.divIcon({ className: 'case-pin', html: '', iconSize: [22, 22] }),
                                   title: t('case.sale', { n: s.n }) + ': ' + (s.place || '') })
            .bindTooltip(String(s.n), { permanent: true, direction: 'center', className: 'case-pin-label' })
            .bindPopup(h('div', null, h('strong', null, t('case.sale', { n: s.n })), h('br'),
                         (s.date || t('case.noDate')) + ' · ' + (s.place || ''), h('br'), price(s)))
            .addTo(map);
    });
    if (points.length > 1) {
        L.polyline(points, { color: '#7a3b8f', weight: 2, dashArray: '6 4' }).addTo(map);
        map.fitBounds(L.latLngBounds(points).pad(0.3));
    }
}

function checklist(rows) {
    return h('table', { class: 'list case-checklist' },
        h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('case.indicator')), h('th', { scope: 'col' }, t('case.status')),
                           h('th', { scope: 'col' }, t('case.note')), h('th', { scope: 'col' }, t('case.source')))),
        h('tbody', null, rows.map(function (r) {
            return h('tr', { class: 'ind-' + r.status, 'data-indicator': r.code },
                     h('th', { scope: 'row' }, A.state.lang === 'ko' ? r.label_ko : r.label),
                     h('td', null, (r.status === 'observed' ? '✓ ' : '') + A.vocabLabel('indicator_status', r.status)),
                     h('td', null, r.note || ''), h('td', null, r.source ? A.recordLink(r.source) : ''));
        })));
}

/* Dependants or referrals: one row each, fields labelled. */
function related(title, docs, fields, id) {
    var body = docs.length ? h('table', { class: 'list' },
        h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'ID'), fields.map(function (f) {
            return h('th', { scope: 'col' }, A.fieldLabel(f[0]));
        }))),
        h('tbody', null, docs.map(function (d) {
            return h('tr', null, h('td', null, A.recordLink(d.id)), fields.map(function (f) {
                var v = d.data[f[0]];
                return h('td', null, v === undefined ? '' : f[1] ? A.vocabLabel(f[1], v) : String(v));
            }));
        }))) : h('p', { class: 'muted' }, t('case.noneCleared'));
    return h('section', { class: 'card', id: id }, h('h2', null, title), body);
}

function labour(d) {
    var rows = [];
    [['employer', null], ['country', null], ['sector', 'labour_sector'], ['period', null]].forEach(function (f) {
        if (d[f[0]] === undefined) return;
        rows.push(h('dt', null, A.fieldLabel(f[0])),
                  h('dd', null, f[0] === 'employer' ? A.recordLink(d.employer) : f[1] ? A.vocabLabel(f[1], d[f[0]]) : d[f[0]]));
    });
    if (d.wage_amount !== undefined)
        rows.push(h('dt', null, t('case.wage')),
                  h('dd', null, d.wage_amount + ' ' + (d.wage_currency || '') + (d.wage_per ? ' / ' + A.vocabLabel('wage_period', d.wage_per) : '')));
    if (d.share_taken !== undefined)
        rows.push(h('dt', null, t('case.share')), h('dd', null, d.share_taken + '%'));
    return h('section', { class: 'card' }, h('h2', null, t('case.labour')), h('dl', { class: 'kv' }, rows));
}

function input(name, label, attrs) {
    var id = 'case-' + name;
    var el = h('input', Object.assign({ id: id, name: name, autocomplete: 'off' }, attrs || {}));
    return { el: el, row: h('div', { class: 'field' }, h('label', { for: id }, label), el) };
}

function saleForm(c, done) {
    var fields = ['seller', 'buyer', 'broker', 'place', 'date', 'price', 'currency', 'note'];
    var inputs = {};
    fields.forEach(function (f) {
        inputs[f] = f === 'currency' ? { el: h('select', { id: 'case-currency', name: 'currency' }, A.vocabOptions('currency', 'CNY')) }
                                     : input(f, f === 'price' ? t('case.price') : A.fieldLabel(f), f === 'price' ? { inputmode: 'decimal' } : null);
        if (f === 'currency') inputs[f].row = h('div', { class: 'field' }, h('label', { for: 'case-currency' }, A.fieldLabel('currency')), inputs[f].el);
    });
    var before = input('before', t('case.before'), { inputmode: 'numeric' });
    var err = h('p', { class: 'error-box', role: 'alert', hidden: true });
    var form = h('form', { class: 'case-form', id: 'case-sale-form' }, err,
                 fields.map(function (f) { return inputs[f].row; }), before.row,
                 h('button', { type: 'submit', class: 'primary' }, t('case.addSale')));
    form.addEventListener('submit', function (e) {
        e.preventDefault();
        var sale = {};
        fields.forEach(function (f) {
            var v = inputs[f].el.value.trim();
            if (v !== '') sale[f] = f === 'price' ? Number(v) : v;
        });
        if (sale.price === undefined) delete sale.currency;
        var body = { sale: sale };
        if (before.el.value.trim() !== '') body.before = Number(before.el.value);
        A.api('POST', '/cases/' + encodeURIComponent(c.id) + '/sales', body).then(done).catch(function (x) {
            err.hidden = false;
            err.textContent = x.message;
        });
    });
    return h('section', { class: 'card' }, h('h2', null, t('case.addSale')), form);
}

function indicatorForm(c, done) {
    var ind = h('select', { id: 'case-indicator', name: 'indicator' }, A.vocabOptions('ilo_indicator', ''));
    var status = h('select', { id: 'case-status', name: 'status' }, A.vocabOptions('indicator_status', 'observed'));
    var note = input('ind-note', t('case.note'));
    var err = h('p', { class: 'error-box', role: 'alert', hidden: true });
    var form = h('form', { class: 'case-form', id: 'case-indicator-form' }, err,
                 h('div', { class: 'field' }, h('label', { for: 'case-indicator' }, t('case.indicator')), ind),
                 h('div', { class: 'field' }, h('label', { for: 'case-status' }, t('case.status')), status), note.row,
                 h('button', { type: 'submit', class: 'primary' }, t('case.setIndicator')));
    form.addEventListener('submit', function (e) {
        e.preventDefault();
        var body = { indicator: ind.value, status: status.value };
        if (note.el.value.trim()) body.note = note.el.value.trim();
        A.api('POST', '/cases/' + encodeURIComponent(c.id) + '/indicators', body).then(done).catch(function (x) {
            err.hidden = false;
            err.textContent = x.message;
        });
    });
    return h('section', { class: 'card' }, h('h2', null, t('case.setIndicator')), form);
}

function render(el, c) {
    var d = c.data || {};
    var rerender = function (fresh) { A.clear(el); A.state.cleanup.forEach(function (f) { f(); }); A.state.cleanup = []; render(el, fresh); A.say(t('case.saved')); };
    el.appendChild(h('p', { class: 'crumbs' }, A.hashLink('records?type=case', A.typeLabel('case'))));
    el.appendChild(h('h1', null, t('case.title') + ': ' + (d.summary || c.id)));
    el.appendChild(h('p', { class: 'badges' },
        h('span', { class: 'badge' }, A.vocabLabel('case_kind', d.kind)),
        d.status ? h('span', { class: 'badge' }, A.vocabLabel('case_status', d.status)) : null,
        h('span', { class: 'badge' }, A.vocabLabel('clearance', c.clearance)),
        A.hashLink('record/' + encodeURIComponent(c.id), c.id)));
    if (d.person) el.appendChild(h('p', null, t('case.person') + ': ', A.recordLink(d.person)));
    var left = h('div', { class: 'col' });
    var right = h('div', { class: 'col' });
    var writer = ['admin', 'officer', 'investigator', 'analyst'].indexOf(A.state.me.role) >= 0;
    if (d.kind === 'overseas_labour') {
        left.appendChild(labour(d));
    } else {
        var chainCard = h('section', { class: 'card', id: 'case-chain' }, h('h2', null, t('case.chain')),
                          timeline(c.chain || [], writer ? removeBox(c, rerender) : null));
        left.appendChild(chainCard);
        var mapCard = h('section', { class: 'card' }, h('h2', null, t('case.map')));
        left.appendChild(mapCard);
        setTimeout(function () { chainMap(mapCard, c.chain || []); }, 0);
    }
    left.appendChild(h('section', { class: 'card', id: 'case-checklist' }, h('h2', null, t('case.checklist')),
                       checklist(c.checklist || [])));
    right.appendChild(related(t('case.dependants'), c.dependants || [],
                              [['relationship'], ['sex', 'sex'], ['birth_date'], ['citizenship', 'citizenship_status'],
                               ['birth_registration', 'birth_registration'], ['schooling', 'schooling']], 'case-dependants'));
    right.appendChild(related(t('case.referrals'), c.referrals || [],
                              [['need', 'need_kind'], ['status', 'referral_status'], ['help_given'], ['by'], ['date']],
                              'case-referrals'));
    if (d.kind !== 'overseas_labour') right.appendChild(saleForm(c, rerender));
    right.appendChild(indicatorForm(c, rerender));
    el.appendChild(h('div', { class: 'record-layout' }, left, right));
}

A.VIEWS.case = function (el, id) {
    return A.api('GET', '/cases/' + encodeURIComponent(id)).then(function (c) { render(el, c); });
};

})();
