/*
 * sync_jobs.js: what the Peers and sync page (peers.js) and its travel
 * section (travel.js) share: sizes in words, the status of the peers
 * loaded once for both, and a push or pull watched as it runs.
 * A push, pull or restore is a job of the server (POST
 * /api/v1/sync/peers/{name}/jobs, A.startJob), and so is the delivery of a
 * travel pack (travel.js); A.watchJob asks how far it is (GET
 * .../jobs/{id}) every half second and
 * shows its stage and a bar of the bytes sent or received of the pack's
 * total, the offset a transfer cut short resumed at, then what was
 * exchanged, or the error with its message (a job the server's stop cut
 * short, "interrupted", says what to do).  Leaving the page stops the
 * asking, not the job: the page opened again finds it running in the
 * status (each peer's job) and watches it again.
 */
'use strict';

(function () {

var A = window.ATTEST;
var h = A.h, clear = A.clear, t = A.t, api = A.api;

A.bytes = function (n) {
    return n >= 1048576 ? (n / 1048576).toFixed(1) + ' MiB' : n >= 1024 ? (n / 1024).toFixed(1) + ' KiB'
                                                                          : n + ' B';
};

/* GET /api/v1/sync/status, for each of the functions in show (called
 * with the status), or the error in each of the elements of failed. */
A.syncStatus = function (show, failed) {
    return api('GET', '/sync/status').then(function (s) {
        show.forEach(function (f) { f(s); });
    }).catch(function (e) {
        failed.forEach(function (el) { clear(el).appendChild(A.errorBox(e)); });
    });
};

function jobPath(job) {
    return '/sync/peers/' + encodeURIComponent(job.peer) + '/jobs/' + encodeURIComponent(job.id);
}

/* The running job's stage and figures, in out (its bar and stage named
 * by out's id: #pe-progress-bar). */
function showRunning(job, out) {
    var known = job.total > 0;
    var pct = known ? Math.floor(100 * job.done / job.total) : 0;
    var figures = known ? t('pe.figures', { done: A.bytes(job.done), total: A.bytes(job.total), pct: pct }) : '';
    var bar = h('progress', { id: out.id + '-bar', max: known ? job.total : 1, 'aria-labelledby': out.id + '-stage' });
    if (known) bar.value = job.done;   /* without a value, a bar that moves with nothing known */
    clear(out).appendChild(h('div', { class: 'sync-job', 'data-job': job.id, 'data-kind': job.kind, 'data-state': job.state,
                                      'data-stage': job.stage, 'data-done': job.done, 'data-total': job.total },
        h('p', { class: 'working', id: out.id + '-stage' }, t('pe.job.' + job.kind, { name: job.peer }), ' ',
          h('span', { class: 'stage' }, t('pe.stage.' + job.stage)), figures ? ' · ' : '',
          h('span', { class: 'figures' }, figures)),
        bar,
        job.versions && job.versions.done > 0 ? h('p', { class: 'muted', 'data-field': 'versions' },
                                                   t('pe.versions', job.versions)) : null,
        job.resumed_at !== null ? h('p', { class: 'muted', 'data-field': 'resumed' },
                                    t('pe.resumedAt', { at: A.bytes(job.resumed_at) })) : null,
        job.packed && job.packed.versions + job.packed.items + job.packed.files > 0
            ? h('p', { class: 'muted', 'data-field': 'packed' }, t('pe.packed', job.packed)) : null));
}

/* Starts a job of kind with peer (POST .../jobs) and watches it in out;
 * a refusal (409 while another runs) is shown there. */
A.startJob = function (peer, kind, token, out, ended) {
    return api('POST', '/sync/peers/' + encodeURIComponent(peer) + '/jobs', { kind: kind, token: token })
        .then(function (job) { A.watchJob(job, out, ended); })
        .catch(function (e) { clear(out).appendChild(A.errorBox(e)); ended(null, e); });
};

/* Shows job in out until it ends, then its end through ended(job): done,
 * failed or interrupted.  Stops when the view is left. */
A.watchJob = function (job, out, ended) {
    var timer = null, left = false;
    A.state.cleanup.push(function () { left = true; clearTimeout(timer); });
    function look(j) {
        if (left) return;
        if (j.state === 'running') {
            showRunning(j, out);
            timer = setTimeout(function () {
                api('GET', jobPath(j)).then(look).catch(function (e) {
                    if (!left) { clear(out).appendChild(A.errorBox(e)); ended(null); }
                });
            }, 500);
            return;
        }
        clear(out);
        if (j.error) out.appendChild(A.errorBox(j.error));
        ended(j);
    }
    look(job);
};

})();
