// accord web UI: the API client and small DOM helpers shared by every page.
// No framework: plain ES modules served as-is.

const BASE = '/api/v1';
let csrfToken = null;

export function setCsrf(token) {
  csrfToken = token || null;
}

// An error answered by the API, carrying the problem+json body when there is one.
export class ApiError extends Error {
  constructor(status, problem, retryAfter) {
    super((problem && (problem.detail || problem.title)) || `Request failed (HTTP ${status})`);
    this.status = status;
    this.problem = problem || null;
    this.field = (problem && problem.field) || null;
    this.retryAfter = retryAfter;
  }
}

// Called when any API call (other than sign-in) answers 401: the session is gone.
let onUnauthorized = () => {
  const hash = window.location.hash;
  const next = hash && hash.startsWith('#/') && hash.length > 2 ? '?next=' + encodeURIComponent(hash) : '';
  window.location.assign('/signin' + next);
};
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

// api('GET', '/departments', null, {limit: 50}) -> parsed JSON (or null for 204).
// opts.contentType sends body as-is (a string) with that type instead of as JSON, e.g.
// api('POST', '/calendars/1/holidays/import', icsText, {years: 3}, {contentType: 'text/calendar'}).
export async function api(method, path, body, query, opts) {
  const raw = Boolean(opts && opts.contentType);
  let url = BASE + path;
  if (query) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
    }
    const s = qs.toString();
    if (s) url += (url.includes('?') ? '&' : '?') + s;
  }
  const headers = { Accept: 'application/json, application/problem+json' };
  if (body !== undefined && body !== null) headers['Content-Type'] = raw ? opts.contentType : 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res;
  try {
    res = await fetch(url, {
      method,
      headers,
      credentials: 'same-origin',
      body: body !== undefined && body !== null ? (raw ? body : JSON.stringify(body)) : undefined,
    });
  } catch (e) {
    throw new ApiError(0, { title: 'Network error', detail: 'The server could not be reached. Check your connection and try again.' });
  }
  if (res.status === 204) return null;
  let data = null;
  const text = await res.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch (e) {
      data = null;
    }
  }
  if (!res.ok) {
    const ra = res.headers.get('Retry-After');
    const err = new ApiError(res.status, data && typeof data === 'object' ? data : null, ra);
    if (res.status === 401 && path !== '/session') onUnauthorized(err);
    throw err;
  }
  return data;
}

// Fetch every page of a list (bounded by maxPages) and return the items.
export async function fetchAll(path, query, maxPages = 25) {
  const items = [];
  let cursor = null;
  for (let i = 0; i < maxPages; i++) {
    const page = await api('GET', path, null, { ...query, limit: 200, cursor });
    items.push(...(page.items || []));
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  return items;
}

// Fetch pages of a list until at least max items (or the end): {items, more}, where more
// says that the list goes on past what was fetched.
export async function fetchUpTo(path, query, max) {
  const items = [];
  let cursor = null;
  do {
    const page = await api('GET', path, null, { ...query, limit: 200, cursor });
    items.push(...(page.items || []));
    cursor = page.next_cursor;
  } while (cursor && items.length < max);
  return { items, more: Boolean(cursor) };
}

// ---------------------------------------------------------------------------
// DOM helpers

// h('a', {href: '#/x', class: 'c'}, 'text', child) builds an element; text is never parsed as HTML.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = v;
      else if (k === 'value') el.value = v;
      else if (k === 'checked' || k === 'selected' || k === 'disabled') el[k] = Boolean(v);
      else if (v === true) el.setAttribute(k, '');
      else el.setAttribute(k, String(v));
    }
  }
  appendChildren(el, children);
  return el;
}

function appendChildren(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) appendChildren(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

let idSeq = 0;
export function uid(prefix) {
  idSeq += 1;
  return `${prefix || 'f'}-${idSeq}`;
}

// A labelled form field. control is an <input>, <select> or <textarea>.
export function field(labelText, control, hint) {
  if (!control.id) control.id = uid(control.name || 'f');
  const label = h('label', { for: control.id }, labelText);
  let hintEl = null;
  if (hint) {
    hintEl = h('span', { class: 'hint', id: uid('hint') }, hint);
    control.setAttribute('aria-describedby', hintEl.id);
  }
  if (control.type === 'checkbox') return h('div', { class: 'field field-check' }, control, label, hintEl);
  return h('div', { class: 'field' }, label, control, hintEl);
}

// One formatter for every call: building one per call costs more than formatting (long lists).
let timeFormat = null;
export function fmtTime(s) {
  if (!s) return '';
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) return String(s);
  if (!timeFormat) timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  return timeFormat.format(d);
}

export function timeEl(s, empty) {
  if (!s) return h('span', { class: 'muted' }, empty || '—');
  return h('time', { datetime: s, title: s }, fmtTime(s));
}

export const ROLE_LABELS = {
  admin: 'Administrator',
  head: 'Department head',
  point_person: 'Point person',
  member: 'Member',
};

export function roleLabel(r) {
  return ROLE_LABELS[r] || r || '';
}

// The status live region (polite) in the page shell; the message fades after a while.
let statusTimer = null;
export function announce(msg) {
  const el = document.getElementById('status');
  if (!el) return;
  el.textContent = '';
  window.clearTimeout(statusTimer);
  // Set the text a moment later so that screen readers announce a repeated message too.
  window.setTimeout(() => {
    el.textContent = msg;
  }, 30);
  statusTimer = window.setTimeout(() => {
    el.textContent = '';
  }, 8000);
}

// ---------------------------------------------------------------------------
// Forms and problem+json errors

// Every form gets an error box (role=alert) as its first child.
export function formError(form) {
  let box = form.querySelector(':scope > .form-error');
  if (!box) {
    box = h('div', { class: 'form-error', role: 'alert', hidden: true });
    // Below the form's heading, if it has one, else first.
    const head = form.querySelector(':scope > h2, :scope > h3');
    if (head) head.after(box);
    else form.prepend(box);
  }
  return box;
}

export function clearProblem(form) {
  const box = formError(form);
  box.hidden = true;
  box.textContent = '';
  // Messages shown next to an input (forms with data-inline-errors, see showProblem).
  const inline = new Set();
  for (const el of form.querySelectorAll('.field-error')) {
    if (el.id) inline.add(el.id);
    el.remove();
  }
  for (const el of form.querySelectorAll('[aria-invalid="true"]')) {
    el.removeAttribute('aria-invalid');
    const d = (el.getAttribute('aria-describedby') || '').split(' ').filter((x) => x && x !== box.id && !inline.has(x));
    if (d.length) el.setAttribute('aria-describedby', d.join(' '));
    else el.removeAttribute('aria-describedby');
  }
}

// The input named by a JSON pointer: "/name" -> [name="name"]; "/a/b" -> "a.b", then "b".
export function inputForPointer(form, pointer) {
  if (!pointer || typeof pointer !== 'string') return null;
  const segs = pointer.replace(/^#?\//, '').split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const tries = [segs.join('.'), segs[0], segs[segs.length - 1]];
  for (const name of tries) {
    if (!name) continue;
    const el = form.querySelector(`[name="${CSS.escape(name)}"]`);
    if (el) return el;
  }
  return null;
}

// Show an error (ApiError or any Error) on a form: the detail in its alert box and the
// offending input marked invalid and focused. A form with a data-inline-errors attribute
// also shows the message right next to that input (and describes the input with it).
export function showProblem(form, err) {
  clearProblem(form);
  const box = formError(form);
  if (!box.id) box.id = uid('err');
  const p = err && err.problem;
  let msg = (p && (p.detail || p.title)) || (err && err.message) || 'Something went wrong.';
  if (err && err.status === 429 && err.retryAfter) {
    msg += ` Try again in ${waitText(err.retryAfter)}.`;
  }
  box.textContent = msg;
  box.hidden = false;
  const input = inputForPointer(form, err && err.field);
  if (input) {
    input.setAttribute('aria-invalid', 'true');
    const d = (input.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
    if (form.hasAttribute('data-inline-errors')) {
      const note = h('span', { class: 'field-error', id: uid('ferr') }, msg);
      const wrap = input.closest('.field');
      if (wrap && form.contains(wrap)) wrap.appendChild(note);
      else input.after(note);
      d.push(note.id);
    } else d.push(box.id);
    input.setAttribute('aria-describedby', d.join(' '));
    input.focus();
  }
}

// "Retry-After: 30" -> "30 seconds"; an HTTP date -> seconds until then.
export function waitSeconds(retryAfter) {
  if (retryAfter === null || retryAfter === undefined) return null;
  const n = Number(retryAfter);
  if (Number.isFinite(n)) return Math.max(0, Math.ceil(n));
  const t = Date.parse(retryAfter);
  if (!Number.isNaN(t)) return Math.max(0, Math.ceil((t - Date.now()) / 1000));
  return null;
}

export function waitText(retryAfter) {
  const s = waitSeconds(retryAfter);
  if (s === null) return 'a little while';
  if (s < 60) return s === 1 ? '1 second' : `${s} seconds`;
  const m = Math.ceil(s / 60);
  return m === 1 ? '1 minute' : `${m} minutes`;
}

// Wire a form: on submit (button or Enter) run fn(form); while running, disable the
// submit button; errors go to the form's alert box.
export function onSubmit(form, fn) {
  formError(form);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (form.dataset.busy === '1') return;
    form.dataset.busy = '1';
    form.setAttribute('aria-busy', 'true');
    const btns = form.querySelectorAll('button[type="submit"], button:not([type])');
    for (const b of btns) b.disabled = true;
    clearProblem(form);
    try {
      await fn(form);
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401 && !form.dataset.signin)) showProblem(form, err);
    } finally {
      delete form.dataset.busy;
      form.removeAttribute('aria-busy');
      for (const b of btns) b.disabled = false;
    }
  });
}

// A <select> of people (plus an empty "none" choice) with the current one selected.
export function personSelect(name, people, current, noneLabel) {
  const sel = h('select', { name });
  sel.appendChild(h('option', { value: '' }, noneLabel || '— none —'));
  const curId = current ? current.id : null;
  let found = false;
  for (const p of people) {
    const label = p.department ? `${p.name} (${p.department.name})` : p.name;
    const o = h('option', { value: String(p.id) }, label);
    if (curId !== null && p.id === curId) {
      o.selected = true;
      found = true;
    }
    sel.appendChild(o);
  }
  if (curId !== null && !found) {
    const o = h('option', { value: String(curId), selected: true }, current.name);
    sel.appendChild(o);
  }
  return sel;
}

// Nullable id from a select value.
export function idOrNull(v) {
  if (v === '' || v === null || v === undefined) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

// A table with a caption and column headers; rows is an array of arrays of cells
// (strings or nodes). The first cell of each row is a row header.
export function table(caption, headers, rows, emptyText) {
  const thead = h('thead', null, h('tr', null, headers.map((x) => h('th', { scope: 'col' }, x))));
  const tbody = h('tbody');
  if (!rows.length) {
    tbody.appendChild(h('tr', null, h('td', { colspan: headers.length, class: 'empty' }, emptyText || 'Nothing to show.')));
  }
  for (const r of rows) {
    const tr = h('tr');
    r.forEach((cell, i) => {
      tr.appendChild(h(i === 0 ? 'th' : 'td', i === 0 ? { scope: 'row' } : null, cell));
    });
    tbody.appendChild(tr);
  }
  return h('div', { class: 'table-wrap' }, h('table', null, h('caption', null, caption), thead, tbody));
}

export function ref(x, hrefPrefix) {
  if (!x) return h('span', { class: 'muted' }, '—');
  if (hrefPrefix) return h('a', { href: `${hrefPrefix}${x.id}` }, x.name);
  return x.name;
}

export function yesNo(b) {
  return b ? 'Yes' : h('span', { class: 'badge badge-off' }, 'No');
}
