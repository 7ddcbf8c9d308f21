// The leases page: who holds what now (GET /v1/leases) with its filters, refreshed every few
// seconds, and a release button that asks for the reason (DELETE /v1/leases/{id}).
import { api, allItems } from './api.js';
import { el, formatTime, poll, refreshed } from './dom.js';

const kFilters = [
  ['product', 'Product code'],
  ['customer', 'Customer id'],
  ['user', 'User'],
  ['host', 'Host'],
];

function releaseDialog(lease, customerName, done) {
  const reason = el('input', { id: 'release-reason', maxlength: '200', required: '', placeholder: 'why, for the audit log' });
  const error = el('div', { class: 'error', id: 'release-error', role: 'alert' });
  const dialog = el('dialog', { id: 'release-dialog' });
  const form = el('form', {},
    el('h1', {}, 'Release lease'),
    el('p', {}, `${lease.units} unit(s) of ${lease.product} held by ${lease.user || '?'} on ${lease.host || '?'} (${customerName}). The endpoint's next heartbeat is refused.`),
    el('label', { for: 'release-reason' }, 'Reason'),
    reason,
    el('div', { class: 'actions' },
      el('button', { type: 'submit', class: 'danger', id: 'release-confirm' }, 'Release'),
      ' ',
      el('button', { type: 'button', class: 'plain', onclick: () => dialog.close() }, 'Cancel')),
    error);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await api('DELETE', `/v1/leases/${encodeURIComponent(lease.id)}`, { reason: reason.value });
      dialog.close();
      done();
    } catch (e) {
      error.textContent = e.message;
    }
  });
  dialog.append(form);
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  reason.focus();
}

export function leasesPage(view, me) {
  const inputs = new Map(kFilters.map(([name, label]) => [name, el('input', {
    id: `filter-${name}`, name, placeholder: label, 'aria-label': label,
  })]));
  const body = el('tbody', { id: 'lease-rows' });
  const status = el('div', { class: 'status', id: 'leases-status' });
  const note = el('div', { class: 'status' });
  // A customer's users may not release (the API says 403); the button is not offered to them.
  const mayRelease = !!me.account && (me.permissions || []).includes('modify_customers') && !me.read_only;
  const filters = el('form', { class: 'filters', id: 'lease-filters' }, [...inputs.values()]);
  view.replaceChildren(
    el('h1', {}, 'Leases'),
    filters,
    el('table', { id: 'leases' },
      el('thead', {}, el('tr', {},
        ['Lease', 'Product', 'Customer', 'User', 'Host', 'Units', 'Checked out', 'Last heartbeat', 'Expires', '']
          .map((h) => el('th', { class: h === 'Units' ? 'num' : '' }, h)))),
      body),
    note, status);

  let customers = null;  // id -> name, read once per visit of the page
  let refresh = async () => {};
  const query = () => {
    const params = new URLSearchParams();
    for (const [name, input] of inputs) if (input.value.trim()) params.set(name, input.value.trim());
    const text = params.toString();
    return text ? `?${text}` : '';
  };
  // Rows of leases that did not change are kept as they are: no flicker, and a button someone
  // is about to press stays the same button.
  let shown = new Map();  // lease id -> { key, row }
  const render = (leases) => {
    if (leases.length === 0) {
      shown = new Map();
      body.replaceChildren(el('tr', {}, el('td', { colspan: '10', class: 'empty' }, 'No leases.')));
      return;
    }
    const next = new Map();
    body.replaceChildren(...leases.map((lease) => {
      const key = JSON.stringify(lease);
      const kept = shown.get(lease.id);
      if (kept && kept.key === key) {
        next.set(lease.id, kept);
        return kept.row;
      }
      const customerName = customers.get(lease.customer) || `customer ${lease.customer}`;
      const release = mayRelease
        ? el('button', {
          type: 'button', class: 'danger release', 'data-lease': lease.id,
          onclick: () => releaseDialog(lease, customerName, () => refresh()),
        }, 'Release')
        : '';
      const row = el('tr', { 'data-lease': lease.id },
        el('td', {}, lease.id), el('td', {}, lease.product),
        el('td', { class: 'customer' }, customerName), el('td', {}, lease.user || ''),
        el('td', {}, lease.host || ''), el('td', { class: 'num' }, lease.units),
        el('td', {}, formatTime(lease.checked_out)), el('td', {}, formatTime(lease.last_heartbeat)),
        el('td', {}, formatTime(lease.expires)), el('td', {}, release));
      next.set(lease.id, { key, row });
      return row;
    }));
    shown = next;
  };
  refresh = async () => {
    try {
      if (customers === null) {
        customers = new Map();
        try {
          for (const c of (await allItems('/v1/customers')).items) customers.set(c.id, c.name);
        } catch {
          // Without view_customers the ids are shown.
        }
      }
      const { items, truncated } = await allItems(`/v1/leases${query()}`, 1);
      render(items);
      note.textContent = truncated ? 'Showing the first 1000 leases: narrow the filters.' : '';
      refreshed(status);
    } catch (e) {
      refreshed(status, e);
    }
  };
  for (const input of inputs.values()) input.addEventListener('change', () => refresh());
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    refresh();
  });
  return poll(refresh, 2000);
}
