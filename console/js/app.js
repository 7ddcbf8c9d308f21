// The console's entry point: restores or asks for the session, then shows the page the address
// names (#overview, #leases, #usage, #licenses, #accounts, #policy, #audit, #products) in the
// shared layout, with the account's branding.
import { accountsPage } from './accounts.js';
import { api, setCsrfToken, whenLoggedOut } from './api.js';
import { auditPage } from './audit.js';
import { applyBranding, resetBranding } from './branding.js';
import { leasesPage } from './leases.js';
import { licensesPage } from './licenses.js';
import { showLogin } from './login.js';
import { overviewPage } from './overview.js';
import { policyPage } from './policy.js';
import { productsPage } from './products.js';
import { usagePage } from './usage.js';

const kPages = {
  overview: overviewPage,
  leases: leasesPage,
  usage: usagePage,
  licenses: licensesPage,
  accounts: accountsPage,
  policy: policyPage,
  audit: auditPage,
  products: productsPage,
};
const view = document.getElementById('view');
const nav = document.getElementById('nav');
const logoutButton = document.getElementById('logout');
let me = null;
let stopPage = null;

function leavePage() {
  if (stopPage) stopPage();
  stopPage = null;
}

function route() {
  if (me === null) return;
  const name = kPages[location.hash.slice(1)] ? location.hash.slice(1) : 'overview';
  leavePage();
  for (const link of nav.querySelectorAll('a')) link.classList.toggle('current', link.dataset.page === name);
  stopPage = kPages[name](view, me);
}

async function enter() {
  me = await api('GET', '/v1/me');
  const place = me.account ? me.account.name : me.customer ? me.customer.name : '';
  document.getElementById('who').textContent = `${me.user ? me.user.name : ''} · ${place}`;
  nav.hidden = false;
  logoutButton.hidden = false;
  try {
    applyBranding(await api('GET', '/v1/branding'));
  } catch {
    resetBranding();
  }
  route();
}

function loggedOut() {
  leavePage();
  me = null;
  setCsrfToken('');
  nav.hidden = true;
  logoutButton.hidden = true;
  document.getElementById('who').textContent = '';
  resetBranding();
  showLogin(view, async (csrfToken) => {
    setCsrfToken(csrfToken);
    await enter();
  });
}

async function logout() {
  try {
    await api('DELETE', '/v1/console/session');
  } finally {
    loggedOut();
  }
}

async function start() {
  whenLoggedOut(loggedOut);
  logoutButton.addEventListener('click', logout);
  window.addEventListener('hashchange', route);
  try {
    const session = await api('GET', '/v1/console/session');
    setCsrfToken(session.csrf_token);
    await enter();
  } catch {
    loggedOut();
  }
}

start();
