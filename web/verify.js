/*
 * verify.js: what proves the archive sound, in the browser, as `attest
 * prove`, `attest verify` and `attest verify-bundle` do: on a record's
 * page, its proof of inclusion in the signed log (the tree size and root
 * it is proved against, and the JSON to download and keep); the page
 * #/verify, where an admin recomputes the whole archive (the vault's files
 * re-hashed only when asked), anyone proves that the log an older signed
 * tree head signed is a prefix of the newest (`attest prove --consistency
 * OLD_SIZE`) and anyone checks an evidence bundle (.tar) with no archive,
 * the verdict shown as core gives it.
 */
'use strict';

(function () {

var A = window.ATTEST;
var h = A.h, clear = A.clear, t = A.t, api = A.api, field = A.labelled;

function kv(pairs) {
    var dl = h('dl', { class: 'kv' });
    pairs.forEach(function (p) { dl.append(h('dt', null, t(p[0])), h('dd', null, p[1])); });
    return dl;
}

/* A record's proof of inclusion, asked for on demand. */
A.recordSections.push(function (doc) {
    var q = '?version=' + encodeURIComponent(doc.version);
    var path = '/records/' + encodeURIComponent(doc.id) + '/proof' + q;
    var out = h('div', { id: 'proof-out' });
    var show = h('button', { type: 'button', id: 'proof-show' }, t('pf.show'));
    show.addEventListener('click', function () {
        show.disabled = true;
        api('GET', path).then(function (p) {
            clear(out).append(
                h('p', null, t('pf.proved', { version: doc.version, index: p.leaf_index, size: p.tree_head.size })),
                kv([['pf.size', String(p.tree_head.size)], ['pf.root', h('code', { id: 'proof-root' }, p.tree_head.root)],
                    ['pf.signedAt', A.when(p.tree_head.signed_at)], ['pf.leaf', String(p.leaf_index)],
                    ['pf.steps', String(p.inclusion_proof.length)]]),
                h('p', null, h('a', { href: '/api/v1' + path + '&download=1', id: 'proof-download',
                                      download: 'proof-' + doc.id + '-v' + doc.version + '.json' }, t('pf.download')),
                  ' ', h('span', { class: 'muted' }, t('pf.howTo'))));
        }).catch(function (e) { clear(out).appendChild(A.errorBox(e)); show.disabled = false; });
    });
    return h('section', { class: 'proof', id: 'proof' }, h('h2', null, t('pf.title')),
             h('p', { class: 'muted' }, t('pf.about')), show, out);
});

function verdictBox(id, sound, title, problem, details) {
    return h('section', { class: 'card', id: id, 'data-sound': String(sound), 'aria-live': 'polite' },
        h('h2', null, title), sound ? null : h('p', { class: 'error-box', role: 'alert' }, problem), details);
}

function verifyForm() {
    var vault = h('input', { type: 'checkbox', id: 'vf-vault' });
    var full = h('input', { type: 'checkbox', id: 'vf-full' });
    var run = h('button', { type: 'submit', class: 'primary', id: 'vf-run' }, t('vf.run'));
    var out = h('div', { id: 'vf-out' });
    return h('form', { class: 'card', id: 'vf-form', novalidate: true, onsubmit: function (e) {
        e.preventDefault();
        run.disabled = true;
        clear(out);
        A.say(t('vf.running'));
        api('POST', '/verify', { vault: vault.checked, full: full.checked }).then(function (v) {
            A.say('');
            out.appendChild(verdictBox('vf-result', v.sound, t(v.sound ? 'vf.sound' : 'vf.unsound'), v.problem, kv([
                ['vf.entries', t('vf.entriesText', { n: v.log_entries, versions: v.record_versions, items: v.log_items })],
                ['vf.heads', String(v.heads)],
                ['vf.vault', v.vault_checked ? t('vf.vaultText', { n: v.vault_files, bytes: v.vault_bytes }) : t('vf.vaultNot')]])));
        }).catch(function (e2) { out.appendChild(A.errorBox(e2)); }).then(function () { run.disabled = false; });
    } },
        h('h2', null, t('vf.title')), h('p', { class: 'muted' }, t('vf.about')),
        h('div', { class: 'field' }, h('label', null, vault, ' ', t('vf.withVault'))),
        h('div', { class: 'field' }, h('label', null, full, ' ', t('vf.full'))),
        h('div', { class: 'actions' }, run), out);
}

function consistencyForm() {
    var err = h('p', { class: 'error-box', role: 'alert', hidden: true });
    var size = h('input', { id: 'pc-size', type: 'number', min: '0', step: '1', inputmode: 'numeric',
                            'aria-describedby': 'pc-size-hint' });
    var run = h('button', { type: 'submit', class: 'primary', id: 'pc-run' }, t('pc.run'));
    var out = h('div', { id: 'pc-out' });
    return h('form', { class: 'card', id: 'pc-form', novalidate: true, onsubmit: function (e) {
        e.preventDefault();
        err.hidden = true;
        clear(out);
        var path = '/proof/consistency?old_size=' + encodeURIComponent(size.value.trim());
        run.disabled = true;
        api('GET', path).then(function (p) {
            out.appendChild(h('section', { class: 'card', id: 'pc-result', 'aria-live': 'polite' },
                h('p', null, t('pc.proved', { old: p.old_size, size: p.tree_head.size })),
                kv([['pc.oldRoot', h('code', { id: 'pc-old-root' }, p.old_root)],
                    ['pf.size', String(p.tree_head.size)], ['pf.root', h('code', { id: 'pc-root' }, p.tree_head.root)],
                    ['pf.signedAt', A.when(p.tree_head.signed_at)], ['pf.steps', String(p.consistency_proof.length)]]),
                h('p', null, h('a', { href: '/api/v1' + path + '&download=1', id: 'pc-download',
                                      download: 'consistency-' + p.old_size + '-' + p.tree_head.size + '.json' }, t('pf.download')),
                  ' ', h('span', { class: 'muted' }, t('pf.howTo')))));
        }).catch(function (e2) {
            err.textContent = e2.message;
            err.hidden = false;
            size.focus();
        }).then(function () { run.disabled = false; });
    } },
        h('h2', null, t('pc.title')), h('p', { class: 'muted' }, t('pc.about')), err,
        h('div', { class: 'field' }, h('label', { for: 'pc-size' }, t('pc.size')), size,
          h('span', { class: 'hint', id: 'pc-size-hint' }, t('pc.sizeHint'))),
        h('div', { class: 'actions' }, run), out);
}

function bundleForm() {
    var err = h('p', { class: 'error-box', role: 'alert', hidden: true });
    var file = h('input', { type: 'file', id: 'vb-file', accept: '.tar', 'aria-describedby': 'vb-file-hint' });
    var key = h('input', { id: 'vb-key', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'vb-key-hint' });
    var run = h('button', { type: 'submit', class: 'primary', id: 'vb-run' }, t('vb.run'));
    var out = h('div', { id: 'vb-out' });
    return h('form', { class: 'card', id: 'vb-form', novalidate: true, onsubmit: function (e) {
        e.preventDefault();
        err.hidden = true;
        clear(out);
        var f = file.files[0];
        if (!f) {
            err.textContent = t('vb.chooseFile');
            err.hidden = false;
            file.focus();
            return;
        }
        run.disabled = true;
        A.say(t('im.sending', { name: f.name }));
        var q = '?filename=' + encodeURIComponent(f.name) + (key.value.trim() ? '&key=' + encodeURIComponent(key.value.trim()) : '');
        api('POST', '/verify/bundle' + q, f, 'application/octet-stream').then(function (b) {
            A.say('');
            out.appendChild(verdictBox('vb-result', b.sound, t(b.sound ? 'vb.sound' : 'vb.unsound', { file: b.file }), b.problem,
                b.sound ? h('p', null, t('vb.counts', { records: b.records, files: b.files, redacted: b.redacted }),
                            ' ', t(b.pinned_key ? 'vb.pinned' : 'vb.notPinned')) : null));
        }).catch(function (e2) {
            A.say('');
            err.textContent = e2.message;
            err.hidden = false;
        }).then(function () { run.disabled = false; });
    } },
        h('h2', null, t('vb.title')), h('p', { class: 'muted' }, t('vb.about')), err,
        h('div', { class: 'fields' },
          field('vb-file', t('vb.file'), file, t('vb.fileHint')),
          field('vb-key', t('vb.key'), key, t('vb.keyHint'))),
        h('div', { class: 'actions' }, run), out);
}

A.VIEWS.verify = function (el) {
    el.appendChild(h('h1', null, t('nav.verify')));
    if (A.state.me.role === 'admin') el.appendChild(verifyForm());
    el.appendChild(consistencyForm());
    el.appendChild(bundleForm());
};

})();
