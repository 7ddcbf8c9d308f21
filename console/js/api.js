// Calls of the admin API from the console: the session cookie goes with them by itself, the CSRF
// token with every change; a 401 sends the page back to the login.
let csrfToken = '';
let onLoggedOut = () => {};

export function setCsrfToken(token) {
  csrfToken = token;
}

export function whenLoggedOut(callback) {
  onLoggedOut = callback;
}

export class ApiError extends Error {
  constructor(status, code, message, problems = []) {
    super(message);
    this.status = status;
    this.code = code;
    // A refused document's problems, each at its JSON path ({path, message}), as the API names them.
    this.problems = problems;
  }
}

export async function api(method, path, body) {
  return apiText(method, path, body === undefined ? undefined : JSON.stringify(body));
}

// The same call with a body of JSON text sent as it is (a document typed by the reader): the API,
// not the page, says what is wrong with it.
export async function apiText(method, path, bodyText) {
  const headers = {};
  if (method !== 'GET') headers['X-CSRF-Token'] = csrfToken;
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (bodyText !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = bodyText;
  }
  const response = await fetch(path, init);
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    const error = data && data.error ? data.error : { code: `http_${response.status}`, message: response.statusText };
    // An ended session (expired, logged out elsewhere, its token revoked): log in again.
    if (response.status === 401 && path !== '/v1/console/session') onLoggedOut();
    throw new ApiError(response.status, error.code, error.message, Array.isArray(error.problems) ? error.problems : []);
  }
  return data;
}

// Every item of a paginated list, `pages` pages of up to 1000 at most; `truncated` when more
// remain.
export async function allItems(path, pages = 10) {
  const items = [];
  let after = null;
  for (let i = 0; i < pages; i++) {
    const separator = path.includes('?') ? '&' : '?';
    const cursor = after === null ? '' : `&after=${encodeURIComponent(after)}`;
    const page = await api('GET', `${path}${separator}limit=1000${cursor}`);
    items.push(...page.items);
    if (page.next === null) return { items, truncated: false };
    after = page.next;
  }
  return { items, truncated: true };
}

// What a failed call means to the reader: a 403 says the account may not do it (the API decides,
// the page only shows it), anything else the API's own message.
export function errorText(error) {
  if (error instanceof ApiError && error.status === 403) {
    return `Your account may not do this (${error.code}): ${error.message}`;
  }
  return error.message;
}
