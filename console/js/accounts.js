// The accounts page: the tree of the partners and customers the account sees (GET /v1/partners,
// GET /v1/customers) with their status and the partners' permissions; a partner's status changed
// with manage_partners (POST /v1/partners/{id}/status), a customer's with modify_customers
// (POST /v1/customers/{id}/status), a partner's permissions set by the parent alone
// (PUT /v1/partners/{id}/permissions).
import { allItems, api, errorText } from './api.js';
import { formDialog } from './dialog.js';
import { el, formatTime } from './dom.js';

// A change that asks first: what it does, then the API call.
function confirmDialog(id, title, text, label, danger, run, done) {
  const error = el('div', { class: 'error', id: `${id}-error`, role: 'alert' });
  const form = el('form', {},
    el('h1', {}, title), el('p', {}, text),
    el('div', { class: 'actions' },
      el('button', { type: 'submit', class: danger ? 'danger' : '', id: `${id}-confirm` }, label), ' ',
      el('button', { type: 'button', class: 'plain', id: `${id}-cancel`, onclick: () => dialog.close() }, 'Cancel')),
    error);
  const dialog = formDialog(id, form, error, run, done);
}

function permissionsDialog(partner, all, done) {
  const boxes = all.map((name) => el('input', {
    type: 'checkbox', value: name, id: `perm-${name}`, ...(partner.permissions.includes(name) ? { checked: '' } : {}),
  }));
  const error = el('div', { class: 'error', id: 'permissions-error', role: 'alert' });
  const form = el('form', {},
    el('h1', {}, `Permissions of ${partner.name}`),
    el('p', { class: 'status' }, 'The complete set: what is not ticked is taken away. Only the parent account sets them.'),
    el('div', { class: 'checks' }, boxes.map((box) => el('label', { class: 'check', for: box.id }, box, ` ${box.value}`))),
    el('div', { class: 'actions' },
      el('button', { type: 'submit', id: 'permissions-save' }, 'Save'), ' ',
      el('button', { type: 'button', class: 'plain', onclick: () => dialog.close() }, 'Cancel')),
    error);
  const dialog = formDialog('permissions-dialog', form, error, () => api('PUT',
    `/v1/partners/${encodeURIComponent(partner.id)}/permissions`,
    { permissions: boxes.filter((b) => b.checked).map((b) => b.value) }), done);
}

function statusBadge(status) {
  return el('span', { class: `badge status-${status}`, 'data-status': status }, status);
}

export function accountsPage(view, me) {
  const permissions = me.permissions || [];
  // The buttons the API would not refuse this account (it decides; these only spare a 403).
  const mayManagePartners = !!me.account && permissions.includes('manage_partners') && !me.read_only;
  const mayModifyCustomers = !!me.account && permissions.includes('modify_customers') && !me.read_only;
  const maySetPermissions = !!me.account && me.account.kind === 'parent' && !me.read_only;
  const error = el('div', { class: 'error', id: 'accounts-error', role: 'alert' });
  const holder = el('div', { id: 'accounts-holder' });
  const note = el('p', { class: 'status', id: 'accounts-note' });
  view.replaceChildren(el('h1', {}, 'Accounts'), error, holder, note);

  const load = async () => {
    error.textContent = '';
    const notes = [];
    // Every item of a list, or none with the API's refusal shown.
    const listed = async (what) => {
      try {
        const { items, truncated } = await allItems(`/v1/${what}`);
        if (truncated) notes.push(`Only the first 10000 ${what} are shown.`);
        return items;
      } catch (e) {
        error.textContent = errorText(e);
        return [];
      }
    };
    const mayListPartners = !!me.account && permissions.includes('manage_partners');
    if (me.account && !mayListPartners) notes.push('Partners below your account are listed with manage_partners.');
    const partners = mayListPartners ? await listed('partners') : [];
    const customers = await listed('customers');

    const reload = () => {
      load();
    };
    const failed = (e) => {
      error.textContent = errorText(e);
    };
    const customerNode = (c) => el('li', { class: 'node customer', 'data-customer': c.id },
      el('div', { class: 'line' },
        el('span', { class: 'kind' }, 'customer'), ' ', el('span', { class: 'name' }, c.name), ' ', statusBadge(c.status),
        el('span', { class: 'status' }, ` id ${c.id}, created ${formatTime(c.created)}`),
        mayModifyCustomers ? (c.status === 'enabled'
          ? el('button', {
            type: 'button', class: 'danger small', 'data-action': 'disable',
            onclick: () => confirmDialog('customer-status', `Disable ${c.name}`,
              'Every license of this customer ends at once (the seat path refuses them); enabling it again restores them on their own dates.',
              'Disable', true, () => api('POST', `/v1/customers/${c.id}/status`, { status: 'disabled' }), reload),
          }, 'Disable…')
          : el('button', {
            type: 'button', class: 'small', 'data-action': 'enable',
            onclick: () => api('POST', `/v1/customers/${c.id}/status`, { status: 'enabled' }).then(reload, failed),
          }, 'Enable')) : ''));

    const byAccount = new Map();
    for (const c of customers) {
      if (!byAccount.has(c.account)) byAccount.set(c.account, []);
      byAccount.get(c.account).push(c);
    }
    const byParent = new Map();
    for (const p of partners) {
      if (!byParent.has(p.parent)) byParent.set(p.parent, []);
      byParent.get(p.parent).push(p);
    }
    const shown = new Set();
    const childrenOf = (id) => {
      shown.add(id);
      const items = [...(byParent.get(id) || []).map(partnerNode), ...(byAccount.get(id) || []).map(customerNode)];
      return items.length ? el('ul', {}, items) : '';
    };
    function partnerNode(p) {
      const buttons = [];
      if (mayManagePartners && p.status !== 'canceled') {
        const set = (status) => () => api('POST', `/v1/partners/${p.id}/status`, { status });
        if (p.status === 'active') {
          buttons.push(el('button', {
            type: 'button', class: 'plain small', 'data-action': 'suspend',
            onclick: () => confirmDialog('partner-status', `Suspend ${p.name}`,
              'Its users and those of the partners below it may read, not write; no customer can be made under it. It can be activated again.',
              'Suspend', false, set('suspended'), reload),
          }, 'Suspend…'));
        } else {
          buttons.push(el('button', {
            type: 'button', class: 'small', 'data-action': 'activate',
            onclick: () => set('active')().then(reload, failed),
          }, 'Activate'));
        }
        buttons.push(el('button', {
          type: 'button', class: 'danger small', 'data-action': 'cancel',
          onclick: () => confirmDialog('partner-status', `Cancel ${p.name}`,
            'Final: its tokens stop working and every license of every customer below it ends now. A canceled partner cannot be activated again.',
            'Cancel the partner', true, set('canceled'), reload),
        }, 'Cancel…'));
      }
      if (maySetPermissions) {
        buttons.push(el('button', {
          type: 'button', class: 'plain small', 'data-action': 'permissions',
          onclick: () => permissionsDialog(p, permissions, reload),
        }, 'Permissions…'));
      }
      return el('li', { class: 'node partner', 'data-account': p.id },
        el('div', { class: 'line' },
          el('span', { class: 'kind' }, p.kind), ' ', el('span', { class: 'name' }, p.name), ' ', statusBadge(p.status),
          el('span', { class: 'status' }, ` id ${p.id}, ${p.status} since ${formatTime(p.status_changed)}`), ...buttons),
        el('ul', { class: 'perms', 'data-permissions': p.id }, (p.permissions || []).map((name) => el('li', {}, name))),
        childrenOf(p.id));
    }

    let tree;
    if (me.account) {
      const root = me.account;
      const items = childrenOf(root.id);
      // Customers under accounts the caller may not list (partners below it, without
      // manage_partners): grouped under their account's id.
      const others = [...byAccount.keys()].filter((id) => !shown.has(id)).map((id) => el('li', { class: 'node partner', 'data-account': id },
        el('div', { class: 'line' }, el('span', { class: 'kind' }, 'account'), ' ', el('span', { class: 'name' }, `account ${id}`)),
        childrenOf(id)));
      tree = el('ul', { class: 'tree', id: 'accounts-tree' },
        el('li', { class: 'node root', 'data-account': root.id },
          el('div', { class: 'line' }, el('span', { class: 'kind' }, root.kind), ' ', el('span', { class: 'name' }, root.name), ' ',
            statusBadge(root.status), el('span', { class: 'status' }, ' your account')),
          root.kind === 'parent' ? '' : el('ul', { class: 'perms', 'data-permissions': root.id }, permissions.map((name) => el('li', {}, name))),
          items, others.length ? el('ul', {}, others) : ''));
    } else {
      tree = el('ul', { class: 'tree', id: 'accounts-tree' }, customers.map(customerNode));
    }
    holder.replaceChildren(tree);
    note.textContent = notes.join(' ');
  };
  load();
  return () => {};
}
