/*
 * import.js: files of records imported in the browser (#/import), as
 * `attest import csv|jsonl|kml|kmz|ftm` imports them: a file chosen with its
 * format (from its name unless chosen), a CSV's record type, column maps
 * and clearance, a KML's words for codes (map-value) and interview, an
 * FtM file's clearance and source, then
 * "check" (read and validated, nothing stored) or "import" (all or
 * nothing).  The file is sent as it is; the server keeps it in memory only
 * and core imports it.  A refusal is shown as core words it: the file,
 * line and field, what would be valid, the closest codes of an unknown
 * word and the map-value to give.  A success says how many records were
 * added, how many new versions and unchanged, with links to the new ones.
 */
'use strict';

(function () {

var A = window.ATTEST;
var h = A.h, clear = A.clear, t = A.t, api = A.api, field = A.labelled;

var EXT = { csv: 'csv', jsonl: 'jsonl', ndjson: 'jsonl', kml: 'kml', kmz: 'kmz', ftm: 'ftm' };
var RECORDS_SHOWN = 50;

function formatOf(file, chosen) {
    if (chosen) return chosen;
    var m = file && /\.([a-z]+)$/i.exec(file.name);
    return m ? EXT[m[1].toLowerCase()] || '' : '';
}

/* The non-empty lines of a textarea. */
function lines(area) {
    return area.value.split('\n').map(function (s) { return s.trim(); }).filter(Boolean);
}

function result(x) {
    var box = h('section', { class: 'card', id: 'im-result', 'aria-live': 'polite' },
        h('h2', null, t(x.checked ? 'im.checkedTitle' : 'im.doneTitle', { file: x.file })),
        h('p', { id: 'im-counts' }, t(x.checked ? 'im.wouldCounts' : 'im.counts',
                                       { added: x.added, versions: x.versions, unchanged: x.unchanged })));
    if (x.ftm) box.appendChild(h('p', { id: 'im-ftm' }, t('im.ftmCounts', x.ftm)));
    if (x.bad) {
        box.appendChild(h('p', { class: 'muted' }, t('im.skipped', { n: x.bad })));
        box.appendChild(h('ul', { id: 'im-skipped' }, x.skipped.map(function (s) {
            return h('li', null, s.where + ': ' + s.message);
        })));
    }
    if (x.document) box.appendChild(h('p', null, t('im.document') + ' ', A.recordLink(x.document)));
    if (x.records.length) {
        box.appendChild(h('p', null, t('im.made')));
        box.appendChild(h('ul', { id: 'im-records' }, x.records.slice(0, RECORDS_SHOWN).map(function (id) {
            return h('li', null, A.recordLink(id, (A.typeOfId(id) ? A.typeLabel(A.typeOfId(id)) + ' ' : '') + id));
        })));
        if (x.added > RECORDS_SHOWN) box.appendChild(h('p', { class: 'muted' }, t('im.more', { n: x.added - RECORDS_SHOWN })));
    }
    return box;
}

A.VIEWS.import = function (el) {
    var out = h('div', { id: 'im-out' });
    var err = h('p', { class: 'error-box', role: 'alert', id: 'im-error', hidden: true });
    var file = h('input', { id: 'im-file', name: 'file', type: 'file', accept: '.csv,.jsonl,.ndjson,.kml,.kmz,.ftm,.json',
                            'aria-describedby': 'im-file-hint' });
    var format = h('select', { id: 'im-format', name: 'format' },
        h('option', { value: '' }, t('im.formatAuto')),
        ['csv', 'jsonl', 'kml', 'kmz', 'ftm'].map(function (f) { return h('option', { value: f }, t('im.format.' + f)); }));
    var type = h('select', { id: 'im-type', name: 'type' }, h('option', { value: '' }, t('im.typeChoose')),
        Object.keys(A.state.types || {}).map(function (k) { return h('option', { value: k }, A.typeLabel(k)); }));
    var maps = h('textarea', { id: 'im-maps', name: 'map', rows: 2, 'aria-describedby': 'im-maps-hint' });
    var clearance = h('select', { id: 'im-clearance', name: 'clearance' }, A.vocabOptions('clearance', '', t('im.clearanceDefault')));
    var source = h('input', { id: 'im-source', name: 'source', autocomplete: 'off', 'aria-describedby': 'im-source-hint' });
    var skip = h('input', { id: 'im-skip', name: 'skip_bad', type: 'checkbox' });
    var values = h('textarea', { id: 'im-values', name: 'map_value', rows: 3, 'aria-describedby': 'im-values-hint' });
    var interview = h('input', { id: 'im-interview', name: 'interview', autocomplete: 'off', 'aria-describedby': 'im-interview-hint' });
    var rows = h('div', { class: 'fields', id: 'im-rows-options' },
        field('im-type', t('im.type'), type),
        field('im-maps', t('im.maps'), maps, t('im.mapsHint')),
        field('im-clearance', t('im.clearance'), clearance),
        field('im-source', t('im.source'), source, t('im.sourceHint')),
        h('div', { class: 'field' }, h('label', null, skip, ' ', t('im.skip'))));
    var kml = h('div', { class: 'fields', id: 'im-kml-options' },
        field('im-values', t('im.values'), values, t('im.valuesHint')),
        field('im-interview', t('im.interview'), interview, t('im.interviewHint')));
    var check = h('button', { type: 'button', id: 'im-check' }, t('im.check'));
    var go = h('button', { type: 'submit', class: 'primary', id: 'im-go' }, t('im.go'));

    function shown() {
        var f = formatOf(file.files[0], format.value);
        rows.hidden = !(f === 'csv' || f === 'jsonl' || f === 'ftm');
        type.parentNode.hidden = maps.parentNode.hidden = f !== 'csv';
        skip.parentNode.parentNode.hidden = f === 'ftm';
        kml.hidden = !(f === 'kml' || f === 'kmz');
    }
    file.addEventListener('change', shown);
    format.addEventListener('change', shown);

    function send(checkOnly) {
        var f = file.files[0], fmt = formatOf(f, format.value), q = [];
        err.hidden = true;
        clear(out);
        if (!f || !fmt) {
            err.textContent = t(f ? 'im.chooseFormat' : 'im.chooseFile');
            err.hidden = false;
            (f ? format : file).focus();
            return;
        }
        q.push('filename=' + encodeURIComponent(f.name), 'format=' + fmt);
        if (checkOnly) q.push('check=1');
        if (fmt === 'csv' && type.value) q.push('type=' + encodeURIComponent(type.value));
        if (fmt === 'csv') lines(maps).forEach(function (m) { q.push('map=' + encodeURIComponent(m)); });
        if (fmt === 'csv' || fmt === 'jsonl' || fmt === 'ftm') {
            if (clearance.value) q.push('clearance=' + encodeURIComponent(clearance.value));
            if (source.value.trim()) q.push('source=' + encodeURIComponent(source.value.trim()));
            if (skip.checked && fmt !== 'ftm') q.push('skip_bad=1');
        } else {
            lines(values).forEach(function (m) { q.push('map_value=' + encodeURIComponent(m)); });
            if (interview.value.trim()) q.push('interview=' + encodeURIComponent(interview.value.trim()));
        }
        check.disabled = go.disabled = true;
        A.say(t('im.sending', { name: f.name }));
        api('POST', '/import?' + q.join('&'), f, 'application/octet-stream').then(function (x) {
            A.say(t(x.checked ? 'im.checkedSay' : 'im.doneSay', { name: f.name }));
            out.appendChild(result(x));
        }).catch(function (e) {
            A.say('');
            err.textContent = t('im.refused') + ' ' + e.message;
            if (/map-value/.test(e.message)) err.appendChild(h('span', { class: 'hint' }, ' ' + t('im.valuesAdvice')));
            err.hidden = false;
            (/map-value/.test(e.message) ? values : /^type/.test(e.message) ? type : file).focus();
        }).then(function () { check.disabled = go.disabled = false; });
    }
    check.addEventListener('click', function () { send(true); });

    el.appendChild(h('h1', null, t('nav.import')));
    el.appendChild(h('form', { class: 'card', id: 'im-form', novalidate: true,
                               onsubmit: function (e) { e.preventDefault(); send(false); } },
        h('p', { class: 'muted' }, t('im.about')), err,
        h('div', { class: 'fields' },
          field('im-file', t('im.file'), file, t('im.fileHint')),
          field('im-format', t('im.format'), format)),
        rows, kml,
        h('div', { class: 'actions' }, check, go)));
    el.appendChild(out);
    shown();
};

})();
