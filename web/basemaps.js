/*
 * basemaps.js: the archive's offline imagery (#/basemaps), as `attest
 * basemap add|list|remove` manages it: the basemaps with their zoom
 * levels, tiles and size; a file added (an MBTiles file, a GeoTIFF or
 * JPEG 2000, a KML/KMZ GroundOverlay), sent as it is, streamed by the
 * server to a file and cut or checked by core, which refuses what is not
 * valid imagery saying why; a basemap removed after a second press; a
 * basemap downloaded as an MBTiles file (`attest basemap export`, not
 * encrypted: the hint says so).  Adding, removing and downloading need the
 * right to write; the server decides.
 */
'use strict';

(function () {

var A = window.ATTEST;
var h = A.h, clear = A.clear, t = A.t, api = A.api, field = A.labelled;

function size(bytes) {
    if (bytes >= 1048576) return (bytes / 1048576).toFixed(1) + ' MB';
    if (bytes >= 1024) return (bytes / 1024).toFixed(1) + ' kB';
    return bytes + ' B';
}

/* Saves basemap name as NAME.mbtiles (the server's reply names every one
 * basemap.mbtiles), or says why not. */
function download(name) {
    fetch('/api/v1/basemaps/' + encodeURIComponent(name) + '/file', { credentials: 'same-origin' }).then(function (res) {
        if (res.ok) return res.blob();
        return res.json().catch(function () { return {}; }).then(function (x) {
            throw new Error((x.error && x.error.message) || res.statusText);
        });
    }).then(function (blob) {
        var a = h('a', { href: URL.createObjectURL(blob), download: name + '.mbtiles', hidden: true });
        document.body.appendChild(a);
        a.click();
        setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
        A.say(t('bm.downloaded', { name: name + '.mbtiles' }));
    }).catch(function (e) { A.say(e.message, true); });
}

function table(list, reload) {
    if (!list.length) return h('p', { class: 'muted', id: 'bm-none' }, t('bm.none'));
    return h('table', { class: 'list', id: 'bm-list' },
        h('caption', { class: 'muted' }, t('bm.caption')),
        h('thead', null, h('tr', null, ['bm.name', 'bm.format', 'bm.zooms', 'bm.tiles', 'bm.size', ''].map(function (k) {
            return h('th', { scope: 'col' }, k ? t(k) : '');
        }))),
        h('tbody', null, list.map(function (b) {
            var remove = h('button', { type: 'button', class: 'danger', onclick: function () {
                if (!remove.hasAttribute('data-confirm')) {
                    remove.setAttribute('data-confirm', '');
                    remove.textContent = t('bm.confirm');
                    A.say(t('bm.confirmRemove', { name: b.name }));
                    return;
                }
                api('DELETE', '/basemaps/' + encodeURIComponent(b.name)).then(function () {
                    A.say(t('bm.removed', { name: b.name }));
                    A.state.basemaps = null; /* the map's layer switcher asks again */
                    reload();
                }).catch(function (e) { A.say(e.message, true); });
            } }, t('bm.remove'));
            return h('tr', { 'data-basemap': b.name },
                h('th', { scope: 'row' }, b.name), h('td', null, b.format),
                h('td', null, b.minzoom + '–' + b.maxzoom), h('td', { class: 'num' }, String(b.tiles)),
                h('td', { class: 'num' }, size(b.bytes || 0)),
                h('td', { class: 'actions' },
                  h('button', { type: 'button', 'data-action': 'download', title: t('bm.downloadHint'),
                                onclick: function () { download(b.name); } }, t('bm.download')), ' ', remove));
        })));
}

function addForm(reload) {
    var err = h('p', { class: 'error-box', role: 'alert', hidden: true });
    var file = h('input', { id: 'bm-file', name: 'file', type: 'file', accept: '.mbtiles,.tif,.tiff,.jp2,.kml,.kmz',
                            'aria-describedby': 'bm-file-hint' });
    var name = h('input', { id: 'bm-name', name: 'name', autocomplete: 'off', 'aria-describedby': 'bm-name-hint' });
    var save = h('button', { type: 'submit', class: 'primary', id: 'bm-add' }, t('bm.add'));
    return h('form', { class: 'card', id: 'bm-form', novalidate: true, onsubmit: function (e) {
        e.preventDefault();
        err.hidden = true;
        var f = file.files[0];
        if (!f) {
            err.textContent = t('bm.chooseFile');
            err.hidden = false;
            file.focus();
            return;
        }
        var path = '/basemaps?filename=' + encodeURIComponent(f.name)
                   + (name.value.trim() ? '&name=' + encodeURIComponent(name.value.trim()) : '');
        save.disabled = true;
        A.say(t('bm.sending', { name: f.name }));
        api('POST', path, f, 'application/octet-stream').then(function (b) {
            A.say(t('bm.added', { name: b.name, tiles: b.tiles }));
            file.value = '';
            name.value = '';
            A.state.basemaps = null;
            reload();
        }).catch(function (e2) {
            err.textContent = e2.message;
            err.hidden = false;
            (e2.field === 'name' ? name : file).focus();
        }).then(function () { save.disabled = false; });
    } },
        h('h2', null, t('bm.addTitle')), h('p', { class: 'muted' }, t('bm.about')), err,
        h('div', { class: 'fields' },
          field('bm-file', t('bm.file'), file, t('bm.fileHint')),
          field('bm-name', t('bm.name'), name, t('bm.nameHint'))),
        h('div', { class: 'actions' }, save));
}

A.VIEWS.basemaps = function (el) {
    var box = h('section', { class: 'card', id: 'bm-box' });
    function reload() {
        return api('GET', '/basemaps').then(function (x) {
            clear(box).append(h('h2', null, t('bm.listTitle')), table(x.basemaps || [], reload));
        }).catch(function (e) { clear(box).appendChild(A.errorBox(e)); });
    }
    el.appendChild(h('h1', null, t('nav.basemaps')));
    el.appendChild(box);
    if (['admin', 'officer', 'investigator', 'analyst'].indexOf(A.state.me.role) >= 0) el.appendChild(addForm(reload));
    return reload();
};

})();
