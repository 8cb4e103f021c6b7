/*
 * bundle.js: an evidence bundle for a court or a partner made in the
 * browser, as `attest export bundle --tier T ID...`: on the exports page,
 * the tier and the records and evidence items to include; the server makes
 * the .tar (GET /api/v1/export/bundle) and the browser saves it.  A refusal
 * (an id not there, or not the reader's to see) is shown as the server
 * words it, never saved as a file.  The bundle is checked on the verify
 * page, as `attest verify-bundle`.
 */
'use strict';

(function () {

var A = window.ATTEST;
var h = A.h, t = A.t;

function bundleForm() {
    var tier = h('select', { id: 'bd-tier' }, ['court', 'partner', 'public'].map(function (x) {
        return h('option', { value: x }, t('ex.tier.' + x));
    }));
    var ids = h('textarea', { id: 'bd-ids', rows: 3, spellcheck: 'false', 'aria-describedby': 'bd-ids-hint' });
    var err = h('p', { class: 'error-box', role: 'alert', id: 'bd-error', hidden: true });
    var done = h('p', { role: 'status', id: 'bd-done' });
    var run = h('button', { type: 'submit', class: 'primary', id: 'bd-run' }, t('bd.run'));
    return h('form', { class: 'card', id: 'bd-form', novalidate: true, onsubmit: function (e) {
        e.preventDefault();
        var list = ids.value.split(/[\s,]+/).filter(Boolean);
        err.hidden = true;
        done.textContent = '';
        if (!list.length) {
            err.textContent = t('bd.noIds');
            err.hidden = false;
            ids.focus();
            return;
        }
        run.disabled = true;
        var q = '?tier=' + encodeURIComponent(tier.value) + list.map(function (id) { return '&id=' + encodeURIComponent(id); }).join('');
        fetch('/api/v1/export/bundle' + q, { credentials: 'same-origin' }).then(function (res) {
            if (res.ok) return res.blob();
            return res.json().catch(function () { return {}; }).then(function (x) {
                throw new Error((x.error && x.error.message) || res.statusText);
            });
        }).then(function (blob) {
            var a = h('a', { href: URL.createObjectURL(blob), download: 'attest-bundle-' + tier.value + '.tar', hidden: true });
            document.body.appendChild(a);
            a.click();
            setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
            done.textContent = t('bd.done', { n: list.length, bytes: blob.size });
        }).catch(function (e2) {
            err.textContent = e2.message;
            err.hidden = false;
        }).then(function () { run.disabled = false; });
    } },
        h('h2', null, t('bd.title')), h('p', { class: 'muted' }, t('bd.about')), err,
        h('div', { class: 'fields' },
          h('div', { class: 'field' }, h('label', { for: 'bd-tier' }, t('bd.tier')), tier),
          h('div', { class: 'field' }, h('label', { for: 'bd-ids' }, t('bd.ids')), ids,
            h('span', { class: 'hint', id: 'bd-ids-hint' }, t('bd.idsHint')))),
        h('div', { class: 'actions' }, run), done);
}

A.exportSections.push(function () {
    return A.state.me.role === 'partner' || A.state.me.role === 'public' ? null : bundleForm();
});

})();
