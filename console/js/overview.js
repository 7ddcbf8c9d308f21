// The overview page: per product, the units licensed, in use and waiting now, from the licenses
// the account may see (GET /v1/licenses), refreshed every few seconds.
import { api, allItems } from './api.js';
import { el, poll, refreshed } from './dom.js';

// The states in which a license serves checkouts (docs/admin-api.md, license states).
const kServing = new Set(['active', 'expiring', 'in_grace']);

function totals(licenses) {
  const byProduct = new Map();
  for (const license of licenses) {
    const row = byProduct.get(license.product) ||
      { product: license.product, unit: license.unit, licenses: 0, licensed: 0, used: 0, waiting: 0 };
    row.licenses += 1;
    if (kServing.has(license.state)) row.licensed += license.units;
    row.used += license.used || 0;
    row.waiting += license.waiting || 0;
    byProduct.set(license.product, row);
  }
  return [...byProduct.values()].sort((a, b) => a.product.localeCompare(b.product));
}

export function overviewPage(view) {
  const body = el('tbody', { id: 'overview-rows' });
  const status = el('div', { class: 'status', id: 'overview-status' });
  const note = el('div', { class: 'status' });
  view.replaceChildren(
    el('h1', {}, 'Overview'),
    el('table', { id: 'overview' },
      el('thead', {}, el('tr', {},
        el('th', {}, 'Product'), el('th', {}, 'Name'), el('th', { class: 'num' }, 'Licenses'),
        el('th', { class: 'num' }, 'Units licensed'), el('th', { class: 'num' }, 'In use'),
        el('th', { class: 'num' }, 'Waiting'))),
      body),
    note, status);
  let names = null;
  return poll(async () => {
    try {
      if (names === null) {
        names = new Map();
        try {
          for (const p of (await api('GET', '/v1/products')).items) names.set(p.code, p.name);
        } catch {
          // Names are a convenience: the codes alone still say which product.
        }
      }
      const { items, truncated } = await allItems('/v1/licenses');
      const rows = totals(items);
      body.replaceChildren(...rows.map((r) => el('tr', { 'data-product': r.product },
        el('td', {}, r.product), el('td', {}, names.get(r.product) || ''),
        el('td', { class: 'num' }, r.licenses), el('td', { class: 'num', 'data-field': 'licensed' }, `${r.licensed} ${r.unit || ''}`),
        el('td', { class: 'num', 'data-field': 'used' }, r.used),
        el('td', { class: 'num', 'data-field': 'waiting' }, r.waiting))));
      if (rows.length === 0) body.replaceChildren(el('tr', {}, el('td', { colspan: '6', class: 'empty' }, 'No licenses.')));
      note.textContent = truncated ? 'Only the first 10,000 licenses are counted.' : '';
      refreshed(status);
    } catch (e) {
      refreshed(status, e);
    }
  }, 3000);
}
