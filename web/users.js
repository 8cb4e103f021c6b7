/*
 * users.js: user administration for admins (#/users): the archive's
 * users with their roles, the clearance each role reads up to, and states; add a user; change a
 * role; disable and enable; reset the passphrase of a user who lost theirs
 * (`attest user reset`: the old one is never asked, their sessions end);
 * API tokens, everyone's, to revoke.  The same
 * core calls and access gate as `attest user`, through /api/v1/users and
 * /api/v1/tokens.  A passphrase typed here is sent once, in the body of a
 * POST with the CSRF header, and never shown back: the field is emptied at
 * once.
 */
'use strict';

(function () {

var A = window.ATTEST;
var h = A.h, clear = A.clear, t = A.t, api = A.api, field = A.labelled;

var ROLES = ['admin', 'officer', 'investigator', 'analyst', 'partner', 'public'];

function roleLabel(role) { return t('role.' + role); }

function roleOptions(selected) {
    return ROLES.map(function (r) {
        return h('option', { value: r, selected: r === selected }, roleLabel(r));
    });
}

function userTable(users, reload) {
    return h('table', { class: 'list users', id: 'users-table' },
        h('caption', { class: 'muted' }, t('us.caption')),
        h('thead', null, h('tr', null, ['us.name', 'us.role', 'us.clearance', 'us.state', ''].map(function (k) {
            return h('th', { scope: 'col' }, k ? t(k) : '');
        }))),
        h('tbody', null, users.map(function (u) {
            var selId = A.nextId('role-' + u.name);
            var sel = h('select', { id: selId, 'aria-label': t('us.roleOf', { name: u.name }) }, roleOptions(u.role));
            var change = h('button', { type: 'button', onclick: function () {
                if (sel.value === u.role) return;
                api('POST', '/users/' + encodeURIComponent(u.name), { role: sel.value }).then(function () {
                    A.say(t('us.roleChanged', { name: u.name, role: roleLabel(sel.value) }));
                    reload();
                }).catch(function (e) { A.say(e.message, true); sel.value = u.role; });
            } }, t('us.changeRole'));
            /* Disabling asks to be confirmed by a second press. */
            var toggle = h('button', { type: 'button', class: u.enabled ? 'danger' : null, onclick: function () {
                if (u.enabled && !toggle.hasAttribute('data-confirm')) {
                    toggle.setAttribute('data-confirm', '');
                    toggle.textContent = t('us.confirm');
                    A.say(t('us.confirmDisable', { name: u.name }));
                    return;
                }
                api('POST', '/users/' + encodeURIComponent(u.name), { enabled: !u.enabled }).then(function () {
                    A.say(t(u.enabled ? 'us.disabledOk' : 'us.enabledOk', { name: u.name }));
                    reload();
                }).catch(function (e) { A.say(e.message, true); });
            } }, t(u.enabled ? 'us.disable' : 'us.enable'));
            var reset = u.name === A.state.me.user ? null : resetForm(u, reload);
            return h('tr', { 'data-user': u.name },
                h('th', { scope: 'row' }, u.name),
                h('td', { 'data-field': 'role' }, roleLabel(u.role)),
                h('td', { 'data-field': 'clearance' }, A.vocabLabel('clearance', u.clearance || '')),
                h('td', { 'data-field': 'state' }, t(u.enabled ? 'us.enabled' : 'us.disabled')),
                h('td', { class: 'actions' }, sel, ' ', change, ' ', toggle, reset));
        })));
}

/* An admin's reset of a lost passphrase: the new one typed twice, sent
 * once, the fields emptied at once. */
function resetForm(u, reload) {
    var id = A.nextId('reset-' + u.name);
    var pass = h('input', { id: id, type: 'password', autocomplete: 'new-password', class: 'reset-pass' });
    var again = h('input', { id: id + '-again', type: 'password', autocomplete: 'new-password',
                             class: 'reset-again' });
    var go = h('button', { type: 'submit', class: 'danger' }, t('us.resetDo'));
    var box = h('details', { class: 'reset' }, h('summary', null, t('us.reset')));
    box.appendChild(h('form', { novalidate: true, onsubmit: function (e) {
        e.preventDefault();
        var body = { passphrase: pass.value };
        var same = pass.value === again.value;
        pass.value = again.value = ''; /* never kept on the page */
        if (!same) {
            A.say(t('us.resetMismatch'), true);
            pass.focus();
            return;
        }
        go.disabled = true;
        api('POST', '/users/' + encodeURIComponent(u.name) + '/passphrase', body).then(function () {
            A.say(t('us.resetOk', { name: u.name }));
            reload();
        }).catch(function (e2) { A.say(e2.message, true); pass.focus(); })
            .then(function () { go.disabled = false; });
    } },
        h('p', { class: 'hint' }, t('us.resetHint')),
        h('label', { for: id }, t('us.resetNew')), pass,
        h('label', { for: id + '-again' }, t('us.resetAgain')), again, ' ', go));
    return box;
}

function addForm(reload) {
    var err = h('p', { class: 'error-box', role: 'alert', hidden: true });
    var name = h('input', { id: 'us-new-name', name: 'name', autocomplete: 'off', required: true });
    var role = h('select', { id: 'us-new-role', name: 'role' }, roleOptions('analyst'));
    var pass = h('input', { id: 'us-new-pass', name: 'passphrase', type: 'password', autocomplete: 'new-password',
                            required: true, 'aria-describedby': 'us-pass-hint' });
    var save = h('button', { type: 'submit', class: 'primary' }, t('us.add'));
    var fields = { name: name, role: role, passphrase: pass };
    return h('form', { class: 'card', id: 'user-add', novalidate: true, onsubmit: function (e) {
        e.preventDefault();
        err.hidden = true;
        var body = { name: name.value.trim(), role: role.value, passphrase: pass.value };
        pass.value = ''; /* never kept on the page */
        save.disabled = true;
        api('POST', '/users', body).then(function () {
            A.say(t('us.added', { name: body.name }));
            name.value = '';
            reload();
        }).catch(function (e2) {
            err.textContent = e2.message;
            err.hidden = false;
            (fields[e2.field] || name).focus();
        }).then(function () { save.disabled = false; });
    } },
        h('h2', null, t('us.addTitle')), err,
        h('div', { class: 'fields' },
          field('us-new-name', t('us.name'), name),
          field('us-new-role', t('us.role'), role),
          field('us-new-pass', t('us.pass'), pass, t('us.passHint'))),
        h('div', { class: 'actions' }, save));
}

function tokenTable(tokens, reload) {
    if (!tokens.length) return h('p', { class: 'muted' }, t('us.noTokens'));
    return h('table', { class: 'list tokens', id: 'tokens-table' },
        h('thead', null, h('tr', null, ['us.tokenId', 'us.name', 'us.label', 'us.state', 'us.expires', ''].map(function (k) {
            return h('th', { scope: 'col' }, k ? t(k) : '');
        }))),
        h('tbody', null, tokens.map(function (tk) {
            return h('tr', { 'data-token': tk.id },
                h('td', null, h('code', null, tk.id)), h('td', null, tk.user), h('td', null, tk.label || ''),
                h('td', null, t('us.tok.' + tk.state.replace(' ', '_'))), h('td', null, A.when(tk.expires_at)),
                h('td', null, tk.state === 'active' ? h('button', { type: 'button', class: 'danger', onclick: function () {
                    api('POST', '/tokens/' + encodeURIComponent(tk.id) + '/revoke', {}).then(function () {
                        A.say(t('us.revoked', { id: tk.id }));
                        reload();
                    }).catch(function (e) { A.say(e.message, true); });
                } }, t('us.revoke')) : null));
        })));
}

/* A token for the logged-in user: shown once, here, never again. */
function tokenForm(reload) {
    var label = h('input', { id: 'tk-label', name: 'label', autocomplete: 'off' });
    var days = h('input', { id: 'tk-days', name: 'expires_days', inputmode: 'numeric', value: '90', size: 5 });
    var shown = h('div', { id: 'tk-new', 'aria-live': 'polite' });
    var save = h('button', { type: 'submit' }, t('us.makeToken'));
    return h('form', { class: 'card', id: 'token-add', novalidate: true, onsubmit: function (e) {
        e.preventDefault();
        clear(shown);
        save.disabled = true;
        api('POST', '/tokens', { label: label.value.trim() || undefined, expires_days: Number(days.value) })
            .then(function (x) {
                shown.appendChild(h('p', null, t('us.tokenOnce')));
                shown.appendChild(h('p', null, h('code', { class: 'token' }, x.token)));
                label.value = '';
                reload();
            }).catch(function (e2) { shown.appendChild(A.errorBox(e2)); })
            .then(function () { save.disabled = false; });
    } },
        h('h2', null, t('us.makeToken')),
        h('div', { class: 'fields' },
          h('div', { class: 'field' }, h('label', { for: 'tk-label' }, t('us.label')), label),
          h('div', { class: 'field' }, h('label', { for: 'tk-days' }, t('us.days')), days)),
        h('div', { class: 'actions' }, save), shown);
}

A.VIEWS.users = function (el) {
    el.appendChild(h('h1', null, t('nav.users')));
    if (A.state.me.role !== 'admin') {
        el.appendChild(h('p', { class: 'error-box', role: 'alert' }, t('us.adminsOnly')));
        return;
    }
    el.appendChild(h('p', { class: 'muted about' }, t('us.about')));
    var users = h('div', { id: 'users' });
    var tokens = h('div', { id: 'tokens' });
    function reload() {
        api('GET', '/users').then(function (x) {
            clear(users).appendChild(h('div', { class: 'table-scroll' }, userTable(x.users, reload)));
        })
            .catch(function (e) { clear(users).appendChild(A.errorBox(e)); });
        api('GET', '/tokens').then(function (x) { clear(tokens).appendChild(tokenTable(x.tokens, reload)); })
            .catch(function (e) { clear(tokens).appendChild(A.errorBox(e)); });
    }
    el.appendChild(h('div', { class: 'record-layout' },
        h('div', { class: 'col' }, h('section', null, h('h2', null, t('us.users')), users),
          h('section', null, h('h2', null, t('us.tokens')), h('p', { class: 'muted' }, t('us.tokensAbout')), tokens)),
        h('div', { class: 'col' }, addForm(reload), tokenForm(reload))));
    reload();
};

})();
