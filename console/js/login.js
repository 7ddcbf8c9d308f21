// The login form: an API token (lmpd admin init, POST /v1/users) exchanged for a session cookie.
import { api } from './api.js';
import { el } from './dom.js';

export function showLogin(view, onLoggedIn) {
  const input = el('input', {
    id: 'token', type: 'password', autocomplete: 'off', placeholder: 'lmp_…', required: '',
  });
  const error = el('div', { class: 'error', id: 'login-error', role: 'alert' });
  const form = el('form', { class: 'card login', id: 'login-form' },
    el('h1', {}, 'Log in'),
    el('label', { for: 'token' }, 'API token'),
    input,
    el('button', { type: 'submit', id: 'login-button' }, 'Log in'),
    error);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    try {
      const session = await api('POST', '/v1/console/session', { token: input.value.trim() });
      input.value = '';
      await onLoggedIn(session.csrf_token);
    } catch (e) {
      error.textContent = e.status === 401 ? 'This token is not valid.' : e.message;
    }
  });
  view.replaceChildren(form);
  input.focus();
}
