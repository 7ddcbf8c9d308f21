// Secrets the API shows only once (activation codes, registration keys): kept in the page alone,
// never stored by it (no storage, no address), so a reload or another page loses them, as the API
// means; each with a button that copies it.
import { el } from './dom.js';

// Copies `text`: the Clipboard API where the browser grants it, else the selected field's text.
async function copy(text, field) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    field.select();
    return document.execCommand('copy');
  }
}

// One secret: a read-only field holding it and its Copy button.
export function secretField(value, label) {
  const field = el('input', {
    class: 'secret', readonly: '', value, 'aria-label': label, 'data-secret': value, size: String(value.length + 2),
  });
  const said = el('span', { class: 'copied', role: 'status' });
  const button = el('button', {
    type: 'button', class: 'plain copy', 'data-copy': value,
    onclick: async () => {
      said.textContent = (await copy(value, field)) ? 'Copied' : 'Select it and copy it yourself';
    },
  }, 'Copy');
  return el('span', { class: 'secret-line' }, field, ' ', button, ' ', said);
}

// The panel that shows what was just made with its secrets, until dismissed or the page is left.
export function showOnce(holder, title, note, ...lines) {
  const panel = el('section', { class: 'card once', id: 'shown-once', role: 'status' },
    el('h2', {}, title),
    ...lines,
    el('p', { class: 'status' }, note),
    el('button', { type: 'button', class: 'plain', id: 'shown-once-done', onclick: () => panel.remove() }, 'Done'));
  holder.replaceChildren(panel);
  return panel;
}
