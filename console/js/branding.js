// The branding in force for the logged-in account (GET /v1/branding): its name, colour, logo and
// support contacts on every page. The logo is the one lmpd serves (GET /v1/branding/logo, same
// origin, so the policy's img-src 'self' admits it); a logo_url elsewhere is not shown.
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
  const logo = document.getElementById('brand-logo');
  // Only lmpd's own path: whatever else an answer held would not be loaded.
  if (branding.logo && /^\/v1\/branding\/logo\?v=[0-9a-f]+$/.test(branding.logo.url)) {
    logo.src = branding.logo.url;
    logo.alt = `${name} logo`;
    logo.hidden = false;
  } else {
    logo.removeAttribute('src');
    logo.hidden = true;
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
