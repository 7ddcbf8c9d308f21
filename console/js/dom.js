// Building the page with DOM calls only: text always goes in as text (never as HTML), so a name
// holding markup is shown, not run.
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// Runs `task` now and `intervalMs` after each run ends, until the returned function is called.
export function poll(task, intervalMs) {
  let stopped = false;
  let timer = null;
  const tick = async () => {
    try {
      await task();
    } finally {
      if (!stopped) timer = setTimeout(tick, intervalMs);
    }
  };
  tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

export function formatTime(unixSeconds) {
  if (unixSeconds === null || unixSeconds === undefined) return '';
  return new Date(unixSeconds * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

// "updated 12:00:03Z", or the error of the last refresh.
export function refreshed(node, error) {
  node.textContent = error
    ? `refresh failed: ${error.message}`
    : `updated ${new Date().toISOString().slice(11, 19)}Z, refreshing every few seconds`;
}

// A table of `columns` ([header, cell(row), numeric?]) over `rows`, or one line saying `empty`.
export function table(id, columns, rows, empty) {
  const body = rows.length
    ? rows.map((row) => el('tr', {}, columns.map(([, cell, numeric]) => el('td', { class: numeric ? 'num' : '' }, cell(row)))))
    : [el('tr', {}, el('td', { colspan: String(columns.length), class: 'empty' }, empty))];
  return el('table', { id },
    el('thead', {}, el('tr', {}, columns.map(([header, , numeric]) => el('th', { class: numeric ? 'num' : '' }, header)))),
    el('tbody', {}, body));
}

// A UTC date (YYYY-MM-DD) `days` days from now.
export function utcDate(days = 0) {
  return new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);
}
