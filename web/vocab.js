/*
 * vocab.js: the controlled vocabularies in the browser (#/vocab, or
 * #/vocab/NAME for one), as `attest vocab [NAME]` lists them: each
 * vocabulary's codes with their English and Korean labels, filtered as
 * one types (a code or a label in either language), so that an analyst
 * finds the code a CSV or KML import wants.
 */
'use strict';

(function () {

var A = window.ATTEST;
var h = A.h, clear = A.clear, t = A.t, api = A.api;

/* A vocabulary's heading: its field's label where it names one. */
function heading(name) {
    var label = A.fieldLabel(name);
    return h('h2', null, label, ' ', h('code', null, name));
}

function vocabTable(name, v, filter) {
    var f = filter.toLowerCase();
    var terms = v.terms.filter(function (term) {
        return !f || [name, term.code, term.label, term.label_ko].some(function (s) { return s.toLowerCase().indexOf(f) >= 0; });
    });
    if (!terms.length) return null;
    return h('section', { class: 'card vocab', 'data-vocab': name }, heading(name),
        A.state.lang === 'en' && v.about ? h('p', { class: 'muted' }, v.about) : null,
        h('table', null,
          h('thead', null, h('tr', null, ['vo.code', 'vo.en', 'vo.ko'].map(function (k) { return h('th', { scope: 'col' }, t(k)); }))),
          h('tbody', null, terms.map(function (term) {
              return h('tr', { 'data-code': term.code }, h('td', null, h('code', null, term.code)),
                       h('td', { lang: 'en' }, term.label), h('td', { lang: 'ko' }, term.label_ko));
          }))));
}

A.VIEWS.vocab = function (el, arg) {
    var filter = h('input', { id: 'vo-filter', type: 'search', autocomplete: 'off', 'aria-describedby': 'vo-filter-hint' });
    var out = h('div', { id: 'vo-list', 'aria-live': 'polite' });
    el.appendChild(h('h1', null, t('nav.vocab')));
    el.appendChild(h('p', { class: 'muted' }, t('vo.about')));
    el.appendChild(h('div', { class: 'field' }, h('label', { for: 'vo-filter' }, t('vo.filter')), filter,
                     h('span', { class: 'hint', id: 'vo-filter-hint' }, t('vo.filterHint'))));
    el.appendChild(out);
    api('GET', '/vocab').then(function (all) {
        var names = arg ? [arg] : Object.keys(all).sort();
        var show = function () {
            clear(out);
            names.forEach(function (name) {
                var table = all[name] ? vocabTable(name, all[name], filter.value.trim()) : null;
                if (table) out.appendChild(table);
            });
            if (!out.firstChild) out.appendChild(h('p', { class: 'empty' }, t(arg && !all[arg] ? 'vo.noSuch' : 'vo.none', { name: arg })));
        };
        filter.addEventListener('input', show);
        show();
    }).catch(function (e) { out.appendChild(A.errorBox(e)); });
};

})();
