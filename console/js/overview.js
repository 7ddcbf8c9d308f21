// The overview page: per product, the units licensed, in use and waiting now, from the licenses
// the account may see (GET /v1/licenses), refreshed every few seconds; the use of the last day
// and month charted from the usage reports, recent denials and licenses expiring soon, refreshed
// every minute.
import { api, allItems, errorText } from './api.js';
import { drawChart, seriesOf } from './chart.js';
import { el, formatTime, poll, refreshed, table } from './dom.js';
import { loadNames } from './names.js';

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

const kDay = 86400;
const kSoonDays = 30;

// Licenses that end within kSoonDays (or are in their notice or grace), soonest first.
function expiringSoon(licenses, now) {
  return licenses
    .filter((l) => ['expiring', 'in_grace'].includes(l.state) ||
      (l.state === 'active' && l.expires !== null && l.expires < now + kSoonDays * kDay))
    .sort((a, b) => a.expires - b.expires)
    .slice(0, 10);
}

function showExpiring(node, licenses, names) {
  node.replaceChildren(table('overview-expiring', [
    ['License', (l) => l.id], ['Product', (l) => l.product],
    ['Customer', (l) => (names ? names.customer(l.customer) : `customer ${l.customer}`)],
    ['Units', (l) => l.units, true], ['State', (l) => l.state.replace(/_/g, ' ')], ['Expires', (l) => formatTime(l.expires)],
  ], expiringSoon(licenses, Math.floor(Date.now() / 1000)), `No license ends within ${kSoonDays} days.`));
}

// The charts and the denials, from the usage reports; `plots` keeps the charts drawn, to
// destroy them before drawing again.
function history(parts, names, plots) {
  const now = Math.floor(Date.now() / 1000);
  const charts = [
    [parts.day, now - kDay],
    [parts.month, now - 30 * kDay],
  ];
  return Promise.all([
    ...charts.map(async ([node, from]) => {
      try {
        const period = node === parts.day ? 'hour' : 'day';
        const rows = (await api('GET', `/v1/usage?from=${from}&to=${now}&group=product&period=${period}`)).items;
        if (plots.has(node)) plots.get(node).destroy();
        plots.delete(node);
        if (rows.length === 0) {
          node.replaceChildren(el('div', { class: 'empty' }, 'Nothing was used.'));
          return;
        }
        plots.set(node, drawChart(node, seriesOf(rows, (r) => names.product(r.product), (r) => r.peak_units), 'Peak units', [from, now], 500, 200));
      } catch (e) {
        node.replaceChildren(el('div', { class: 'error' }, errorText(e)));
      }
    }),
    (async () => {
      try {
        const rows = (await api('GET', `/v1/usage/denials?from=${now - 7 * kDay}&group=product,customer,user,code`)).items
          .sort((a, b) => b.last - a.last).slice(0, 10);
        parts.denials.replaceChildren(table('overview-denials', [
          ['Last', (r) => formatTime(r.last)], ['Product', (r) => r.product],
          ['Customer', (r) => names.customer(r.customer)], ['User', (r) => r.user || '(none)'],
          ['Refused', (r) => r.code], ['Denials', (r) => r.denials, true],
        ], rows, 'No denials in the last 7 days.'));
      } catch (e) {
        parts.denials.replaceChildren(el('div', { class: 'error' }, errorText(e)));
      }
    })(),
  ]);
}

export function overviewPage(view) {
  const body = el('tbody', { id: 'overview-rows' });
  const status = el('div', { class: 'status', id: 'overview-status' });
  const note = el('div', { class: 'status' });
  const parts = {
    day: el('div', { id: 'overview-day', class: 'chart' }),
    month: el('div', { id: 'overview-month', class: 'chart' }),
    denials: el('div', { id: 'overview-denials-holder' }),
    expiring: el('div', { id: 'overview-expiring-holder' }),
  };
  view.replaceChildren(
    el('h1', {}, 'Overview'),
    el('table', { id: 'overview' },
      el('thead', {}, el('tr', {},
        el('th', {}, 'Product'), el('th', {}, 'Name'), el('th', { class: 'num' }, 'Licenses'),
        el('th', { class: 'num' }, 'Units licensed'), el('th', { class: 'num' }, 'In use'),
        el('th', { class: 'num' }, 'Waiting'))),
      body),
    note, status,
    el('div', { class: 'grid' },
      el('section', { class: 'card' }, el('h2', {}, 'Use, last 24 hours (peak units per hour)'), parts.day),
      el('section', { class: 'card' }, el('h2', {}, 'Use, last 30 days (peak units per day)'), parts.month),
      el('section', { class: 'card' }, el('h2', {}, 'Recent denials (7 days)'), parts.denials),
      el('section', { class: 'card' }, el('h2', {}, `Licenses ending within ${kSoonDays} days`), parts.expiring)));
  let names = null;
  let customerNames = null;
  const plots = new Map();
  const stopHistory = poll(async () => {
    if (customerNames === null) customerNames = await loadNames();
    await history(parts, customerNames, plots);
  }, 60000);
  const stopTotals = poll(async () => {
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
      showExpiring(parts.expiring, items, customerNames);
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
  return () => {
    stopTotals();
    stopHistory();
    for (const plot of plots.values()) plot.destroy();
  };
}
