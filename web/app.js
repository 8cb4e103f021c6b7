/*
 * app.js: the attest browser application.  Plain JavaScript, no build
 * step.  It only calls the JSON API under /api/v1/ and builds every piece
 * of the page with DOM methods: text from the archive is always set as
 * text, never parsed as HTML.
 *
 * Sections, in order: helpers (DOM, i18n, API), the shell (header, router),
 * then one section per view: login, map, intake (forms generated from
 * /api/v1/types), records, one record, search, review of linked pairs,
 * screening, dashboard, evidence, exports.  The label tables are in i18n.js, loaded first.
 */
'use strict';

(function () {

/* ------------------------------------------------------------------ */
/* DOM helpers                                                         */

/* h('a', {href: '#/map', class: 'x', onclick: f}, 'text', child, [more]):
 * an element; strings become text nodes. */
function h(tag, attrs) {
    var el = document.createElement(tag);
    var kids = Array.prototype.slice.call(arguments, 2);
    Object.keys(attrs || {}).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) return;
        if (k === 'class') el.className = v;
        else if (k === 'text') el.textContent = v;
        else if (k.slice(0, 2) === 'on') el.addEventListener(k.slice(2), v);
        else if (k === 'value') el.value = v;
        else if (k === 'checked') el.checked = !!v;
        else if (v === true) el.setAttribute(k, '');
        else el.setAttribute(k, String(v));
    });
    append(el, kids);
    return el;
}

function append(el, kids) {
    (Array.isArray(kids) ? kids : [kids]).forEach(function (k) {
        if (k === null || k === undefined || k === false) return;
        if (Array.isArray(k)) append(el, k);
        else el.appendChild(k instanceof Node ? k : document.createTextNode(String(k)));
    });
    return el;
}

/* A form's field: its label, the input (whose id is id) and, when given,
 * the hint that describes it (id-hint; the input's aria-describedby). */
function labelled(id, label, input, hint) {
    return h('div', { class: 'field' }, h('label', { for: id }, label), input,
             hint ? h('span', { class: 'hint', id: id + '-hint' }, hint) : null);
}

/* An SVG element, as h() makes HTML ones (the review page's waterfall). */
var SVG_NS = 'http://www.w3.org/2000/svg';
function svg(tag, attrs) {
    var el = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs || {}).forEach(function (k) {
        if (k === 'text') el.textContent = attrs[k];
        else el.setAttribute(k, String(attrs[k]));
    });
    append(el, Array.prototype.slice.call(arguments, 2));
    return el;
}

function clear(el) {
    while (el.firstChild) el.removeChild(el.firstChild);
    return el;
}

var uid = 0;
function nextId(prefix) { return (prefix || 'f') + '-' + (++uid); }

/* Search snippets mark hits with STX ... ETX: split on them and wrap the
 * hits in <mark>, all as text nodes. */
function markedText(snippet) {
    var frag = document.createDocumentFragment();
    var parts = String(snippet || '').split(/([\u0002\u0003])/);
    var inHit = false;
    parts.forEach(function (p) {
        if (p === '\u0002') inHit = true;
        else if (p === '\u0003') inHit = false;
        else if (p) frag.appendChild(inHit ? h('mark', null, p) : document.createTextNode(p));
    });
    return frag;
}

function hashLink(path, text, attrs) {
    var a = attrs || {};
    a.href = '#/' + path;
    return h('a', a, text);
}

function recordLink(id, text) {
    return hashLink('record/' + encodeURIComponent(id), text || id);
}

function qs(params) {
    var parts = [];
    Object.keys(params).forEach(function (k) {
        var v = params[k];
        if (v === null || v === undefined || v === '' || v === false) return;
        parts.push(encodeURIComponent(k) + '=' + encodeURIComponent(v));
    });
    return parts.length ? '?' + parts.join('&') : '';
}

/* fn, called ms after the last of a run of calls.  Made by a view, for
 * that view: leaving it cancels a call still waiting (which would find its
 * map removed). */
function debounce(fn, ms) {
    var timer = null;
    state.cleanup.push(function () { clearTimeout(timer); });
    return function () {
        clearTimeout(timer);
        timer = setTimeout(fn, ms);
    };
}

/* ------------------------------------------------------------------ */
/* Labels in English and Korean: the tables are in i18n.js             */

var TEXT = window.ATTEST_I18N.text;
var FIELD_KO = window.ATTEST_I18N.fieldKo;
var FIELD_EN = window.ATTEST_I18N.fieldEn;

var PREFIX_TYPE = {};

function t(key, vars) {
    var s = TEXT[state.lang][key];
    if (s === undefined) s = TEXT.en[key];
    if (s === undefined) s = key;
    Object.keys(vars || {}).forEach(function (k) { s = s.split('{' + k + '}').join(String(vars[k])); });
    return s;
}

function fieldLabel(name) {
    if (state.lang === 'ko' && FIELD_KO[name]) return FIELD_KO[name];
    if (FIELD_EN[name]) return FIELD_EN[name];
    var s = name.replace(/_m$/, ' (m)').replace(/_/g, ' ');
    return s.charAt(0).toUpperCase() + s.slice(1);
}

function typeLabel(type) { return t('type.' + type); }

/* A field's help text and a type's description: the server's, in English. */
function fieldHelp(type, f) {
    return (state.lang === 'ko' && window.ATTEST_I18N.helpKo[type + '.' + f.name]) || f.about;
}

function typeAbout(type) {
    return (state.lang === 'ko' && window.ATTEST_I18N.typeAboutKo[type]) || state.types[type].about;
}

function vocabLabel(vocab, code) {
    var v = state.vocab && state.vocab[vocab];
    if (!v || code === null || code === undefined) return code;
    for (var i = 0; i < v.terms.length; i++)
        if (v.terms[i].code === code) return state.lang === 'ko' ? v.terms[i].label_ko : v.terms[i].label;
    return code;
}

function vocabOptions(vocab, selected, anyLabel) {
    var opts = [h('option', { value: '' }, anyLabel || '')];
    var v = state.vocab && state.vocab[vocab];
    (v ? v.terms : []).forEach(function (term) {
        opts.push(h('option', { value: term.code, selected: term.code === selected },
                    state.lang === 'ko' ? term.label_ko : term.label));
    });
    return opts;
}

/* A record's title for people: its title, name, code or first name. */
function recordLabel(doc) {
    var d = (doc && doc.data) || {};
    if (d.title) return d.title;
    if (d.name) return d.name;
    if (d.code) return d.code;
    if (Array.isArray(d.names) && d.names.length) return d.names.map(function (n) { return n.name; }).join(' / ');
    var short = function (x) { return x.length > 90 ? x.slice(0, 88) + '…' : x; };
    if (doc.type === 'act' && d.act_type) return vocabLabel('act_type', d.act_type) + (d.event ? ' · ' + d.event : '');
    if (doc.type === 'relation' && d.kind) return vocabLabel('relation_kind', d.kind) + ': ' + d.from + ' → ' + d.to;
    if (doc.type === 'interview')
        return typeLabel('interview') + ' ' + [d.date, d.interviewer, d.place].filter(Boolean).join(', ');
    if (d.description) return short(d.description);
    if (d.summary) return short(d.summary);
    return doc.id;
}

/* ------------------------------------------------------------------ */
/* The API                                                             */

var state = {
    me: null, csrf: null, tiles: null, basemaps: null, lang: 'en', types: null, vocab: null,
    countries: null, cleanup: [], openapi: null
};

try { state.lang = localStorage.getItem('attest.lang') === 'ko' ? 'ko' : 'en'; } catch (e) { /* private mode */ }

function ApiError(status, err) {
    this.status = status;
    this.code = err.code;
    this.field = err.field || null;
    this.message = err.message || ('HTTP ' + status);
}
ApiError.prototype = Object.create(Error.prototype);

/* api('GET', '/records', null): the parsed JSON reply; throws ApiError. */
function api(method, path, body, contentType) {
    var headers = {};
    var init = { method: method, headers: headers, credentials: 'same-origin' };
    if (method !== 'GET') headers['X-CSRF-Token'] = state.csrf || '';
    if (body !== null && body !== undefined) {
        if (contentType) {
            headers['Content-Type'] = contentType;
            init.body = body;
        } else {
            headers['Content-Type'] = 'application/json';
            init.body = JSON.stringify(body);
        }
    }
    return fetch('/api/v1' + path, init).then(function (res) {
        var isJson = (res.headers.get('Content-Type') || '').indexOf('application/json') === 0;
        return (isJson ? res.json() : Promise.resolve(null)).then(function (data) {
            if (res.ok) return data;
            var err = new ApiError(res.status, (data && data.error) || {});
            if (res.status === 401 && path !== '/login' && state.me) {
                state.me = null;
                route();
            }
            throw err;
        });
    });
}

function loadBasics() {
    var jobs = [];
    if (!state.types) jobs.push(api('GET', '/types').then(function (x) {
        state.types = x;
        Object.keys(x).forEach(function (k) { PREFIX_TYPE[x[k].prefix] = k; });
    }));
    if (!state.vocab) jobs.push(api('GET', '/vocab').then(function (x) { state.vocab = x; }));
    return Promise.all(jobs);
}

function when(stamp) {
    return stamp ? String(stamp).replace('T', ' ').replace('Z', ' UTC') : '';
}

function typeOfId(id) { return PREFIX_TYPE[String(id).slice(0, 2)] || ''; }

/* ------------------------------------------------------------------ */
/* The shell: header, status line, router                              */

var main = document.getElementById('main');

function say(text, isError) {
    var st = document.getElementById('status');
    st.textContent = text || '';
    st.className = 'status' + (text ? ' shown' : '') + (isError ? ' error' : '');
    clearTimeout(say.timer);
    if (text) say.timer = setTimeout(function () { say(''); }, isError ? 8000 : 4000);
}

function errorBox(err) {
    return h('p', { class: 'error-box', role: 'alert' }, err.message || String(err));
}

var NAV = ['map', 'intake', 'import', 'records', 'documents', 'review', 'screen', 'search', 'dashboard', 'evidence', 'exports',
           'conflicts', 'peers', 'users', 'estimates', 'link', 'basemaps', 'verify', 'vocab'];
/* Pages only for the roles that may act on them: users and peers, for admins; conflicts and
 * linkage runs, for those who write. */
var NAV_ADMIN = { users: 1, peers: 1 };
var NAV_WRITERS = { conflicts: 1, link: 1, import: 1 };

function renderHeader(view) {
    var top = document.getElementById('top');
    top.hidden = !state.me;
    document.documentElement.lang = state.lang;
    document.getElementById('skip-link').textContent = t('app.skip');
    document.getElementById('lang').textContent = t('app.lang');
    document.getElementById('lang').setAttribute('lang', state.lang === 'en' ? 'ko' : 'en');
    document.getElementById('logout').textContent = t('app.logout');
    if (!state.me) return;
    clear(document.getElementById('who')).append(
        hashLink('account', state.me.user, { class: 'user', id: 'me-link', title: t('nav.account') }), ' ',
        h('span', { class: 'role' }, t('role.' + state.me.role) + ' · ' + vocabLabel('clearance', state.me.clearance)));
    var nav = clear(document.getElementById('nav'));
    var ul = h('ul');
    NAV.forEach(function (name) {
        if (NAV_ADMIN[name] && state.me.role !== 'admin') return;
        if (NAV_WRITERS[name] && ['admin', 'officer', 'investigator', 'analyst'].indexOf(state.me.role) < 0) return;
        var active = view === name || (view === 'record' && name === 'records')
                     || (view === 'document' && name === 'documents');
        ul.appendChild(h('li', null, hashLink(name, t('nav.' + name),
                                              { 'aria-current': active ? 'page' : null })));
    });
    nav.appendChild(ul);
}

function parseHash() {
    var raw = location.hash.replace(/^#\/?/, '');
    var q = raw.indexOf('?');
    var path = q >= 0 ? raw.slice(0, q) : raw;
    var params = {};
    if (q >= 0) raw.slice(q + 1).split('&').forEach(function (kv) {
        if (!kv) return;
        var i = kv.indexOf('=');
        var k = decodeURIComponent(i >= 0 ? kv.slice(0, i) : kv);
        params[k] = i >= 0 ? decodeURIComponent(kv.slice(i + 1).replace(/\+/g, ' ')) : '';
    });
    var parts = path.split('/').map(decodeURIComponent);
    return { view: parts[0] || 'map', arg: parts[1] || '', params: params };
}

var VIEWS = {};
var firstRoute = true;

function route() {
    state.cleanup.forEach(function (f) { f(); });
    state.cleanup = [];
    var r = parseHash();
    if (!state.me) r = { view: 'login', arg: '', params: {} };
    var view = VIEWS[r.view] ? r.view : 'map';
    renderHeader(view);
    clear(main);
    main.className = 'view-' + view;
    var p = view === 'login' ? Promise.resolve() : loadBasics();
    p.then(function () {
        renderHeader(view);
        return VIEWS[view](main, r.arg, r.params);
    }).then(function () {
        var titled = { record: 'records', document: 'documents' }[view] || view;
        document.title = 'attest · ' + (view === 'login' ? t('login.title') : t('nav.' + titled));
        if (!firstRoute) {
            var h1 = main.querySelector('h1');
            if (h1 && !main.contains(document.activeElement)) {
                h1.setAttribute('tabindex', '-1');
                h1.focus();
            }
        }
        firstRoute = false;
    }).catch(function (err) {
        main.appendChild(errorBox(err));
    });
}

function go(path) {
    if (location.hash === '#/' + path) route();
    else location.hash = '#/' + path;
}

/* ------------------------------------------------------------------ */
/* View: login                                                         */

VIEWS.login = function (el) {
    var err = h('p', { class: 'error-box', role: 'alert', hidden: true });
    var user = h('input', { id: 'login-user', name: 'username', autocomplete: 'username', required: true });
    var pass = h('input', { id: 'login-pass', name: 'passphrase', type: 'password',
                            autocomplete: 'current-password', required: true });
    var form = h('form', { class: 'login card', onsubmit: function (e) {
        e.preventDefault();
        err.hidden = true;
        api('POST', '/login', { username: user.value, passphrase: pass.value }).then(function (me) {
            pass.value = '';
            return start(me);
        }).catch(function (e2) {
            err.textContent = e2.message;
            err.hidden = false;
            pass.focus();
        });
    } },
        h('h1', null, t('login.title')),
        h('label', { for: 'login-user' }, t('login.user')), user,
        h('label', { for: 'login-pass' }, t('login.pass')), pass,
        err,
        h('button', { type: 'submit', class: 'primary' }, t('login.submit')),
        h('p', { class: 'langswitch' }, h('button', { type: 'button', class: 'linkish', onclick: switchLang },
                                         t('app.lang'))));
    el.appendChild(form);
    user.focus();
};

function start(me) {
    state.me = me;
    state.csrf = me.csrf_token;
    return api('GET', '/me').then(function (full) {
        state.tiles = full.tiles || null;
        state.basemaps = null;
        if (full.csrf_token) state.csrf = full.csrf_token;
        var r = parseHash();
        if (r.view === 'login' || !location.hash) location.hash = '#/map';
        else route();
    });
}

function switchLang() {
    state.lang = state.lang === 'en' ? 'ko' : 'en';
    try { localStorage.setItem('attest.lang', state.lang); } catch (e) { /* private mode */ }
    route();
}

/* ------------------------------------------------------------------ */
/* Maps: the offline basemap, shared by the map view and the forms     */

function countries() {
    if (state.countries) return Promise.resolve(state.countries);
    return fetch('/assets/countries-50m.json').then(function (r) { return r.json(); }).then(function (topo) {
        state.countries = topojson.feature(topo, topo.objects.countries);
        return state.countries;
    });
}

/* The archive's basemaps (GET /basemaps), fetched once. */
function basemaps() {
    if (state.basemaps) return Promise.resolve(state.basemaps);
    return api('GET', '/basemaps').then(function (r) {
        state.basemaps = r.basemaps || [];
        return state.basemaps;
    });
}

/* A Leaflet map in el, removed when the view changes, with a layer
 * switcher of base maps: the offline reference map (Natural Earth
 * borders, filled: the 1:50m world, and 1:10m around Korea from zoom 6), each of the archive's basemaps (its tiles served by
 * attest), and the online tiles when the server offers them.  Over any
 * tiles the borders stay as lines only, so the imagery shows. */
function makeMap(el, center, zoom) {
    var map = L.map(el, { center: center || [40.3, 127.4], zoom: zoom || 7, minZoom: 2, maxZoom: 19,
                          worldCopyJump: true, keyboard: true });
    var reference = L.layerGroup();
    var borders = L.layerGroup().addTo(map);
    var bases = {};
    bases[t('map.reference')] = reference;
    var tiles = state.tiles ? L.tileLayer(state.tiles, { maxZoom: 19, attribution: t('map.tiles') }) : null;
    if (tiles) bases[t('map.tiles')] = tiles;
    (tiles || reference).addTo(map);
    /* From zoom 6 the 1:10m part draws the outlines around Korea (map_layers.js). */
    var fine = window.ATTEST_MAP.fineReference(map, function () { return map.hasLayer(reference); });
    var style = function () {
        return function (f) {
            var dprk = f.id === '408';
            return { color: '#5b6b73', weight: dprk ? 1.6 : 0.8, stroke: !fine.shown(),
                     fillColor: dprk ? '#f3eee2' : '#e4e7e1', fillOpacity: map.hasLayer(reference) ? 1 : 0 };
        };
    };
    var geo = null;
    countries().then(function (data) {
        geo = L.geoJSON(data, { interactive: false, style: style() }).addTo(borders);
        fine.layer.addTo(borders);
    }).catch(function () { /* the map still works without borders */ });
    var overlays = {};
    overlays[t('map.borders')] = borders;
    overlays[t('map.names')] = window.ATTEST_MAP.placeNames(map).addTo(map);
    var control = L.control.layers(bases, overlays, { collapsed: false }).addTo(map);
    map.on('baselayerchange overlayadd zoomend attest:fine', function () { if (geo) geo.setStyle(style()); });
    basemaps().then(function (list) {
        list.forEach(function (b) {
            var layer = L.tileLayer('/tiles/' + encodeURIComponent(b.name) + '/{z}/{x}/{y}', {
                minZoom: 2, maxZoom: 19, maxNativeZoom: b.maxzoom, attribution: b.name,
                bounds: L.latLngBounds([b.bounds[1], b.bounds[0]], [b.bounds[3], b.bounds[2]]) });
            control.addBaseLayer(layer, t('map.imagery') + ': ' + b.name);
        });
    }).catch(function () { /* the map still works without imagery */ });
    L.control.scale({ imperial: false }).addTo(map);
    window.ATTEST_MAP.gotoBox(map);
    map.attributionControl.setPrefix('Leaflet · Natural Earth · GSHHG');
    state.cleanup.push(function () { map.remove(); });
    return map;
}

function markerIcon(p) {
    var cls = 'mk mk-' + p.type;
    if (p.site_type) cls += ' st-' + p.site_type;
    if (p.confidence) cls += ' conf-' + p.confidence;
    var size = p.type === 'site' ? 20 : 14;
    return L.divIcon({ className: cls, iconSize: [size, size], html: '' });
}

/* ------------------------------------------------------------------ */
/* View: map                                                           */

VIEWS.map = function (el, arg, params) {
    var filters = { site: params.layers ? params.layers.indexOf('site') >= 0 : true,
                    pinpoint: params.layers ? params.layers.indexOf('pinpoint') >= 0 : true,
                    event: params.layers ? params.layers.indexOf('event') >= 0 : true,
                    site_type: params.site_type || '', confidence: params.confidence || '',
                    province: params.province || '', from: params.from || '', to: params.to || '' };
    var mapEl = h('div', { class: 'map', id: 'map', role: 'application', 'aria-label': t('map.title') });
    var detail = h('section', { class: 'detail', id: 'map-detail', 'aria-live': 'polite', hidden: true });
    var list = h('ul', { class: 'inview', id: 'map-inview' });
    var count = h('p', { class: 'count', id: 'map-count' });
    var formError = h('p', { class: 'error-box', role: 'alert', hidden: true });

    function check(name) {
        var id = 'layer-' + name;
        return h('div', { class: 'check' },
                 h('input', { type: 'checkbox', id: id, checked: filters[name], onchange: function (e) {
                     filters[name] = e.target.checked;
                     reload();
                 } }),
                 h('label', { for: id }, t('map.' + name + 's')));
    }
    function field(name, label, control) {
        control.id = 'filter-' + name;
        control.addEventListener('change', function () { filters[name] = control.value.trim(); reload(); });
        return h('div', { class: 'field' }, h('label', { for: control.id }, label), control);
    }
    /* The provinces the records name, for the province field's list, are
     * asked for when the field is first used: counting them reads every
     * record (GET /api/v1/stats), which drawing the map must not wait
     * behind. */
    var provinces = h('datalist', { id: 'province-list' }), provincesAsked = false;
    function askProvinces() {
        if (provincesAsked) return;
        provincesAsked = true;
        api('GET', '/stats').then(function (s) {
            (s.tables || []).filter(function (x) { return x.name === 'acts_by_province'; }).forEach(function (x) {
                x.rows.forEach(function (r) {
                    if (r.key !== 'not_given') provinces.appendChild(h('option', { value: r.key }));
                });
            });
        }).catch(function () { /* the list is only a help */ });
    }

    var legend = h('ul', { class: 'legend' });
    (state.vocab.site_type ? state.vocab.site_type.terms : []).forEach(function (term) {
        legend.appendChild(h('li', null, h('span', { class: 'mk mk-site st-' + term.code, 'aria-hidden': 'true' }),
                             state.lang === 'ko' ? term.label_ko : term.label));
    });
    legend.appendChild(h('li', null, h('span', { class: 'mk mk-pinpoint', 'aria-hidden': 'true' }), t('map.pinpoints')));
    legend.appendChild(h('li', null, h('span', { class: 'mk mk-event', 'aria-hidden': 'true' }), t('map.events')));
    var confLegend = h('ul', { class: 'legend' });
    (state.vocab.confidence ? state.vocab.confidence.terms : []).forEach(function (term) {
        confLegend.appendChild(h('li', null, h('span', { class: 'mk mk-site st-other conf-' + term.code, 'aria-hidden': 'true' }),
                                 state.lang === 'ko' ? term.label_ko : term.label));
    });

    var side = h('aside', { class: 'side', 'aria-label': t('map.filters') },
        h('h1', null, t('map.title')),
        detail,
        h('fieldset', null, h('legend', null, t('map.layers')), check('site'), check('pinpoint'), check('event')),
        h('fieldset', null, h('legend', null, t('map.filters')),
          field('site_type', fieldLabel('site_type'), h('select', null, vocabOptions('site_type', filters.site_type, t('map.any')))),
          field('confidence', fieldLabel('confidence'), h('select', null, vocabOptions('confidence', filters.confidence, t('map.any')))),
          field('province', fieldLabel('province'), h('input', { list: 'province-list', value: filters.province, onfocus: askProvinces })),
          provinces,
          h('div', { class: 'pair' },
            field('from', t('map.from'), h('input', { value: filters.from, placeholder: '1990', size: 10 })),
            field('to', t('map.to'), h('input', { value: filters.to, placeholder: '2020', size: 10 }))),
          h('button', { type: 'button', onclick: function () { go('map'); } }, t('map.reset'))),
        formError,
        h('section', { class: 'inview-box' }, h('h2', null, t('map.inview')), count, list),
        h('p', { class: 'hint' }, t('map.hint')));
    el.appendChild(h('div', { class: 'map-layout' }, side, mapEl));

    var center = params.lat && params.lon ? [Number(params.lat), Number(params.lon)] : null;
    var map = makeMap(mapEl, center, params.z ? Number(params.z) : 7);
    var shapes = window.ATTEST_MAP.shapes(map);
    var cluster = window.ATTEST_MAP.clusters().addTo(map);
    var bubbles = L.layerGroup().addTo(map);
    window.ATTEST_MAP.legend(map, [legend, confLegend, window.ATTEST_MAP.legendExtras()]);
    var detailLayer = L.layerGroup().addTo(map);
    var generation = 0;
    /* Corroboration review (map_review.js): a candidate is shown where a
     * feature's details are; a decision reloads the map on the site made. */
    side.insertBefore(window.ATTEST_MAP.review(map, function (title, el) {
        detailLayer.clearLayers();
        clear(detail);
        detail.hidden = false;
        var heading = h('h2', { tabindex: '-1' }, title);
        detail.appendChild(h('div', { class: 'detail-head' }, heading,
                             h('button', { type: 'button', class: 'linkish', onclick: closeDetail }, t('map.close'))));
        detail.appendChild(el);
        heading.focus();
    }, function (id, ll) {
        load();
        select({ id: id, type: 'site', label: id }, ll);
    }), side.lastChild);
    side.insertBefore(window.ATTEST_MAP.ring(map), side.lastChild); /* range rings (map_ring.js) */

    function clamp(v, lo, hi) { return Math.max(lo, Math.min(hi, v)); }

    /* The view as the API's bbox parameter: west,south,east,north. */
    function viewBox() {
        var b = map.getBounds();
        var west = b.getWest(), east = b.getEast();
        if (east - west >= 360) { west = -180; east = 180; }
        west = clamp(west, -180, 180);
        east = clamp(east, -180, 180);
        return [west, clamp(b.getSouth(), -90, 90), east, clamp(b.getNorth(), -90, 90)]
            .map(function (x) { return x.toFixed(5); }).join(',');
    }

    function load() {
        var bbox = viewBox();
        var layers = ['site', 'pinpoint', 'event'].filter(function (l) { return filters[l]; });
        var mine = ++generation;
        var q = { bbox: bbox, site_type: filters.site_type, confidence: filters.confidence,
                  province: filters.province, from: filters.from, to: filters.to,
                  zoom: Math.round(map.getZoom()) };
        /* With the zoom the server counts what is too many to send (in
         * cells, docs/api.md), under every filter. */
        var requests = layers.length === 3 ? [api('GET', '/map' + qs(q))]
            : layers.map(function (l) { q.layer = l; return api('GET', '/map' + qs(q)); });
        formError.hidden = true;
        Promise.all(requests).then(function (replies) {
            if (mine !== generation) return;
            var feats = [], counted = [];
            replies.forEach(function (fc) {
                feats = feats.concat(fc.features);
                counted = counted.concat(fc.clusters || []);
            });
            show(feats, counted);
        }).catch(function (err) {
            if (mine !== generation) return;
            formError.textContent = err.message;
            formError.hidden = false;
        });
    }
    var reload = debounce(load, 250);

    function show(feats, counted) {
        cluster.clearLayers();
        bubbles.clearLayers();
        counted.forEach(function (c) { bubbles.addLayer(window.ATTEST_MAP.serverBubble(map, c)); });
        clear(list);
        var markers = feats.map(function (f) {
            var p = f.properties;
            var ll = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
            var m = L.marker(ll, { icon: markerIcon(p), title: p.label || p.id, alt: p.label || p.id,
                                   keyboard: true, riseOnHover: true, attest: p });
            m.on('click', function () { select(p, ll); });
            m.on('add', function () {
                var icon = m.getElement();
                if (icon) icon.setAttribute('data-id', p.id);
            });
            return m;
        });
        cluster.addLayers(markers);
        shapes.show(feats);
        count.textContent = t('map.count', { n: counted.reduce(function (s, c) { return s + c.count; }, feats.length) });
        var order = { site: 0, event: 1, pinpoint: 2 };
        feats.slice().sort(function (a, b) {
            return order[a.properties.type] - order[b.properties.type]
                || String(a.properties.label).localeCompare(String(b.properties.label));
        }).slice(0, 150).forEach(function (f) {
            var p = f.properties;
            var ll = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
            list.appendChild(h('li', null,
                h('span', { class: 'mk mk-' + p.type + (p.site_type ? ' st-' + p.site_type : '')
                            + (p.confidence ? ' conf-' + p.confidence : ''), 'aria-hidden': 'true' }),
                h('button', { type: 'button', class: 'linkish', 'data-id': p.id,
                              onclick: function () { select(p, ll, true); } }, p.label || p.id)));
        });
        if (feats.length > 150) list.appendChild(h('li', null, t('map.more', { n: feats.length - 150 })));
    }

    function closeDetail() {
        detail.hidden = true;
        clear(detail);
        detailLayer.clearLayers();
    }

    function circle(lat, lon, metres, cls) {
        return L.circle([lat, lon], { radius: metres || 25, className: cls || 'unc', color: '#7a3b8f',
                                      weight: 1.5, fillOpacity: 0.12, interactive: false });
    }

    /* Shows a feature's details beside the map, and for a site its
     * pinpoints with their circles of uncertainty. */
    function select(p, ll, fly) {
        detailLayer.clearLayers();
        clear(detail);
        detail.hidden = false;
        var heading = h('h2', { tabindex: '-1' }, p.label || p.id);
        detail.appendChild(h('div', { class: 'detail-head' }, heading,
                             h('button', { type: 'button', class: 'linkish', onclick: closeDetail }, t('map.close'))));
        detail.appendChild(h('p', { class: 'muted' }, typeLabel(p.type), ' · ', recordLink(p.id, t('map.open'))));
        heading.focus();
        if (fly) map.setView(ll, Math.max(map.getZoom(), 12));
        if (p.type === 'site') {
            return api('GET', '/sites/' + encodeURIComponent(p.id)).then(function (site) {
                var c = site.corroboration || {};
                var d = site.data || {};
                heading.textContent = recordLabel(site);
                detail.appendChild(h('dl', { class: 'kv' },
                    h('dt', null, fieldLabel('site_type')), h('dd', null, vocabLabel('site_type', d.site_type)),
                    h('dt', null, fieldLabel('confidence')), h('dd', null, vocabLabel('confidence', d.confidence) || t('map.none')),
                    h('dt', null, fieldLabel('province')), h('dd', null, [d.province, d.county].filter(Boolean).join(', ') || '—'),
                    h('dt', null, fieldLabel('tier')), h('dd', null, vocabLabel('tier', d.tier) || '—')));
                detail.appendChild(h('h3', null, t('map.corroboration')));
                detail.appendChild(h('dl', { class: 'kv' },
                    h('dt', null, t('map.witnesses')), h('dd', null, String(c.witnesses || 0)),
                    h('dt', null, t('map.strongest')), h('dd', null, c.strongest_basis ? vocabLabel('basis_of_knowledge', c.strongest_basis) : t('map.none')),
                    h('dt', null, t('map.spread')), h('dd', null, (c.spread_m || 0) + ' m')));
                detail.appendChild(h('h3', null, t('map.pinpoints') + ' (' + site.pinpoints.length + ')'));
                var ul = h('ul', { class: 'plain' });
                var bounds = L.latLngBounds([ll]);
                site.pinpoints.forEach(function (pp) {
                    var q = pp.data;
                    var c2 = circle(q.lat, q.lon, q.uncertainty_m).addTo(detailLayer);
                    L.circleMarker([q.lat, q.lon], { radius: 4, color: '#7a3b8f', weight: 2, fillOpacity: 1,
                                                     interactive: false }).addTo(detailLayer);
                    L.polyline([ll, [q.lat, q.lon]], { color: '#7a3b8f', weight: 1, dashArray: '3 3',
                                                       interactive: false }).addTo(detailLayer);
                    bounds.extend(c2.getBounds());
                    ul.appendChild(h('li', null, recordLink(pp.id), ' — ',
                        vocabLabel('basis_of_knowledge', q.basis) || '?', ', ',
                        t('map.uncertainty', { m: q.uncertainty_m === undefined ? '?' : q.uncertainty_m }),
                        q.imagery_date ? ', ' + fieldLabel('imagery_date') + ' ' + q.imagery_date : '',
                        q.interview ? [', ', recordLink(q.interview)] : null));
                });
                detail.appendChild(ul);
                if (site.pinpoints.length) map.fitBounds(bounds.pad(0.3), { maxZoom: 17 });
                detail.appendChild(h('h3', null, t('map.linkedEvents')));
                var evs = h('ul', { class: 'plain' });
                if (!site.events.length) evs.appendChild(h('li', null, t('map.none')));
                site.events.forEach(function (id) {
                    var li = h('li', null, recordLink(id));
                    evs.appendChild(li);
                    api('GET', '/records/' + encodeURIComponent(id)).then(function (ev) {
                        clear(li).appendChild(recordLink(id, recordLabel(ev)));
                        if (ev.data.date) li.appendChild(document.createTextNode(' (' + ev.data.date + ')'));
                    }).catch(function () { /* shown as its id */ });
                });
                detail.appendChild(evs);
                /* The sites in view are asked for here rather than taken
                 * from the map's markers, which may still be loading. */
                var others = api('GET', '/map' + qs({ layer: 'site', bbox: viewBox() })).then(function (fc) {
                    return fc.features.map(function (f) { return f.properties; });
                });
                window.ATTEST_MAP.siteTools(detail, site, others, function (id, message) {
                    say(message);
                    load();
                    select({ id: id, type: 'site', label: id }, ll);
                });
            }).catch(function (err) { detail.appendChild(errorBox(err)); });
        }
        return api('GET', '/records/' + encodeURIComponent(p.id)).then(function (doc) {
            var d = doc.data;
            var rows = [];
            ['date', 'site_type', 'basis', 'uncertainty_m', 'imagery_date', 'province', 'county', 'place']
                .forEach(function (k) {
                    if (d[k] === undefined) return;
                    var v = k === 'site_type' ? vocabLabel('site_type', d[k])
                        : k === 'basis' ? vocabLabel('basis_of_knowledge', d[k]) : String(d[k]);
                    rows.push(h('dt', null, fieldLabel(k)), h('dd', null, v));
                });
            ['interview', 'event', 'site'].forEach(function (k) {
                if (d[k]) rows.push(h('dt', null, fieldLabel(k)), h('dd', null, recordLink(d[k])));
            });
            detail.appendChild(h('dl', { class: 'kv' }, rows));
            if (p.type === 'pinpoint') circle(d.lat, d.lon, d.uncertainty_m).addTo(detailLayer);
        }).catch(function (err) { detail.appendChild(errorBox(err)); });
    }

    map.on('moveend', reload);
    load();
    if (params.site) select({ id: params.site, type: 'site', label: params.site },
                            center || map.getCenter());
};

/* ------------------------------------------------------------------ */
/* Forms generated from /api/v1/types                                  */

var TEXTAREAS = { description: 1, summary: 1, notes: 1 };

/* Builds the inputs for one field; returns {row, get(), set(v), focus()}. */
function fieldControl(type, f, value) {
    var id = nextId('fld-' + f.name);
    var errId = id + '-err';
    var hintId = id + '-hint';
    var label = h('label', { for: id }, fieldLabel(f.name),
                  f.required ? h('span', { class: 'req' }, ' (' + t('intake.required') + ')') : null);
    var hint = h('span', { class: 'hint', id: hintId }, f.kind === 'date' ? t('intake.datehint') : fieldHelp(type, f));
    var err = h('span', { class: 'field-error', id: errId, 'data-error-for': f.name, hidden: true });
    var describedBy = hintId + ' ' + errId;
    var control, get, set, focusEl;

    if (f.kind === 'names' || f.kind === 'consent') {
        var rows = h('div', { class: 'repeat' });
        var addRow = function (item) {
            item = item || {};
            var row;
            var remove = h('button', { type: 'button', class: 'linkish', onclick: function () {
                rows.removeChild(row);
            } }, t('intake.remove'));
            if (f.kind === 'names') {
                var nid = nextId('name'), lid = nextId('lang');
                row = h('div', { class: 'repeat-row' },
                    h('label', { for: nid, class: 'sub' }, fieldLabel('name')),
                    h('input', { id: nid, 'data-k': 'name', value: item.name || '', 'aria-describedby': describedBy }),
                    h('label', { for: lid, class: 'sub' }, t('intake.nameLang')),
                    h('input', { id: lid, 'data-k': 'lang', value: item.lang || '', size: 6, placeholder: 'ko, en, zh' }),
                    remove);
            } else {
                var uid2 = nextId('use'), gid = nextId('granted'), wid = nextId('withdrawn'), noid = nextId('note');
                row = h('div', { class: 'repeat-row' },
                    h('label', { for: uid2, class: 'sub' }, t('intake.use')),
                    h('select', { id: uid2, 'data-k': 'use' }, vocabOptions('consent_use', item.use)),
                    h('label', { for: gid, class: 'sub' }, t('intake.granted')),
                    h('input', { id: gid, 'data-k': 'granted', value: item.granted || '', size: 10 }),
                    h('label', { for: wid, class: 'sub' }, t('intake.withdrawn')),
                    h('input', { id: wid, 'data-k': 'withdrawn', value: item.withdrawn || '', size: 10 }),
                    h('label', { for: noid, class: 'sub' }, t('intake.note')),
                    h('input', { id: noid, 'data-k': 'note', value: item.note || '' }),
                    remove);
            }
            rows.appendChild(row);
            return row;
        };
        control = h('div', { class: 'repeat-box', role: 'group', 'aria-labelledby': id + '-lbl' }, rows,
                    h('button', { type: 'button', onclick: function () {
                        var row = addRow();
                        row.querySelector('input,select').focus();
                    } }, t(f.kind === 'names' ? 'intake.addName' : 'intake.addConsent')));
        label = h('span', { class: 'label', id: id + '-lbl' }, fieldLabel(f.name),
                  f.required ? h('span', { class: 'req' }, ' (' + t('intake.required') + ')') : null);
        get = function () {
            var out = [];
            Array.prototype.forEach.call(rows.children, function (row) {
                var item = {};
                Array.prototype.forEach.call(row.querySelectorAll('[data-k]'), function (inp) {
                    if (inp.value.trim()) item[inp.getAttribute('data-k')] = inp.value.trim();
                });
                if (Object.keys(item).length) out.push(item);
            });
            return out.length ? out : undefined;
        };
        set = function (v) {
            clear(rows);
            (Array.isArray(v) ? v : []).forEach(function (item) { addRow(typeof item === 'string' ? { name: item } : item); });
            if (!rows.children.length && f.kind === 'names') addRow();
        };
        focusEl = function () { return rows.querySelector('input,select') || control.querySelector('button'); };
        set(value);
    } else if (f.kind === 'vocab') {
        control = h('select', { id: id, name: f.name, 'aria-describedby': describedBy },
                    vocabOptions(f.vocab, value));
        get = function () { return control.value || undefined; };
        set = function (v) { control.value = v || ''; };
    } else if (f.kind === 'int' && f.min === 0 && f.max === 1) {
        control = h('input', { id: id, name: f.name, type: 'checkbox', checked: value === 1,
                               'aria-describedby': describedBy });
        label = h('label', { for: id, class: 'inline' }, fieldLabel(f.name));
        get = function () { return control.checked ? 1 : undefined; };
        set = function (v) { control.checked = v === 1; };
    } else {
        var attrs = { id: id, name: f.name, 'aria-describedby': describedBy, autocomplete: 'off' };
        if (f.kind === 'int' || f.kind === 'real') {
            attrs.inputmode = f.kind === 'int' ? 'numeric' : 'decimal';
        }
        if (f.kind === 'ref') {
            attrs.placeholder = f.ref_types.split(' ').map(function (x) {
                return state.types[x] ? state.types[x].prefix + '-…' : x;
            }).join(', ');
        }
        control = TEXTAREAS[f.name] ? h('textarea', attrs) : h('input', attrs);
        if (f.kind === 'ref') picker(control, f.ref_types);
        get = function () {
            var v = control.value.trim();
            if (v === '') return undefined;
            if (f.kind === 'int' || f.kind === 'real') {
                var n = Number(v);
                return isNaN(n) ? v : n; /* the server explains what is wrong */
            }
            return v;
        };
        set = function (v) { control.value = v === undefined || v === null ? '' : String(v); };
        set(value);
    }
    if (!focusEl) focusEl = function () { return control; };
    var row = h('div', { class: 'field field-' + f.kind, 'data-field': f.name },
                f.kind === 'int' && f.min === 0 && f.max === 1 ? [control, label] : [label, control],
                err, hint);
    return {
        name: f.name, row: row, get: get, set: set, control: control,
        showError: function (msg) {
            err.textContent = msg;
            err.hidden = false;
            row.classList.add('invalid');
            var el = focusEl();
            if (el) {
                el.setAttribute('aria-invalid', 'true');
                el.focus();
            }
        },
        clearError: function () {
            err.hidden = true;
            err.textContent = '';
            row.classList.remove('invalid');
            var el = focusEl();
            if (el) el.removeAttribute('aria-invalid');
        }
    };
}

/* Makes input a record picker for the given types (space-separated):
 * search as you type, from picker.js; returns input. */
function picker(input, types) {
    if (window.ATTEST.picker) window.ATTEST.picker(input, types);
    return input;
}

/* A form for a record of type: {form, controls, values(), showError(err)}.
 * initial holds field values; opts.amend makes an amend form. */
function recordForm(type, initial, opts) {
    var spec = state.types[type];
    var controls = {};
    var formErr = h('div', { class: 'error-box', role: 'alert', hidden: true });
    var body = h('div', { class: 'fields' });
    spec.fields.forEach(function (f) {
        /* a case's chain and checklist are kept on the case page (case.js) */
        if (f.kind === 'sales' || f.kind === 'indicators') return;
        var c = fieldControl(type, f, initial[f.name]);
        controls[f.name] = c;
        body.appendChild(c.row);
    });
    var form = h('form', { class: 'record-form', novalidate: true, 'data-type': type }, formErr, body);

    /* Places with a latitude and longitude get a map to click: at once,
     * or, for a form that starts folded away (opts.mapLater), when the
     * caller calls startMap as it is shown. */
    var startMap = null;
    if (controls.lat && controls.lon) {
        var mapEl = h('div', { class: 'place-map', id: 'place-map-' + type });
        var box = h('div', { class: 'place' }, h('p', { class: 'hint', id: 'place-hint' }, t('map.clickHint')), mapEl);
        body.insertBefore(box, controls.lat.row);
        startMap = function () {
            var lat0 = Number(initial.lat), lon0 = Number(initial.lon);
            var has = !isNaN(lat0) && !isNaN(lon0) && initial.lat !== undefined;
            var map = makeMap(mapEl, has ? [lat0, lon0] : null, has ? 13 : 6);
            mapEl.setAttribute('aria-describedby', 'place-hint');
            var marker = null, ring = null;
            var draw = function () {
                var lat = Number(controls.lat.control.value), lon = Number(controls.lon.control.value);
                if (marker) { map.removeLayer(marker); marker = null; }
                if (ring) { map.removeLayer(ring); ring = null; }
                if (controls.lat.control.value === '' || isNaN(lat) || isNaN(lon)) return;
                marker = L.circleMarker([lat, lon], { radius: 6, color: '#7a3b8f', weight: 2, fillOpacity: 0.9,
                                                      className: 'placed' }).addTo(map);
                var um = controls.uncertainty_m ? Number(controls.uncertainty_m.control.value) : 0;
                if (um > 0) ring = L.circle([lat, lon], { radius: um, color: '#7a3b8f', weight: 1.5,
                                                          fillOpacity: 0.12, interactive: false }).addTo(map);
            };
            map.on('click', function (e) {
                var ll = e.latlng.wrap();
                controls.lat.set(ll.lat.toFixed(6));
                controls.lon.set(ll.lng.toFixed(6));
                /* Placed after going to a gazetteer place: keep its id. */
                if (controls.place_id && map.attestPlace) controls.place_id.set(map.attestPlace.id);
                draw();
            });
            ['lat', 'lon', 'uncertainty_m'].forEach(function (k) {
                if (controls[k]) controls[k].control.addEventListener('input', draw);
            });
            draw();
        };
        if (!(opts && opts.mapLater)) {
            setTimeout(startMap, 0);
            startMap = null;
        }
    }

    return {
        form: form, controls: controls, startMap: startMap,
        values: function () {
            var out = {};
            Object.keys(controls).forEach(function (k) {
                var v = controls[k].get();
                if (opts && opts.amend) {
                    var before = initial[k];
                    if (v === undefined && before !== undefined) out[k] = null;
                    else if (v !== undefined && JSON.stringify(v) !== JSON.stringify(before)
                             && String(v) !== String(before)) out[k] = v;
                } else if (v !== undefined) {
                    out[k] = v;
                }
            });
            return out;
        },
        clearErrors: function () {
            formErr.hidden = true;
            Object.keys(controls).forEach(function (k) { controls[k].clearError(); });
        },
        showError: function (err) {
            if (err.field && controls[err.field]) {
                controls[err.field].showError(err.message);
            } else {
                clear(formErr).append(h('strong', null, t('intake.fixErrors')), ' ', err.message);
                formErr.hidden = false;
                formErr.setAttribute('tabindex', '-1');
                formErr.focus();
            }
        }
    };
}

/* ------------------------------------------------------------------ */
/* View: intake                                                        */

var INTAKE_MAIN = ['witness', 'interview', 'event', 'act', 'person', 'pinpoint'];

VIEWS.intake = function (el, arg, params) {
    var type = state.types[arg] ? arg : 'witness';
    var others = Object.keys(state.types).filter(function (x) { return INTAKE_MAIN.indexOf(x) < 0; });
    var tabs = h('ul', { class: 'tabs' });
    INTAKE_MAIN.concat(others).forEach(function (x) {
        tabs.appendChild(h('li', { class: INTAKE_MAIN.indexOf(x) < 0 ? 'minor' : null },
                           hashLink('intake/' + x, typeLabel(x), { 'aria-current': x === type ? 'page' : null })));
    });
    el.appendChild(h('h1', null, t('intake.title') + ': ' + typeLabel(type)));
    el.appendChild(h('nav', { 'aria-label': t('intake.choose'), class: 'tabnav' }, h('span', { class: 'muted' }, t('intake.choose')), tabs));
    el.appendChild(h('p', { class: 'muted about' }, typeAbout(type)));

    var initial = {};
    state.types[type].fields.forEach(function (f) {
        if (params[f.name] !== undefined) initial[f.name] = params[f.name];
    });
    var rf = recordForm(type, initial);
    var clearanceId = nextId('clearance'), sourceId = nextId('source');
    var clearance = h('select', { id: clearanceId, name: 'clearance' },
                      vocabOptions('clearance', params.clearance,
                                   t('intake.default', { c: vocabLabel('clearance', state.types[type].default_clearance) })));
    var source = picker(h('input', { id: sourceId, name: 'source', value: params.source || '',
                                     placeholder: 'iv-…, dc-…', autocomplete: 'off' }), 'interview document');
    var sourceErr = h('span', { class: 'field-error', 'data-error-for': 'source', hidden: true });
    var meta = h('div', { class: 'fields meta' },
        h('div', { class: 'field' }, h('label', { for: clearanceId }, t('intake.clearance')), clearance),
        type === 'witness' ? null : h('div', { class: 'field' }, h('label', { for: sourceId }, t('intake.source')), source, sourceErr));
    var result = h('div', { class: 'result', 'aria-live': 'polite' });
    var save = h('button', { type: 'submit', class: 'primary' }, t('intake.save'));
    rf.form.insertBefore(meta, rf.form.firstChild.nextSibling);
    rf.form.appendChild(h('div', { class: 'actions' }, save));
    rf.form.addEventListener('submit', function (e) {
        e.preventDefault();
        rf.clearErrors();
        sourceErr.hidden = true;
        var body = { type: type, data: rf.values() };
        if (clearance.value) body.clearance = clearance.value;
        if (type !== 'witness' && source.value.trim()) body.source = source.value.trim();
        save.disabled = true;
        api('POST', '/records', body).then(function (doc) {
            say(t('intake.created', { id: doc.id }));
            clear(result).appendChild(created(doc));
            rf.form.hidden = true;
            var first = result.querySelector('a, button, input');
            if (first) first.focus();
        }).catch(function (err) {
            if (err.field === 'source') {
                sourceErr.textContent = err.message;
                sourceErr.hidden = false;
                source.focus();
            } else {
                rf.showError(err);
            }
        }).then(function () { save.disabled = false; });
    });
    el.appendChild(h('div', { class: 'intake-layout' }, rf.form, result));
};

/* What to show after a record is saved: its id and the likely next step. */
function created(doc) {
    var next = [];
    var src = doc.source ? '&source=' + encodeURIComponent(doc.source) : '';
    if (doc.type === 'witness')
        next.push(hashLink('intake/interview?witness=' + encodeURIComponent(doc.id), t('intake.addInterview')));
    if (doc.type === 'interview') {
        next.push(hashLink('intake/event?source=' + encodeURIComponent(doc.id), t('intake.addEvent')));
        next.push(hashLink('intake/pinpoint?interview=' + encodeURIComponent(doc.id) + '&source=' + encodeURIComponent(doc.id),
                           t('intake.addPinpointIv')));
    }
    if (doc.type === 'event') {
        next.push(hashLink('intake/act?event=' + encodeURIComponent(doc.id) + src, t('intake.addAct')));
        var iv = doc.source && doc.source.slice(0, 3) === 'iv-' ? '&interview=' + encodeURIComponent(doc.source) : '';
        next.push(hashLink('intake/pinpoint?event=' + encodeURIComponent(doc.id) + iv + src, t('intake.addPinpointEv')));
    }
    if (doc.data && doc.data.lat !== undefined)
        next.push(hashLink('map?lat=' + doc.data.lat + '&lon=' + doc.data.lon + '&z=15', t('map.showOnMap')));
    next.push(h('button', { type: 'button', class: 'linkish', onclick: route }, t('intake.another')));
    var box = h('div', { class: 'card saved', id: 'saved' },
        h('h2', null, t('app.saved') + ': ', recordLink(doc.id, recordLabel(doc))),
        h('p', null, h('code', { class: 'saved-id' }, doc.id), ' · ', typeLabel(doc.type), ' · ',
          vocabLabel('clearance', doc.clearance)),
        h('p', null, t('intake.next')),
        h('ul', { class: 'next' }, next.map(function (n) { return h('li', null, n); })));
    if (doc.type === 'witness') box.appendChild(identityForm(doc.id));
    return box;
}

/* The sealed-identity form: posts the identity and forgets it; nothing
 * about it is ever read back. */
var IDENTITY_KEYS = ['real_name', 'other_names', 'contacts', 'address', 'relatives_in_north_korea', 'notes'];

function identityForm(witnessId) {
    var inputs = {};
    var msg = h('p', { class: 'result', role: 'status' });
    var err = h('p', { class: 'error-box', role: 'alert', hidden: true });
    var fields = IDENTITY_KEYS.map(function (k) {
        var id = nextId('identity-' + k);
        inputs[k] = k === 'notes' || k === 'relatives_in_north_korea'
            ? h('textarea', { id: id, name: 'identity-' + k, autocomplete: 'off', spellcheck: 'false' })
            : h('input', { id: id, name: 'identity-' + k, autocomplete: 'off', spellcheck: 'false' });
        return h('div', { class: 'field' }, h('label', { for: id }, t('id.' + k)), inputs[k]);
    });
    var form = h('form', { class: 'identity card', 'data-witness': witnessId, onsubmit: function (e) {
        e.preventDefault();
        err.hidden = true;
        var body = {};
        IDENTITY_KEYS.forEach(function (k) { if (inputs[k].value.trim()) body[k] = inputs[k].value.trim(); });
        if (!Object.keys(body).length) {
            err.textContent = t('id.empty');
            err.hidden = false;
            return;
        }
        api('POST', '/witnesses/' + encodeURIComponent(witnessId) + '/identity', body).then(function () {
            IDENTITY_KEYS.forEach(function (k) { inputs[k].value = ''; });
            body = null;
            msg.textContent = t('id.done', { id: witnessId });
        }).catch(function (e2) {
            err.textContent = e2.message;
            err.hidden = false;
        });
    } },
        h('h3', null, t('id.title')),
        h('p', { class: 'muted' }, t('id.about')),
        fields, err,
        h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('id.submit'))), msg);
    return form;
}

/* ------------------------------------------------------------------ */
/* View: records                                                       */

VIEWS.records = function (el, arg, params) {
    var limit = 50, offset = Number(params.offset) || 0;
    var typeSel = h('select', { id: 'rec-type', name: 'type' },
                    h('option', { value: '' }, t('records.all')),
                    Object.keys(state.types).map(function (x) {
                        return h('option', { value: x, selected: x === params.type }, typeLabel(x));
                    }));
    var from = h('input', { id: 'rec-from', name: 'from', value: params.from || '', size: 10 });
    var to = h('input', { id: 'rec-to', name: 'to', value: params.to || '', size: 10 });
    var place = h('input', { id: 'rec-place', name: 'place', value: params.place || '' });
    var retracted = h('input', { id: 'rec-retracted', type: 'checkbox', checked: params.retracted === '1' });
    var filterParams = function (off) {
        return qs({ type: typeSel.value, from: from.value.trim(), to: to.value.trim(),
                    place: place.value.trim(), retracted: retracted.checked ? '1' : '', offset: off || '' });
    };
    el.appendChild(h('h1', null, t('records.title')));
    el.appendChild(h('form', { class: 'filters', onsubmit: function (e) {
        e.preventDefault();
        go('records' + filterParams(0));
    } },
        h('div', { class: 'field' }, h('label', { for: 'rec-type' }, t('records.type')), typeSel),
        h('div', { class: 'field' }, h('label', { for: 'rec-from' }, t('map.from')), from),
        h('div', { class: 'field' }, h('label', { for: 'rec-to' }, t('map.to')), to),
        h('div', { class: 'field' }, h('label', { for: 'rec-place' }, t('records.place')), place),
        h('div', { class: 'field check' }, retracted, h('label', { for: 'rec-retracted' }, t('records.retracted'))),
        h('button', { type: 'submit', class: 'primary' }, t('records.filter'))));
    var out = h('div', { 'aria-live': 'polite' }, t('app.loading'));
    el.appendChild(out);
    return api('GET', '/records' + qs({ type: params.type, from: params.from, to: params.to, place: params.place,
                                        retracted: params.retracted === '1' ? '1' : '', limit: limit, offset: offset }))
        .then(function (x) {
            clear(out);
            if (!x.records.length) {
                out.appendChild(h('p', { class: 'empty' }, t('records.none')));
            } else {
                out.appendChild(h('p', { class: 'muted' }, t('records.page', { a: offset + 1, b: offset + x.records.length })));
                out.appendChild(recordTable(x.records));
            }
            var pager = h('p', { class: 'pager' });
            if (offset > 0) pager.appendChild(hashLink('records' + filterParams(Math.max(0, offset - limit)), t('records.prev')));
            if (x.records.length === limit) pager.appendChild(hashLink('records' + filterParams(offset + limit), t('records.next')));
            out.appendChild(pager);
        }).catch(function (err) { clear(out).appendChild(errorBox(err)); });
};

function recordTable(docs) {
    return h('table', { class: 'list' },
        h('thead', null, h('tr', null, ['col.label', 'col.type', 'col.date', 'col.clearance', 'col.written', 'col.id']
            .map(function (k) { return h('th', { scope: 'col' }, t(k)); }))),
        h('tbody', null, docs.map(function (doc) {
            return h('tr', { class: doc.retracted ? 'retracted' : null },
                h('td', null, recordLink(doc.id, recordLabel(doc)), doc.retracted ? h('span', { class: 'badge' }, t('rec.retracted')) : null),
                h('td', null, typeLabel(doc.type)),
                h('td', null, (doc.data && doc.data.date) || ''),
                h('td', null, vocabLabel('clearance', doc.clearance)),
                h('td', null, (doc.written_at || '').replace('T', ' ').replace('Z', '')),
                h('td', null, h('code', null, doc.id)));
        })));
}

/* ------------------------------------------------------------------ */
/* View: one record                                                    */

function fieldValue(f, v) {
    if (v === undefined || v === null) return '';
    if (f && f.kind === 'vocab') return vocabLabel(f.vocab, v);
    if (f && f.kind === 'ref') return recordLink(v);
    if (f && f.kind === 'names') return h('ul', { class: 'plain' }, v.map(function (n) {
        return h('li', null, n.name, n.lang ? h('span', { class: 'muted' }, ' (' + n.lang + ')') : null,
                 n.from || n.to ? h('span', { class: 'muted' }, ' ' + (n.from || '') + '–' + (n.to || '')) : null);
    }));
    if (f && f.kind === 'consent') return h('ul', { class: 'plain' }, v.map(function (c) {
        return h('li', null, vocabLabel('consent_use', c.use), ': ', c.granted,
                 c.withdrawn ? ' – ' + c.withdrawn + ' (' + t('intake.withdrawn') + ')' : '', c.note ? ' — ' + c.note : '');
    }));
    if (f && f.kind === 'sales') return v.map(function (x, i) {
        return (i + 1) + '. ' + [x.date, x.place, x.price !== undefined ? x.price + ' ' + x.currency : ''].filter(Boolean).join(' · ');
    }).join('; ');
    if (f && f.kind === 'indicators') return Object.keys(v).map(function (k) {
        return vocabLabel('ilo_indicator', k) + ': ' + vocabLabel('indicator_status', v[k].status);
    }).join('; ');
    if (f && f.kind === 'int' && f.min === 0 && f.max === 1) return v ? '✓' : '';
    return String(v);
}

/* record/ID, or record/ID?version=N for an earlier version as it was
 * (attest show ID --version N). */
VIEWS.record = function (el, id, params) {
    var version = params && /^[1-9][0-9]*$/.test(params.version || '') ? params.version : '';
    var path = '/records/' + encodeURIComponent(id);
    return Promise.all([api('GET', path), api('GET', path + '/history'),
                        version ? api('GET', path + '?version=' + version) : null])
        .then(function (res) { renderRecord(el, res[2] || res[0], res[1].versions, res[0]); })
        .catch(function (err) {
            el.appendChild(h('h1', null, id));
            el.appendChild(h('p', { class: 'error-box', role: 'alert' }, t('rec.notFound', { m: err.message })));
        });
};

/* doc: the version shown; current: the record's current version (with
 * concurrent versions from other archives, not always the highest). */
function renderRecord(el, doc, versions, current) {
    var spec = state.types[doc.type] || { fields: [] };
    var specOf = {};
    spec.fields.forEach(function (f) { specOf[f.name] = f; });
    var first = versions[0] || doc;
    var d = doc.data || {};
    var old = doc.version !== current.version;

    el.appendChild(h('p', { class: 'crumbs' }, hashLink('records?type=' + doc.type, typeLabel(doc.type))));
    el.appendChild(h('h1', { class: doc.retracted ? 'retracted' : null }, recordLabel(doc)));
    el.appendChild(h('p', { class: 'badges' },
        h('span', { class: 'badge' }, typeLabel(doc.type)),
        h('span', { class: 'badge' }, vocabLabel('clearance', doc.clearance)),
        doc.retracted ? h('span', { class: 'badge warn' }, t('rec.retracted')) : null,
        h('code', null, doc.id)));
    if (old)
        el.appendChild(h('p', { class: 'notice', id: 'rec-old-version', role: 'status' },
            t('rec.oldVersion', { version: doc.version, current: current.version, at: when(doc.written_at) }), ' ',
            hashLink('record/' + encodeURIComponent(doc.id), t('rec.toCurrent'))));

    var rows = [];
    spec.fields.forEach(function (f) {
        if (d[f.name] === undefined) return;
        rows.push(h('dt', null, fieldLabel(f.name)), h('dd', { 'data-field': f.name }, fieldValue(f, d[f.name])));
    });
    var links = [];
    if (doc.type === 'case')
        links.push(hashLink('case/' + encodeURIComponent(doc.id), t('case.open')), ' ');
    if (d.lat !== undefined && d.lon !== undefined)
        links.push(hashLink(doc.type === 'site' ? 'map?site=' + encodeURIComponent(doc.id) + '&lat=' + d.lat + '&lon=' + d.lon + '&z=15'
                                                : 'map?lat=' + d.lat + '&lon=' + d.lon + '&z=15',
                            doc.type === 'site' ? t('rec.openSite') : t('map.showOnMap')));
    var left = h('div', { class: 'col' },
        h('section', null, h('h2', null, t('rec.fields')), h('dl', { class: 'kv fields-view' }, rows), h('p', null, links)),
        relations(doc, specOf),
        history(doc, current, versions, specOf));
    (window.ATTEST.recordSections || []).forEach(function (f) { left.appendChild(f(doc)); });
    var right = h('div', { class: 'col' },
        h('section', { class: 'card' }, h('h2', null, t('rec.provenance')),
          h('dl', { class: 'kv' },
            h('dt', null, t('rec.enteredBy')), h('dd', null, byWhom(first)),
            h('dt', null, t('rec.enteredAt')), h('dd', null, when(first.written_at)),
            h('dt', null, t('rec.source')), h('dd', null, doc.source ? recordLink(doc.source) : t('rec.nosource')),
            h('dt', null, t('rec.version')), h('dd', null, String(doc.version)),
            h('dt', null, t('rec.lastBy')), h('dd', null, byWhom(doc)),
            h('dt', null, t('rec.lastAt')), h('dd', null, when(doc.written_at)),
            h('dt', null, t('col.reason')), h('dd', null, doc.reason === 'created' ? t('rec.created') : doc.reason || ''))),
        doc.corroboration ? corroborationCard(doc.corroboration) : null,
        doc.type === 'witness' ? identityForm(doc.id) : null,
        doc.retracted || old ? null : amendBox(doc),
        doc.retracted || old ? null : retractBox(doc));
    el.appendChild(h('div', { class: 'record-layout' }, left, right));
}

/* An event's corroboration, as the API counted it for this user: counts
 * and agreement only, never who the witnesses are. */
function corroborationCard(c) {
    function agreement(part, detail) {
        var n = part.accounts;
        var text = part.agree === null ? t(n ? 'cor.one' : 'cor.zero')
                                       : t(part.agree ? 'cor.agree' : 'cor.disagree', { n: n });
        return h('span', { class: part.agree === false ? 'warn' : null }, text, detail ? ' · ' + detail : '');
    }
    var date = c.date, place = c.place, victims = c.victims;
    return h('section', { class: 'card corroboration', 'data-sources': String(c.sources) },
        h('h2', null, t('cor.title')),
        h('dl', { class: 'kv' },
          h('dt', null, t('cor.sources')),
          h('dd', { 'data-field': 'sources' }, t('cor.sourcesOf', { n: c.sources, r: c.source_records, a: c.accounts, u: c.unattributed })),
          h('dt', null, t('cor.basis')),
          h('dd', { 'data-field': 'strongest_basis' },
            c.strongest_basis ? vocabLabel('basis_of_knowledge', c.strongest_basis) : t('cor.none'),
            ' · ' + t('cor.direct', { n: c.direct_sources })),
          h('dt', null, t('cor.date')),
          h('dd', { 'data-field': 'date' }, agreement(date, date.from ? t('cor.span', { from: date.from, to: date.to }) : '')),
          h('dt', null, t('cor.place')),
          h('dd', { 'data-field': 'place' }, agreement(place, place.spread_m !== undefined ? t('cor.spread', { m: place.spread_m }) : '')),
          h('dt', null, t('cor.victims')),
          h('dd', { 'data-field': 'victims' }, agreement(victims, victims.min !== undefined ? t('cor.range', { min: victims.min, max: victims.max }) : ''))),
        h('p', { class: 'muted' }, t('cor.note')));
}

/* Who wrote version v here, and, for an imported version, who first wrote
 * it elsewhere: never shown as its author. */
function byWhom(v) {
    var who = v.author || '';
    if (v.origin)
        who += ' (' + t('rec.origin', { author: v.origin.author, at: v.origin.written_at }) + ')';
    return who;
}

/* A link to record id that shows its title once known (picker.js). */
function titledLink(id) {
    var a = recordLink(id);
    if (window.ATTEST.titleOf) window.ATTEST.titleOf(id).then(function (title) {
        if (title && title !== id) a.textContent = title + ' (' + id + ')';
    });
    return a;
}

function relations(doc, specOf) {
    var out = [];
    Object.keys(doc.data || {}).forEach(function (k) {
        if (specOf[k] && specOf[k].kind === 'ref')
            out.push(h('li', null, titledLink(doc.data[k]), ' ', h('span', { class: 'muted' }, typeLabel(typeOfId(doc.data[k])) + ' · ' + t('rec.via', { f: fieldLabel(k) }))));
    });
    if (doc.source) out.push(h('li', null, titledLink(doc.source), ' ', h('span', { class: 'muted' }, t('rec.source'))));
    /* Each referrer comes with its summary in the record's reply: every
     * title is shown at once, without a request per referrer. */
    var refs = (doc.referred_by || []).map(function (r) {
        var link = recordLink(r.id, r.summary ? recordLabel({ id: r.id, type: r.type, data: r.summary }) : r.id);
        return h('li', { class: r.retracted ? 'retracted' : null }, link, ' ',
                 h('span', { class: 'muted' }, typeLabel(r.type || typeOfId(r.id)) + ' · '
                   + (r.field === 'source' ? t('rec.citesAsSource') : t('rec.via', { f: fieldLabel(r.field) }))));
    });
    return h('section', { class: 'relations' }, h('h2', null, t('rec.relations')),
        h('h3', null, t('rec.refersTo')), out.length ? h('ul', { class: 'plain' }, out) : h('p', { class: 'muted' }, t('map.none')),
        h('h3', null, t('rec.referredBy')), refs.length ? h('ul', { class: 'plain', id: 'referred-by' }, refs) : h('p', { class: 'muted' }, t('map.none')));
}

/* Every version, each but the one shown a link to it as it was (the
 * current one to the record's page). */
function history(doc, current, versions, specOf) {
    var prev = {};
    var rows = versions.map(function (v) {
        var changed = [];
        var cur = v.data || {};
        Object.keys(cur).concat(Object.keys(prev)).forEach(function (k) {
            if (changed.indexOf(k) < 0 && JSON.stringify(cur[k]) !== JSON.stringify(prev[k])) changed.push(k);
        });
        prev = cur;
        return h('tr', { 'data-version': String(v.version), class: v.version === doc.version ? 'shown' : null },
            h('td', null, v.version === doc.version ? String(v.version)
                          : hashLink('record/' + encodeURIComponent(doc.id) + (v.version === current.version ? '' : '?version=' + v.version),
                                     String(v.version))),
            h('td', null, (v.written_at || '').replace('T', ' ').replace('Z', '')),
            h('td', null, byWhom(v)),
            h('td', null, v.reason === 'created' ? t('rec.created') : (v.reason || ''), v.retracted ? h('span', { class: 'badge warn' }, t('rec.retracted')) : null),
            h('td', null, v.version === 1 ? '' : changed.map(function (k) {
                var f = specOf[k];
                return h('div', null, h('strong', null, fieldLabel(k) + ': '),
                         cur[k] === undefined ? '—' : (f && f.kind === 'ref' ? cur[k] : fieldValue(f, cur[k])));
            })));
    });
    return h('section', null, h('h2', null, t('rec.history')),
        h('table', { class: 'list history' },
          h('thead', null, h('tr', null, ['col.version', 'col.when', 'col.by', 'col.reason', 'col.changed']
                                          .map(function (k) { return h('th', { scope: 'col' }, t(k)); }))),
          h('tbody', null, rows)));
}

function amendBox(doc) {
    /* Folded away at first: its map is made when it is opened, so that
     * the record shows without drawing a map nobody sees. */
    var rf = recordForm(doc.type, doc.data || {}, { amend: true, mapLater: true });
    var reasonId = nextId('reason');
    var reason = h('input', { id: reasonId, name: 'reason', required: true });
    var status = h('p', { role: 'status' });
    rf.form.appendChild(h('div', { class: 'field' }, h('label', { for: reasonId }, t('rec.reason')), reason));
    rf.form.appendChild(h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('rec.saveVersion'))));
    rf.form.appendChild(status);
    rf.form.addEventListener('submit', function (e) {
        e.preventDefault();
        rf.clearErrors();
        var changes = rf.values();
        if (!Object.keys(changes).length) {
            status.textContent = t('rec.nochange');
            return;
        }
        api('POST', '/records/' + encodeURIComponent(doc.id) + '/versions', { changes: changes, reason: reason.value.trim() })
            .then(function () { say(t('app.saved')); route(); })
            .catch(function (err) { rf.showError(err); });
    });
    var box = h('details', { class: 'card amend' }, h('summary', null, t('rec.amend')), rf.form);
    if (rf.startMap) box.addEventListener('toggle', function () {
        if (box.open && rf.startMap) {
            rf.startMap();
            rf.startMap = null;
        }
    });
    return box;
}

function retractBox(doc) {
    var id = nextId('retract');
    var reason = h('input', { id: id, name: 'retract-reason', required: true });
    var err = h('p', { class: 'error-box', role: 'alert', hidden: true });
    return h('details', { class: 'card retract' }, h('summary', null, t('rec.retract')),
        h('form', { onsubmit: function (e) {
            e.preventDefault();
            err.hidden = true;
            api('POST', '/records/' + encodeURIComponent(doc.id) + '/retract', { reason: reason.value.trim() })
                .then(function () { say(t('rec.retracted')); route(); })
                .catch(function (e2) { err.textContent = e2.message; err.hidden = false; });
        } },
          h('div', { class: 'field' }, h('label', { for: id }, t('rec.retractReason')), reason), err,
          h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'danger' }, t('rec.retractDo')))));
}

/* ------------------------------------------------------------------ */
/* View: search                                                        */

VIEWS.search = function (el, arg, params) {
    var q = h('input', { id: 'search-q', name: 'q', type: 'search', value: params.q || '', autocomplete: 'off' });
    var typeSel = h('select', { id: 'search-type', name: 'type' },
                    h('option', { value: '' }, t('records.all')),
                    Object.keys(state.types).map(function (x) {
                        return h('option', { value: x, selected: x === params.type }, typeLabel(x));
                    }));
    el.appendChild(h('h1', null, t('search.title')));
    el.appendChild(h('form', { class: 'filters', role: 'search', onsubmit: function (e) {
        e.preventDefault();
        if (q.value.trim()) go('search' + qs({ q: q.value.trim(), type: typeSel.value }));
    } },
        h('div', { class: 'field grow' }, h('label', { for: 'search-q' }, t('search.q')), q),
        h('div', { class: 'field' }, h('label', { for: 'search-type' }, t('records.type')), typeSel),
        h('button', { type: 'submit', class: 'primary' }, t('search.go'))));
    var out = h('div', { id: 'search-results', 'aria-live': 'polite' });
    el.appendChild(out);
    if (!params.q) { q.focus(); return; }
    out.textContent = t('app.loading');
    return api('GET', '/search' + qs({ q: params.q, type: params.type })).then(function (x) {
        clear(out);
        out.appendChild(h('p', { class: 'muted' }, x.hits.length ? t('search.count', { n: x.hits.length }) : t('search.none')));
        out.appendChild(h('ol', { class: 'hits' }, x.hits.map(function (hit) {
            var doc = hit.record;
            return h('li', { class: 'hit' },
                h('div', null, recordLink(doc.id, recordLabel(doc)), ' ',
                  h('span', { class: 'muted' }, typeLabel(doc.type) + ' · ' + doc.id)),
                h('p', { class: 'snippet' }, '…', markedText(hit.snippet), '…'),
                hit.why ? h('p', { class: 'muted why' }, hit.why) : null);
        })));
    }).catch(function (err) { clear(out).appendChild(errorBox(err)); });
};

/* ------------------------------------------------------------------ */
/* View: review of record linkage's doubtful pairs                     */

/* A waterfall of a pair's match weight: the prior, then each comparison
 * adding or taking away its weight, then the total (log2 odds). */
function waterfall(pair) {
    var steps = [{ name: t('rev.prior'), w: pair.prior_weight }].concat(pair.comparisons.map(function (c) {
        return { name: fieldLabel(c.name) + ': ' + c.label, w: c.weight };
    }));
    var cum = 0, lo = 0, hi = 0;
    steps.forEach(function (s) { s.from = cum; cum += s.w; s.to = cum; lo = Math.min(lo, cum); hi = Math.max(hi, cum); });
    steps.push({ name: t('rev.total'), from: 0, to: pair.weight, w: pair.weight, total: true });
    lo = Math.min(lo, pair.weight); hi = Math.max(hi, pair.weight);
    var width = 620, labelW = 230, rowH = 22, top = 8, height = top + rowH * steps.length + 24;
    var plotW = width - labelW - 60, span = Math.max(hi - lo, 1);
    var x = function (v) { return labelW + plotW * (v - lo) / span; };
    var titleId = nextId('chart');
    var chart = svg('svg', { class: 'chart waterfall', viewBox: '0 0 ' + width + ' ' + height, role: 'img', 'aria-labelledby': titleId },
                    svg('title', { id: titleId, text: t('rev.waterfall') }));
    chart.appendChild(svg('line', { x1: x(0), y1: top - 4, x2: x(0), y2: height - 20, class: 'axisline' }));
    steps.forEach(function (s, i) {
        var y = top + i * rowH;
        var a = Math.min(x(s.from), x(s.to)), b = Math.max(x(s.from), x(s.to));
        chart.appendChild(svg('text', { x: labelW - 6, y: y + rowH / 2 + 4, class: 'axis', 'text-anchor': 'end', text: s.name }));
        chart.appendChild(svg('rect', { x: a, y: y + 3, width: Math.max(1, b - a), height: rowH - 6,
                                        class: 'bar ' + (s.total ? 'total' : s.w >= 0 ? 'for' : 'against') },
                              svg('title', { text: s.name + ': ' + s.w.toFixed(2) })));
        chart.appendChild(svg('text', { x: b + 4, y: y + rowH / 2 + 4, class: 'value', text: (s.w >= 0 ? '+' : '') + s.w.toFixed(2) }));
    });
    chart.appendChild(svg('text', { x: x(0), y: height - 6, class: 'axis', 'text-anchor': 'middle', text: '0' }));
    return chart;
}

/* The two records side by side, field by field; rows that differ marked. */
function sideBySide(a, b) {
    var spec = state.types[a.type] || { fields: [] };
    var rows = spec.fields.filter(function (f) {
        return (a.data || {})[f.name] !== undefined || (b.data || {})[f.name] !== undefined;
    }).map(function (f) {
        var va = (a.data || {})[f.name], vb = (b.data || {})[f.name];
        var same = JSON.stringify(va) === JSON.stringify(vb);
        return h('tr', { class: same ? null : 'differs', 'data-field': f.name },
                 h('th', { scope: 'row' }, fieldLabel(f.name)),
                 h('td', null, fieldValue(f, va)), h('td', null, fieldValue(f, vb)));
    });
    return h('table', { class: 'list side-by-side' },
        h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('rev.field')),
                            h('th', { scope: 'col' }, recordLink(a.id, recordLabel(a))),
                            h('th', { scope: 'col' }, recordLink(b.id, recordLabel(b))))),
        h('tbody', null, rows));
}

VIEWS.review = function (el, arg, params) {
    var type = params.type === 'event' ? 'event' : 'person';
    var blind = params.blind === '1';
    var typeSel = h('select', { id: 'review-type', onchange: reload },
                    ['person', 'event'].map(function (k) { return h('option', { value: k, selected: k === type }, typeLabel(k)); }));
    var blindBox = h('input', { type: 'checkbox', id: 'review-blind', checked: blind, onchange: reload });
    /* low and high (a review band other than the run's) are kept as given. */
    function reload() { go('review' + qs({ type: typeSel.value, blind: blindBox.checked ? '1' : null, low: params.low, high: params.high })); }
    el.appendChild(h('h1', null, t('rev.title')));
    el.appendChild(h('p', { class: 'muted' }, t('rev.about')));
    el.appendChild(h('div', { class: 'review-controls' },
        h('label', { for: 'review-type' }, t('rev.type')), ' ', typeSel, ' ',
        blindBox, ' ', h('label', { for: 'review-blind' }, t('rev.blind'))));
    var box = h('div', { id: 'review-pair' });
    el.appendChild(box);
    return api('GET', '/link/review' + qs({ type: type, blind: blind ? '1' : null, low: params.low, high: params.high })).then(function (q) {
        var i = 0;
        function next() {
            clear(box);
            if (i >= q.pairs.length) {
                box.appendChild(h('p', { class: 'empty' }, t('rev.empty')));
                return Promise.resolve();
            }
            var pair = q.pairs[i];
            return Promise.all([api('GET', '/records/' + encodeURIComponent(pair.a)),
                                api('GET', '/records/' + encodeURIComponent(pair.b))]).then(function (recs) {
                var note = h('input', { id: 'review-note', name: 'note' });
                var status = h('p', { role: 'status' });
                var decide = function (decision) {
                    return function () {
                        api('POST', '/link/decisions', { a: pair.a, b: pair.b, decision: decision, note: note.value.trim() || undefined })
                            .then(function () { say(t('rev.saved')); i++; next(); })
                            .catch(function (err) { status.textContent = err.message; });
                    };
                };
                var levels = h('ul', { class: 'plain comparisons' }, pair.comparisons.map(function (c) {
                    return h('li', { 'data-comparison': c.name }, h('strong', null, fieldLabel(c.name) + ': '), c.label,
                             blind ? null : h('span', { class: 'muted' }, ' (' + (c.weight >= 0 ? '+' : '') + c.weight.toFixed(2) + ')'));
                }));
                box.appendChild(h('section', { class: 'card review', 'data-a': pair.a, 'data-b': pair.b },
                    h('h2', null, t('rev.pair', { n: i + 1, of: q.pairs.length })),
                    blind ? null : h('p', { class: 'score' }, t('rev.probability', { p: (pair.probability * 100).toFixed(1) })),
                    sideBySide(recs[0], recs[1]),
                    h('h3', null, t('rev.comparisons')),
                    blind ? levels : [waterfall(pair), levels],
                    h('div', { class: 'field' }, h('label', { for: 'review-note' }, t('rev.note')), note),
                    h('div', { class: 'actions' },
                      h('button', { type: 'button', class: 'primary', id: 'review-accept', onclick: decide('accept') }, t('rev.accept')),
                      h('button', { type: 'button', id: 'review-reject', onclick: decide('reject') }, t('rev.reject')),
                      h('button', { type: 'button', class: 'linkish', id: 'review-skip', onclick: function () { i++; next(); } }, t('rev.skip'))),
                    status));
            });
        }
        return next();
    }).catch(function (err) {
        /* No run of that type yet: the server says what to run. */
        box.appendChild(h('p', { class: 'empty' }, err.message));
    });
};

/* ------------------------------------------------------------------ */
/* View: dashboard (tables, and the charts the server draws of them)   */

/* A table of /api/v1/stats as the page shows it: its title (in the
 * reader's language when i18n.js has it), the chart the server draws from
 * the same numbers, the numbers themselves, and its plain warnings. */
function statsRowLabel(table, row) {
    if (row.key === 'not_given' || row.key === 'uncertain' || row.key === 'group') return t('dash.key.' + row.key);
    if (table.name === 'acts_by_type') return vocabLabel('act_type', row.key);
    if (/_by_sex$/.test(table.name)) return vocabLabel('sex', row.key);
    if (/_by_province$/.test(table.name) || table.name === 'sale_prices_by_region') return provinceLabel(row.label);
    if (table.name === 'indicators') return vocabLabel('ilo_indicator', row.key);
    if (table.name === 'workers_by_country') return countryLabel(row.key, row.label);
    return row.label;
}

/* A province's name in the page's language (the archive holds what was typed). */
function provinceLabel(name) {
    return (state.lang === 'ko' && window.ATTEST_I18N.provinceKo[name]) || name;
}

/* A country's name in the page's language, by its ISO 3166-1 code. */
function countryLabel(code, name) {
    try {
        return new Intl.DisplayNames([state.lang], { type: 'region' }).of(code) || name;
    } catch (e) {
        return name;
    }
}

/* A label of the page's language for a stats table's part, or the server's;
 * {currency} stands for the currency a table's prices are in. */
function statsText(prefix, table, fallback) {
    var s = t(prefix + table.name, { currency: table.currency || '' });
    return s === prefix + table.name ? fallback : s;
}

function statsCell(v, column) {
    if (v === null || v === undefined) return '–';
    if (typeof v === 'string') return v;                 /* "<5" or "withheld" */
    if (/^change/.test(column)) return (v > 0 ? '+' : '') + v.toFixed(1) + '%';
    if (/_pct$/.test(column)) return v.toFixed(1) + '%';
    return String(v);
}

function statsPanel(table) {
    var title = statsText('dash.t.', table, table.title);
    if (title !== table.title && table.rate) title += ' (' + table.rate + ')';
    var drawable = table.rows.some(function (r) {
        return !table.over_time || !/^(not_given|uncertain|group)$/.test(r.key);
    });
    var numbers = h('table', { class: 'list' }, h('caption', null, title),
        h('thead', null, h('tr', null, h('th', { scope: 'col' }, statsText('dash.k.', table, table.key)),
          table.columns.map(function (c) { return h('th', { scope: 'col', class: 'num' }, t('dash.c.' + c)); }))),
        h('tbody', null, table.rows.map(function (r) {
            return h('tr', null, h('th', { scope: 'row' }, statsRowLabel(table, r)),
                     r.values.map(function (v, i) { return h('td', { class: 'num' }, statsCell(v, table.columns[i])); }));
        })));
    return h('section', { class: 'card chart-card', 'data-table': table.name }, h('h2', null, title),
        drawable ? h('img', { class: 'chart', alt: title,
                              src: '/api/v1/stats/charts/' + encodeURIComponent(table.name) + '?lang=' + state.lang })
                  : null,
        table.rows.length ? h('details', { class: 'datatable' }, h('summary', null, t('dash.table')), numbers)
                          : h('p', { class: 'muted' }, t('dash.empty')),
        table.note ? h('p', { class: 'note' }, state.lang === 'en' ? table.note
                                                               : statsText('dash.n.', table, table.note_text || table.note)) : null);
}

VIEWS.dashboard = function (el) {
    el.appendChild(h('h1', null, t('dash.title')));
    return api('GET', '/stats?lang=' + state.lang).then(function (s) {
        var grid = h('div', { class: 'dash' },
            h('section', { class: 'card' }, h('h2', null, t('dash.types')),
              h('table', { class: 'list' },
                h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('col.type')), h('th', { scope: 'col', class: 'num' }, t('dash.records')),
                                   h('th', { scope: 'col', class: 'num' }, t('dash.versions')), h('th', { scope: 'col', class: 'num' }, t('dash.retracted')))),
                h('tbody', null, (s.types || []).map(function (r) {
                    return h('tr', null, h('th', { scope: 'row' }, hashLink('records?type=' + r.type, typeLabel(r.type))),
                             h('td', { class: 'num' }, String(r.records)), h('td', { class: 'num' }, String(r.versions)),
                             h('td', { class: 'num' }, String(r.retracted)));
                })))),
            (s.tables || []).map(statsPanel));
        if (!s.exact_witness_counts)
            el.appendChild(h('p', { class: 'muted' }, t('dash.withheld', { n: s.min_cell })));
        el.appendChild(grid);
    });
};

/* ------------------------------------------------------------------ */
/* View: evidence                                                      */

VIEWS.evidence = function (el, arg, params) {
    var file = h('input', { id: 'ev-file', name: 'file', type: 'file' });
    var interview = picker(h('input', { id: 'ev-interview', name: 'interview', value: params.interview || '',
                                        autocomplete: 'off', placeholder: 'iv-…' }), 'interview');
    /* A derived file (a transcript, a redacted copy) linked to the item it
     * comes from, as `attest evidence add --working-copy-of`: filled in from
     * the list below. */
    var copyOf = h('select', { id: 'ev-copy-of', name: 'working_copy_of', 'aria-describedby': 'ev-copy-of-hint' },
                   h('option', { value: '' }, t('ev.original')));
    var result = h('div', { id: 'ev-result', 'aria-live': 'polite' });
    var submit = h('button', { type: 'submit', class: 'primary' }, t('ev.submit'));
    var list = h('div');
    el.appendChild(h('h1', null, t('ev.title')));
    el.appendChild(h('form', { class: 'card upload', onsubmit: function (e) {
        e.preventDefault();
        clear(result);
        var f = file.files && file.files[0];
        if (!f) { result.appendChild(errorBox({ message: t('ev.nofile') })); file.focus(); return; }
        submit.disabled = true;
        result.textContent = t('ev.uploading');
        api('POST', '/evidence' + qs({ filename: f.name, interview: interview.value.trim(), media_type: f.type,
                                       working_copy_of: copyOf.value }),
            f, 'application/octet-stream').then(function (item) {
            clear(result).appendChild(h('div', { class: 'card saved' },
                h('h2', null, t('ev.done', { name: item.filename || f.name })),
                item.already_present ? h('p', null, t('ev.already')) : null,
                h('dl', { class: 'kv' },
                  h('dt', null, t('ev.sha')), h('dd', null, h('code', { class: 'sha256', id: 'ev-sha256' }, item.sha256)),
                  h('dt', null, t('ev.size')), h('dd', null, String(item.size)),
                  h('dt', null, t('col.id')), h('dd', null, hashLink('evidence/' + encodeURIComponent(item.id), h('code', null, item.id))))));
            file.value = '';
            loadList();
        }).catch(function (err) { clear(result).appendChild(errorBox(err)); })
          .then(function () { submit.disabled = false; });
    } },
        h('h2', null, t('ev.upload')),
        h('div', { class: 'field' }, h('label', { for: 'ev-file' }, t('ev.file')), file),
        h('div', { class: 'field' }, h('label', { for: 'ev-interview' }, t('ev.interview')), interview),
        labelled('ev-copy-of', t('ev.copyOfField'), copyOf, t('ev.copyOfHint')),
        h('div', { class: 'actions' }, submit)));
    el.appendChild(result);
    el.appendChild(h('section', null, h('h2', null, t('ev.list')), list));
    function loadList() {
        api('GET', '/evidence').then(function (x) {
            clear(list);
            var chosen = copyOf.value || params.working_copy_of || '';
            clear(copyOf).append.apply(copyOf, [h('option', { value: '' }, t('ev.original'))].concat(x.items.map(function (it) {
                return h('option', { value: it.id, selected: it.id === chosen }, (it.filename || '') + ' (' + it.id + ')');
            })));
            if (!x.items.length) { list.appendChild(h('p', { class: 'muted' }, t('records.none'))); return; }
            list.appendChild(h('table', { class: 'list' },
                h('thead', null, h('tr', null, [t('ev.name'), t('ev.sha'), t('ev.size'), t('col.id'), ''].map(function (k) {
                    return h('th', { scope: 'col' }, k);
                }))),
                h('tbody', null, x.items.map(function (it) {
                    return h('tr', null, h('td', null, it.filename || ''), h('td', null, h('code', { class: 'sha256' }, it.sha256 || '')),
                             h('td', { class: 'num' }, String(it.size)), h('td', null, hashLink('evidence/' + encodeURIComponent(it.id), h('code', null, it.id))),
                             h('td', null, h('a', { href: '/api/v1/evidence/' + encodeURIComponent(it.id) + '/file', download: '' }, t('ev.download'))));
                }))));
        }).catch(function (err) { clear(list).appendChild(errorBox(err)); });
    }
    loadList();
};

/* ------------------------------------------------------------------ */
/* View: screening                                                     */

/* Names from an uploaded CSV: the first cell of each row, the header
 * ("name") left out; quotes as a spreadsheet writes them. */
function csvNames(text) {
    var names = [];
    text.split(/\r?\n/).forEach(function (line, i) {
        var m = /^\s*"((?:[^"]|"")*)"/.exec(line);
        var cell = (m ? m[1].replace(/""/g, '"') : line.split(',')[0]).trim();
        if (cell && !(i === 0 && /^name$/i.test(cell))) names.push(cell);
    });
    return names;
}

VIEWS.screen = function (el) {
    el.appendChild(h('h1', null, t('sc.title')));
    el.appendChild(h('p', { class: 'muted' }, t('sc.about')));
    var name = h('input', { id: 'sc-name', name: 'name' });
    var schema = h('select', { id: 'sc-schema' }, ['LegalEntity', 'Person', 'Company', 'Organization', 'Vessel'].map(function (k) {
        return h('option', { value: k }, t('sc.schema.' + k));
    }));
    var asOf = h('input', { id: 'sc-asof', type: 'date' });
    var record = picker(h('input', { id: 'sc-record', placeholder: 'or-…, pe-…, vs-…' }), 'organisation person vessel');
    var file = h('input', { id: 'sc-file', type: 'file', accept: '.csv,text/csv' });
    var results = h('div', { id: 'sc-results', 'aria-live': 'polite' });
    var decisions = h('div', { id: 'sc-decisions' });
    var screenNames = function (names) {
        if (!names.length) return Promise.resolve();
        var queries = {};
        names.slice(0, 100).forEach(function (n, i) {
            queries['q' + i] = { schema: schema.value, properties: { name: [n] } };
        });
        var body = { queries: queries, limit: 5 };
        if (asOf.value) body.as_of = asOf.value;
        clear(results).appendChild(h('p', { class: 'muted' }, t('app.loading')));
        return api('POST', '/screen', body).then(function (r) {
            clear(results).appendChild(h('p', { class: 'sc-versions' }, t('sc.versions', { v: r.versions.join(', ') })));
            names.slice(0, 100).forEach(function (n, i) { results.appendChild(screenResult(n, r.responses['q' + i])); });
            if (names.length > 100) results.appendChild(h('p', { class: 'error-box' }, t('sc.tooMany')));
        }).catch(function (err) { clear(results).appendChild(errorBox(err)); });
    };
    function screenResult(query, res) {
        var hits = (res && res.results) || [];
        var card = h('section', { class: 'card sc-query' }, h('h2', null, query));
        if (res && res.error) card.appendChild(h('p', { class: 'error-box' }, res.error));
        else if (!hits.length) card.appendChild(h('p', { class: 'sc-none' }, t('sc.none')));
        else card.appendChild(h('table', { class: 'sc-hits' },
            h('thead', null, h('tr', null, ['sc.entry', 'sc.score', 'sc.matched', 'sc.why', ''].map(function (k) {
                return h('th', null, k ? t(k) : ''); }))),
            h('tbody', null, hits.map(function (x) {
                var ex = x.explain || {};
                var why = h('ul', { class: 'sc-explain' }, Object.keys(ex).map(function (k) {
                    var v = ex[k];
                    var text = Array.isArray(v) ? v.map(function (p) {
                        return p && typeof p === 'object' && 'query' in p
                            ? p.query + ' ↔ ' + (p.name || '–') + (p.score !== undefined ? ' (' + p.score + ')' : '')
                            : typeof p === 'object' ? JSON.stringify(p) : String(p);
                    }).join('; ') || '–' : typeof v === 'object' ? JSON.stringify(v) : String(v);
                    return h('li', null, h('span', { class: 'muted' }, k.replace(/_/g, ' ') + ': '), text);
                }));
                var ref = x.list.replace(/-.*/, '') + ':' + x.key;   /* the list, not its version */
                var dismiss = record.value.trim() ? h('button', { type: 'button', class: 'sc-dismiss', onclick: function () {
                    api('POST', '/screen/decisions', { record: record.value.trim(), entry: ref, note: t('sc.notThis') })
                        .then(function () { say(t('sc.dismissed', { e: ref })); loadDecisions(); })
                        .catch(function (err) { say(err.message, true); });
                } }, t('sc.notThis')) : '';
                var succ = h('div', { class: 'sc-successors' });
                var succBtn = h('button', { type: 'button', class: 'sc-show-successors', onclick: function () {
                    clear(succ).appendChild(h('p', { class: 'muted' }, t('app.loading')));
                    api('GET', '/screen/successors?limit=5&entry=' + encodeURIComponent(ref)).then(function (r) {
                        clear(succ).appendChild(h('h3', null, t('sc.successors')));
                        if (!r.candidates.length) succ.appendChild(h('p', { class: 'muted' }, t('sc.noSuccessors')));
                        else succ.appendChild(h('ol', null, r.candidates.map(function (c) {
                            return h('li', { 'data-entry': c.list.replace(/-.*/, '') + ':' + c.key }, h('strong', null, c.name), ' ',
                                     h('code', null, c.key), ' ', t('sc.score') + ' ' + c.score + ' — ',
                                     (c.evidence || []).map(function (e) { return e.kind + ': ' + e.value; }).join('; '));
                        })));
                    }).catch(function (err) { clear(succ).appendChild(errorBox(err)); });
                } }, t('sc.successors'));
                return h('tr', { 'data-entry': ref },
                         h('td', null, h('strong', null, x.name), ' ', h('code', null, ref), ' ', succBtn, succ),
                         h('td', { class: 'num' }, String(x.score)),
                         h('td', null, (x.matched_name || '') + (x.quality ? ' (' + x.quality + ')' : '')),
                         h('td', null, why), h('td', null, dismiss));
            }))));
        return card;
    }
    function loadDecisions() {
        var id = record.value.trim();
        clear(decisions);
        if (!id) return Promise.resolve();
        return api('GET', '/screen/decisions?all=1&record=' + encodeURIComponent(id)).then(function (r) {
            decisions.appendChild(h('h2', null, t('sc.decisions')));
            if (!r.decisions.length) decisions.appendChild(h('p', { class: 'muted' }, t('sc.noDecisions')));
            else decisions.appendChild(h('ul', { class: 'sc-decision-list' }, r.decisions.map(function (d) {
                var entry = d.list + ':' + d.key;
                var live = d.status !== 'withdrawn';
                return h('li', { 'data-entry': entry, 'data-status': d.status }, h('code', null, entry), ' ', d.entry_name || '', ' ',
                         live ? t('sc.dismissedLabel') : t('sc.withdrawnLabel'), ' ',
                         live ? h('button', { type: 'button', class: 'sc-undismiss', onclick: function () {
                             api('POST', '/screen/decisions/withdraw', { record: id, entry: entry })
                                 .then(function () { say(t('sc.undismissed', { e: entry })); loadDecisions(); })
                                 .catch(function (err) { say(err.message, true); });
                         } }, t('sc.undo')) : '');
            })));
        }).catch(function (err) { decisions.appendChild(errorBox(err)); });
    }
    var form = h('form', { class: 'screen-one card' },
        h('p', null, h('label', { for: 'sc-name' }, t('sc.name')), ' ', name, ' ',
          h('label', { for: 'sc-schema' }, t('sc.schema')), ' ', schema),
        h('p', null, h('label', { for: 'sc-asof' }, t('sc.asOf')), ' ', asOf, ' ',
          h('label', { for: 'sc-record' }, t('sc.record')), ' ', record),
        h('p', null, h('button', { type: 'submit' }, t('sc.run')), ' ',
          h('label', { for: 'sc-file' }, t('sc.file')), ' ', file));
    form.addEventListener('submit', function (e) {
        e.preventDefault();
        loadDecisions();
        screenNames(name.value.trim() ? [name.value.trim()] : []);
    });
    file.addEventListener('change', function () {
        if (!file.files.length) return;
        file.files[0].text().then(function (text) { return screenNames(csvNames(text)); });
    });
    el.appendChild(form);
    el.appendChild(results);
    el.appendChild(decisions);
    window.ATTEST.screenSections.forEach(function (f) { el.appendChild(f()); });
    var lists = h('section', { id: 'sc-lists', class: 'card' }, h('h2', null, t('sc.lists')));
    var diff = h('div', { id: 'sc-diff' });
    el.appendChild(lists);
    return api('GET', '/lists').then(function (versions) {
        if (!versions.length) { lists.appendChild(h('p', { class: 'muted' }, t('sc.noLists'))); return; }
        lists.appendChild(h('table', { class: 'sc-list-versions' },
            h('thead', null, h('tr', null, ['sc.list', 'sc.published', 'sc.entries', ''].map(function (k) { return h('th', null, k ? t(k) : ''); }))),
            h('tbody', null, versions.map(function (v) {
                return h('tr', { 'data-version': v.id }, h('td', null, h('code', null, v.id)), h('td', null, v.published),
                         h('td', { class: 'num' }, String(v.entries)),
                         h('td', null, h('button', { type: 'button', class: 'sc-show-diff', onclick: function () { showDiff(v.id); } }, t('sc.diff'))));
            }))));
        lists.appendChild(diff);
    }).catch(function (err) { lists.appendChild(errorBox(err)); });
    function showDiff(version) {
        clear(diff).appendChild(h('p', { class: 'muted' }, t('app.loading')));
        api('GET', '/lists/' + encodeURIComponent(version) + '/diff').then(function (d) {
            var c = d.counts;
            clear(diff).appendChild(h('p', { class: 'sc-diff-counts' }, t('sc.diffCounts', {
                old: d.old, new: d['new'], added: c.added, removed: c.removed, changed: c.changed })));
            diff.appendChild(h('ul', { class: 'sc-diff-entries' }, d.entries.map(function (e) {
                return h('li', { 'data-change': e.change }, t('sc.change.' + e.change), ': ', h('code', null, e.key), ' ', e.name || '');
            })));
        }).catch(function (err) { clear(diff).appendChild(errorBox(err)); });
    }
};

/* ------------------------------------------------------------------ */
/* View: exports                                                       */

VIEWS.exports = function (el) {
    el.appendChild(h('h1', null, t('ex.title')));
    el.appendChild(mapExports());
    el.appendChild(ftmExport());
    window.ATTEST.exportSections.forEach(function (f) { var s = f(); if (s) el.appendChild(s); });
    if (state.me.clearance !== 'confidential') {
        el.appendChild(h('p', { class: 'muted' }, t('ex.needs')));
        return;
    }
    var typeSel = h('select', { id: 'ex-type' }, Object.keys(state.types).map(function (x) {
        return h('option', { value: x }, typeLabel(x));
    }));
    var csv = h('a', { id: 'ex-csv', class: 'button', download: '' }, t('ex.download') + ' CSV');
    var setCsv = function () { csv.setAttribute('href', '/api/v1/export/csv?type=' + encodeURIComponent(typeSel.value)); };
    typeSel.addEventListener('change', setCsv);
    setCsv();
    el.appendChild(h('ul', { class: 'exports' },
        h('li', { class: 'card' }, h('h2', null, t('ex.jsonl')),
          h('a', { id: 'ex-jsonl', class: 'button', href: '/api/v1/export/jsonl', download: '' }, t('ex.download') + ' JSONL')),
        h('li', { class: 'card' }, h('h2', null, t('ex.csv')),
          h('label', { for: 'ex-type' }, t('records.type')), ' ', typeSel, ' ', csv)));
};

/* FollowTheMoney entities, as attest export ftm: the organisations,
 * persons and vessels the reader may read with their relations, or a
 * sanctions list version's entries. */
function ftmExport() {
    var what = h('select', { id: 'ex-ftm-list' }, h('option', { value: '' }, t('ex.ftmRecords')));
    var link = h('a', { id: 'ex-ftm', class: 'button', download: '' }, t('ex.download') + ' FtM');
    var set = function () {
        link.setAttribute('href', '/api/v1/export/ftm' + (what.value ? '?list=' + encodeURIComponent(what.value) : ''));
    };
    what.addEventListener('change', set);
    set();
    api('GET', '/lists').then(function (versions) {
        versions.forEach(function (v) { what.appendChild(h('option', { value: v.id }, t('ex.ftmList', { id: v.id, n: v.entries }))); });
    }).catch(function () {});
    return h('section', { class: 'card', id: 'ex-ftm-box' }, h('h2', null, t('ex.ftm')),
             h('p', { class: 'muted' }, t('ex.ftmAbout')),
             h('label', { for: 'ex-ftm-list' }, t('ex.ftmWhat')), ' ', what, ' ', link,
             h('h2', null, t('ex.corroboration')), h('p', { class: 'muted' }, t('ex.corroborationAbout')),
             h('a', { id: 'ex-corroboration', class: 'button', download: '', href: '/api/v1/export/corroboration' },
               t('ex.download') + ' JSONL'));
}

/* The map's sites and pinpoints at a tier, in four formats, with the
 * server's report beside them: what goes out, each record left out with
 * why and the fix, and the free text the public tier took out. */
function mapExports() {
    var tierSel = h('select', { id: 'ex-tier' }, ['court', 'partner', 'public'].map(function (x) {
        return h('option', { value: x }, t('ex.tier.' + x));
    }));
    var formats = [['kml', 'KML'], ['kmz', 'KMZ'], ['geojson', 'GeoJSON'], ['csv', 'CSV']];
    var links = formats.map(function (f) {
        return h('a', { id: 'ex-map-' + f[0], class: 'button', download: '' }, t('ex.download') + ' ' + f[1]);
    });
    links[0].id = 'ex-kml';
    var report = h('div', { id: 'ex-report', 'aria-live': 'polite' });
    var show = function () {
        var tier = tierSel.value;
        formats.forEach(function (f, i) {
            links[i].setAttribute('href', '/api/v1/export/' + f[0] + '?tier=' + encodeURIComponent(tier));
        });
        clear(report).appendChild(h('p', { class: 'muted' }, t('app.loading')));
        api('GET', '/export/kml/report?tier=' + encodeURIComponent(tier)).then(function (r) {
            clear(report).appendChild(h('p', { class: 'ex-counts' }, t('ex.counts', {
                sites: r.sites, pinpoints: r.pinpoints, coarsened: r.coarsened, left: r.left_out_count })));
            if (r.left_out.length)
                report.appendChild(h('table', { class: 'ex-left' },
                    h('thead', null, h('tr', null, h('th', null, t('ex.record')), h('th', null, t('ex.why')),
                                       h('th', null, t('ex.fix')))),
                    h('tbody', null, r.left_out.map(function (x) {
                        return h('tr', { 'data-reason': x.reason },
                                 h('td', null, h('a', { href: '#/record/' + encodeURIComponent(x.id) }, x.id)),
                                 h('td', null, t('ex.reason.' + x.reason)), h('td', null, h('code', null, x.fix)));
                    }))));
            if (r.free_text_removed.length)
                report.appendChild(h('ul', { class: 'ex-removed' }, r.free_text_removed.map(function (x) {
                    return h('li', null, t('ex.removed', { id: x.id, fields: x.fields.map(function (f) {
                        return fieldLabel(f);
                    }).join(', ') }));
                })));
        }).catch(function (err) { clear(report).appendChild(errorBox(err)); });
    };
    tierSel.addEventListener('change', show);
    show();
    return h('section', { class: 'card ex-map' }, h('h2', null, t('ex.kml')),
             h('p', { class: 'muted' }, t('ex.mapAbout')),
             h('label', { for: 'ex-tier' }, t('ex.tier')), ' ', tierSel, ' ',
             h('span', { class: 'ex-formats' }, links), report);
}

/* ------------------------------------------------------------------ */
/* Start                                                               */

document.getElementById('lang').addEventListener('click', switchLang);
/* Forgets the session on the page and shows the login (a logout, or a
 * change of one's own passphrase, which ends every session). */
function loggedOut() {
    state.me = null;
    state.csrf = null;
    state.types = null;
    state.vocab = null;
    location.hash = '#/login';
    route();
}
document.getElementById('logout').addEventListener('click', function () {
    api('POST', '/logout', {}).catch(function () { /* gone already */ }).then(loggedOut);
});
document.getElementById('skip-link').addEventListener('click', function (e) {
    e.preventDefault();
    main.focus();
});
window.addEventListener('hashchange', route);

/* What the pages in their own files (evidence.js, users.js, account.js, picker.js,
 * document.js, case.js, map_*.js,
 * sync.js) use; they are loaded after this file and add to VIEWS. */
window.ATTEST = {
    VIEWS: VIEWS, state: state, h: h, append: append, labelled: labelled, clear: clear, nextId: nextId, qs: qs,
    debounce: debounce, t: t, fieldLabel: fieldLabel, typeLabel: typeLabel, vocabLabel: vocabLabel,
    vocabOptions: vocabOptions, recordLabel: recordLabel, api: api, when: when, typeOfId: typeOfId,
    say: say, errorBox: errorBox, loggedOut: loggedOut, hashLink: hashLink, recordLink: recordLink, go: go,
    makeMap: makeMap, picker: null, titleOf: null, recordSections: [], exportSections: [], screenSections: []
};

/* Started when every deferred script has run, so that their views are in. */
document.addEventListener('DOMContentLoaded', function () {
    api('GET', '/me').then(function (me) { return start(me); }).catch(function () {
        state.me = null;
        route();
    });
});

})();
