/*
 * peers.js: sync with other archives, for admins (#/peers): this
 * archive's key line to copy to another archive's administrator; the
 * pinned peers, each with what it was last known to hold, how far it is
 * behind, what waits for it (a pack in the outbox, a download cut short)
 * and the last exchange; each peer's newest jobs as the server keeps
 * them (an interrupted one with what to do); pinning a peer by the key line its administrator
 * gave (never what its server says), unpinning; a push to or pull from a
 * peer's server run as a job of the server and watched as it runs, its
 * stage and a bar of the bytes (sync_jobs.js), then what was exchanged;
 * travel and the restore after it (travel.js, A.travelSection); packs
 * as files, downloaded for a peer and imported (sync_files.js,
 * A.packFilesSection).
 * The same core calls as `attest key show`, `attest peers` and `attest
 * sync push|pull`, through /api/v1/sync/key, /peers and /status.  The API
 * token of the peer's server is typed for each exchange, sent in the body
 * of a POST with the CSRF header, and neither stored nor shown back.
 */
'use strict';

(function () {

var A = window.ATTEST;
var h = A.h, clear = A.clear, t = A.t, api = A.api, bytes = A.bytes;

function keySection() {
    var code = h('code', { id: 'pe-keyline', class: 'keyline' }, '…');
    var copy = h('button', { type: 'button', id: 'pe-copy', onclick: function () {
        var text = code.textContent;
        var done = function () { A.say(t('pe.copied')); };
        if (navigator.clipboard && navigator.clipboard.writeText) {
            navigator.clipboard.writeText(text).then(done, function () { selectText(code); });
        } else {
            selectText(code);
        }
    } }, t('pe.copy'));
    api('GET', '/sync/key').then(function (x) { code.textContent = x.line; })
        .catch(function (e) { code.textContent = e.message; });
    return h('section', { class: 'card' }, h('h2', null, t('pe.keyTitle')),
             h('p', { class: 'muted' }, t('pe.keyAbout')), h('p', null, code), h('div', { class: 'actions' }, copy));
}

/* Selects an element's text, for the reader to copy by hand. */
function selectText(el) {
    var range = document.createRange();
    range.selectNodeContents(el);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    A.say(t('pe.copyByHand'));
}

function lastExchange(p) {
    if (!p.exchanged_at) return t('pe.never');
    return t('pe.ex.' + p.exchanged) + ' · ' + A.when(p.exchanged_at);
}

function waiting(p) {
    var parts = [];
    if (p.outbox) parts.push(t(p.outbox.upload ? 'pe.outboxSending' : 'pe.outbox', { size: bytes(p.outbox.bytes) }));
    if (p.inbox) parts.push(t('pe.inbox', { size: bytes(p.inbox.bytes) }));
    if (p.travel) parts.push(t('pe.travelPack', { size: bytes(p.travel.bytes) }));
    return parts.length ? parts.join('; ') : t('pe.nothingWaits');
}

/* What an exchange did, in words: a push or a travel pack's delivery
 * applied there, a pull or restore imported here. */
function exchangeResult(kind, x) {
    if (!x.done) return t('pe.notDone');
    if (kind === 'push' || kind === 'deliver') {
        var a = x.applied || {};
        return t('pe.pushed', { versions: a.versions || 0, items: a.items || 0, files: a.files || 0,
                                held: a.already_held || 0 });
    }
    var i = x.imported || {};
    return t('pe.pulled', { versions: i.versions || 0, items: i.items || 0, files: i.files || 0,
                            held: i.already_held || 0, conflicts: i.conflicts || 0 });
}

/* Shows a job with a peer until it ends, then what it did, and reloads
 * the page's status; watch.busy while one runs. */
function watcher(progress, reload) {
    var watch = { busy: false, reload: reload };
    watch.ended = function (end) {
        watch.busy = false;
        if (end && end.state === 'done') {
            progress.appendChild(h('p', { class: 'result', 'data-kind': end.kind }, exchangeResult(end.kind, end.result)));
            if ((end.notes || []).length)
                progress.appendChild(h('ul', { class: 'notes muted' }, end.notes.map(function (n) {
                    return h('li', null, n);
                })));
            A.say(t('pe.done.' + end.kind, { name: end.peer }));
        }
        reload();
    };
    watch.follow = function (job) {
        watch.busy = true;
        A.watchJob(job, progress, watch.ended);
    };
    return watch;
}

/* The newest jobs with a peer the page shows, of those the server keeps. */
var JOBS_SHOWN = 5;

/* One job as the server keeps it: what, its state and stage, how far,
 * when, what it exchanged or packed, and the message of one that failed
 * or was interrupted (what to do). */
function jobItem(job) {
    var figures = job.total > 0 ? t('pe.figures', { done: bytes(job.done), total: bytes(job.total),
                                                   pct: Math.floor(100 * job.done / job.total) }) : '';
    var stamp = job.ended_at || job.started_at;
    var counts = job.result ? exchangeResult(job.kind, job.result)
               : job.packed && job.packed.versions + job.packed.items + job.packed.files > 0 ? t('pe.packed', job.packed)
               : job.versions && job.versions.done > 0 ? t('pe.versions', job.versions) : '';
    return h('li', { 'data-job': job.id, 'data-kind': job.kind, 'data-state': job.state },
        h('p', null, t('pe.job.' + job.kind, { name: job.peer }), ' ',
          h('strong', { 'data-field': 'state' }, t('pe.state.' + job.state)),
          job.state === 'done' ? null : [' · ', h('span', { 'data-field': 'stage' }, t('pe.stage.' + job.stage))],
          figures ? [' · ', h('span', { 'data-field': 'figures' }, figures)] : null,
          ' · ', h('time', { 'data-field': 'when', datetime: stamp }, A.when(stamp))),
        counts ? h('p', { class: 'muted', 'data-field': 'counts' }, counts) : null,
        job.error ? h('p', { class: 'error-box', 'data-field': 'message' }, job.error.message) : null);
}

/* Each peer's newest jobs (GET .../jobs), in el: an interrupted one says
 * what to do without being followed. */
function recentJobs(status, el) {
    clear(el).appendChild(h('h2', null, t('pe.jobsTitle')));
    status.peers.forEach(function (p) {
        var part = h('div', { class: 'peer-jobs', 'data-peer': p.name }, h('h3', null, p.name));
        el.appendChild(part);
        api('GET', '/sync/peers/' + encodeURIComponent(p.name) + '/jobs').then(function (x) {
            part.appendChild(x.jobs.length ? h('ul', { class: 'jobs' }, x.jobs.slice(0, JOBS_SHOWN).map(jobItem))
                                           : h('p', { class: 'muted' }, t('pe.noJobs', { name: p.name })));
        }).catch(function (e) { part.appendChild(A.errorBox(e)); });
    });
}

function peerTable(status, token, progress, watch) {
    if (!status.peers.length) return h('p', { class: 'muted', id: 'peers-none' }, t('pe.none'));
    return h('table', { class: 'list peers', id: 'peers-table' },
        h('caption', { class: 'muted' }, t('pe.caption')),
        h('thead', null, h('tr', null, ['pe.name', 'pe.tier', 'pe.url', 'pe.last', 'pe.ahead', 'pe.waiting', '']
            .map(function (k) { return h('th', { scope: 'col' }, k ? t(k) : ''); }))),
        h('tbody', null, status.peers.map(function (p) {
            function exchange(kind, button) {
                if (watch.busy) return;
                if (!token.value.trim()) {
                    A.say(t('pe.needToken'), true);
                    token.focus();
                    return;
                }
                button.disabled = true;
                clear(progress).appendChild(h('p', { class: 'working' }, t('pe.working.' + kind, { name: p.name })));
                watch.busy = true;
                A.startJob(p.name, kind, token.value.trim(), progress, watch.ended);
            }
            var push = h('button', { type: 'button', class: 'primary', 'data-action': 'push', disabled: !p.url,
                                     onclick: function () { exchange('push', push); } }, t('pe.push'));
            var pull = h('button', { type: 'button', 'data-action': 'pull', disabled: !p.url,
                                     onclick: function () { exchange('pull', pull); } }, t('pe.pull'));
            /* Unpinning asks to be confirmed by a second press. */
            var remove = h('button', { type: 'button', class: 'danger', 'data-action': 'remove', onclick: function () {
                if (!remove.hasAttribute('data-confirm')) {
                    remove.setAttribute('data-confirm', '');
                    remove.textContent = t('pe.confirm');
                    A.say(t('pe.confirmRemove', { name: p.name }));
                    return;
                }
                api('DELETE', '/sync/peers/' + encodeURIComponent(p.name)).then(function () {
                    A.say(t('pe.removed', { name: p.name }));
                    watch.reload();
                }).catch(function (e) { A.say(e.message, true); });
            } }, t('pe.remove'));
            return h('tr', { 'data-peer': p.name },
                h('th', { scope: 'row' }, p.name),
                h('td', { 'data-field': 'tier' }, t('pe.tier.' + p.tier)),
                h('td', { 'data-field': 'url' }, p.url ? h('code', null, p.url) : t('pe.noUrl')),
                h('td', { 'data-field': 'last' }, lastExchange(p)),
                h('td', { 'data-field': 'ahead' }, p.mark ? String(p.ahead) : t('pe.unknown')),
                h('td', { 'data-field': 'waiting' }, waiting(p)),
                h('td', { class: 'actions' }, push, ' ', pull, ' ', remove));
        })));
}

function addForm(reload) {
    var err = h('p', { class: 'error-box', role: 'alert', hidden: true });
    var name = h('input', { id: 'pe-new-name', name: 'name', autocomplete: 'off', required: true });
    var line = h('textarea', { id: 'pe-new-line', name: 'line', rows: 3, required: true, spellcheck: 'false',
                               'aria-describedby': 'pe-line-hint' });
    var tier = h('select', { id: 'pe-new-tier', name: 'tier' }, ['team', 'partner'].map(function (x) {
        return h('option', { value: x }, t('pe.tier.' + x));
    }));
    var url = h('input', { id: 'pe-new-url', name: 'url', type: 'url', autocomplete: 'off', placeholder: 'https://',
                           'aria-describedby': 'pe-url-hint' });
    var cacert = h('textarea', { id: 'pe-new-cacert', name: 'cacert', rows: 3, spellcheck: 'false',
                                 placeholder: '-----BEGIN CERTIFICATE-----', 'aria-describedby': 'pe-cacert-hint' });
    var save = h('button', { type: 'submit', class: 'primary' }, t('pe.add'));
    var fields = { name: name, line: line, tier: tier, url: url, cacert: cacert };
    return h('form', { class: 'card', id: 'peer-add', novalidate: true, onsubmit: function (e) {
        e.preventDefault();
        err.hidden = true;
        var body = { name: name.value.trim(), line: line.value.trim(), tier: tier.value,
                     url: url.value.trim() || undefined, cacert: cacert.value.trim() || undefined };
        save.disabled = true;
        api('POST', '/sync/peers', body).then(function () {
            A.say(t('pe.added', { name: body.name }));
            name.value = line.value = url.value = cacert.value = '';
            reload();
        }).catch(function (e2) {
            err.textContent = e2.message;
            err.hidden = false;
            (fields[e2.field] || (/^line/.test(e2.message) ? line : /^URL/.test(e2.message) ? url : name)).focus();
        }).then(function () { save.disabled = false; });
    } },
        h('h2', null, t('pe.addTitle')), err,
        h('div', { class: 'fields' },
          h('div', { class: 'field' }, h('label', { for: 'pe-new-name' }, t('pe.name')), name),
          h('div', { class: 'field' }, h('label', { for: 'pe-new-line' }, t('pe.line')), line,
            h('span', { class: 'hint', id: 'pe-line-hint' }, t('pe.lineHint'))),
          h('div', { class: 'field' }, h('label', { for: 'pe-new-tier' }, t('pe.tier')), tier),
          h('div', { class: 'field' }, h('label', { for: 'pe-new-url' }, t('pe.url')), url,
            h('span', { class: 'hint', id: 'pe-url-hint' }, t('pe.urlHint'))),
          h('div', { class: 'field' }, h('label', { for: 'pe-new-cacert' }, t('pe.cacert')), cacert,
            h('span', { class: 'hint', id: 'pe-cacert-hint' }, t('pe.cacertHint')))),
        h('div', { class: 'actions' }, save));
}

A.VIEWS.peers = function (el) {
    el.appendChild(h('h1', null, t('nav.peers')));
    if (A.state.me.role !== 'admin') {
        el.appendChild(h('p', { class: 'error-box', role: 'alert' }, t('pe.adminsOnly')));
        return;
    }
    el.appendChild(h('p', { class: 'muted about' }, t('pe.about')));
    var token = h('input', { id: 'pe-token', name: 'token', type: 'password', autocomplete: 'off',
                             'aria-describedby': 'pe-token-hint' });
    var progress = h('div', { id: 'pe-progress', 'aria-live': 'polite' });
    var jobs = h('section', { id: 'pe-jobs' });
    var peers = h('div', { id: 'peers' });
    var conflicts = h('p', { id: 'pe-conflicts' });
    var travel = A.travelSection ? A.travelSection(reload) : null;
    var packs = A.packFilesSection ? A.packFilesSection(reload) : null;
    var watch = watcher(progress, reload);
    /* The status once for the table and the travel section; a job still
     * running (the page left and opened again) is watched again. */
    function reload() {
        A.syncStatus([function (s) {
            clear(peers).appendChild(h('div', { class: 'table-scroll' }, peerTable(s, token, progress, watch)));
            clear(conflicts).append(t('pe.conflicts', { n: s.conflicts }), ' ',
                                    A.hashLink('conflicts', t('pe.seeConflicts')));
            var running = s.peers.filter(function (p) {
                /* a restore or a travel pack's delivery is travel.js's */
                return p.job && p.job.state === 'running' && (p.job.kind === 'push' || p.job.kind === 'pull');
            })[0];
            if (running && !watch.busy) watch.follow(running.job);
            recentJobs(s, jobs);
        }].concat(travel ? [travel.show] : [], packs ? [packs.show] : []),
        [peers].concat(travel ? [travel.body] : []));
    }
    el.appendChild(h('div', { class: 'record-layout' },
        h('div', { class: 'col' },
          h('section', null, h('h2', null, t('pe.peers')), conflicts,
            h('div', { class: 'field' }, h('label', { for: 'pe-token' }, t('pe.token')), token,
              h('span', { class: 'hint', id: 'pe-token-hint' }, t('pe.tokenHint'))),
            peers, progress, jobs),
          travel ? travel.el : null),
        h('div', { class: 'col' }, keySection(), addForm(reload), packs ? packs.el : null)));
    reload();
};

})();
