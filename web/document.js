/*
 * document.js: the documents pages of the browser application, loaded
 * after app.js (which hands over its helpers as window.ATTEST).
 * #/documents lists the documents held and imports a new one (text,
 * Markdown or HTML, pasted); #/document/ID shows a document's text with
 * the tags suggested in it highlighted in place, accept and reject for
 * each, and the claims recorded from it, with a form that records a claim
 * from the span selected in the text.  Spans are code points of the text,
 * as the API gives them; text from the archive is always set as text.
 */
'use strict';

(function () {

var A = window.ATTEST;
var h = A.h, api = A.api, t = A.t, say = A.say, go = A.go, qs = A.qs;

function str(v) { return v === null || v === undefined ? '' : String(v); }

A.VIEWS.documents = function (el) {
    el.appendChild(h('h1', null, t('doc.list')));
    el.appendChild(h('p', null, A.hashLink('claims', t('cl.link'), { id: 'doc-claims-link' })));
    var name = h('input', { id: 'doc-name', value: 'document.txt' });
    var publisher = h('input', { id: 'doc-publisher' });
    var published = h('input', { id: 'doc-published', placeholder: 'YYYY-MM-DD' });
    var url = h('input', { id: 'doc-url' });
    var text = h('textarea', { id: 'doc-text', rows: 8, required: true });
    var status = h('p', { role: 'status' });
    function field(label, input) { return h('div', { class: 'field' }, h('label', { for: input.id }, label), input); }
    el.appendChild(h('form', { class: 'card', id: 'doc-import', onsubmit: function (e) {
        e.preventDefault();
        api('POST', '/documents', { text: text.value, name: name.value || undefined,
                                    publisher: publisher.value || undefined, published: published.value || undefined,
                                    url: url.value || undefined })
            .then(function (r) {
                say(t('doc.imported', { n: r.documents.length, tags: r.tags }));
                go('document/' + encodeURIComponent(r.documents[r.documents.length > 1 ? 1 : 0].id));
            })
            .catch(function (err) { status.textContent = err.message; });
    } }, h('h2', null, t('doc.import')), h('p', { class: 'muted' }, t('doc.importAbout')),
        field(t('doc.name'), name), field(t('doc.publisher'), publisher), field(t('doc.published'), published),
        field(t('doc.url'), url), field(t('doc.text'), text),
        h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('doc.importButton'))), status));
    return api('GET', '/records' + qs({ type: 'document', limit: 200 })).then(function (page) {
        var recs = page.records || [];
        if (!recs.length) {
            el.appendChild(h('p', { class: 'empty' }, t('doc.none')));
            return;
        }
        el.appendChild(h('table', { class: 'list', id: 'doc-table' },
            h('thead', null, h('tr', null, ['doc.title', 'doc.publisher', 'doc.published', 'doc.digest'].map(function (k) {
                return h('th', { scope: 'col' }, t(k));
            }))),
            h('tbody', null, recs.map(function (r) {
                var d = r.data || {};
                return h('tr', { 'data-id': r.id },
                    h('td', null, A.hashLink('document/' + encodeURIComponent(r.id), str(d.title) || r.id)),
                    h('td', null, str(d.publisher)), h('td', null, str(d.date)),
                    h('td', null, d.digest ? A.hashLink('document/' + encodeURIComponent(d.digest), d.digest)
                                           : d.articles ? t('doc.articles', { n: d.articles }) : ''));
            }))));
    });
};

/* The text as code points with the tags marked in place: where tags
 * overlap, the first (longest) is marked and the others are in the list. */
function markedDocument(chars, tags, select) {
    var box = h('div', { class: 'doc-text', id: 'doc-body', lang: '' });
    var at = 0;
    var sorted = tags.slice().sort(function (a, b) { return a.start - b.start || b.end - a.end; });
    sorted.forEach(function (tag) {
        if (tag.start < at) return;
        if (tag.start > at) box.appendChild(document.createTextNode(chars.slice(at, tag.start).join('')));
        box.appendChild(h('mark', { class: 'tag tag-' + tag.kind + ' tag-' + tag.status, 'data-tag': tag.id,
                                    title: t('doc.kind.' + tag.kind) + ' → ' + tag.label + ' (' + t('doc.status.' + tag.status) + ')',
                                    tabindex: 0, onclick: function () { select(tag); } },
                          chars.slice(tag.start, tag.end).join('')));
        at = tag.end;
    });
    if (at < chars.length) box.appendChild(document.createTextNode(chars.slice(at).join('')));
    return box;
}

/* The selection inside box as code points [start, end), or null. */
function selectedSpan(box) {
    var sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
    var range = sel.getRangeAt(0);
    if (!box.contains(range.startContainer) || !box.contains(range.endContainer)) return null;
    var before = document.createRange();
    before.selectNodeContents(box);
    before.setEnd(range.startContainer, range.startOffset);
    var start = Array.from(before.toString()).length;
    return { start: start, end: start + Array.from(range.toString()).length };
}

A.VIEWS.document = function (el, id) {
    return api('GET', '/documents/' + encodeURIComponent(id)).then(function (r) {
        var doc = r.document, d = doc.data || {};
        var chars = Array.from(str(d.text));
        var detail = h('div', { id: 'doc-tag-detail', class: 'card', hidden: true });
        function decide(tag, status) {
            return function () {
                api('POST', '/tags/' + tag.id, { status: status })
                    .then(function () { say(t('doc.status.' + status)); A.VIEWS.document(A.clear(el), id); })
                    .catch(function (err) { say(err.message, true); });
            };
        }
        function buttons(tag) {
            return h('span', { class: 'actions' },
                h('button', { type: 'button', class: 'primary', 'data-accept': tag.id, disabled: tag.status === 'accepted',
                              onclick: decide(tag, 'accepted') }, t('doc.accept')),
                h('button', { type: 'button', 'data-reject': tag.id, disabled: tag.status === 'rejected',
                              onclick: decide(tag, 'rejected') }, t('doc.reject')));
        }
        function select(tag) {
            A.clear(detail).hidden = false;
            detail.appendChild(h('p', null, h('strong', null, '“' + tag.text + '”'), ' ',
                t('doc.kind.' + tag.kind), ' → ', tag.label, ' (', tag.target, ') · ', t('doc.status.' + tag.status)));
            detail.appendChild(buttons(tag));
        }
        el.appendChild(h('h1', null, str(d.title) || doc.id));
        el.appendChild(h('p', { class: 'muted' }, [d.publisher, d.date, d.url].filter(Boolean).join(' · '),
            d.digest ? [' · ', t('doc.fromDigest'), ' ', A.hashLink('document/' + encodeURIComponent(d.digest), d.digest)] : null));
        if (!d.text) {
            el.appendChild(h('p', { class: 'empty' }, d.articles ? t('doc.isDigest', { n: d.articles }) : t('doc.noText')));
            return;
        }
        var body = markedDocument(chars, r.tags, select);
        el.appendChild(h('section', { class: 'card' }, h('h2', null, t('doc.textTitle')),
            h('p', { class: 'muted' }, t('doc.textAbout')), body, detail));

        el.appendChild(h('section', { class: 'card' }, h('h2', null, t('doc.tags')),
            r.tags.length ? h('table', { class: 'list', id: 'doc-tags' },
                h('thead', null, h('tr', null, ['doc.span', 'doc.kindCol', 'doc.textCol', 'doc.target', 'doc.statusCol', ''].map(function (k) {
                    return h('th', { scope: 'col' }, k ? t(k) : '');
                }))),
                h('tbody', null, r.tags.map(function (tag) {
                    return h('tr', { 'data-tag': tag.id, class: 'tag-' + tag.status },
                        h('td', null, tag.start + ':' + tag.end), h('td', null, t('doc.kind.' + tag.kind)),
                        h('td', null, tag.text), h('td', null, tag.label === tag.target ? tag.target : tag.label + ' (' + tag.target + ')'),
                        h('td', null, t('doc.status.' + tag.status)), h('td', null, buttons(tag)));
                }))) : h('p', { class: 'empty' }, t('doc.noTags'))));

        var span = h('input', { id: 'claim-span', required: true, placeholder: 'START:END' });
        var quote = h('p', { class: 'muted', id: 'claim-quote' });
        var quantity = h('input', { id: 'claim-quantity', type: 'number', step: 'any', required: true });
        var unit = h('select', { id: 'claim-unit', required: true }, A.vocabOptions('quantity_unit', null, ''));
        var topic = h('select', { id: 'claim-topic', required: true }, A.vocabOptions('claim_topic', null, ''));
        var qualifier = h('select', { id: 'claim-qualifier' }, A.vocabOptions('claim_qualifier', null, ''));
        var period = h('input', { id: 'claim-period' });
        var place = h('input', { id: 'claim-place' });
        var status = h('p', { role: 'status' });
        body.addEventListener('mouseup', function () {
            var s = selectedSpan(body);
            if (!s) return;
            span.value = s.start + ':' + s.end;
            quote.textContent = '“' + chars.slice(s.start, s.end).join('') + '”';
            var digits = chars.slice(s.start, s.end).join('').replace(/[^0-9.]/g, '');
            if (digits && !quantity.value) quantity.value = digits;
        });
        function field(label, input) { return h('div', { class: 'field' }, h('label', { for: input.id }, label), input); }
        var claims = r.claims.length ? h('table', { class: 'list', id: 'doc-claims' },
            h('thead', null, h('tr', null, ['doc.quantity', 'doc.unit', 'doc.period', 'doc.place', 'doc.topic', 'doc.quote'].map(function (k) {
                return h('th', { scope: 'col' }, t(k));
            }))),
            h('tbody', null, r.claims.map(function (c) {
                return h('tr', { 'data-claim': c.id },
                    h('td', { class: 'num' }, (c.qualifier ? A.vocabLabel('claim_qualifier', c.qualifier) + ' ' : '') + c.quantity),
                    h('td', null, A.vocabLabel('quantity_unit', c.unit)), h('td', null, str(c.period)), h('td', null, str(c.place)),
                    h('td', null, A.vocabLabel('claim_topic', c.topic)), h('td', null, '“' + str(c.quote) + '”'));
            }))) : h('p', { class: 'empty' }, t('doc.noClaims'));
        el.appendChild(h('section', { class: 'card' }, h('h2', null, t('doc.claims')), claims,
            h('form', { id: 'claim-form', onsubmit: function (e) {
                e.preventDefault();
                api('POST', '/claims', { document: doc.id, span: span.value.trim(), quantity: Number(quantity.value),
                                         unit: unit.value, topic: topic.value, qualifier: qualifier.value || undefined,
                                         period: period.value.trim() || undefined, place: place.value.trim() || undefined })
                    .then(function () { say(t('doc.claimSaved')); A.VIEWS.document(A.clear(el), id); })
                    .catch(function (err) { status.textContent = err.message; });
            } }, h('h3', null, t('doc.newClaim')), h('p', { class: 'muted' }, t('doc.newClaimAbout')),
                field(t('doc.span'), span), quote, field(t('doc.quantity'), quantity), field(t('doc.unit'), unit),
                field(t('doc.topic'), topic), field(t('doc.qualifier'), qualifier), field(t('doc.period'), period),
                field(t('doc.place'), place),
                h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'claim-save' }, t('doc.saveClaim'))),
                status)));
    });
};

})();
