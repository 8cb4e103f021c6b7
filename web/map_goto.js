/*
 * map_goto.js: the "go to place" box of every map (the main map and the
 * intake forms' maps).  A name typed in any spelling the gazetteer knows
 * (회령, Hoeryŏng, Hoeryong, 會寧) is looked up with GET /api/v1/places as
 * it is typed; choosing a place moves the map there and remembers it on
 * the map (map.attestPlace), so that a point placed next on that map can
 * store the place's id beside its coordinates.  Loaded after app.js, whose
 * helpers it takes from window.ATTEST.
 */
'use strict';

(function () {

var A = window.ATTEST;
var ZOOM = { province: 9, city: 12, district: 13, county: 12, town: 13, border_city: 12, reference: 10 };

/* The words a place is shown with: its romanised name, Hangul and province. */
function placeText(p) {
    return p.name + ' · ' + p.hangul + (p.province ? ' (' + p.province + ')' : '');
}

/* Adds the box to map, top left.  Choosing a place sets map.attestPlace
 * and fires 'attest:place' on the map with {place}. */
function gotoBox(map) {
    var id = A.nextId('goto');
    var listId = id + '-list';
    var input = A.h('input', { id: id, type: 'search', class: 'goto-input', autocomplete: 'off',
                               placeholder: A.t('map.gotoHint'), role: 'combobox',
                               'aria-autocomplete': 'list', 'aria-expanded': 'false',
                               'aria-controls': listId });
    var list = A.h('ul', { id: listId, class: 'goto-list', role: 'listbox', hidden: true });
    var chosen = A.h('p', { class: 'goto-chosen', 'aria-live': 'polite' });
    var found = [];
    var asked = 0;

    function choose(p) {
        map.attestPlace = p;
        list.hidden = true;
        input.setAttribute('aria-expanded', 'false');
        input.value = p.name;
        chosen.textContent = placeText(p);
        chosen.setAttribute('data-place-id', p.id);
        map.setView([p.lat, p.lon], ZOOM[p.kind] || 12);
        map.fire('attest:place', { place: p });
    }

    function show(places) {
        found = places;
        A.clear(list);
        places.forEach(function (p, i) {
            list.appendChild(A.h('li', { role: 'option', id: listId + '-' + i, 'data-place-id': p.id,
                                         tabindex: '-1',
                                         onclick: function () { choose(p); },
                                         onkeydown: function (e) {
                                             if (e.key === 'Enter') { e.preventDefault(); choose(p); }
                                             if (e.key === 'ArrowDown' && list.children[i + 1]) list.children[i + 1].focus();
                                             if (e.key === 'ArrowUp') (i ? list.children[i - 1] : input).focus();
                                         } },
                                 placeText(p), A.h('span', { class: 'muted' }, ' ' + A.t('place.' + p.kind))));
        });
        if (!places.length && input.value.trim())
            list.appendChild(A.h('li', { class: 'muted' }, A.t('map.gotoNone')));
        list.hidden = !list.children.length;
        input.setAttribute('aria-expanded', list.hidden ? 'false' : 'true');
    }

    function lookUp() {
        var q = input.value.trim();
        var mine = ++asked;
        if (!q) { show([]); return Promise.resolve([]); }
        return A.api('GET', '/places' + A.qs({ q: q, limit: 8 })).then(function (r) {
            if (mine === asked) show(r.places);
            return r.places;
        }).catch(function () { if (mine === asked) show([]); return []; });
    }
    var later = A.debounce(lookUp, 150);

    input.addEventListener('input', later);
    input.addEventListener('keydown', function (e) {
        if (e.key === 'ArrowDown' && list.firstChild && !list.hidden) {
            e.preventDefault();
            list.firstChild.focus();
        } else if (e.key === 'Enter') {
            e.preventDefault();
            /* The first place spelled like what is typed now. */
            lookUp().then(function (places) { if (places.length) choose(places[0]); });
        } else if (e.key === 'Escape') {
            list.hidden = true;
        }
    });

    var Box = L.Control.extend({
        options: { position: 'topleft' },
        onAdd: function () {
            var div = A.h('div', { class: 'goto leaflet-bar', role: 'search' },
                          A.h('label', { for: id, class: 'goto-label' }, A.t('map.goto')), input, list, chosen);
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            return div;
        }
    });
    new Box().addTo(map);
    return input;
}

window.ATTEST_MAP = window.ATTEST_MAP || {};
window.ATTEST_MAP.gotoBox = gotoBox;

})();
