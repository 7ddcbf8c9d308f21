// The branding in force for the logged-in account (GET /v1/branding): its name, colour and
// support contacts on every page. The logo is not shown: the Content-Security-Policy admits
// images from lmpd only (docs/console.md).
import { el } from './dom.js';

const kColor = /^#[0-9a-fA-F]{6}$/;

export function applyBranding(branding) {
  const name = branding.display_name || 'lmpd';
  document.getElementById('brand-name').textContent = name;
  document.title = `${name} console`;
  // Through the CSSOM, which the policy allows (a style attribute it would refuse).
  if (kColor.test(branding.primary_color || '')) {
    document.documentElement.style.setProperty('--brand', branding.primary_color);
  } else {
    document.documentElement.style.removeProperty('--brand');
  }
  const support = document.getElementById('support');
  const parts = [];
  if (branding.support_email) parts.push(`Support: ${branding.support_email}`);
  if (/^https?:\/\//.test(branding.support_url || '')) {
    parts.push(el('a', { href: branding.support_url, rel: 'noopener noreferrer' }, branding.support_url));
  }
  support.replaceChildren(...parts.flatMap((p, i) => (i ? [' · ', p] : [p])));
}

export function resetBranding() {
  applyBranding({});
}
