/*
 * picker.js: the record picker shared by every form that asks for a
 * record's id (witness, interview, event, source, person, organisation,
 * ...).  It turns a text input into a combobox: as the user types, the
 * full-text search (GET /api/v1/search?type=&offers=1) offers records of
 * the types the field takes, by title, code or any word, in any script
 * (each by what names it alone: the server logs a confidential record
 * offered once per user, not as a read at every keystroke); a
 * choice puts the record's id in the input and shows its title beside it.
 * An id typed or pasted in is kept as it is.  Keyboard: Down and Up move
 * through the offers, Enter takes one, Escape closes the list.
 *
 * Also titleOf(id): a record's title, asked once per page and kept, for
 * relation lists that show titles rather than ids.
 */
'use strict';

(function () {

var A = window.ATTEST;
var h = A.h, clear = A.clear, t = A.t;

var titles = {};

function titleOf(id) {
    if (!titles[id]) titles[id] = A.api('GET', '/records/' + encodeURIComponent(id)).then(function (doc) {
        return A.recordLabel(doc);
    }).catch(function () { return id; });
    return titles[id];
}

/* An id of one of the archive's record types: "wt-…", "iv-…". */
function looksLikeId(text) { return /^[a-z]{2}-[0-9a-z]{6,}$/.test(text); }

function attach(input, types) {
    var wanted = types.split(' ').filter(Boolean);
    var listId = A.nextId('picker');
    var list = h('ul', { id: listId, role: 'listbox', class: 'picker-list', hidden: true,
                         'aria-label': t('picker.offers') });
    var chosen = h('span', { class: 'picker-title muted', 'aria-live': 'polite' });
    var offers = [];
    var active = -1;
    var asked = 0;

    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-expanded', 'false');
    input.setAttribute('aria-controls', listId);
    input.setAttribute('autocomplete', 'off');
    input.classList.add('picker-input');

    function close() {
        list.hidden = true;
        input.setAttribute('aria-expanded', 'false');
        input.removeAttribute('aria-activedescendant');
        active = -1;
    }

    function mark(i) {
        active = i;
        Array.prototype.forEach.call(list.children, function (li, k) {
            li.setAttribute('aria-selected', k === i ? 'true' : 'false');
        });
        if (i >= 0 && list.children[i]) {
            input.setAttribute('aria-activedescendant', list.children[i].id);
            list.children[i].scrollIntoView({ block: 'nearest' });
        } else {
            input.removeAttribute('aria-activedescendant');
        }
    }

    function take(i) {
        var o = offers[i];
        if (!o) return;
        input.value = o.id;
        titles[o.id] = Promise.resolve(o.title);
        chosen.textContent = o.title;
        close();
        input.dispatchEvent(new Event('change', { bubbles: true }));
    }

    function show(found) {
        offers = found;
        clear(list);
        if (!found.length) {
            list.appendChild(h('li', { class: 'picker-none', role: 'option', 'aria-disabled': 'true',
                                       id: listId + '-none' }, t('picker.none')));
        }
        found.forEach(function (o, i) {
            list.appendChild(h('li', { id: listId + '-' + i, role: 'option', 'aria-selected': 'false',
                                       'data-id': o.id,
                                       onmousedown: function (e) { e.preventDefault(); take(i); } },
                               h('span', { class: 'picker-name' }, o.title), ' ',
                               h('span', { class: 'muted' }, A.typeLabel(o.type) + ' · ' + o.id)));
        });
        list.hidden = false;
        input.setAttribute('aria-expanded', 'true');
        mark(-1);
    }

    var lookUp = A.debounce(function () {
        var q = input.value.trim();
        var mine = ++asked;
        if (q.length < 1 || looksLikeId(q)) {
            close();
            if (looksLikeId(q)) titleOf(q).then(function (title) {
                if (input.value.trim() === q) chosen.textContent = title === q ? '' : title;
            });
            return;
        }
        chosen.textContent = '';
        Promise.all(wanted.map(function (type) {
            return A.api('GET', '/search' + A.qs({ q: q, type: type, limit: 8, offers: 1 })).then(function (x) {
                return x.offers;
            }).catch(function () { return []; });
        })).then(function (lists) {
            if (mine !== asked) return; /* a later keystroke asked again */
            var found = [];
            lists.forEach(function (offered) {
                offered.forEach(function (doc) {
                    if (found.length < 12) found.push({ id: doc.id, type: doc.type, title: A.recordLabel(doc) });
                });
            });
            if (document.activeElement === input) show(found);
        });
    }, 150);

    input.addEventListener('input', lookUp);
    input.addEventListener('blur', function () { setTimeout(close, 100); });
    input.addEventListener('keydown', function (e) {
        var open = !list.hidden && offers.length;
        if (e.key === 'ArrowDown' && open) {
            e.preventDefault();
            mark(active + 1 < offers.length ? active + 1 : 0);
        } else if (e.key === 'ArrowUp' && open) {
            e.preventDefault();
            mark(active > 0 ? active - 1 : offers.length - 1);
        } else if (e.key === 'Enter' && open && active >= 0) {
            e.preventDefault();
            take(active);
        } else if (e.key === 'Escape' && !list.hidden) {
            e.preventDefault();
            close();
        }
    });

    /* The list and the title go just after the input, once it is placed. */
    setTimeout(function () {
        if (!input.parentNode) return;
        var wrap = h('span', { class: 'picker' });
        input.parentNode.insertBefore(wrap, input);
        wrap.appendChild(input);
        wrap.appendChild(list);
        wrap.appendChild(chosen);
        if (looksLikeId(input.value.trim())) titleOf(input.value.trim()).then(function (title) {
            if (title !== input.value.trim()) chosen.textContent = title;
        });
    }, 0);
    return input;
}

A.picker = attach;
A.titleOf = titleOf;

})();
