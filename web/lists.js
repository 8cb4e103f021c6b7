/*
 * lists.js: on the screening page, a new version of the UN consolidated
 * list loaded from its XML file (`attest lists import un FILE`; the file
 * goes to the server as it is and is kept there in memory only), a new
 * version of OFAC's list from its files (`attest lists import ofac DIR`:
 * the CSV files chosen together are sent as one tar archive, made here
 * with each file's own modification time; a tar or zip archive the user
 * made is sent as it is), and one list entry shown as a version lists it
 * (`attest lists show VERSION KEY`).
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

/* A ustar archive of files, as a Blob: a 512-byte header for each (its
 * name, size and modification time), its bytes padded to 512, then two
 * empty blocks. */
function tarOf(files) {
    var parts = [];
    files.forEach(function (f) {
        var head = new Uint8Array(512), sum = 0;
        function put(at, text) { for (var i = 0; i < text.length; i++) head[at + i] = text.charCodeAt(i) & 0xff; }
        function octal(n, width) { var o = n.toString(8); while (o.length < width - 1) o = '0' + o; return o; }
        put(0, unescape(encodeURIComponent(f.name)).slice(0, 100));
        put(100, '0000644'); put(108, '0000000'); put(116, '0000000');
        put(124, octal(f.size, 12)); put(136, octal(Math.floor(f.lastModified / 1000), 12));
        put(148, '        '); put(156, '0'); put(257, 'ustar'); put(263, '00');
        for (var i = 0; i < 512; i++) sum += head[i];
        put(148, octal(sum, 7)); head[154] = 0; head[155] = 32;
        parts.push(head, f, new Uint8Array((512 - f.size % 512) % 512));
    });
    parts.push(new Uint8Array(1024));
    return new Blob(parts, { type: 'application/x-tar' });
}

function ofacForm() {
    var files = h('input', { id: 'ls-ofac-files', type: 'file', multiple: 'multiple', accept: '.csv,.tar,.zip,text/csv' });
    var date = h('input', { id: 'ls-ofac-date', placeholder: 'YYYY-MM-DD', size: 12 });
    var run = h('button', { type: 'button', id: 'ls-ofac-upload' }, t('ls.upload'));
    var done = h('div', { id: 'ls-ofac-done', 'aria-live': 'polite' });
    run.addEventListener('click', function () {
        var chosen = Array.prototype.slice.call(files.files);
        if (!chosen.length) { clear(done).appendChild(h('p', { class: 'error-box' }, t('ls.ofacNeedFiles'))); return; }
        var packed = chosen.length === 1 && /\.(tar|zip)$/i.test(chosen[0].name);
        var name = packed ? chosen[0].name : 'ofac.tar';
        var q = '/lists?source=ofac&filename=' + encodeURIComponent(name) +
            (date.value.trim() ? '&date=' + encodeURIComponent(date.value.trim()) : '');
        clear(done).appendChild(h('p', { class: 'muted' }, t('app.loading')));
        api('POST', q, packed ? chosen[0] : tarOf(chosen), 'application/octet-stream').then(function (r) {
            clear(done).appendChild(h('p', { class: 'ls-imported', 'data-version': r.version },
                t(r.already ? 'ls.already' : 'ls.imported', { v: r.version, n: r.entries })));
        }).catch(function (err) { clear(done).appendChild(A.errorBox(err)); });
    });
    return h('div', null, h('h3', null, t('ls.ofacTitle')), h('p', { class: 'muted' }, t('ls.ofacAbout')),
             h('div', { class: 'fields' }, A.labelled('ls-ofac-files', t('ls.ofacFiles'), files, t('ls.ofacFilesHint')),
               A.labelled('ls-ofac-date', t('ls.ofacDate'), date, t('ls.ofacDateHint'))),
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
             role === 'partner' || role === 'public' ? null : uploadForm(),
             role === 'partner' || role === 'public' ? null : ofacForm(), entryForm());
});

})();
