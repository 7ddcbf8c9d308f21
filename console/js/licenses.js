// The licenses and keys page: the licenses the account sees with the list's filters
// (GET /v1/licenses), a new license (POST /v1/licenses), registration keys issued from a plan,
// listed and voided (/v1/registration-keys), and, for a customer's user, a key redeemed into its
// customer. Activation codes and keys are shown once, in the answer that makes them (secret.js).
import { allItems, api, errorText } from './api.js';
import { formDialog } from './dialog.js';
import { el, formatTime, table } from './dom.js';
import { loadNames } from './names.js';
import { secretField, showOnce } from './secret.js';

// The states GET /v1/licenses filters on (docs/admin-api.md, "License states").
const kStates = ['not_started', 'active', 'expiring', 'in_grace', 'expired', 'disabled'];
const kNote = 'Shown only now: lmpd keeps only a hash of it. Copy it before you leave or reload this page.';

function options(select, pairs) {
  select.replaceChildren(...pairs.map(([value, label]) => el('option', { value }, label)));
  return select;
}

// Each body row of table `t` marked with its item's id (data-NAME), for its buttons and tests.
function markRows(t, items, name) {
  for (const [i, row] of [...t.tBodies[0].rows].entries()) if (items[i]) row.dataset[name] = items[i].id;
  return t;
}

function field(label, input) {
  return el('label', { class: 'field' }, label, input);
}

// Reads the form's number fields; an empty one is left out, so the API's default applies.
function numbers(inputs) {
  const out = {};
  for (const [name, input] of Object.entries(inputs)) if (input.value.trim() !== '') out[name] = Number(input.value);
  return out;
}

function newLicenseDialog(names, products, done) {
  const customer = options(el('select', { id: 'license-customer', required: '' }),
    [...names.customers].map(([id, name]) => [String(id), `${name} (${id})`]));
  const product = options(el('select', { id: 'license-product', required: '' }),
    products.map((p) => [p.code, `${p.code} · ${p.name}${p.state === 'active' ? '' : ` (${p.state.replace(/_/g, ' ')})`}`]));
  const counts = {
    units: el('input', { id: 'license-units', type: 'number', min: '1', value: '1', required: '' }),
    days: el('input', { id: 'license-days', type: 'number', min: '1', value: '365', required: '' }),
    grace_days: el('input', { id: 'license-grace', type: 'number', min: '0', placeholder: '0' }),
    notice_days: el('input', { id: 'license-notice', type: 'number', min: '0', placeholder: '0' }),
  };
  const trial = el('input', { id: 'license-trial', type: 'checkbox' });
  const autoRenew = el('input', { id: 'license-auto-renew', type: 'checkbox' });
  const error = el('div', { class: 'error', id: 'license-error', role: 'alert' });
  const form = el('form', { class: 'form-grid' },
    el('h1', {}, 'New license'),
    field('Customer', customer), field('Product', product),
    field('Units', counts.units), field('Days from now', counts.days),
    field('Grace days', counts.grace_days), field('Notice days', counts.notice_days),
    el('label', { class: 'check' }, trial, ' Trial'), el('label', { class: 'check' }, autoRenew, ' Renews by itself'),
    el('div', { class: 'actions' },
      el('button', { type: 'submit', id: 'license-create' }, 'Create license'), ' ',
      el('button', { type: 'button', class: 'plain', onclick: () => dialog.close() }, 'Cancel')),
    error);
  const dialog = formDialog('license-dialog', form, error, () => api('POST', '/v1/licenses', {
    customer: Number(customer.value), product: product.value, trial: trial.checked,
    auto_renew: autoRenew.checked, ...numbers(counts),
  }), done);
}

function issueKeysDialog(plans, done) {
  const plan = options(el('select', { id: 'keys-plan', required: '' }),
    plans.map((p) => [String(p.id), `${p.name} · ${p.product}, ${p.period_days} days${p.trial ? ', trial' : ''}`]));
  const counts = {
    units: el('input', { id: 'keys-units', type: 'number', min: '1', value: '1', required: '' }),
    count: el('input', { id: 'keys-count', type: 'number', min: '1', value: '1', required: '' }),
  };
  const error = el('div', { class: 'error', id: 'keys-error', role: 'alert' });
  const form = el('form', { class: 'form-grid' },
    el('h1', {}, 'Issue registration keys'),
    plans.length ? field('Plan', plan) : el('p', {}, 'No service plans: a key is issued from a plan.'),
    field('Units per key', counts.units), field('Keys', counts.count),
    el('p', { class: 'status' }, 'The units of every key are drawn from your pool for the product now; voiding an unredeemed key gives them back.'),
    el('div', { class: 'actions' },
      el('button', { type: 'submit', id: 'keys-create' }, 'Issue'), ' ',
      el('button', { type: 'button', class: 'plain', onclick: () => dialog.close() }, 'Cancel')),
    error);
  const dialog = formDialog('keys-dialog', form, error,
    () => api('POST', '/v1/registration-keys', { plan: Number(plan.value), ...numbers(counts) }),
    (made) => done(made.keys));
}

function voidKeyDialog(key, done) {
  const error = el('div', { class: 'error', id: 'void-error', role: 'alert' });
  const form = el('form', {},
    el('h1', {}, `Void key ${key.hint}`),
    el('p', {}, `Key ${key.id} (${key.units} unit(s) of ${key.product}) can no longer be redeemed; its units go back to the pool of the account that issued it. This cannot be undone.`),
    el('div', { class: 'actions' },
      el('button', { type: 'submit', class: 'danger', id: 'void-confirm' }, 'Void'), ' ',
      el('button', { type: 'button', class: 'plain', onclick: () => dialog.close() }, 'Cancel')),
    error);
  const dialog = formDialog('void-dialog', form, error,
    () => api('POST', `/v1/registration-keys/${encodeURIComponent(key.id)}/void`), done);
}

export function licensesPage(view, me) {
  const permissions = me.permissions || [];
  // What the API lets the account do (the page offers no button the API would refuse it):
  // licenses and keys need create_registration_keys, reading licenses view_licenses (a customer's
  // user reads its own), and only a customer's user redeems (accounts do not).
  const mayIssue = !!me.account && permissions.includes('create_registration_keys') && !me.read_only;
  const mayListKeys = !!me.account && permissions.includes('create_registration_keys');
  const mayRead = !!me.customer || permissions.includes('view_licenses');
  const mayRedeem = !!me.customer && !me.read_only;

  const once = el('div', { id: 'once-holder' });
  const error = el('div', { class: 'error', id: 'licenses-error', role: 'alert' });
  const filterCustomer = el('select', { id: 'licenses-customer', 'aria-label': 'Customer' });
  const filterProduct = el('select', { id: 'licenses-product', 'aria-label': 'Product' });
  const filterState = options(el('select', { id: 'licenses-state', 'aria-label': 'State' }),
    [['', 'Any state'], ...kStates.map((s) => [s, s.replace(/_/g, ' ')])]);
  const licensesHolder = el('div', { id: 'licenses-holder' });
  const licensesNote = el('p', { class: 'status', id: 'licenses-note' });
  const keysHolder = el('div', { id: 'keys-holder' });
  const keysNote = el('p', { class: 'status', id: 'keys-note' });
  const actions = el('div', { class: 'actions toolbar' });
  let names = null;
  let products = [];
  let plans = [];
  let planNames = new Map();

  const loadLicenses = async () => {
    if (!mayRead) return;
    const params = new URLSearchParams();
    if (filterCustomer.value) params.set('customer', filterCustomer.value);
    if (filterProduct.value) params.set('product', filterProduct.value);
    if (filterState.value) params.set('state', filterState.value);
    const query = params.toString();
    try {
      const { items, truncated } = await allItems(`/v1/licenses${query ? `?${query}` : ''}`, 1);
      licensesHolder.replaceChildren(markRows(table('licenses', [
        ['License', (l) => l.id, true], ['Customer', (l) => names.customer(l.customer)],
        ['Product', (l) => names.product(l.product)], ['Units', (l) => `${l.used} of ${l.units} ${l.unit}`, true],
        ['State', (l) => l.state.replace(/_/g, ' ')], ['Starts', (l) => formatTime(l.starts)],
        ['Expires', (l) => formatTime(l.expires)], ['Terms', (l) => [l.trial ? 'trial' : '', l.auto_renew ? 'auto-renew' : '',
          l.plan ? `plan ${l.plan}` : ''].filter(Boolean).join(', ')],
      ], items, 'No licenses.'), items, 'license'));
      licensesNote.textContent = truncated ? 'Showing the first 1000 licenses: narrow the filters.' : '';
    } catch (e) {
      licensesHolder.replaceChildren();
      error.textContent = errorText(e);
    }
  };

  const loadKeys = async () => {
    if (!mayListKeys) return;
    try {
      const { items, truncated } = await allItems('/v1/registration-keys');
      const keys = items.reverse();  // newest first
      const voidButton = (k) => (mayIssue && k.status === 'issued'
        ? el('button', { type: 'button', class: 'danger small', 'data-void': k.id, onclick: () => voidKeyDialog(k, loadKeys) }, 'Void…')
        : '');
      keysHolder.replaceChildren(markRows(table('keys', [
        ['Key', (k) => k.id, true], ['Hint', (k) => k.hint], ['Plan', (k) => planNames.get(k.plan) || `plan ${k.plan}`],
        ['Product', (k) => names.product(k.product)], ['Units', (k) => k.units, true],
        ['Status', (k) => k.status], ['Customer', (k) => names.customer(k.customer)],
        ['License', (k) => k.license ?? ''], ['Issued', (k) => formatTime(k.created)],
        ['Changed', (k) => formatTime(k.changed)], ['', voidButton],
      ], keys, 'No registration keys issued.'), keys, 'key'));
      keysNote.textContent = truncated ? 'Showing the newest of the first 10000 keys.' : '';
    } catch (e) {
      keysHolder.replaceChildren();
      error.textContent = errorText(e);
    }
  };

  const licenseMade = (license) => {
    showOnce(once, `Activation code of license ${license.id}`, kNote,
      el('p', {}, `${license.units} ${license.unit || 'unit(s)'} of ${names.product(license.product)} for ${names.customer(license.customer)}, until ${formatTime(license.expires)}.`),
      secretField(license.code, 'Activation code'));
    loadLicenses();
  };

  const keysMade = (keys) => {
    showOnce(once, keys.length === 1 ? 'Registration key issued' : `${keys.length} registration keys issued`, kNote,
      el('ul', { class: 'secrets' }, keys.map((k) => el('li', {}, `${k.units} unit(s) of ${k.product}: `, secretField(k.key, `Key ${k.id}`)))));
    loadKeys();
  };

  const redeemKey = el('input', { id: 'redeem-key', required: '', autocomplete: 'off', placeholder: 'CA-XXXX-XXXX-XXXX-XXXX', 'aria-label': 'Registration key' });
  const redeemError = el('div', { class: 'error', id: 'redeem-error', role: 'alert' });
  const redeemForm = el('form', { class: 'filters', id: 'redeem-form' },
    redeemKey, el('button', { type: 'submit', id: 'redeem-button' }, 'Redeem'));
  redeemForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    redeemError.textContent = '';
    try {
      const answer = await api('POST', '/v1/registration-keys/redeem', { key: redeemKey.value });
      redeemKey.value = '';
      licenseMade(answer.license);
      loadKeys();
    } catch (e) {
      redeemError.textContent = errorText(e);
    }
  });

  view.replaceChildren(
    el('h1', {}, 'Licenses and keys'),
    error, once, actions,
    mayRedeem ? el('section', { class: 'card', id: 'redeem' },
      el('h2', {}, 'Redeem a registration key'),
      el('p', { class: 'status' }, 'The key becomes a license of your customer account, with its plan\'s terms.'),
      redeemForm, redeemError) : '',
    mayRead ? el('section', { class: 'section' },
      el('h2', {}, 'Licenses'),
      el('form', { class: 'filters', id: 'licenses-filters' }, filterCustomer, filterProduct, filterState),
      licensesHolder, licensesNote) : el('p', { class: 'status' }, 'Your account may not read licenses (view_licenses).'),
    mayListKeys ? el('section', { class: 'section' }, el('h2', {}, 'Registration keys'), keysHolder, keysNote) : '');

  for (const select of [filterCustomer, filterProduct, filterState]) select.addEventListener('change', loadLicenses);

  (async () => {
    names = await loadNames();
    try {
      products = (await api('GET', '/v1/products')).items;
    } catch {
      products = [];
    }
    options(filterCustomer, [['', 'All customers'], ...[...names.customers].map(([id, name]) => [String(id), name])]);
    options(filterProduct, [['', 'All products'], ...products.map((p) => [p.code, `${p.code} · ${p.name}`])]);
    if (mayListKeys) {
      try {
        plans = (await allItems('/v1/plans')).items;
        planNames = new Map(plans.map((p) => [p.id, p.name]));
      } catch {
        // Plans shown by id.
      }
    }
    if (mayIssue) {
      actions.append(
        el('button', { type: 'button', id: 'license-new', onclick: () => newLicenseDialog(names, products, licenseMade) }, 'New license…'), ' ',
        el('button', {
          type: 'button', id: 'keys-issue',
          onclick: () => issueKeysDialog(plans, keysMade),
        }, 'Issue keys…'));
    }
    await Promise.all([loadLicenses(), loadKeys()]);
  })();
  return () => {};
}
