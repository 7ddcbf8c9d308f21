// The audit page: GET /v1/audit filtered by action, actor (a user) and time range, a page of 50
// records at a time, each record's before and after shown as JSON text.
import { allItems, api, errorText } from './api.js';
import { el, formatTime } from './dom.js';

const kPageSize = 50;
// The actions docs/admin-api.md lists, offered as suggestions (any text is accepted).
const kActions = [
  'account.initialise', 'partner.create', 'partner.permissions', 'partner.activate', 'partner.suspend',
  'partner.cancel', 'customer.create', 'customer.disable', 'customer.enable', 'user.create', 'token.create',
  'token.revoke', 'license.create', 'license.renew', 'plan.create', 'plan.update', 'key.issue', 'key.void',
  'key.redeem', 'pool.assign', 'branding.update', 'lease.release', 'product.end_of_sale',
  'product.end_of_life', 'product.data_deleted', 'webhook.created', 'webhook.deleted',
];

// A datetime-local input's value as Unix seconds (UTC), or null.
function secondsOf(input) {
  if (!input.value) return null;
  return Math.floor(Date.parse(`${input.value}:00Z`) / 1000);
}

function json(value) {
  return value === null || value === undefined ? '' : JSON.stringify(value, null, 1);
}

export function auditPage(view) {
  const action = el('input', { id: 'audit-action', list: 'audit-actions', placeholder: 'action', 'aria-label': 'Action' });
  const actor = el('input', { id: 'audit-actor', type: 'number', min: '1', list: 'audit-users', placeholder: 'actor (user id)', 'aria-label': 'Actor user id' });
  const from = el('input', { id: 'audit-from', type: 'datetime-local', 'aria-label': 'From (UTC)' });
  const to = el('input', { id: 'audit-to', type: 'datetime-local', 'aria-label': 'To (UTC)' });
  const users = el('datalist', { id: 'audit-users' });
  const body = el('tbody', { id: 'audit-rows' });
  const previous = el('button', { type: 'button', class: 'plain', id: 'audit-previous' }, 'Previous');
  const next = el('button', { type: 'button', class: 'plain', id: 'audit-next' }, 'Next');
  const where = el('span', { class: 'status', id: 'audit-page' });
  const error = el('div', { class: 'error', id: 'audit-error', role: 'alert' });
  const form = el('form', { class: 'filters', id: 'audit-filters' },
    action, actor, el('label', { class: 'field' }, el('span', {}, 'From (UTC)'), from),
    el('label', { class: 'field' }, el('span', {}, 'To (UTC)'), to),
    el('button', { type: 'submit', id: 'audit-run' }, 'Filter'));
  view.replaceChildren(
    el('h1', {}, 'Audit log'),
    el('datalist', { id: 'audit-actions' }, kActions.map((a) => el('option', { value: a }))),
    users, form, error,
    el('table', { id: 'audit' },
      el('thead', {}, el('tr', {}, ['#', 'Time', 'Actor', 'Action', 'Object', 'Before', 'After'].map((h) => el('th', {}, h)))),
      body),
    el('div', { class: 'pager' }, previous, ' ', next, ' ', where));

  let names = new Map();  // user id -> name, of the caller's own account or customer
  // The cursors of the pages seen: cursors[i] is the `after` of page i (null: the first).
  let cursors = [null];
  let page = 0;
  let nextCursor = null;

  const actorText = (a) => {
    if (a.user === null || a.user === undefined) return a.scope === 'server' ? 'lmpd' : a.scope === 'anonymous' ? 'anonymous' : 'cli';
    return names.has(a.user) ? `${names.get(a.user)} (user ${a.user})` : `user ${a.user}`;
  };

  const load = async () => {
    error.textContent = '';
    const params = new URLSearchParams({ limit: String(kPageSize) });
    if (action.value.trim()) params.set('action', action.value.trim());
    if (actor.value) params.set('actor', actor.value);
    const f = secondsOf(from);
    const t = secondsOf(to);
    if (f !== null) params.set('from', String(f));
    if (t !== null) params.set('to', String(t));
    if (cursors[page] !== null) params.set('after', cursors[page]);
    try {
      const answer = await api('GET', `/v1/audit?${params}`);
      nextCursor = answer.next;
      body.replaceChildren(...answer.items.map((r) => el('tr', { 'data-audit': String(r.id) },
        el('td', {}, r.id), el('td', {}, formatTime(r.time)), el('td', { class: 'actor' }, actorText(r.actor)),
        el('td', { class: 'action' }, r.action), el('td', { class: 'object' }, r.object),
        el('td', {}, el('pre', {}, json(r.before))), el('td', {}, el('pre', {}, json(r.after))))));
      if (answer.items.length === 0) body.replaceChildren(el('tr', {}, el('td', { colspan: '7', class: 'empty' }, 'No records.')));
      where.textContent = `page ${page + 1}`;
    } catch (e) {
      body.replaceChildren();
      nextCursor = null;
      error.textContent = errorText(e);
    }
    previous.disabled = page === 0;
    next.disabled = nextCursor === null;
  };

  const restart = () => {
    cursors = [null];
    page = 0;
    load();
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    restart();
  });
  for (const input of [action, actor, from, to]) input.addEventListener('change', restart);
  next.addEventListener('click', () => {
    if (nextCursor === null) return;
    cursors[page + 1] = nextCursor;
    page += 1;
    load();
  });
  previous.addEventListener('click', () => {
    if (page === 0) return;
    page -= 1;
    load();
  });
  (async () => {
    try {
      for (const u of (await allItems('/v1/users')).items) {
        names.set(u.id, u.name);
        users.append(el('option', { value: String(u.id) }, u.name));
      }
    } catch {
      names = new Map();
    }
    load();
  })();
  return () => {};
}
