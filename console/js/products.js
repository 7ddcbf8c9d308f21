// The products page: each product's lifecycle (GET /v1/products); for the parent, End of Sale
// and End of Life, the latter only after a confirmation that shows what it will delete, counted
// by the API's own dry run (POST /v1/products/{code}/end-of-life?dry_run=true).
import { api, errorText } from './api.js';
import { openDialog as dialogOf, formDialog } from './dialog.js';
import { el, formatTime, table } from './dom.js';

function endOfSaleDialog(product, done) {
  const at = el('input', { id: 'eos-date', type: 'date', 'aria-label': 'End of Sale (UTC)' });
  at.value = new Date().toISOString().slice(0, 10);
  const error = el('div', { class: 'error', id: 'eos-error', role: 'alert' });
  const form = el('form', {},
    el('h1', {}, `End of Sale: ${product.code}`),
    el('p', {}, `From this date no new licenses of ${product.name}, nor more units on existing ones; current licenses keep working.`),
    el('label', { for: 'eos-date' }, 'Date (UTC midnight)'), at,
    el('div', { class: 'actions' },
      el('button', { type: 'submit', id: 'eos-confirm' }, 'Set End of Sale'), ' ',
      el('button', { type: 'button', class: 'plain', onclick: () => dialog.close() }, 'Cancel')),
    error);
  const seconds = () => Math.floor(Date.parse(`${at.value}T00:00:00Z`) / 1000);
  const dialog = formDialog('eos-dialog', form, error,
    () => api('POST', `/v1/products/${encodeURIComponent(product.code)}/end-of-sale`, { at: seconds() }), () => done());
}

// Asks the API what End of Life now would delete, shows it, and deletes only once the product's
// code is typed and the delete button pressed.
async function endOfLifeDialog(product, done, fail) {
  const path = `/v1/products/${encodeURIComponent(product.code)}/end-of-life`;
  let dry;
  try {
    dry = await api('POST', `${path}?dry_run=true`);
  } catch (e) {
    fail(e);
    return;
  }
  const counts = dry.would_delete;
  const confirm = el('input', { id: 'eol-code', autocomplete: 'off', 'aria-label': 'Product code' });
  const remove = el('button', { type: 'submit', class: 'danger', id: 'eol-confirm', disabled: '' }, 'Delete and end the product');
  const error = el('div', { class: 'error', id: 'eol-error', role: 'alert' });
  const form = el('form', {},
    el('h1', {}, `End of Life: ${product.code}`),
    el('p', {}, `${product.name}: from now every checkout, activation and heartbeat of its licenses is refused, and all its customer data is deleted. This cannot be undone.`),
    el('ul', { id: 'eol-counts' },
      el('li', { 'data-count': 'licenses' }, `${counts.licenses} license(s) deleted`),
      el('li', { 'data-count': 'activations' }, `${counts.activations} activation(s) deleted`),
      el('li', { 'data-count': 'leases' }, `${counts.leases} lease(s) deleted`),
      el('li', { 'data-count': 'keys_voided' }, `${counts.keys_voided} unredeemed registration key(s) voided`)),
    el('label', { for: 'eol-code' }, `Type ${product.code} to confirm`), confirm,
    el('div', { class: 'actions' }, remove, ' ',
      el('button', { type: 'button', class: 'plain', id: 'eol-cancel', onclick: () => dialog.close() }, 'Cancel')),
    error);
  const dialog = dialogOf('eol-dialog', form);
  confirm.addEventListener('input', () => {
    remove.disabled = confirm.value !== product.code;
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (confirm.value !== product.code) return;
    try {
      await api('POST', path, {});
      dialog.close();
      done();
    } catch (e) {
      error.textContent = errorText(e);
    }
  });
  confirm.focus();
}

export function productsPage(view, me) {
  const holder = el('div', { id: 'products-table' });
  const error = el('div', { class: 'error', id: 'products-error', role: 'alert' });
  const note = el('p', { class: 'status' });
  view.replaceChildren(el('h1', {}, 'Products'), error, holder, note);
  // Only the parent sets a product's lifecycle (the API answers others 403): others see it only.
  const mayChange = !!me.account && me.account.kind === 'parent' && !me.read_only;
  note.textContent = mayChange ? '' : 'Only the parent account sets End of Sale and End of Life.';
  const load = async () => {
    try {
      const products = (await api('GET', '/v1/products')).items;
      const fail = (e) => {
        error.textContent = errorText(e);
      };
      const actions = (p) => {
        if (!mayChange || p.state === 'end_of_life') return '';
        return el('span', { class: 'actions' },
          el('button', { type: 'button', class: 'plain', 'data-eos': p.code, onclick: () => endOfSaleDialog(p, load) }, 'End of Sale…'), ' ',
          el('button', { type: 'button', class: 'danger', 'data-eol': p.code, onclick: () => endOfLifeDialog(p, load, fail) }, 'End of Life…'));
      };
      const t = table('products', [
        ['Code', (p) => p.code], ['Name', (p) => p.name], ['Family', (p) => p.family], ['Unit', (p) => p.unit],
        ['State', (p) => p.state.replace(/_/g, ' ')], ['End of Sale', (p) => formatTime(p.end_of_sale)],
        ['End of Life', (p) => formatTime(p.end_of_life)], ['Data deleted', (p) => formatTime(p.data_deleted)],
        ['', actions],
      ], products, 'No products are configured.');
      for (const [i, row] of [...t.tBodies[0].rows].entries()) if (products[i]) row.dataset.product = products[i].code;
      holder.replaceChildren(t);
    } catch (e) {
      error.textContent = errorText(e);
    }
  };
  load();
  return () => {};
}
