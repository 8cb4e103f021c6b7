/*
 * travel.js: travel in the browser, a section of the Peers and sync page
 * (peers.js calls A.travelSection).  "Prepare for travel" is `attest travel
 * --to CENTRE`: it says what will happen (everything the centre lacks goes
 * into a pack only the centre can open; every record, identity, piece of
 * evidence and custody event is removed from this archive; the pack must
 * reach the centre, or be carried apart from the laptop), asks for the
 * centre's name to be typed, then runs POST /api/v1/sync/peers/{name}/travel.
 * With the centre's API token the pack's delivery to its server starts
 * straight away as a job of the server, watched with its bar as a restore
 * is (sync_jobs.js); without, or when the delivery fails, the pack waits
 * here to be downloaded (GET .../travel).
 * "Restore from the centre" is `attest travel restore URL`: a pack that
 * waits is delivered first, then everything is pulled, as a job of the
 * server watched with its bar (POST .../jobs {kind: "restore"}, sync_jobs.js).
 * Only team peers can be the centre.  The token is sent in the body of a
 * POST and neither stored nor shown back.
 */
'use strict';

(function () {

var A = window.ATTEST;
var h = A.h, clear = A.clear, t = A.t, api = A.api, bytes = A.bytes;

function packPath(name) {
    return '/sync/peers/' + encodeURIComponent(name) + '/travel';
}

/* What a travel did, and where its pack is; a delivery started is
 * watched in a place of its own (its end through jobs.ended). */
function travelled(x, out, jobs) {
    var r = x.removed, p = x.packed;
    clear(out).appendChild(h('p', { class: 'result', 'data-kind': 'travel' },
        t('tr.done', { versions: r.versions, items: r.items, files: r.shredded,
                       packed: p.versions, name: x.centre })));
    if (x.delivery && x.delivery.job) {
        var watched = h('div', { id: 'tr-delivery', 'aria-live': 'polite' });
        out.appendChild(watched);
        jobs.busy = true;
        A.watchJob(x.delivery.job, watched, jobs.ended);
        return;
    }
    if (x.delivery) out.appendChild(h('p', { class: 'error-box', role: 'alert' },
                                      t('tr.notDelivered', { error: x.delivery.error || '' })));
    if (x.pack) out.appendChild(h('p', null,
        h('a', { id: 'tr-download', href: '/api/v1' + packPath(x.centre),
                 download: 'attest-travel-' + x.centre + '.pack' },
          t('tr.download', { size: bytes(x.pack.bytes) })), ' ', t('tr.downloadHint')));
}

/* What a restore did. */
function restored(x, out) {
    var i = x.imported || {};
    out.appendChild(h('p', { class: 'result', 'data-kind': 'restore' },
        t('tr.restored', { versions: i.versions || 0, items: i.items || 0, files: i.files || 0 })));
    if (x.delivered) out.appendChild(h('p', null, t('tr.delivered', { name: x.peer })));
}

/* The section, for the team peers of status (GET /sync/status); jobs.busy
 * while a restore runs (a job, watched in out). */
function section(status, token, out, reload, jobs) {
    var team = status.peers.filter(function (p) { return p.tier === 'team'; });
    if (!team.length)
        return h('section', { class: 'card', id: 'travel' }, h('h2', null, t('tr.title')),
                 h('p', { class: 'muted', id: 'tr-none' }, t('tr.noCentre')));
    var centre = h('select', { id: 'tr-centre', name: 'centre' }, team.map(function (p) {
        return h('option', { value: p.name }, p.name);
    }));
    var confirm = h('input', { id: 'tr-confirm', name: 'confirm', autocomplete: 'off', spellcheck: 'false',
                               'aria-describedby': 'tr-confirm-hint' });
    var confirmHint = h('span', { class: 'hint', id: 'tr-confirm-hint' });
    var go = h('button', { type: 'submit', class: 'danger', id: 'tr-go', disabled: true }, t('tr.go'));
    var restore = h('button', { type: 'button', id: 'tr-restore' });
    var waits = h('p', { id: 'tr-waits' });
    var busy = false;

    function chosen() {
        return team.filter(function (p) { return p.name === centre.value; })[0];
    }
    function refresh() {
        var p = chosen();
        confirmHint.textContent = t('tr.confirmHint', { name: p.name });
        go.disabled = busy || jobs.busy || confirm.value !== p.name;
        restore.textContent = t('tr.restore', { name: p.name });
        restore.disabled = busy || jobs.busy;
        clear(waits);
        if (p.travel) waits.append(t('tr.waits', { size: bytes(p.travel.bytes), name: p.name }), ' ',
            h('a', { href: '/api/v1' + packPath(p.name), download: 'attest-travel-' + p.name + '.pack' },
              t('tr.downloadShort')));
    }
    function run(button, path, body, kind, done) {
        if (busy) return;
        busy = true;
        refresh();
        clear(out).appendChild(h('p', { class: 'working' }, t('tr.working.' + kind, { name: centre.value })));
        api('POST', path, body).then(function (x) {
            done(x);
            A.say(t('tr.finished.' + kind, { name: centre.value }));
            reload();
        }).catch(function (e) {
            clear(out).appendChild(A.errorBox(e));
            if (e.field === 'token' || e.field === 'url') token.focus();
        }).then(function () { busy = false; refresh(); });
    }
    centre.addEventListener('change', function () { confirm.value = ''; refresh(); });
    confirm.addEventListener('input', refresh);
    restore.addEventListener('click', function () {
        if (!token.value.trim()) {
            A.say(t('tr.needToken'), true);
            token.focus();
            return;
        }
        if (busy || jobs.busy) return;
        jobs.busy = true;
        refresh();
        clear(out).appendChild(h('p', { class: 'working' }, t('tr.working.restore', { name: centre.value })));
        A.startJob(centre.value, 'restore', token.value.trim(), out, jobs.ended);
    });
    var form = h('form', { id: 'tr-form', novalidate: true, onsubmit: function (e) {
        e.preventDefault();
        var p = chosen();
        if (confirm.value !== p.name) {
            A.say(t('tr.confirmHint', { name: p.name }), true);
            confirm.focus();
            return;
        }
        var body = { confirm: confirm.value };
        if (token.value.trim()) body.token = token.value.trim();
        run(go, packPath(p.name), body, 'travel', function (x) {
            confirm.value = '';
            travelled(x, out, jobs);
        });
    } },
        h('div', { class: 'fields' },
          h('div', { class: 'field' }, h('label', { for: 'tr-centre' }, t('tr.centre')), centre),
          h('div', { class: 'field' }, h('label', { for: 'tr-token' }, t('tr.token')), token,
            h('span', { class: 'hint', id: 'tr-token-hint' }, t('tr.tokenHint'))),
          h('div', { class: 'field' }, h('label', { for: 'tr-confirm' }, t('tr.confirm')), confirm, confirmHint)),
        h('div', { class: 'actions' }, go));
    refresh();
    return h('section', { class: 'card', id: 'travel' },
        h('h2', null, t('tr.title')),
        h('p', { class: 'muted' }, t('tr.about')),
        h('ul', { class: 'travel-steps' }, ['tr.step.pack', 'tr.step.remove', 'tr.step.stays', 'tr.step.carry']
            .map(function (k) { return h('li', null, t(k)); })),
        form, waits,
        h('h3', null, t('tr.restoreTitle')),
        h('p', { class: 'muted' }, t('tr.restoreAbout')),
        h('div', { class: 'actions' }, restore));
}

/* peers.js places it (el), and shows it with the status it loads for the
 * whole page (show), again after each run (reload: the page's own); an
 * error loading it goes in body.  The token typed and what the last run
 * said are kept across reloads. */
A.travelSection = function (reload) {
    var body = h('div');
    var out = h('div', { id: 'tr-progress', 'aria-live': 'polite' });
    var token = h('input', { id: 'tr-token', name: 'token', type: 'password', autocomplete: 'off',
                             'aria-describedby': 'tr-token-hint' });
    /* A restore, and a travel pack's delivery, are jobs, watched in out;
     * one still running when the page is opened again is watched again. */
    var jobs = { busy: false };
    jobs.ended = function (end, e) {
        jobs.busy = false;
        if (end && end.state === 'done' && end.kind === 'deliver') {
            out.appendChild(h('p', { 'data-kind': 'delivered' }, t('tr.delivered', { name: end.peer })));
            A.say(t('tr.delivered', { name: end.peer }));
        } else if (end && end.state === 'done') {
            restored(end.result, out);
            A.say(t('tr.finished.restore', { name: end.peer }));
        }
        if (e && (e.field === 'token' || e.field === 'url')) token.focus();
        reload();
    };
    return {
        el: h('div', { id: 'travel-holder' }, body, out),
        body: body,
        show: function (s) {
            var running = s.peers.filter(function (p) {
                return p.job && p.job.state === 'running' && (p.job.kind === 'restore' || p.job.kind === 'deliver');
            })[0];
            if (running && !jobs.busy) {
                jobs.busy = true;
                A.watchJob(running.job, out, jobs.ended);
            }
            clear(body).appendChild(section(s, token, out, reload, jobs));
        }
    };
};

})();
