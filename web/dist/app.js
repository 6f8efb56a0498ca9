// accord web UI: the app shell. Loads the signed-in person, draws the header and the
// navigation, and routes #/... hashes to pages. Later features add a page module and
// list it in PAGES below; a module exports `routes` and may export `nav` entries.
import { api, setCsrf, h, roleLabel, ApiError, announce } from './api.js';
import * as departments from './departments.js';
import * as people from './people.js';
import * as tokens from './tokens.js';
import * as audit from './audit.js';
import * as calendars from './calendars.js';
import * as services from './services.js';
import * as contracts from './contracts.js';
import * as policies from './policies.js';
import * as requests from './requests.js';
import * as notifications from './notifications.js';

const PAGES = [departments, people, requests, services, contracts, policies, calendars, tokens, notifications, audit];

// The navigation bar: groups of links; `when(me)` hides a link from those who may not use it.
export const NAV = [
  {
    group: 'Organisation',
    items: [
      { href: '#/departments', label: 'Departments', match: /^\/departments(\/|$)/ },
      { href: '#/people', label: 'People', match: /^\/people(\/|$)/ },
    ],
  },
  {
    group: 'Service delivery',
    items: [
      { href: '#/queue', label: 'Queue', match: /^\/queue(\/|$)/, when: (me) => Boolean(me.department) || me.role === 'admin' },
      { href: '#/requests', label: 'My requests', match: /^\/requests\/?$/, when: (me) => Boolean(me.department) },
      { href: '#/requests/new', label: 'Raise a request', match: /^\/requests\/new\/?$/, when: (me) => Boolean(me.department) },
      { href: '#/services', label: 'Catalogue', match: /^\/services(\/|$)/ },
      { href: '#/contracts', label: 'Contracts', match: /^\/contracts(\/|$)/ },
      { href: '#/escalation', label: 'Escalation', match: /^\/escalation(\/|$)/ },
      { href: '#/calendars', label: 'Calendars', match: /^\/calendars(\/|$)/ },
    ],
  },
  {
    items: [
      { href: '#/tokens', label: 'My tokens', match: /^\/tokens(\/|$)/ },
      { href: '#/notifications', label: 'My notifications', match: /^\/notifications\/?$/ },
    ],
  },
  {
    items: [
      { href: '#/audit', label: 'Audit', match: /^\/audit(\/|$)/, when: (me) => me.role === 'admin' },
      { href: '#/notifications/admin', label: 'Webhooks & outbox', match: /^\/notifications\/admin(\/|$)/, when: (me) => me.role === 'admin' },
    ],
  },
];

const ROUTES = [];
for (const mod of PAGES) {
  for (const r of mod.routes || []) ROUTES.push(compile(r));
}

function compile(r) {
  const names = [];
  const re = new RegExp(
    '^' +
      r.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:(\w+)/g, (_, n) => {
        names.push(n);
        return '([^/]+)';
      }) +
      '/?$'
  );
  return { ...r, re, names };
}

const state = { me: null, renderSeq: 0, firstRender: true };

function parseHash() {
  let raw = window.location.hash || '';
  if (!raw.startsWith('#/')) raw = '#/';
  raw = raw.slice(1);
  const qi = raw.indexOf('?');
  const path = qi >= 0 ? raw.slice(0, qi) : raw;
  const query = new URLSearchParams(qi >= 0 ? raw.slice(qi + 1) : '');
  return { path: path || '/', query };
}

// Build a hash link: link('/people', {department: 3}) -> '#/people?department=3'
export function link(path, query) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query || {})) {
    if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  }
  const s = qs.toString();
  return '#' + path + (s ? '?' + s : '');
}

function drawHeader(me) {
  document.getElementById('who-name').textContent = me.name;
  document.getElementById('who-role').textContent =
    roleLabel(me.role) + (me.department ? ` · ${me.department.name}` : '');
  document.getElementById('who').hidden = false;
  drawNav();
}

function drawNav() {
  const nav = document.getElementById('nav');
  const { path } = parseHash();
  const ul = h('ul', { class: 'nav-groups' });
  for (const g of NAV) {
    const items = g.items.filter((it) => !it.when || it.when(state.me));
    if (!items.length) continue;
    const inner = h(
      'ul',
      { class: 'nav-links' },
      items.map((it) => h('li', null, h('a', { href: it.href, 'aria-current': it.match.test(path) ? 'page' : null }, it.label)))
    );
    if (g.group) {
      const gid = 'nav-' + g.group.toLowerCase().replace(/\W+/g, '-');
      inner.setAttribute('aria-labelledby', gid);
      ul.appendChild(h('li', { class: 'nav-group' }, h('span', { class: 'nav-group-label', id: gid }, g.group), inner));
    } else {
      ul.appendChild(h('li', { class: 'nav-group' }, inner));
    }
  }
  nav.replaceChildren(ul);
}

async function route() {
  const { path, query } = parseHash();
  if (path === '/') {
    window.location.replace('#/departments');
    return;
  }
  drawNav();
  const seq = ++state.renderSeq;
  const main = document.getElementById('main');
  let match = null;
  let params = {};
  for (const r of ROUTES) {
    const m = r.re.exec(path);
    if (m) {
      match = r;
      r.names.forEach((n, i) => {
        params[n] = decodeURIComponent(m[i + 1]);
      });
      break;
    }
  }
  const ctx = {
    me: state.me,
    params,
    query,
    path,
    main,
    link,
    stale: () => seq !== state.renderSeq,
    setTitle: (t) => {
      document.title = `${t} · accord`;
    },
    rerender: () => route(),
  };
  main.setAttribute('aria-busy', 'true');
  const loading = h('p', { class: 'loading' }, 'Loading…');
  // Only show "Loading…" if the page is slow, to avoid flicker.
  const lt = window.setTimeout(() => {
    if (!ctx.stale()) main.replaceChildren(loading);
  }, 150);
  try {
    if (!match) {
      ctx.setTitle('Page not found');
      main.replaceChildren(
        h('h1', { tabindex: '-1' }, 'Page not found'),
        h('p', null, 'There is no page at this address. ', h('a', { href: '#/departments' }, 'Go to departments'), '.')
      );
    } else if (match.when && !match.when(state.me)) {
      ctx.setTitle('Not permitted');
      main.replaceChildren(
        h('h1', { tabindex: '-1' }, 'Not permitted'),
        h('p', null, 'Your role does not give access to this page.')
      );
    } else {
      await match.render(ctx);
    }
  } catch (err) {
    if (ctx.stale()) return;
    if (err instanceof ApiError && err.status === 401) return; // redirecting to sign-in
    ctx.setTitle('Error');
    const detail = (err && err.problem && (err.problem.detail || err.problem.title)) || (err && err.message) || 'Unknown error';
    const title = err instanceof ApiError && err.status === 404 ? 'Not found' : err instanceof ApiError && err.status === 403 ? 'Not permitted' : 'Could not load this page';
    main.replaceChildren(
      h('h1', { tabindex: '-1' }, title),
      h('div', { class: 'form-error', role: 'alert' }, detail),
      err instanceof ApiError && err.status >= 400 && err.status < 500
        ? h('p', null, h('a', { href: '#/departments' }, 'Go to departments'))
        : h('p', null, h('button', { type: 'button', onclick: () => route() }, 'Try again'))
    );
  } finally {
    window.clearTimeout(lt);
    if (!ctx.stale()) {
      main.removeAttribute('aria-busy');
      if (!state.firstRender) {
        // Move focus to the page heading so keyboard and screen-reader users start there.
        const h1 = main.querySelector('h1');
        if (h1 && !main.contains(document.activeElement)) {
          h1.setAttribute('tabindex', '-1');
          h1.focus({ preventScroll: false });
        }
      }
      state.firstRender = false;
    }
  }
}

async function signOut() {
  const btn = document.getElementById('signout');
  btn.disabled = true;
  try {
    await api('DELETE', '/session');
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 401)) {
      btn.disabled = false;
      announce(`Could not sign out: ${err.message}`);
      return;
    }
  }
  window.location.assign('/signin');
}

async function start() {
  document.getElementById('skip-link').addEventListener('click', (ev) => {
    ev.preventDefault();
    const main = document.getElementById('main');
    main.focus();
    main.scrollIntoView();
  });
  document.getElementById('signout').addEventListener('click', signOut);
  let me;
  try {
    me = await api('GET', '/me');
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      const hash = window.location.hash;
      window.location.replace('/signin' + (hash && hash.startsWith('#/') && hash.length > 2 ? '?next=' + encodeURIComponent(hash) : ''));
      return;
    }
    const main = document.getElementById('main');
    main.replaceChildren(
      h('h1', null, 'accord is not reachable'),
      h('div', { class: 'form-error', role: 'alert' }, err.message),
      h('p', null, h('button', { type: 'button', onclick: () => window.location.reload() }, 'Reload'))
    );
    return;
  }
  state.me = me.person;
  setCsrf(me.csrf_token);
  drawHeader(state.me);
  window.addEventListener('hashchange', () => {
    const hash = window.location.hash || '';
    if (hash && !hash.startsWith('#/')) return; // an in-page anchor, not a route
    route();
  });
  route();
}

start();
