// The login: a user's login name and password, or an API token (lmpd admin init, POST
// /v1/users), either exchanged for a session cookie.
import { api } from './api.js';
import { el } from './dom.js';

// One form posting `body()` to the login route; `refused` is said on a 401.
function loginForm(id, title, fields, body, refused, onLoggedIn) {
  const error = el('div', { class: 'error', id: `${id}-error`, role: 'alert' });
  const form = el('form', { class: 'card login', id: `${id}-form` },
    el('h1', {}, title),
    fields.flatMap(([label, input]) => [el('label', { for: input.id }, label), input]),
    el('button', { type: 'submit', id: `${id}-button` }, 'Log in'),
    error);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    try {
      const session = await api('POST', '/v1/console/session', body());
      for (const [, input] of fields) if (input.type === 'password') input.value = '';
      await onLoggedIn(session.csrf_token);
    } catch (e) {
      error.textContent = e.status === 401 ? refused : e.message;
    }
  });
  return form;
}

export function showLogin(view, onLoggedIn) {
  const user = el('input', { id: 'login-user', autocomplete: 'username', required: '' });
  const password = el('input', {
    id: 'login-password', type: 'password', autocomplete: 'current-password', required: '',
  });
  const token = el('input', {
    id: 'token', type: 'password', autocomplete: 'off', placeholder: 'lmp_…', required: '',
  });
  // The token form keeps its ids ("login-form", "login-button", "login-error").
  view.replaceChildren(el('div', { class: 'logins' },
    loginForm('password-login', 'Log in', [['User', user], ['Password', password]],
      () => ({ user: user.value.trim(), password: password.value }),
      'The user or password is wrong.', onLoggedIn),
    loginForm('login', 'Log in with a token', [['API token', token]],
      () => ({ token: token.value.trim() }), 'This token is not valid.', onLoggedIn)));
  user.focus();
}
