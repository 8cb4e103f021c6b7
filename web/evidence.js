/*
 * evidence.js: an evidence item's page (#/evidence/ID): its details and
 * SHA-256, its interview, its chain of custody with a form to add an
 * event, a preview, and the download.  Also the evidence section of an
 * interview's record page.
 *
 * Previews never run what they show: images, audio and video are loaded
 * from /api/v1/evidence/ID/preview, which the server sends only for those
 * types and under a sandboxing Content-Security-Policy; text is fetched
 * and set as text; a PDF is shown as the PNG images of its pages that the
 * server draws in a sandbox (?page=N), one at a time, never the PDF.
 * Other types (SVG, HTML, office files) are for download only.  The list of items is app.js's evidence view; an id
 * after it opens this page.
 */
'use strict';

(function () {

var A = window.ATTEST;
var h = A.h, clear = A.clear, t = A.t, api = A.api;

var CUSTODY_ACTIONS = ['received', 'copied', 'handed_over', 'examined', 'exported'];
var TEXT_MAX = 64 * 1024; /* the most of a text item shown */

function previewKind(type) {
    type = String(type || '');
    if (/^image\/(png|jpeg|gif|webp)/.test(type)) return 'image';
    if (/^audio\//.test(type)) return 'audio';
    if (/^video\//.test(type)) return 'video';
    if (/^text\//.test(type) || /^application\/json/.test(type)) return 'text';
    if (/^application\/pdf(;|$)/.test(type)) return 'pdf';
    return null;
}

function itemUrl(id, what) { return '/api/v1/evidence/' + encodeURIComponent(id) + '/' + what; }

function preview(item) {
    var kind = previewKind(item.media_type);
    var box = h('div', { class: 'ev-preview', 'data-kind': kind || 'none' });
    var src = itemUrl(item.id, 'preview');
    if (kind === 'image') box.appendChild(h('img', { src: src, alt: t('ev.previewOf', { name: item.filename || item.id }) }));
    else if (kind === 'audio') box.appendChild(h('audio', { src: src, controls: true, preload: 'metadata' }));
    else if (kind === 'video') box.appendChild(h('video', { src: src, controls: true, preload: 'metadata' }));
    else if (kind === 'text') {
        var pre = h('pre', { class: 'ev-text' }, t('ev.loading'));
        box.appendChild(pre);
        fetch(src, { credentials: 'same-origin' }).then(function (res) {
            if (!res.ok) throw new Error('HTTP ' + res.status);
            return res.text();
        }).then(function (text) {
            pre.textContent = text.length > TEXT_MAX ? text.slice(0, TEXT_MAX) + '\n…' : text;
        }).catch(function (err) { pre.textContent = err.message; });
    } else if (kind === 'pdf') {
        pdfPages(box, item, src);
    } else {
        box.appendChild(h('p', { class: 'muted' }, t('ev.noPreview')));
    }
    return h('section', { class: 'card' }, h('h2', null, t('ev.preview')), box);
}

/* A PDF's pages as images, with "page N of M" and buttons to turn them. */
function pdfPages(box, item, src) {
    var status = h('p', { class: 'muted', id: 'ev-pdf-status' }, t('ev.loading'));
    box.appendChild(status);
    api('GET', '/evidence/' + encodeURIComponent(item.id) + '/preview').then(function (x) {
        var page = 1, shown = x.pages_shown;
        var img = h('img', { class: 'ev-pdf-page', id: 'ev-pdf-page' });
        var where = h('span', { id: 'ev-pdf-where', 'aria-live': 'polite' });
        var prev = h('button', { type: 'button', id: 'ev-pdf-prev', onclick: function () { turn(-1); } }, t('ev.pdfPrev'));
        var next = h('button', { type: 'button', id: 'ev-pdf-next', onclick: function () { turn(1); } }, t('ev.pdfNext'));
        function turn(by) {
            page = Math.min(shown, Math.max(1, page + by));
            img.src = src + '?page=' + page;
            img.alt = t('ev.pdfPageOf', { name: item.filename || item.id, n: page, m: x.pages });
            where.textContent = t('ev.pdfWhere', { n: page, m: x.pages });
            prev.disabled = page <= 1;
            next.disabled = page >= shown;
        }
        clear(box).appendChild(h('div', { class: 'actions ev-pdf-nav' }, prev, ' ', where, ' ', next));
        box.appendChild(img);
        if (shown < x.pages) box.appendChild(h('p', { class: 'muted' }, t('ev.pdfFirstOnly', { n: shown, m: x.pages })));
        turn(0);
    }).catch(function (err) { status.textContent = err.message; });
}

function custodyTable(events) {
    if (!events.length) return h('p', { class: 'muted' }, t('ev.noCustody'));
    return h('table', { class: 'list custody', id: 'ev-custody' },
        h('thead', null, h('tr', null, ['ev.at', 'ev.action', 'ev.from', 'ev.to', 'ev.how', 'ev.recordedBy', 'ev.note']
            .map(function (k) { return h('th', { scope: 'col' }, t(k)); }))),
        h('tbody', null, events.map(function (e) {
            return h('tr', null, h('td', null, A.when(e.at || e.recorded_at)),
                     h('td', null, actionLabel(e.action)),
                     h('td', null, e.from || ''), h('td', null, e.to || ''), h('td', null, e.how || ''),
                     h('td', null, e.recorded_by || ''), h('td', null, e.note || ''));
        })));
}

/* A custody action in the page's language ("added to the vault" is the
 * vault's own first event); an action of the user's own words as written. */
function actionLabel(code) {
    var key = 'ev.act.' + String(code).replace(/ /g, '_');
    var s = t(key);
    return s === key ? code : s;
}

function custodyForm(item, shown) {
    var err = h('p', { class: 'error-box', role: 'alert', hidden: true });
    var fields = {};
    var action = h('select', { id: 'cu-action', name: 'action' }, CUSTODY_ACTIONS.map(function (c) {
        return h('option', { value: c }, actionLabel(c));
    }));
    fields.action = action;
    var rows = [h('div', { class: 'field' }, h('label', { for: 'cu-action' }, t('ev.action')), action)];
    ['from', 'to', 'how', 'at', 'note'].forEach(function (k) {
        fields[k] = h('input', { id: 'cu-' + k, name: k, autocomplete: 'off',
                                 placeholder: k === 'at' ? 'YYYY-MM-DDTHH:MM:SSZ' : null });
        rows.push(h('div', { class: 'field' }, h('label', { for: 'cu-' + k }, t('ev.' + k)), fields[k]));
    });
    var save = h('button', { type: 'submit', class: 'primary' }, t('ev.addCustody'));
    return h('form', { class: 'card', id: 'custody-form', novalidate: true, onsubmit: function (e) {
        e.preventDefault();
        err.hidden = true;
        var body = {};
        Object.keys(fields).forEach(function (k) { if (fields[k].value.trim()) body[k] = fields[k].value.trim(); });
        save.disabled = true;
        api('POST', '/evidence/' + encodeURIComponent(item.id) + '/custody', body).then(function (x) {
            clear(shown).appendChild(custodyTable(x.custody));
            ['from', 'to', 'how', 'at', 'note'].forEach(function (k) { fields[k].value = ''; });
            A.say(t('ev.custodyAdded'));
        }).catch(function (e2) {
            err.textContent = e2.message;
            err.hidden = false;
            if (e2.field && fields[e2.field]) fields[e2.field].focus();
        }).then(function () { save.disabled = false; });
    } }, h('h2', null, t('ev.addCustody')), err, h('div', { class: 'fields' }, rows), h('div', { class: 'actions' }, save));
}

function itemPage(el, id) {
    return api('GET', '/evidence/' + encodeURIComponent(id)).then(function (item) {
        var shown = h('div', null, custodyTable(item.custody || []));
        el.appendChild(h('p', { class: 'crumbs' }, A.hashLink('evidence', t('nav.evidence'))));
        el.appendChild(h('h1', null, item.filename || item.id));
        el.appendChild(h('p', { class: 'badges' },
            h('span', { class: 'badge' }, A.vocabLabel('clearance', item.clearance)), ' ', h('code', null, item.id)));
        var interview = item.link ? A.recordLink(item.link) : t('ev.noInterview');
        if (item.link && A.titleOf) A.titleOf(item.link).then(function (title) {
            if (title !== item.link) interview.textContent = title + ' (' + item.link + ')';
        });
        var details = h('section', { class: 'card' }, h('h2', null, t('ev.details')),
            h('dl', { class: 'kv', id: 'ev-details' },
              h('dt', null, t('ev.sha')), h('dd', null, h('code', { class: 'sha256', id: 'ev-sha256' }, item.sha256 || '')),
              h('dt', null, t('ev.size')), h('dd', null, String(item.size)),
              h('dt', null, t('ev.type')), h('dd', null, item.media_type || ''),
              h('dt', null, t('ev.interviewOf')), h('dd', { id: 'ev-link' }, interview),
              item.parent ? [h('dt', null, t('ev.copyOf')), h('dd', null, A.hashLink('evidence/' + encodeURIComponent(item.parent), item.parent))] : null,
              h('dt', null, t('ev.addedBy')), h('dd', null, item.added_by || ''),
              h('dt', null, t('ev.addedAt')), h('dd', null, A.when(item.added_at))),
            h('p', null, h('a', { href: itemUrl(item.id, 'file'), download: '', id: 'ev-download' }, t('ev.download'))));
        el.appendChild(h('div', { class: 'record-layout' },
            h('div', { class: 'col' }, details, preview(item)),
            h('div', { class: 'col' }, h('section', null, h('h2', null, t('ev.custody')), shown),
              A.state.me.role === 'public' || A.state.me.role === 'partner' ? null : custodyForm(item, shown))));
    }).catch(function (err) {
        el.appendChild(h('h1', null, id));
        el.appendChild(A.errorBox(err));
    });
}

var listView = A.VIEWS.evidence;
A.VIEWS.evidence = function (el, arg, params) {
    return arg ? itemPage(el, arg) : listView(el, arg, params);
};

/* An interview's page lists its evidence items. */
A.recordSections.push(function (doc) {
    var sec = h('section', { class: 'ev-of', hidden: true });
    if (doc.type !== 'interview') return sec;
    api('GET', '/evidence').then(function (x) {
        var mine = x.items.filter(function (it) { return it.link === doc.id; });
        sec.hidden = false;
        sec.appendChild(h('h2', null, t('ev.ofInterview')));
        sec.appendChild(mine.length ? h('ul', { class: 'plain', id: 'interview-evidence' }, mine.map(function (it) {
            return h('li', null, A.hashLink('evidence/' + encodeURIComponent(it.id), it.filename || it.id), ' ',
                     h('span', { class: 'muted' }, (it.media_type || '') + ' · ' + it.id));
        })) : h('p', { class: 'muted' }, t('ev.noneForInterview')));
    }).catch(function () { /* no right to evidence: nothing to list */ });
    return sec;
});

})();
