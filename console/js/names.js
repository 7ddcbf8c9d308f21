// Names of the products, customers and partners the account may see, to show them in place of
// codes and ids (a page without view_customers shows the ids).
import { allItems, api } from './api.js';

export async function loadNames() {
  const customers = new Map();
  const partners = new Map();
  const products = new Map();
  try {
    for (const p of (await api('GET', '/v1/products')).items) products.set(p.code, p.name);
  } catch {
    // Codes alone.
  }
  try {
    for (const c of (await allItems('/v1/customers')).items) customers.set(c.id, c.name);
  } catch {
    // No view_customers: ids.
  }
  try {
    for (const p of (await allItems('/v1/partners')).items) partners.set(p.id, p.name);
  } catch {
    // Not allowed to list partners: ids.
  }
  return {
    customers,
    partners,
    product: (code) => (products.has(code) ? `${code} · ${products.get(code)}` : code),
    customer: (id) => (id === null || id === undefined ? '' : customers.get(id) || `customer ${id}`),
    partner: (id) => (id === null || id === undefined ? '(parent)' : partners.get(id) || `account ${id}`),
  };
}
