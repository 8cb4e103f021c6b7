/*
 * account.js: the logged-in user's own page (#/account), reached from
 * their name in the header: who they are, and a change of their own
 * passphrase (`attest user passwd`, through POST /api/v1/me/passphrase).
 * The passphrase they have now is asked again; the new one is typed twice.
 * All three are sent once, in the body of a POST with the CSRF header, and
 * the fields are emptied at once: nothing is kept on the page or shown
 * back.  The change ends every session and token of the user, this one
 * too, so the page then shows the login.
 */
'use strict';

(function () {

var A = window.ATTEST;
var h = A.h, t = A.t, api = A.api, field = A.labelled;

function passwdForm() {
    var err = h('p', { class: 'error-box', role: 'alert', hidden: true });
    var current = h('input', { id: 'ac-current', name: 'current', type: 'password',
                               autocomplete: 'current-password', required: true });
    var pass = h('input', { id: 'ac-new', name: 'passphrase', type: 'password', autocomplete: 'new-password',
                            required: true, 'aria-describedby': 'ac-new-hint' });
    var again = h('input', { id: 'ac-again', name: 'again', type: 'password', autocomplete: 'new-password',
                             required: true });
    var save = h('button', { type: 'submit', class: 'primary' }, t('ac.change'));
    var fields = { current: current, passphrase: pass };
    return h('form', { class: 'card', id: 'passwd-form', novalidate: true, onsubmit: function (e) {
        e.preventDefault();
        err.hidden = true;
        var body = { current: current.value, passphrase: pass.value };
        var same = pass.value === again.value;
        current.value = pass.value = again.value = ''; /* never kept on the page */
        if (!same) {
            err.textContent = t('us.resetMismatch');
            err.hidden = false;
            pass.focus();
            return;
        }
        save.disabled = true;
        api('POST', '/me/passphrase', body).then(function () {
            A.loggedOut();
            A.say(t('ac.changed'));
        }).catch(function (e2) {
            err.textContent = e2.message;
            err.hidden = false;
            (fields[e2.field] || current).focus();
            save.disabled = false;
        });
    } },
        h('h2', null, t('ac.passwd')), h('p', { class: 'hint' }, t('ac.passwdHint')), err,
        h('div', { class: 'fields' },
          field('ac-current', t('ac.current'), current),
          field('ac-new', t('us.resetNew'), pass, t('ac.newHint')),
          field('ac-again', t('us.resetAgain'), again)),
        h('div', { class: 'actions' }, save));
}

A.VIEWS.account = function (el) {
    var me = A.state.me;
    el.appendChild(h('h1', null, t('nav.account')));
    el.appendChild(h('p', { class: 'muted about', id: 'ac-who' },
                     t('ac.who', { user: me.user, role: t('role.' + me.role),
                                   clearance: A.vocabLabel('clearance', me.clearance) })));
    el.appendChild(h('div', { class: 'record-layout' }, h('div', { class: 'col' }, passwdForm())));
};

})();
