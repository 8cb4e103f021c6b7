/*
 * lists.js: on the screening page, a new version of the UN consolidated
 * list loaded from its XML file (`attest lists import un FILE`; the file
 * goes to the server as it is and is kept there in memory only), and one
 * list entry shown as a version lists it (`attest lists show VERSION KEY`).
 */
'use strict';

(function () {

var A = window.ATTEST;
var h = A.h, clear = A.clear, t = A.t, api = A.api;

/* A value of an entry's document as text: strings as they are, a list
 * joined, an object's fields "field: value". */
function text(v) {
    if (Array.isArray(v)) return v.map(text).join('; ');
    if (v && typeof v === 'object') return Object.keys(v).map(function (k) { return k + ': ' + text(v[k]); }).join(', ');
    return String(v);
}

function entryView(doc) {
    var dl = h('dl', { class: 'kv ls-entry-doc' });
    Object.keys(doc).forEach(function (k) {
        dl.append(h('dt', null, k.replace(/_/g, ' ')), h('dd', { 'data-field': k }, text(doc[k])));
    });
    return dl;
}

function uploadForm() {
    var file = h('input', { id: 'ls-file', type: 'file', accept: '.xml,application/xml,text/xml' });
    var run = h('button', { type: 'button', id: 'ls-upload' }, t('ls.upload'));
    var done = h('div', { id: 'ls-done', 'aria-live': 'polite' });
    run.addEventListener('click', function () {
        if (!file.files.length) { clear(done).appendChild(h('p', { class: 'error-box' }, t('ls.needFile'))); return; }
        var f = file.files[0];
        clear(done).appendChild(h('p', { class: 'muted' }, t('app.loading')));
        api('POST', '/lists?source=un&filename=' + encodeURIComponent(f.name), f, 'application/xml').then(function (r) {
            clear(done).appendChild(h('p', { class: 'ls-imported', 'data-version': r.version },
                t(r.already ? 'ls.already' : 'ls.imported', { v: r.version, n: r.entries })));
        }).catch(function (err) { clear(done).appendChild(A.errorBox(err)); });
    });
    return h('div', null, h('h3', null, t('ls.uploadTitle')), h('p', { class: 'muted' }, t('ls.uploadAbout')),
             h('div', { class: 'fields' }, A.labelled('ls-file', t('ls.file'), file)),
             h('div', { class: 'actions' }, run), done);
}

function entryForm() {
    var version = h('input', { id: 'ls-version', value: 'un', size: 16 });
    var key = h('input', { id: 'ls-key', placeholder: 'KPe.001', size: 12 });
    var show = h('button', { type: 'submit', id: 'ls-show' }, t('ls.show'));
    var out = h('div', { id: 'ls-entry', 'aria-live': 'polite' });
    var form = h('form', null, h('h3', null, t('ls.entryTitle')),
                 h('div', { class: 'fields' }, A.labelled('ls-version', t('ls.version'), version, t('ls.versionHint')),
                   A.labelled('ls-key', t('ls.key'), key)),
                 h('div', { class: 'actions' }, show), out);
    form.addEventListener('submit', function (e) {
        e.preventDefault();
        clear(out).appendChild(h('p', { class: 'muted' }, t('app.loading')));
        api('GET', '/lists/' + encodeURIComponent(version.value.trim()) + '/entries/' + encodeURIComponent(key.value.trim()))
            .then(function (doc) { clear(out).appendChild(entryView(doc)); })
            .catch(function (err) { clear(out).appendChild(A.errorBox(err)); });
    });
    return form;
}

A.screenSections.push(function () {
    var role = A.state.me.role;
    return h('section', { id: 'ls', class: 'card' }, h('h2', null, t('ls.title')),
             role === 'partner' || role === 'public' ? null : uploadForm(), entryForm());
});

})();
