// accord web UI: requests. The provider's queue (my department's open requests by resolution
// due instant, breaches and business time left at a glance), the consumer's "my requests",
// the raise form (service → contract → fields) and a request's page: both clocks, the next
// steps that fit my side and the status, the conversation and the timeline. Filters live in
// the address so that a list can be bookmarked and shared.
import { api, fetchAll, fetchUpTo, h, field, onSubmit, announce, table, timeEl, fmtTime, idOrNull, ApiError, formError, showProblem, clearProblem, uid } from './api.js';
import { contractTitle, termsList } from './contracts.js';
import { notifyText } from './policies.js';

export const routes = [
  { path: '/queue', render: renderQueue, when: (me) => Boolean(me.department) || me.role === 'admin' },
  { path: '/requests', render: renderMine, when: (me) => Boolean(me.department) },
  { path: '/requests/new', render: renderRaise, when: (me) => Boolean(me.department) },
  { path: '/requests/:id', render: renderOne },
];

// Lists fetch at most this many requests (then say so): they are sorted in the browser (the
// queue comes by due instant, so a cut keeps the most urgent).
const LIST_MAX = 2000;

export const STATUS_TEXT = {
  open: 'Open',
  in_progress: 'In progress',
  waiting_on_consumer: 'Waiting on consumer',
  resolved: 'Resolved',
  reopened: 'Reopened',
  closed: 'Closed',
};
const QUEUE_STATUSES = ['open', 'in_progress', 'waiting_on_consumer', 'reopened', 'resolved'];

// Where focus goes once the request page has been drawn again after a step (a selector).
let pendingFocus = null;

// ---------------------------------------------------------------------------
// Words and small pieces

export function statusBadge(status, consumerName) {
  const text = status === 'waiting_on_consumer' && consumerName ? `Waiting on ${consumerName}` : STATUS_TEXT[status] || status;
  return h('span', { class: `badge rq-status rq-status-${status}` }, text);
}

// 135 -> "2 h 15 min" (business time; the caller says so).
export function fmtBiz(min) {
  const m = Math.abs(Math.round(Number(min)));
  if (!Number.isFinite(m)) return '—';
  if (m < 60) return `${m} min`;
  const hh = Math.floor(m / 60);
  const mm = m % 60;
  return mm ? `${hh} h ${mm} min` : `${hh} h`;
}

// A calendar wall time as the API gives it ("2026-11-25T11:00+00:00") in words, without
// converting it: {text: "Wed 25 Nov 2026, 11:00", offset: "UTC+00:00", minutes: 0}.
const LOCAL_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2})?(Z|[+-]\d{2}:?\d{2})$/;
export function parseLocal(s, short) {
  const m = LOCAL_RE.exec(s || '');
  if (!m) return null;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]));
  const withYear = !short || +m[1] !== new Date().getFullYear();
  const off = m[6] === 'Z' ? '+00:00' : m[6].length === 5 ? `${m[6].slice(0, 3)}:${m[6].slice(3)}` : m[6];
  const minutes = (off[0] === '-' ? -1 : 1) * (Number(off.slice(1, 3)) * 60 + Number(off.slice(4, 6)));
  return { text: wallFormat(withYear).format(d), offset: `UTC${off}`, minutes };
}

// Wall times are formatted in UTC (they are already local); one formatter each, made once.
const wallFormats = {};
function wallFormat(withYear) {
  const k = withYear ? 'y' : 'n';
  if (!wallFormats[k]) {
    const opts = { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
    if (withYear) opts.year = 'numeric';
    wallFormats[k] = new Intl.DateTimeFormat(undefined, opts);
  }
  return wallFormats[k];
}

// A due instant: the calendar's wall time, and the browser's own when that differs.
function dueEl(clock, calName, short) {
  if (!clock.due_at) return h('span', { class: 'muted' }, '—');
  const loc = parseLocal(clock.due_local, short);
  if (!loc) return timeEl(clock.due_at);
  const t = h('time', { datetime: clock.due_at, title: `${clock.due_at} (UTC)` }, loc.text);
  if (short) return t;
  const mine = -new Date(clock.due_at).getTimezoneOffset();
  return h(
    'span',
    null,
    t,
    h('span', { class: 'muted' }, ` (${calName ? `${calName} time, ` : ''}${loc.offset})`),
    mine !== loc.minutes ? h('span', { class: 'muted' }, ` (${fmtTime(clock.due_at)} your time)`) : null
  );
}

// The state of one clock: met, missed, paused, overdue, soon, running.
export function clockState(c, kind) {
  if (c.stopped_at) return c.met === false ? 'missed' : 'met';
  if (kind === 'resolution' && c.paused) return 'paused';
  const left = c.remaining_business_minutes;
  if (left === null || left === undefined) return 'running';
  if (left < 0) return 'overdue';
  // Soon: the last business hour, or the last quarter of a short target.
  return left <= Math.min(60, (c.target_minutes || 0) / 4) ? 'soon' : 'running';
}

const CLOCK_WORD = { met: 'Met', missed: 'Missed', paused: 'Paused', overdue: 'Overdue', soon: 'Due soon', running: 'Running' };

function clockBadge(state) {
  return h('span', { class: `badge rq-clk rq-clk-${state}` }, CLOCK_WORD[state]);
}

// "1 h 40 min left" or "overdue by 20 min", business time.
function leftText(c) {
  const left = c.remaining_business_minutes;
  if (left === null || left === undefined) return '';
  return left >= 0 ? `${fmtBiz(left)} left` : `overdue by ${fmtBiz(left)}`;
}

// A request breaches when a clock was missed or runs past its due instant (as the API's
// breached filter says).
export function isBreached(r) {
  const c = r.clocks;
  return ['response', 'resolution'].some((k) => {
    const s = clockState(c[k], k);
    return s === 'missed' || s === 'overdue';
  });
}

// A clock in a list's cell: its state, then when it is due or how much is left.
function clockCell(r, kind, opts) {
  const c = r.clocks[kind];
  const st = clockState(c, kind);
  const line2 = [];
  if (st === 'met' || st === 'missed') line2.push(kind === 'response' ? 'answered ' : 'resolved ', timeEl(c.stopped_at));
  else if (st === 'paused') line2.push(`waiting on ${r.consumer.name}`);
  else line2.push(leftText(c));
  return h(
    'div',
    { class: `rq-cell-clock rq-cell-${st}`, 'data-clock': kind, 'data-state': st },
    opts && opts.due && st !== 'met' && st !== 'missed' ? h('div', { class: 'rq-cell-due' }, dueEl(c, null, true)) : null,
    h('div', null, clockBadge(st), ' ', h('span', { class: 'rq-cell-left' }, line2))
  );
}

function requestCell(r) {
  return h(
    'span',
    { class: 'rq-title-cell' },
    h('a', { href: `#/requests/${r.id}` }, r.title),
    h('span', { class: 'muted rq-id' }, ` #${r.id}`),
    isBreached(r) ? h('span', { class: 'badge rq-breached' }, 'Breached') : null,
    h('span', { class: 'rq-sub muted' }, r.service.name, r.priority ? ` · ${r.priority}` : '', r.external_ref ? ` · ref ${r.external_ref}` : '')
  );
}

// The rows shown at first and added by "Show more": drawing thousands of rows at once
// costs a second of layout; the list is sorted in full all the same.
const PAGE_ROWS = 100;

function rowEl(r, cells) {
  const tr = h('tr', { 'data-request': String(r.id), class: isBreached(r) ? 'rq-row-breached' : null });
  cells.forEach((cell, i) => tr.appendChild(h(i === 0 ? 'th' : 'td', i === 0 ? { scope: 'row' } : null, cell)));
  return tr;
}

// A table of requests (as table() draws them) with a "Show more" button under it when
// there are more than PAGE_ROWS; focus moves to the first row added.
function pagedTable(caption, headers, items, rowOf, emptyText) {
  const wrap = table(caption, headers, [], emptyText);
  wrap.classList.add('rq-table');
  const tbody = wrap.querySelector('tbody');
  if (items.length) tbody.replaceChildren();
  let shown = 0;
  const more = h('button', { type: 'button', class: 'rq-more' });
  const box = h('div', { class: 'pager rq-pager' }, more);
  const draw = () => {
    const next = items.slice(shown, shown + PAGE_ROWS);
    const first = shown;
    for (const r of next) tbody.appendChild(rowEl(r, rowOf(r)));
    shown += next.length;
    const left = items.length - shown;
    more.textContent = `Show ${Math.min(left, PAGE_ROWS)} more (${left} not shown)`;
    box.hidden = left <= 0;
    return tbody.children[first];
  };
  more.addEventListener('click', () => {
    const tr = draw();
    const a = tr && tr.querySelector('a');
    if (a) a.focus();
    announce(`${shown} of ${items.length} requests shown.`);
  });
  draw();
  return h('div', null, wrap, box);
}

function selectOf(name, options, current) {
  return h('select', { name }, options.map(([v, t]) => h('option', { value: v, selected: String(current) === v }, t)));
}

// A filter form that writes its values into the address (hash) and draws the page again.
function filterForm(ctx, path, label, fields, extra) {
  const form = h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': label },
    ...fields.map(([text, control, hint]) => field(text, control, hint)),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Apply filters'), h('a', { href: `#${path}`, class: 'button-link' }, 'Clear'), extra || null)
  );
  onSubmit(form, async () => {
    const q = {};
    for (const [, control] of fields) q[control.name] = control.type === 'checkbox' ? (control.checked ? '1' : '') : control.value;
    const target = ctx.link(path, q);
    if (window.location.hash === target) await ctx.rerender();
    else window.location.hash = target;
  });
  return form;
}

// The note under a list cut at LIST_MAX, with the count of the whole list; which requests
// the cut kept (the list's order on the server).
async function tooMany(list, q, kept) {
  const c = await api('GET', '/requests/count', null, q).catch(() => null);
  const of = c ? ` of ${c.count}` : '';
  return h('p', { class: 'warning' }, `Only the first ${list.items.length}${of} requests (${kept}) are shown: narrow the filters to see the rest.`);
}

// The search box of a list's filters: words of the title or the conversation (Enter applies).
function searchBox(value) {
  return h('input', { name: 'q', type: 'search', value: value || '', maxlength: '200', autocomplete: 'off', spellcheck: 'false' });
}
const SEARCH_HINT = 'Every word must appear in the title or a comment (or an internal note, where your department provides the request); the last word may be unfinished.';

// Shows on the search box why the server refused the search (fetchList).
function searchProblem(form, list) {
  if (list.problem) showProblem(form, list.problem);
}

// Fetches a list; a search the server refuses (400 at /query/q) is an empty list and the
// problem to show on the search box, so that the filters stay usable.
async function fetchList(q) {
  try {
    return await fetchUpTo('/requests', q, LIST_MAX);
  } catch (err) {
    if (err instanceof ApiError && err.status === 400 && err.field === '/query/q') return { items: [], more: false, problem: err };
    throw err;
  }
}

// The words searched for, for a caption: ' matching “…”'.
function matching(words) {
  return words ? ` matching “${words}”` : '';
}

function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many || `${one}s`}`;
}

// ---------------------------------------------------------------------------
// The queue: my department's open requests as provider

async function renderQueue(ctx) {
  const { me, main, query } = ctx;
  ctx.setTitle('Queue');
  const admin = me.role === 'admin';
  let provider = me.department ? String(me.department.id) : 'all';
  if (admin && query.get('provider')) provider = query.get('provider');
  const f = {
    q: query.get('q') || '',
    status: query.get('status') || '',
    service: query.get('service') || '',
    assignee: query.get('assignee') || '',
    breached: query.get('breached') || '',
  };
  const dept = provider === 'all' ? '' : provider;
  // In due order from the server (an index gives it), so that a cut at LIST_MAX keeps the
  // most urgent; the page orders them again below.
  const q = {
    open: 'true',
    sort: 'resolution_due',
    provider: dept,
    service: f.service,
    assignee: f.assignee === 'me' ? me.id : f.assignee,
    breached: f.breached,
    status: f.status && f.status !== 'any' ? f.status : '',
    q: f.q.trim(),
  };
  const [list, services, people, departments] = await Promise.all([
    fetchList(q),
    fetchAll('/services', { provider: dept }),
    dept ? fetchAll('/people', { department: dept, active: 'true' }) : Promise.resolve([]),
    admin ? fetchAll('/departments') : Promise.resolve([]),
  ]);
  if (ctx.stale()) return;
  let items = list.items;
  if (!f.status) items = items.filter((r) => r.status !== 'resolved');
  // Work first: running clocks by resolution due instant; then those waiting on the
  // consumer; then those resolved (the consumer accepts or reopens).
  const rank = (r) => (r.status === 'resolved' ? 2 : r.clocks.resolution.paused ? 1 : 0);
  items.sort((a, b) => rank(a) - rank(b) || String(a.clocks.resolution.due_at).localeCompare(String(b.clocks.resolution.due_at)) || a.id - b.id);

  const fields = [['Search', searchBox(f.q), SEARCH_HINT]];
  if (admin) {
    fields.push(['Provider department', selectOf('provider', [['all', 'All departments'], ...departments.map((d) => [String(d.id), d.name])], provider)]);
  }
  fields.push([
    'Status',
    selectOf(
      'status',
      [
        ['', 'Needs work (not resolved)'],
        ['any', 'Any not closed'],
        ...QUEUE_STATUSES.map((s) => [s, STATUS_TEXT[s]]),
      ],
      f.status
    ),
  ]);
  fields.push(['Service', selectOf('service', [['', 'Any'], ...services.map((s) => [String(s.id), dept ? s.name : `${s.name} (${s.provider.name})`])], f.service)]);
  const inDept = me.department && String(me.department.id) === dept;
  fields.push(['Assignee', selectOf('assignee', [['', 'Anyone'], ...(inDept ? [['me', `Me (${me.name})`]] : []), ...people.filter((p) => p.id !== me.id || !inDept).map((p) => [String(p.id), p.name])], f.assignee)]);
  fields.push([
    'Clocks',
    selectOf(
      'breached',
      [
        ['', 'Any'],
        ['true', 'Breached'],
        ['false', 'Not breached'],
      ],
      f.breached
    ),
  ]);
  const filters = filterForm(ctx, '/queue', 'Filter the queue', fields);
  searchProblem(filters, list);

  const breached = items.filter(isBreached).length;
  const waiting = items.filter((r) => r.status === 'waiting_on_consumer').length;
  const soon = items.filter((r) => clockState(r.clocks.resolution, 'resolution') === 'soon').length;
  const who = dept ? (departments.find((d) => String(d.id) === dept) || me.department || { name: 'the department' }).name : 'all departments';
  const rowOf = (r) => [
    requestCell(r),
    h('span', null, r.consumer.name, h('span', { class: 'rq-sub muted' }, r.requester.name)),
    statusBadge(r.status, r.consumer.name),
    r.assignee ? (inDept && r.assignee.id === me.id ? h('strong', null, 'Me') : r.assignee.name) : h('span', { class: 'muted' }, '—'),
    clockCell(r, 'resolution', { due: true }),
    clockCell(r, 'response'),
  ];
  const caption = `Requests to ${who}${matching(q.q)}, most urgent first (${items.length}${list.more ? '+' : ''})`;
  const tbl = pagedTable(caption, ['Request', 'From', 'Status', 'Assignee', 'Resolution due (business time left)', 'First response'], items, rowOf, 'Nothing in the queue matches.');
  const cut = list.more ? await tooMany(list, q, 'the most urgent') : null;
  if (ctx.stale()) return;
  main.replaceChildren(...[
    h('h1', null, 'Queue'),
    h('p', { class: 'lead' }, `What ${who === 'all departments' ? 'every department' : who} works on, most urgent first: running clocks by the instant resolution is due, then requests waiting on their consumer, then resolved ones. Time left is business time on each contract’s calendar.`),
    filters,
    h(
      'ul',
      { class: 'rq-glance', 'aria-label': 'At a glance' },
      h('li', null, h('strong', null, String(items.length)), items.length === 1 ? ' request' : ' requests'),
      h('li', { class: breached ? 'rq-glance-bad' : '' }, h('strong', null, String(breached)), ' breached'),
      h('li', null, h('strong', null, String(soon)), ' due soon'),
      h('li', null, h('strong', null, String(waiting)), ' waiting on the consumer')
    ),
    cut,
    h('div', { id: 'queue-table' }, tbl)
  ].filter(Boolean));
}

// ---------------------------------------------------------------------------
// My requests: those my department raised

async function renderMine(ctx) {
  const { me, main, query } = ctx;
  ctx.setTitle('My requests');
  const dept = me.department;
  const f = {
    q: query.get('q') || '',
    status: query.get('status') || '',
    service: query.get('service') || '',
    breached: query.get('breached') || '',
    mine: query.get('mine') || '',
  };
  const q = {
    consumer: dept.id,
    open: f.status === '' ? 'true' : '',
    status: f.status && f.status !== 'all' ? f.status : '',
    service: f.service,
    breached: f.breached,
    q: f.q.trim(),
  };
  const [list, contracts] = await Promise.all([fetchList(q), fetchAll('/contracts', { consumer: dept.id })]);
  if (ctx.stale()) return;
  let items = list.items;
  if (f.mine) items = items.filter((r) => r.requester.id === me.id);
  // What waits on us first (an answer, an acceptance), then the newest.
  const needsUs = (r) => r.status === 'waiting_on_consumer' || r.status === 'resolved';
  items.sort((a, b) => Number(needsUs(b)) - Number(needsUs(a)) || b.id - a.id);

  const services = new Map();
  for (const c of contracts) services.set(c.service.id, `${c.service.name} (${c.provider.department.name})`);
  const mineBox = h('input', { type: 'checkbox', name: 'mine', checked: Boolean(f.mine) });
  const filters = filterForm(ctx, '/requests', 'Filter my requests', [
    ['Search', searchBox(f.q), SEARCH_HINT],
    [
      'Status',
      selectOf(
        'status',
        [
          ['', 'Not closed'],
          ['all', 'Any, closed too'],
          ...Object.keys(STATUS_TEXT).map((s) => [s, STATUS_TEXT[s]]),
        ],
        f.status
      ),
    ],
    ['Service', selectOf('service', [['', 'Any'], ...[...services].sort((a, b) => a[1].localeCompare(b[1])).map(([id, n]) => [String(id), n])], f.service)],
    [
      'Clocks',
      selectOf(
        'breached',
        [
          ['', 'Any'],
          ['true', 'Breached'],
          ['false', 'Not breached'],
        ],
        f.breached
      ),
    ],
    ['Only those I raised', mineBox],
  ]);
  searchProblem(filters, list);

  const waiting = items.filter((r) => r.status === 'waiting_on_consumer').length;
  const resolved = items.filter((r) => r.status === 'resolved').length;
  const rowOf = (r) => [
    requestCell(r),
    r.provider.name,
    h(
      'span',
      null,
      statusBadge(r.status, r.consumer.name),
      r.status === 'waiting_on_consumer' ? h('span', { class: 'rq-sub rq-needs' }, 'Needs your answer') : null,
      r.status === 'resolved' ? h('span', { class: 'rq-sub rq-needs' }, 'Accept or reopen') : null
    ),
    h('span', null, timeEl(r.created_at), h('span', { class: 'rq-sub muted' }, r.requester.id === me.id ? 'by me' : `by ${r.requester.name}`)),
    r.assignee ? r.assignee.name : h('span', { class: 'muted' }, '—'),
    r.status === 'closed' ? h('span', { class: 'muted' }, 'Closed ', timeEl(r.closed_at)) : clockCell(r, 'resolution', { due: true }),
  ];
  const tbl = pagedTable(`Requests ${dept.name} raised${matching(q.q)} (${items.length}${list.more ? '+' : ''})`, ['Request', 'To', 'Status', 'Raised', 'Assignee', 'Resolution (business time left)'], items, rowOf, 'No requests match.');
  const cut = list.more ? await tooMany(list, q, q.q ? 'the newest raised' : 'the oldest raised') : null;
  if (ctx.stale()) return;
  main.replaceChildren(...[
    h('div', { class: 'page-head' }, h('h1', null, 'My requests'), h('a', { href: '#/requests/new', class: 'button-link primary-link' }, 'Raise a request')),
    h('p', { class: 'lead' }, `The requests ${dept.name} raised with other departments. Those waiting on you come first: an answer the provider needs, or a resolution to accept or reopen.`),
    filters,
    waiting || resolved
      ? h('p', { class: 'warning', role: 'note' }, [waiting ? `${plural(waiting, 'request')} ${waiting === 1 ? 'waits' : 'wait'} for your answer` : null, resolved ? `${plural(resolved, 'resolved request')} to accept or reopen` : null].filter(Boolean).join('; '), '.')
      : null,
    cut,
    h('div', { id: 'mine-table' }, tbl)
  ].filter(Boolean));
}

// ---------------------------------------------------------------------------
// Raise a request: service → contract → fields

async function renderRaise(ctx) {
  const { me, main, query } = ctx;
  ctx.setTitle('Raise a request');
  const dept = me.department;
  const all = await fetchAll('/contracts', { state: 'active', consumer: dept.id, expand: 'current' });
  if (ctx.stale()) return;
  // Contracts in force that I may raise under: my department's, or mine by name.
  const contracts = all.filter((c) => c.current && c.current.state === 'active' && c.consumer.department.id === dept.id && (!c.consumer.person || c.consumer.person.id === me.id));
  const head = [h('p', { class: 'crumbs' }, h('a', { href: '#/requests' }, 'My requests'), ' / Raise a request'), h('div', { class: 'page-head' }, h('h1', null, 'Raise a request'))];
  if (!contracts.length) {
    main.replaceChildren(
      ...head,
      h('p', null, `${dept.name} has no contract in force with another department yet, so there is nothing to raise a request under. `, h('a', { href: '#/services' }, 'See the service catalogue'), '.')
    );
    return;
  }
  const byService = new Map();
  for (const c of contracts) {
    if (!byService.has(c.service.id)) byService.set(c.service.id, { service: c.service, provider: c.provider.department, contracts: [] });
    byService.get(c.service.id).contracts.push(c);
  }
  const svcList = [...byService.values()].sort((a, b) => a.provider.name.localeCompare(b.provider.name) || a.service.name.localeCompare(b.service.name));
  const wantedSvc = query.get('service') || (svcList.length === 1 ? String(svcList[0].service.id) : '');
  const wantedContract = query.get('contract') || '';

  const svc = h('select', { name: 'service', required: true }, h('option', { value: '' }, 'Choose a service'));
  const groups = new Map();
  for (const s of svcList) {
    if (!groups.has(s.provider.name)) groups.set(s.provider.name, h('optgroup', { label: s.provider.name }));
    groups.get(s.provider.name).appendChild(h('option', { value: String(s.service.id), selected: wantedSvc === String(s.service.id) }, `${s.service.name} (${s.provider.name})`));
  }
  for (const g of groups.values()) svc.appendChild(g);
  const contractSel = h('select', { name: 'contract_id', required: true });
  const title = h('input', { name: 'title', type: 'text', required: true, maxlength: '200', autocomplete: 'off' });
  const description = h('textarea', { name: 'description', rows: '6', maxlength: '20000' });
  const priority = h('select', { name: 'priority' });
  const prioBox = h('div', { class: 'field-slot' });
  const extRef = h('input', { name: 'external_ref', type: 'text', maxlength: '100', autocomplete: 'off' });
  const about = h('div', { class: 'rq-raise-about' });
  const serviceCache = new Map();

  function current() {
    return contracts.find((c) => String(c.id) === contractSel.value) || null;
  }
  async function drawContract() {
    const c = current();
    if (!c) {
      prioBox.replaceChildren();
      about.replaceChildren(h('p', { class: 'muted' }, 'Choose the service first: what has been agreed shows here.'));
      return;
    }
    const v = c.current;
    const prios = v.priorities || [];
    priority.replaceChildren(...prios.map((p) => h('option', { value: p.name, selected: p.default }, `${p.name}${p.factor !== 1 ? ` (clocks × ${p.factor})` : ''}`)));
    prioBox.replaceChildren(prios.length ? field('Priority', priority, 'Changes both clocks by its factor.') : h('p', { class: 'hint' }, 'This contract has no priorities: every request has the same clocks.'));
    await drawAbout();
  }
  // What has been agreed, with the clocks of the priority chosen.
  async function drawAbout() {
    const c = current();
    if (!c) return;
    const v = c.current;
    const prio = (v.priorities || []).find((p) => p.name === priority.value);
    const factor = prio ? Number(prio.factor) || 1 : 1;
    const forPrio = prio ? h('span', { class: 'muted' }, ` (priority ${prio.name})`) : null;
    let s = serviceCache.get(c.service.id);
    if (s === undefined) {
      s = await api('GET', `/services/${c.service.id}`).catch(() => null);
      serviceCache.set(c.service.id, s);
    }
    if (current() !== c) return;
    const to = c.provider.person || (s && s.point_person) || null;
    about.replaceChildren(
      h(
        'dl',
        { class: 'svc-facts' },
        h('dt', null, 'First answer within'),
        h('dd', null, `${fmtBiz(Math.ceil(v.response_minutes * factor))} of business time`, forPrio),
        h('dt', null, 'Resolved within'),
        h('dd', null, `${fmtBiz(Math.ceil(v.resolution_minutes * factor))} of business time`, forPrio ? forPrio.cloneNode(true) : null),
        h('dt', null, 'Calendar'),
        h('dd', null, v.calendar ? v.calendar.name : '—'),
        h('dt', null, 'Goes to'),
        h('dd', null, to ? `${to.name}${c.provider.person ? '' : ' (point person)'}` : c.provider.department.name)
      ),
      termsList(v, 'rq-raise-terms'),
      h('p', { class: 'hint' }, h('a', { href: `#/contracts/${c.id}` }, `The contract: ${contractTitle(c)}, version ${v.number}`))
    );
  }
  function drawContracts() {
    const s = byService.get(Number(svc.value));
    const list = s ? s.contracts : [];
    contractSel.replaceChildren(...(list.length ? [] : [h('option', { value: '' }, 'Choose the service first')]));
    for (const c of list) {
      const who = c.consumer.person ? `for ${c.consumer.person.name}` : `for ${c.consumer.department.name}`;
      const by = c.provider.person ? `with ${c.provider.person.name}` : `with ${c.provider.department.name}`;
      contractSel.appendChild(h('option', { value: String(c.id), selected: wantedContract === String(c.id) }, `${c.service.name} ${by}, ${who} (version ${c.current.number})`));
    }
    contractSel.disabled = !list.length;
    return drawContract();
  }
  svc.addEventListener('change', drawContracts);
  contractSel.addEventListener('change', drawContract);
  priority.addEventListener('change', drawAbout);

  const form = h(
    'form',
    { class: 'card form-grid rq-raise', novalidate: true, 'aria-labelledby': 'raise-title', 'data-inline-errors': true },
    h('h2', { id: 'raise-title' }, 'The request'),
    field('Service', svc, 'Only services your department has a contract in force for.'),
    field('Contract', contractSel, 'The version in force now binds the request for good.'),
    h('div', { class: 'wide' }, field('Title', title, 'One line the provider recognises in their queue.')),
    h('div', { class: 'wide' }, field('Description', description, 'Everything the provider needs to do it without asking back.')),
    prioBox,
    field('Your reference (optional)', extRef, 'e.g. a ticket number in your own tool.'),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Raise the request'), h('a', { href: '#/requests', class: 'button-link' }, 'Cancel'))
  );
  onSubmit(form, async () => {
    const c = current();
    if (!svc.value) throw Object.assign(new Error('Choose the service you need.'), { field: '/service' });
    if (!c) throw Object.assign(new Error('Choose the contract to raise the request under.'), { field: '/contract_id' });
    if (!title.value.trim()) throw Object.assign(new Error('Give the request a title.'), { field: '/title' });
    const body = { contract_id: c.id, title: title.value.trim(), description: description.value.trim() };
    if ((c.current.priorities || []).length && priority.value) body.priority = priority.value;
    if (extRef.value.trim()) body.external_ref = extRef.value.trim();
    const r = await api('POST', '/requests', body);
    announce(`Request #${r.id} raised: it goes to ${r.assignee ? r.assignee.name : r.provider.name}.`);
    window.location.assign(`#/requests/${r.id}`);
  });

  main.replaceChildren(
    ...head,
    h('p', { class: 'lead' }, `A request asks another department for one thing under a contract between it and ${dept.name}. Its clocks start now and count business time on the contract’s calendar.`),
    h('div', { class: 'rq-raise-layout' }, form, h('aside', { class: 'card rq-raise-side', 'aria-labelledby': 'raise-about-title' }, h('h2', { id: 'raise-about-title' }, 'What has been agreed'), about))
  );
  await drawContracts();
}

// ---------------------------------------------------------------------------
// A request's page

// Which side I read the request from, for the words only: what I may do is the server's
// `r.may` (request_may_of()). Inside one department the requester is the consumer.
function sideOf(me, r) {
  const d = me.department ? me.department.id : null;
  if (r.provider.id === r.consumer.id && d === r.consumer.id) return me.id === r.requester.id ? 'consumer' : 'provider';
  if (d === r.consumer.id) return 'consumer';
  if (d === r.provider.id || me.role === 'admin') return 'provider';
  return null;
}

// What the server says I may do now; nothing when it does not say.
function mayOf(r) {
  const m = r.may || {};
  return { moves: new Set(m.moves || []), comment: Boolean(m.comment), internalNote: Boolean(m.internal_note), escalate: Boolean(m.escalate), reassign: Boolean(m.reassign) };
}

async function renderOne(ctx) {
  const { me, main, params } = ctx;
  const id = encodeURIComponent(params.id);
  const r = await api('GET', `/requests/${id}`);
  if (ctx.stale()) return;
  const side = sideOf(me, r);
  const [comments, events, version, provPeople, consPeople] = await Promise.all([
    fetchAll(`/requests/${id}/comments`),
    fetchAll(`/requests/${id}/events`),
    api('GET', `/contracts/${r.contract_id}/versions/${r.version}`).catch(() => null),
    fetchAll('/people', { department: r.provider.id }).catch(() => []),
    fetchAll('/people', { department: r.consumer.id }).catch(() => []),
  ]);
  if (ctx.stale()) return;
  ctx.setTitle(`#${r.id} ${r.title}`);
  const names = new Map([...provPeople, ...consPeople].map((p) => [p.id, p.name]));
  const provIds = new Set(provPeople.map((p) => p.id));
  const consIds = new Set(consPeople.map((p) => p.id));
  const info = { r, side, me, version, names, provIds, consIds, events, calName: version && version.calendar ? version.calendar.name : null };

  const crumbs =
    side === 'consumer'
      ? [h('a', { href: '#/requests' }, 'My requests'), ' / ']
      : me.department && me.department.id === r.provider.id
        ? [h('a', { href: '#/queue' }, 'Queue'), ' / ']
        : [];
  const parts = [
    h('p', { class: 'crumbs' }, ...crumbs, `Request #${r.id}`),
    h('div', { class: 'page-head' }, h('h1', null, r.title), statusBadge(r.status, r.consumer.name), isBreached(r) ? h('span', { class: 'badge rq-breached' }, 'Breached') : null, r.imported ? h('span', { class: 'badge badge-off' }, 'Imported') : null),
    h(
      'p',
      { class: 'lead rq-lead' },
      `#${r.id} · `,
      h('a', { href: `#/services/${r.service.id}` }, r.service.name),
      ` · ${r.provider.name} for ${r.consumer.name} · raised by ${r.requester.name} `,
      timeEl(r.created_at)
    ),
    statusNote(info),
    h(
      'section',
      { class: 'rq-summary', 'aria-label': 'Clocks and facts' },
      clockCard(info, 'response'),
      clockCard(info, 'resolution'),
      factsCard(info)
    ),
    actionsCard(ctx, info, provPeople),
    h(
      'section',
      { class: 'section', 'aria-labelledby': 'rq-desc-title' },
      h('h2', { id: 'rq-desc-title' }, 'Description'),
      r.description ? h('div', { class: 'card rq-text' }, r.description) : h('p', { class: 'muted' }, 'No description.')
    ),
    conversation(ctx, info, comments),
    timeline(info, events),
  ];
  main.replaceChildren(...parts.filter(Boolean));
  if (pendingFocus) {
    const el = main.querySelector(pendingFocus);
    pendingFocus = null;
    if (el) {
      if (!/^(INPUT|SELECT|TEXTAREA|BUTTON|A)$/.test(el.tagName)) el.setAttribute('tabindex', '-1');
      el.focus();
    }
  }
}

// The last move to a status, from the timeline.
function lastMove(events, to) {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e.kind === 'status' && e.detail && e.detail.to === to) return e;
  }
  return null;
}

function actorName(e) {
  return e.actor ? e.actor.name : 'accord';
}

// What the status means for the reader, above the clocks.
function statusNote({ r, side, events }) {
  const e = lastMove(events, r.status);
  const reason = e && e.detail && e.detail.reason ? [' ', h('q', { class: 'rq-reason' }, e.detail.reason)] : null;
  switch (r.status) {
    case 'waiting_on_consumer':
      return h(
        'div',
        { class: 'warning rq-note-status', 'data-testid': 'status-note' },
        h('strong', null, side === 'consumer' ? `${r.provider.name} needs your answer.` : `Waiting on ${r.consumer.name}.`),
        e ? [' ', actorName(e), ' asked ', timeEl(e.at), e.detail.missing_information ? ' (missing information)' : '', ':'] : null,
        reason,
        h('span', { class: 'rq-sub' }, 'The resolution clock is paused until the request is answered.')
      );
    case 'resolved':
      return h(
        'div',
        { class: 'rq-note-status rq-note-ok', 'data-testid': 'status-note' },
        h('strong', null, side === 'consumer' ? 'Resolved: accept it, or reopen it with a reason.' : `Resolved: ${r.consumer.name} accepts or reopens it.`),
        e ? [' ', actorName(e), ' resolved it ', timeEl(e.at), e.detail.reason ? ':' : '.'] : null,
        reason,
        h('span', { class: 'rq-sub' }, 'It closes itself after 5 business days without an answer.')
      );
    case 'reopened':
      return h('div', { class: 'warning rq-note-status', 'data-testid': 'status-note' }, h('strong', null, 'Reopened.'), e ? [' ', actorName(e), ' reopened it ', timeEl(e.at), ':'] : null, reason);
    case 'closed':
      return h('div', { class: 'rq-note-status', 'data-testid': 'status-note' }, h('strong', null, 'Closed '), timeEl(r.closed_at), e && e.detail.reason ? ['. ', h('q', { class: 'rq-reason' }, e.detail.reason)] : '.');
    default:
      return null;
  }
}

function clockCard({ r, calName, events }, kind) {
  const c = r.clocks[kind];
  const st = clockState(c, kind);
  const titleId = `clock-${kind}-title`;
  const rows = [h('dt', null, 'Target'), h('dd', null, `${fmtBiz(c.target_minutes)} of business time`, r.priority ? h('span', { class: 'muted' }, ` (priority ${r.priority})`) : null)];
  const dueWord = st === 'met' || st === 'missed' ? 'Was due' : st === 'paused' ? 'Due before the pause' : 'Due';
  rows.push(h('dt', null, dueWord), h('dd', { 'data-testid': `${kind}-due` }, dueEl(c, calName)));
  if (st === 'met' || st === 'missed') {
    rows.push(
      h('dt', null, kind === 'response' ? 'Answered' : 'Resolved'),
      h('dd', null, timeEl(c.stopped_at), kind === 'resolution' && c.business_minutes !== null && c.business_minutes !== undefined ? ` after ${fmtBiz(c.business_minutes)} of business time` : '')
    );
  } else if (st === 'paused') {
    const e = lastMove(events, 'waiting_on_consumer');
    rows.push(h('dt', null, 'Paused'), h('dd', null, e ? ['since ', timeEl(e.at), ', '] : null, `waiting on ${r.consumer.name}. The due instant moves on by the business time spent waiting.`));
  }
  if (kind === 'resolution' && c.paused_business_minutes > 0) {
    rows.push(h('dt', null, 'Paused so far'), h('dd', null, `${fmtBiz(c.paused_business_minutes)} of business time`));
  }
  const word = {
    met: kind === 'response' ? 'Answered in time' : 'Resolved in time',
    missed: kind === 'response' ? 'Answered late' : 'Resolved late',
    paused: 'Paused',
    overdue: `Overdue by ${fmtBiz(c.remaining_business_minutes)}`,
    soon: `${fmtBiz(c.remaining_business_minutes)} left`,
    running: c.remaining_business_minutes === null || c.remaining_business_minutes === undefined ? 'Running' : `${fmtBiz(c.remaining_business_minutes)} left`,
  }[st];
  return h(
    'article',
    { class: `card rq-clock rq-clock-${st}`, 'aria-labelledby': titleId, 'data-clock': kind, 'data-state': st },
    h('h2', { id: titleId }, kind === 'response' ? 'First response' : 'Resolution', clockBadge(st)),
    h('p', { class: 'rq-clock-big', 'data-testid': `${kind}-state` }, word, st === 'running' || st === 'soon' || st === 'overdue' ? h('span', { class: 'rq-clock-unit' }, ' of business time') : null),
    h('dl', { class: 'rq-clock-facts' }, rows)
  );
}

function factsCard({ r, version }) {
  return h(
    'article',
    { class: 'card rq-facts', 'aria-labelledby': 'rq-facts-title' },
    h('h2', { id: 'rq-facts-title' }, 'Details'),
    h(
      'dl',
      { class: 'rq-clock-facts' },
      h('dt', null, 'Assignee'),
      h('dd', { 'data-testid': 'assignee' }, r.assignee ? r.assignee.name : h('span', { class: 'muted' }, 'nobody')),
      h('dt', null, 'Requester'),
      h('dd', null, r.requester.name),
      h('dt', null, 'Contract'),
      h('dd', null, h('a', { href: `#/contracts/${r.contract_id}?version=${r.version}` }, `version ${r.version}`), version && version.calendar ? h('span', { class: 'muted' }, ` · ${version.calendar.name} calendar`) : null),
      r.priority ? [h('dt', null, 'Priority'), h('dd', null, r.priority)] : null,
      r.external_ref ? [h('dt', null, 'Reference'), h('dd', null, r.external_ref)] : null,
      r.reopen_count ? [h('dt', null, 'Reopened'), h('dd', null, plural(r.reopen_count, 'time'))] : null,
      r.missing_info_count ? [h('dt', null, 'Information asked'), h('dd', null, plural(r.missing_info_count, 'time'))] : null,
      h('dt', null, 'Updated'),
      h('dd', null, timeEl(r.updated_at))
    )
  );
}

// ---------------------------------------------------------------------------
// Next steps: the moves the server says I may make (r.may), worded for my side

function actionsCard(ctx, info, provPeople) {
  const { r, side, me, version, events } = info;
  const may = mayOf(r);
  const card = h('section', { class: 'section card rq-actions', 'aria-labelledby': 'rq-next-title' }, h('h2', { id: 'rq-next-title' }, 'Next steps'));
  const steps = h('form', { class: 'rq-steps', novalidate: true, 'aria-label': 'Steps' });
  formError(steps);
  const buttons = h('div', { class: 'actions' });
  steps.appendChild(buttons);
  const panels = h('div', { class: 'rq-panels' });
  const base = `/requests/${r.id}`;
  let count = 0;
  let said = false;

  const after = async (msg) => {
    announce(msg);
    pendingFocus = '#rq-next-title';
    await ctx.rerender();
  };
  // A step done at once.
  const now = (label, fn, cls) => {
    count++;
    const b = h('button', { type: 'button', class: cls || '' }, label);
    b.addEventListener('click', async () => {
      if (steps.dataset.busy === '1') return;
      steps.dataset.busy = '1';
      for (const x of card.querySelectorAll('button')) x.disabled = true;
      clearProblem(steps);
      try {
        await fn();
      } catch (err) {
        if (!(err instanceof ApiError && err.status === 401)) {
          showProblem(steps, err);
          b.focus();
        }
      } finally {
        delete steps.dataset.busy;
        for (const x of card.querySelectorAll('button')) if (x.isConnected) x.disabled = false;
      }
    });
    buttons.appendChild(b);
  };
  // A step that asks for something first: its button opens a small form below.
  const ask = (label, formTitle, controls, submitLabel, fn, cls) => {
    count++;
    const pid = uid('panel');
    const toggle = h('button', { type: 'button', class: cls || '', 'aria-expanded': 'false', 'aria-controls': pid }, label);
    const cancel = h('button', { type: 'button' }, 'Cancel');
    const form = h(
      'form',
      { class: 'rq-panel', id: pid, novalidate: true, hidden: true, 'aria-label': formTitle, 'data-inline-errors': true },
      h('h3', null, formTitle),
      ...controls,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: cls === 'danger' ? 'danger' : 'primary' }, submitLabel), cancel)
    );
    const close = () => {
      form.hidden = true;
      toggle.setAttribute('aria-expanded', 'false');
      toggle.focus();
    };
    toggle.addEventListener('click', () => {
      const open = form.hidden;
      for (const p of panels.querySelectorAll('.rq-panel')) p.hidden = true;
      for (const t of buttons.querySelectorAll('[aria-expanded]')) t.setAttribute('aria-expanded', 'false');
      if (!open) {
        toggle.focus();
        return;
      }
      form.hidden = false;
      toggle.setAttribute('aria-expanded', 'true');
      const first = form.querySelector('textarea, input, select');
      if (first) first.focus();
    });
    cancel.addEventListener('click', close);
    form.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') {
        ev.preventDefault();
        close();
      }
    });
    onSubmit(form, () => fn(form));
    buttons.appendChild(toggle);
    panels.appendChild(form);
  };
  const move = (to, extra) => api('POST', `${base}/transitions`, { to, ...(extra || {}) });
  const reasonArea = (label, hint, required) => {
    const t = h('textarea', { name: 'reason', rows: '3', maxlength: '500', required: Boolean(required) });
    return field(label, t, hint);
  };

  // Waiting on the consumer, a move back to work is the provider resuming or the consumer
  // answering: the same move, worded (and done) for the side.
  const answering = r.status === 'waiting_on_consumer' && side === 'consumer';
  if (may.moves.has('in_progress') && r.status !== 'waiting_on_consumer') {
    now('Start work', async () => {
      await move('in_progress');
      await after(`Request #${r.id} is in progress.`);
    }, 'primary');
  }
  if (may.moves.has('in_progress') && r.status === 'waiting_on_consumer' && !answering) {
    now('Resume work', async () => {
      await move('in_progress');
      await after(`Request #${r.id} is in progress again; its resolution clock runs.`);
    });
  }
  if (may.moves.has('waiting_on_consumer')) {
    ask(
      `Wait on ${r.consumer.name}…`,
      `Wait on ${r.consumer.name}`,
      [
        reasonArea(`What ${r.consumer.name} should answer`, 'Shown to the consumer. The resolution clock pauses until they answer.', true),
        field('Missing information', h('input', { type: 'checkbox', name: 'missing_information' }), `The request lacked something ${r.consumer.name} should have given: this counts against their completeness.`),
      ],
      `Wait on ${r.consumer.name}`,
      async (form) => {
        const reason = form.elements.reason.value.trim();
        if (!reason) throw Object.assign(new Error(`Say what ${r.consumer.name} should answer.`), { field: '/reason' });
        await move('waiting_on_consumer', { reason, missing_information: form.elements.missing_information.checked });
        await after(`Request #${r.id} waits on ${r.consumer.name}; its resolution clock is paused.`);
      }
    );
  }
  if (may.moves.has('resolved')) {
    ask('Resolve…', 'Resolve the request', [reasonArea('What was done (optional)', `Shown to ${r.consumer.name} in the timeline.`)], 'Resolve', async (form) => {
      const reason = form.elements.reason.value.trim();
      await move('resolved', reason ? { reason } : null);
      await after(`Request #${r.id} is resolved: ${r.consumer.name} accepts or reopens it.`);
    });
  }
  if (may.moves.has('in_progress') && answering) {
    ask(
      'Answer…',
      `Answer ${r.provider.name}`,
      [field('Your answer', h('textarea', { name: 'body', rows: '4', maxlength: '20000' }), 'Posted in the conversation; the request goes back to work and its resolution clock runs again.')],
      'Send the answer and resume',
      async (form) => {
        const body = form.elements.body.value.trim();
        if (body) {
          await api('POST', `${base}/comments`, { body });
          form.elements.body.value = ''; // posted: a retry of the move must not post it twice
        }
        await move('in_progress');
        await after(`Answer sent: request #${r.id} is in progress again.`);
      },
      'primary'
    );
  }
  if (may.moves.has('closed')) {
    now('Accept and close', async () => {
      await move('closed');
      await after(`Request #${r.id} accepted and closed.`);
    }, 'primary');
  }
  if (may.moves.has('reopened')) {
    ask('Reopen…', 'Reopen the request', [reasonArea('Why it is not resolved', `Shown to ${r.provider.name}. The resolution clock runs again.`, true)], 'Reopen', async (form) => {
      const reason = form.elements.reason.value.trim();
      if (!reason) throw Object.assign(new Error('Say why the request is not resolved.'), { field: '/reason' });
      await move('reopened', { reason });
      await after(`Request #${r.id} reopened.`);
    });
  }
  if (side === 'consumer') {
    const levels = (version && version.escalation && version.escalation.levels) || [];
    const fired = new Set(events.filter((e) => e.kind === 'escalated' && e.detail).map((e) => e.detail.level));
    const next = levels.find((l) => !fired.has(l.level));
    if (['open', 'in_progress', 'reopened'].includes(r.status)) {
      said = true;
      steps.prepend(h('p', { class: 'muted' }, `${r.provider.name} is working on it${r.assignee ? ` (${r.assignee.name})` : ''}. Add a comment below${next && may.escalate ? ', or escalate if it cannot wait' : ''}.`));
    }
    // The server allows a manual escalation to this side and status; the policy says
    // whether a level is left.
    if (may.escalate && next) {
      now(
        'Escalate now',
        async () => {
          if (!window.confirm(`Escalate request #${r.id}? Level ${next.level} fires now and notifies ${notifyText(next)}.`)) return;
          await api('POST', `${base}/escalate`);
          await after(`Request #${r.id} escalated: level ${next.level} fired.`);
        },
        'danger'
      );
    }
  }
  card.appendChild(steps);
  card.appendChild(panels);

  // Reassigning within the provider department.
  if (may.reassign) {
    const active = provPeople.filter((p) => p.active !== false);
    const sel = h('select', { name: 'assignee_id' }, active.map((p) => h('option', { value: String(p.id), selected: r.assignee && r.assignee.id === p.id }, `${p.name}${p.id === me.id ? ' (me)' : ''}`)));
    if (r.assignee && !active.some((p) => p.id === r.assignee.id)) sel.appendChild(h('option', { value: String(r.assignee.id), selected: true }, `${r.assignee.name} (inactive)`));
    const form = h('form', { class: 'inline-form rq-reassign', novalidate: true, 'aria-label': 'Reassign' }, field(`Assignee in ${r.provider.name}`, sel), h('button', { type: 'submit' }, 'Reassign'));
    onSubmit(form, async () => {
      const to = idOrNull(sel.value);
      if (r.assignee && to === r.assignee.id) {
        announce(`${r.assignee.name} already has request #${r.id}.`);
        return;
      }
      const nr = await api('PATCH', base, { assignee_id: to });
      await after(`Request #${r.id} reassigned to ${nr.assignee ? nr.assignee.name : 'nobody'}.`);
    });
    card.appendChild(form);
  }
  if (!count && !said) {
    let why;
    if (!side) why = 'You are on neither side of this request.';
    else if (r.status === 'closed') why = 'Closed: nothing more to do.';
    else if (side === 'provider' && r.status === 'resolved') why = `Nothing for ${r.provider.name} to do until ${r.consumer.name} accepts or reopens it.`;
    else if (side === 'consumer') why = `${r.provider.name} is working on it. You can add a comment below.`;
    else why = 'Nothing to do at this status.';
    steps.prepend(h('p', { class: 'muted' }, why));
  }
  return card;
}

// ---------------------------------------------------------------------------
// The conversation

function sideName(info, personId) {
  const { r, provIds, consIds } = info;
  if (provIds.has(personId)) return r.provider.name;
  if (consIds.has(personId)) return r.consumer.name;
  return null;
}

function conversation(ctx, info, comments) {
  const { r, side } = info;
  const may = mayOf(r);
  const publicCount = comments.filter((c) => !c.internal).length;
  const notes = comments.length - publicCount;
  const list = comments.length
    ? h(
        'ol',
        { class: 'rq-convo' },
        comments.map((c) => {
          const from = sideName(info, c.author ? c.author.id : 0);
          return h(
            'li',
            { class: `rq-comment${c.internal ? ' rq-comment-note' : ''}`, 'data-comment': String(c.id) },
            h(
              'article',
              { 'aria-label': `${c.internal ? 'Internal note' : 'Comment'} by ${c.author ? c.author.name : 'accord'}` },
              h(
                'p',
                { class: 'rq-comment-head' },
                h('strong', null, c.author ? c.author.name : 'accord'),
                from ? h('span', { class: 'muted' }, ` (${from})`) : null,
                c.internal ? h('span', { class: 'badge rq-note-badge' }, `Internal note · only ${r.provider.name} sees it`) : null,
                h('span', { class: 'muted' }, ' · '),
                timeEl(c.created_at)
              ),
              h('div', { class: 'rq-text' }, c.body)
            )
          );
        })
      )
    : h('p', { class: 'muted' }, 'No comments yet.');
  const parts = [
    h('h2', { id: 'rq-convo-title' }, 'Conversation', h('span', { class: 'muted rq-count' }, ` · ${plural(publicCount, 'comment')}${notes ? `, ${plural(notes, 'internal note')}` : ''}`)),
    list,
  ];
  if (may.comment) {
    const body = h('textarea', { name: 'body', id: 'rq-comment-body', rows: '4', maxlength: '20000', required: true });
    // Internal notes are the provider side's: the server says whether I may write one.
    const internal = may.internalNote ? h('input', { type: 'checkbox', name: 'internal' }) : null;
    const submit = h('button', { type: 'submit', class: 'primary' }, 'Post comment');
    if (internal) {
      internal.addEventListener('change', () => {
        submit.textContent = internal.checked ? 'Add internal note' : 'Post comment';
        form.classList.toggle('rq-composing-note', internal.checked);
      });
    }
    const firstAnswer = Boolean(internal) && !r.clocks.response.stopped_at;
    const form = h(
      'form',
      { class: 'card rq-comment-form', novalidate: true, 'aria-labelledby': 'rq-add-comment-title', 'data-inline-errors': true },
      h('h3', { id: 'rq-add-comment-title' }, internal ? 'Add a comment or an internal note' : 'Add a comment'),
      field(
        'Comment',
        body,
        internal
          ? `Comments are seen by both sides${firstAnswer ? '; your first public comment answers the request and stops its first-response clock' : ''}.`
          : `Seen by ${r.provider.name} and ${r.consumer.name}.`
      ),
      internal ? field(`Internal note: only ${r.provider.name} sees it`, internal) : null,
      h('div', { class: 'actions' }, submit)
    );
    onSubmit(form, async () => {
      const text = body.value.trim();
      if (!text) throw Object.assign(new Error('Write something first.'), { field: '/body' });
      const isNote = Boolean(internal && internal.checked);
      await api('POST', `/requests/${r.id}/comments`, { body: text, internal: isNote });
      announce(isNote ? 'Internal note added.' : firstAnswer ? 'Comment posted: the request is answered.' : 'Comment posted.');
      pendingFocus = '#rq-comment-body';
      await ctx.rerender();
    });
    parts.push(form);
  } else if (side && r.status === 'closed') {
    parts.push(h('p', { class: 'muted' }, 'The request is closed: the conversation is over.'));
  }
  return h('section', { class: 'section rq-conversation', 'aria-labelledby': 'rq-convo-title' }, ...parts);
}

// ---------------------------------------------------------------------------
// The timeline

function statusWords(d) {
  return `from ${(STATUS_TEXT[d.from] || d.from || '?').toLowerCase()} to ${(STATUS_TEXT[d.to] || d.to || '?').toLowerCase()}`;
}

function eventText(info, e) {
  const { r, names } = info;
  const d = e.detail || {};
  const who = actorName(e);
  const person = (pid) => (pid ? names.get(pid) || `person ${pid}` : 'nobody');
  switch (e.kind) {
    case 'created':
      return [`${who} raised the request under version ${d.version}`, d.priority ? `, priority ${d.priority}` : '', '. First response due ', timeEl(d.response_due_at), ', resolution due ', timeEl(d.resolution_due_at), '.'];
    case 'assigned':
      if (!e.actor) return d.from ? [`Reassigned from ${person(d.from)} to ${person(d.assignee_id)} by the escalation.`] : [`Assigned to ${person(d.assignee_id)}.`];
      return [`${who} reassigned it${d.from ? ` from ${person(d.from)}` : ''} to ${person(d.assignee_id)}.`];
    case 'status': {
      const out = [];
      if (d.to === 'waiting_on_consumer') out.push(`${who} asked ${r.consumer.name} for an answer${d.missing_information ? ' (missing information)' : ''}: the resolution clock pauses.`);
      else if (d.from === 'waiting_on_consumer' && d.to === 'in_progress') out.push(`${who} ${info.consIds.has(e.actor && e.actor.id) ? 'answered' : 'resumed work'}: the resolution clock runs again.`);
      else if (d.to === 'in_progress') out.push(`${who} started work.`);
      else if (d.to === 'resolved') out.push(`${who} resolved it: the resolution clock stops.`);
      else if (d.to === 'reopened') out.push(`${who} reopened it: the resolution clock runs again.`);
      else if (d.to === 'closed') out.push(e.actor ? `${who} accepted and closed it.` : 'Closed automatically.');
      else out.push(`${who} moved it ${statusWords(d)}.`);
      if (d.reason && !(d.to === 'closed' && !e.actor)) out.push(' ', h('q', { class: 'rq-reason' }, d.reason));
      else if (d.reason) out.push(` ${d.reason[0].toUpperCase()}${d.reason.slice(1)}.`);
      if (d.resolution_due_at) out.push(' Resolution now due ', timeEl(d.resolution_due_at), '.');
      return out;
    }
    case 'comment':
      return [`${who} commented.`];
    case 'note':
      return [`${who} added an internal note.`];
    case 'escalated':
      return [
        `Escalation level ${d.level} fired`,
        d.percent !== undefined ? ` at ${d.percent}% of the ${d.clock === 'response' ? 'first-response' : 'resolution'} target` : '',
        d.manual ? `: ${who} escalated by hand.` : '.',
        !d.manual && d.due_at && d.due_at !== e.at ? [' It was due ', timeEl(d.due_at), '.'] : null,
      ];
    case 'due_changed':
      return [`Due instants moved${d.reason ? ` (${d.reason})` : ''}: first response now due `, timeEl(d.response_due_at), ', resolution ', timeEl(d.resolution_due_at), '.'];
    case 'imported':
      return [`Imported from another tool${d.external_ref ? `, external reference ${d.external_ref}` : ''}${d.line ? `, line ${d.line} of the file` : ''}${e.actor ? `, by ${who}` : d.via ? ` (${d.via})` : ''}.`];
    case 'priority':
      return [`Priority raised from ${d.from || 'none'} to ${d.to}. First response now due `, timeEl(d.response_due_at), ', resolution ', timeEl(d.resolution_due_at), '.'];
    default: {
      const extra = Object.entries(d)
        .map(([k, v]) => `${k.replace(/_/g, ' ')}: ${v === null ? '—' : typeof v === 'object' ? JSON.stringify(v) : v}`)
        .join('; ');
      return [`${who}: ${e.kind.replace(/_/g, ' ')}${extra ? ` (${extra})` : ''}.`];
    }
  }
}

function timeline(info, events) {
  return h(
    'section',
    { class: 'section', 'aria-labelledby': 'rq-timeline-title' },
    h('h2', { id: 'rq-timeline-title' }, 'Timeline', h('span', { class: 'muted rq-count' }, ` · ${plural(events.length, 'event')}`)),
    events.length
      ? h(
          'ol',
          { class: 'rq-timeline' },
          events.map((e) => h('li', { class: `rq-ev rq-ev-${e.kind}`, 'data-kind': e.kind }, h('span', { class: 'rq-ev-at' }, timeEl(e.at)), h('span', { class: 'rq-ev-what' }, eventText(info, e))))
        )
      : h('p', { class: 'muted' }, 'Nothing yet.')
  );
}
