// The site policy page: a customer's policies (GET /v1/customers/{id}/policy), one edited as its
// JSON and saved as typed (PUT): the API validates it and, refusing it, names each problem at its
// JSON path, shown here one by one while nothing is saved; deleted (DELETE); and the API's check
// of what a checkout would get under it, with the deciding rule (GET .../policy/check).
import { allItems, api, apiText, errorText } from './api.js';
import { el, formatTime, table } from './dom.js';

// A new policy's starting text: every field the API reads, each saying "no rule".
function blankPolicy(product) {
  return {
    product: product || null, groups: {}, include: [], exclude: [], max: [], reserve: [], linger: 0,
    borrow: { allowed: false, max_seconds: 0, max_units: 0 },
  };
}

// The policy as it is edited: what PUT takes, without the answer's own fields.
function editable(policy) {
  const { customer, updated, ...rest } = policy;
  return JSON.stringify(rest, null, 2);
}

function field(label, input) {
  return el('label', { class: 'field' }, label, input);
}

export function policyPage(view, me) {
  const permissions = me.permissions || [];
  // Changing needs modify_customers; a customer's user reads its own policy but may not change it.
  const mayChange = !!me.account && permissions.includes('modify_customers') && !me.read_only;
  const error = el('div', { class: 'error', id: 'policy-error', role: 'alert' });
  const customer = el('select', { id: 'policy-customer', 'aria-label': 'Customer' });
  const list = el('div', { class: 'policy-list', id: 'policy-list' });
  const newProduct = el('select', { id: 'policy-new-product', 'aria-label': 'Product of a new policy' });
  const text = el('textarea', {
    id: 'policy-json', spellcheck: 'false', rows: '18', 'aria-label': 'The policy as JSON', ...(mayChange ? {} : { readonly: '' }),
  });
  const title = el('h2', { id: 'policy-title' }, '');
  const problems = el('ul', { class: 'problems', id: 'policy-problems' });
  const saved = el('p', { class: 'status', id: 'policy-saved', role: 'status' });
  const save = el('button', { type: 'submit', id: 'policy-save' }, 'Save');
  const remove = el('button', { type: 'button', class: 'danger', id: 'policy-delete' }, 'Delete');
  // The JSON beside what the API said of it, so that each problem is read next to the text.
  const editor = el('form', { class: 'card', id: 'policy-editor', hidden: '' },
    title,
    el('div', { class: 'editor' }, text,
      el('div', { class: 'side' },
        mayChange ? el('div', { class: 'actions' }, save, ' ', remove) : el('p', { class: 'status' }, 'Your account may read this policy, not change it (modify_customers).'),
        problems, saved,
        el('p', { class: 'status' }, 'Fields: product, groups (users, hosts, addresses, groups), include, exclude, max, reserve, linger, borrow; see the site policy in the API documentation.'))));

  const checkProduct = el('select', { id: 'check-product', 'aria-label': 'Product' });
  const checkInputs = {
    user: el('input', { id: 'check-user', placeholder: 'user', 'aria-label': 'User' }),
    host: el('input', { id: 'check-host', placeholder: 'host', 'aria-label': 'Host' }),
    address: el('input', { id: 'check-address', placeholder: 'address', 'aria-label': 'Address' }),
    units: el('input', { id: 'check-units', type: 'number', min: '1', placeholder: '1', 'aria-label': 'Units' }),
  };
  const checkResult = el('div', { id: 'check-holder' });
  const checkError = el('div', { class: 'error', id: 'check-error', role: 'alert' });
  const checkForm = el('form', { class: 'filters', id: 'policy-check-form' },
    field('Product', checkProduct), ...Object.entries(checkInputs).map(([name, input]) => field(name, input)),
    el('button', { type: 'submit', id: 'check-run' }, 'Check'));

  view.replaceChildren(
    el('h1', {}, 'Site policy'),
    el('div', { class: 'filters' }, field('Customer', customer)),
    error, list, editor,
    el('section', { class: 'section' },
      el('h2', {}, 'What would a checkout get?'),
      el('p', { class: 'status' }, 'The API judges a checkout of each of the customer\'s licenses of the product under the stored policy, checking nothing out.'),
      checkForm, checkError, checkResult));

  let policies = [];
  let productCodes = [];
  let editing = null;  // the product of the policy in the editor ('' for all products), or null

  const path = () => `/v1/customers/${encodeURIComponent(customer.value)}/policy`;
  const label = (product) => (product ? `Policy for ${product}` : 'Policy for all products');

  const edit = (product, policy) => {
    editing = product;
    title.textContent = policy ? `${label(product)}, saved ${formatTime(policy.updated)}` : `${label(product)} (new, not saved)`;
    text.value = editable(policy || blankPolicy(product));
    problems.replaceChildren();
    saved.textContent = '';
    remove.hidden = !policy;
    editor.hidden = false;
    for (const b of list.querySelectorAll('button[data-policy]')) b.classList.toggle('current', b.dataset.policy === product);
  };

  const load = async (select) => {
    error.textContent = '';
    editor.hidden = true;
    list.replaceChildren();
    if (!customer.value) return;
    try {
      policies = (await api('GET', path())).items;
    } catch (e) {
      error.textContent = errorText(e);
      return;
    }
    const buttons = policies.map((p) => el('button', {
      type: 'button', class: 'plain', 'data-policy': p.product || '', onclick: () => edit(p.product || '', p),
    }, p.product ? p.product : 'all products'));
    const taken = new Set(policies.map((p) => p.product || ''));
    const free = productCodes.filter((code) => !taken.has(code));
    newProduct.replaceChildren(...[taken.has('') ? null : ['', 'all products'], ...free.map((c) => [c, c])]
      .filter(Boolean).map(([value, name]) => el('option', { value }, name)));
    list.replaceChildren(
      el('span', { class: 'status' }, policies.length ? 'Policies: ' : 'No policy: nothing is refused. '), ...buttons,
      mayChange && newProduct.options.length ? el('span', { class: 'new-policy' }, ' New policy for ', newProduct, ' ',
        el('button', { type: 'button', id: 'policy-new', onclick: () => edit(newProduct.value, null) }, 'Start')) : '');
    const chosen = select === undefined ? null : policies.find((p) => (p.product || '') === select);
    if (chosen) edit(select, chosen);
    else if (policies.length && select === undefined) edit(policies[0].product || '', policies[0]);
  };

  editor.addEventListener('submit', async (event) => {
    event.preventDefault();
    problems.replaceChildren();
    saved.textContent = '';
    try {
      // Sent as typed: the API, not the page, says what is wrong with it.
      const answer = await apiText('PUT', path(), text.value);
      await load(answer.product || '');
      saved.textContent = `Saved at ${formatTime(answer.updated)}.`;
    } catch (e) {
      if (e.problems && e.problems.length) {
        problems.replaceChildren(el('li', { class: 'lead' }, 'Not saved; the API refused it:'),
          ...e.problems.map((p) => el('li', { 'data-path': p.path }, el('code', {}, p.path), ': ', p.message)));
      } else {
        problems.replaceChildren(el('li', { 'data-path': '' }, `Not saved: ${errorText(e)}`));
      }
    }
  });
  remove.addEventListener('click', async () => {
    const query = editing ? `?product=${encodeURIComponent(editing)}` : '';
    try {
      await api('DELETE', `${path()}${query}`);
      await load(null);
    } catch (e) {
      problems.replaceChildren(el('li', {}, errorText(e)));
    }
  });

  checkForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    checkError.textContent = '';
    const params = new URLSearchParams({ product: checkProduct.value });
    for (const [name, input] of Object.entries(checkInputs)) if (input.value.trim()) params.set(name, input.value.trim());
    try {
      const items = (await api('GET', `${path()}/check?${params}`)).items;
      checkResult.replaceChildren(table('policy-check', [
        ['License', (c) => c.license, true], ['Units', (c) => c.units, true], ['In use', (c) => c.in_use, true],
        ['Decision', (c) => c.decision.replace(/_/g, ' ')], ['Rule', (c) => c.rule], ['Reason', (c) => c.reason],
        ['Policy', (c) => c.policy],
        ['Limit', (c) => (c.limit !== undefined ? `limit ${c.limit}` : c.reserved !== undefined ? `${c.reserved} reserved` : '')],
      ], items, 'The customer holds no license of this product.'));
    } catch (e) {
      checkResult.replaceChildren();
      checkError.textContent = errorText(e);
    }
  });

  customer.addEventListener('change', () => load());
  (async () => {
    try {
      productCodes = (await api('GET', '/v1/products')).items.map((p) => p.code);
      checkProduct.replaceChildren(...productCodes.map((c) => el('option', { value: c }, c)));
    } catch (e) {
      error.textContent = errorText(e);
    }
    try {
      const customers = (await allItems('/v1/customers')).items;
      customer.replaceChildren(...customers.map((c) => el('option', { value: String(c.id) }, `${c.name} (${c.id})`)));
      if (!customers.length) error.textContent = 'No customers.';
    } catch (e) {
      error.textContent = errorText(e);
    }
    await load();
  })();
  return () => {};
}
