/*
 * sync_files.js: packs as files, a section of the peers page, for a peer
 * the network does not reach (a pack carried on a USB stick): download a
 * pack for a pinned peer (`attest sync export --to NAME [--since MARK]`,
 * GET /api/v1/sync/export), and import a pack received
 * (`attest sync import PACK`, POST /api/v1/sync/import with the file as
 * the body).  The server's checks and messages are the CLI's: a pack not
 * for this archive, not signed by a pinned peer, cut short or altered is
 * refused whole and the page says nothing was imported.
 */
'use strict';

(function () {

var A = window.ATTEST;
var h = A.h, clear = A.clear, t = A.t, api = A.api;

/* What an import did, as the CLI prints it. */
function imported(x) {
    var s = x.imported;
    return h('p', { id: 'pf-imported', role: 'status' },
             t('pkf.imported', { name: x.filename, versions: s.versions, items: s.items, files: s.files,
                                held: s.already_held, conflicts: s.conflicts }));
}

function exportForm() {
    var peer = h('select', { id: 'pf-peer', name: 'to' });
    var since = h('input', { id: 'pf-since', name: 'since', autocomplete: 'off', spellcheck: 'false',
                             'aria-describedby': 'pf-since-hint' });
    var err = h('p', { class: 'error-box', role: 'alert', id: 'pf-export-error', hidden: true });
    var done = h('p', { role: 'status', id: 'pf-exported' });
    var run = h('button', { type: 'submit', class: 'primary', id: 'pf-export' }, t('pkf.export'));
    var form = h('form', { id: 'pf-export-form', novalidate: true, onsubmit: function (e) {
        e.preventDefault();
        err.hidden = true;
        done.textContent = '';
        var q = '?to=' + encodeURIComponent(peer.value) + (since.value.trim() ? '&since=' + encodeURIComponent(since.value.trim()) : '');
        var name = 'attest-to-' + peer.value + '.pack';
        run.disabled = true;
        fetch('/api/v1/sync/export' + q, { credentials: 'same-origin' }).then(function (res) {
            if (res.ok) return res.blob();
            return res.json().catch(function () { return {}; }).then(function (x) {
                throw new Error((x.error && x.error.message) || res.statusText);
            });
        }).then(function (blob) {
            var a = h('a', { href: URL.createObjectURL(blob), download: name, hidden: true });
            document.body.appendChild(a);
            a.click();
            setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
            done.textContent = t('pkf.exported', { name: name, bytes: blob.size });
        }).catch(function (e2) {
            err.textContent = e2.message;
            err.hidden = false;
        }).then(function () { run.disabled = !peer.value; });
    } },
        h('h3', null, t('pkf.exportTitle')), err,
        h('div', { class: 'fields' },
          A.labelled('pf-peer', t('pkf.peer'), peer),
          A.labelled('pf-since', t('pkf.since'), since, t('pkf.sinceHint'))),
        h('div', { class: 'actions' }, run), done);
    form.show = function (status) {
        clear(peer).append.apply(peer, status.peers.map(function (p) {
            return h('option', { value: p.name }, p.name);
        }));
        run.disabled = !status.peers.length;
    };
    return form;
}

function importForm(reload) {
    var file = h('input', { id: 'pf-file', name: 'pack', type: 'file', accept: '.pack' });
    var err = h('p', { class: 'error-box', role: 'alert', id: 'pf-import-error', hidden: true });
    var out = h('div', { id: 'pf-import-out', 'aria-live': 'polite' });
    var run = h('button', { type: 'submit', class: 'primary', id: 'pf-import' }, t('pkf.import'));
    return h('form', { id: 'pf-import-form', novalidate: true, onsubmit: function (e) {
        e.preventDefault();
        err.hidden = true;
        clear(out);
        var f = file.files[0];
        if (!f) {
            err.textContent = t('pkf.chooseFile');
            err.hidden = false;
            file.focus();
            return;
        }
        run.disabled = true;
        api('POST', '/sync/import?filename=' + encodeURIComponent(f.name), f, 'application/octet-stream').then(function (x) {
            out.appendChild(imported(x));
            reload();
        }).catch(function (e2) {
            err.textContent = e2.message + ' ' + t('pkf.nothing');
            err.hidden = false;
            file.focus();
        }).then(function () { run.disabled = false; });
    } },
        h('h3', null, t('pkf.importTitle')), err,
        h('div', { class: 'fields' }, A.labelled('pf-file', t('pkf.file'), file, t('pkf.fileHint'))),
        h('div', { class: 'actions' }, run), out);
}

/* The section, with show(status) to fill in the pinned peers. */
A.packFilesSection = function (reload) {
    var exp = exportForm();
    return {
        el: h('section', { class: 'card', id: 'pack-files' }, h('h2', null, t('pkf.title')),
              h('p', { class: 'muted' }, t('pkf.about')), exp, importForm(reload)),
        show: exp.show
    };
};

})();
