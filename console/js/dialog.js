// A modal dialog of the console: opened over the page, removed from it once closed.
import { errorText } from './api.js';
import { el } from './dom.js';

export function openDialog(id, ...children) {
  const dialog = el('dialog', { id });
  dialog.append(...children);
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}

// A dialog around `form` whose submission runs `action` (the API call): once that succeeds the
// dialog closes and `done` gets its answer; a refusal is shown in `error`, the dialog kept open.
export function formDialog(id, form, error, action, done) {
  const dialog = openDialog(id, form);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const answer = await action();
      dialog.close();
      done(answer);
    } catch (e) {
      error.textContent = errorText(e);
    }
  });
  return dialog;
}
