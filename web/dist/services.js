// accord web UI: the service catalogue. Every provider department with its services, their
// point persons and deputies, and each service's active contracts with their terms in plain
// language; a service's page; adding, editing and retiring services (administrators and
// the provider department's head).
import { api, fetchAll, h, field, onSubmit, announce, table, timeEl, personSelect, idOrNull } from './api.js';
import { stateBadge, sideLabel, contractTitle, termsList } from './contracts.js';

export const routes = [
  { path: '/services', render: renderList },
  { path: '/services/:id', render: renderOne },
];

const isAdmin = (me) => me.role === 'admin';
const isHeadOf = (me, deptId) => me.role === 'head' && me.department && me.department.id === deptId;

// Whether me may add services (to some department) or change service s.
function mayEdit(me, s) {
  if (isAdmin(me)) return true;
  if (!s) return me.role === 'head' && Boolean(me.department);
  return isHeadOf(me, s.provider.id);
}

function mayStartContract(me) {
  return isAdmin(me) || me.role === 'head' || me.role === 'point_person';
}

function personRef(p) {
  return p ? h('a', { href: `#/people/${p.id}` }, p.name) : h('span', { class: 'muted' }, '—');
}

// One active contract of a service, with its terms; folded (a disclosure) when asked to be.
function contractBlock(c, headingLevel, folded) {
  const v = c.current;
  const since = v && v.activated_at ? [' · in force since ', timeEl(v.activated_at)] : null;
  const meta = [c.formal ? 'Formal' : 'Informal', `, version ${v ? v.number : c.active_version}`, since];
  if (folded) {
    return h(
      'details',
      { class: 'svc-contract', 'data-contract': String(c.id) },
      h('summary', null, h('span', { class: 'svc-contract-with' }, `With ${sideLabel(c.consumer)}`), h('span', { class: 'muted svc-contract-meta' }, ' · ', ...meta)),
      termsList(v),
      h('p', { class: 'svc-contract-link' }, h('a', { href: `#/contracts/${c.id}` }, `Contract page: ${contractTitle(c)}`))
    );
  }
  return h(
    'div',
    { class: 'svc-contract', 'data-contract': String(c.id) },
    h(
      headingLevel,
      { class: 'svc-contract-head' },
      h('a', { href: `#/contracts/${c.id}` }, `With ${sideLabel(c.consumer)}`),
      c.provider.person ? h('span', { class: 'muted' }, ` (provided by ${c.provider.person.name})`) : null
    ),
    h('p', { class: 'svc-contract-meta muted' }, ...meta),
    termsList(v)
  );
}

function serviceCard(s, contracts) {
  const mine = contracts.filter((c) => c.service.id === s.id && c.current && c.current.state === 'active');
  return h(
    'article',
    { class: 'card svc-card', 'aria-labelledby': `svc-${s.id}-title`, 'data-service': String(s.id) },
    h('h3', { id: `svc-${s.id}-title` }, h('a', { href: `#/services/${s.id}` }, s.name), s.active ? null : h('span', { class: 'badge badge-off' }, 'Retired')),
    s.description ? h('p', { class: 'svc-desc' }, s.description) : null,
    h(
      'dl',
      { class: 'svc-facts' },
      h('dt', null, 'Point person'),
      h('dd', null, personRef(s.point_person)),
      h('dt', null, 'Deputy'),
      h('dd', null, personRef(s.deputy)),
      s.process ? [h('dt', null, 'Process'), h('dd', null, s.process)] : null,
      s.outcome ? [h('dt', null, 'Serves customers by'), h('dd', null, s.outcome)] : null
    ),
    h('h4', { class: 'svc-sub' }, `Contracts in force (${mine.length})`),
    mine.length
      ? h('div', { class: 'svc-contracts' }, mine.map((c) => contractBlock(c, 'h5', mine.length > 2)))
      : h('p', { class: 'muted' }, s.active ? 'No contract in force yet.' : 'Retired: takes no new contracts.')
  );
}

// ---------------------------------------------------------------------------
// The catalogue

async function renderList(ctx) {
  const { me, main, query } = ctx;
  ctx.setTitle('Service catalogue');
  const provider = query.get('provider') || '';
  const withRetired = query.get('retired') === '1';
  const [departments, services, contracts] = await Promise.all([
    fetchAll('/departments'),
    fetchAll('/services', { provider, active: withRetired ? '' : 'true' }),
    fetchAll('/contracts', { state: 'active', expand: 'current', provider }),
  ]);
  if (ctx.stale()) return;

  const depSel = h('select', { name: 'provider' }, h('option', { value: '' }, 'All departments'));
  for (const d of departments) depSel.appendChild(h('option', { value: String(d.id), selected: provider === String(d.id) }, d.name));
  const retired = h('input', { type: 'checkbox', name: 'retired', checked: withRetired });
  const filters = h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Filter the catalogue' },
    field('Provider department', depSel),
    field('Show retired services', retired),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Apply filters'), h('a', { href: '#/services', class: 'button-link' }, 'Clear'))
  );
  onSubmit(filters, async () => {
    const target = ctx.link('/services', { provider: depSel.value, retired: retired.checked ? '1' : '' });
    if (window.location.hash === target) await ctx.rerender();
    else window.location.hash = target;
  });

  const groups = [];
  for (const d of departments) {
    const list = services.filter((s) => s.provider.id === d.id);
    if (!list.length) continue;
    groups.push(
      h(
        'section',
        { class: 'section svc-dept', 'aria-labelledby': `svc-dept-${d.id}` },
        h('h2', { id: `svc-dept-${d.id}` }, h('a', { href: `#/departments/${d.id}` }, d.name), h('span', { class: 'muted svc-count' }, ` · ${list.length} service${list.length === 1 ? '' : 's'}`)),
        d.head ? h('p', { class: 'muted svc-head' }, `Head: ${d.head.name}`) : null,
        h('div', { class: 'svc-grid' }, list.map((s) => serviceCard(s, contracts)))
      )
    );
  }
  const total = services.length;
  const parts = [
    h('div', { class: 'page-head' }, h('h1', null, 'Service catalogue'), mayStartContract(me) ? h('a', { href: '#/contracts/new', class: 'button-link' }, 'New contract') : null),
    h(
      'p',
      { class: 'lead' },
      'What each department provides to the others, who answers a request (the point person; the deputy when the point person is away) and what has been agreed, in plain language.'
    ),
    filters,
    h('p', { class: 'muted' }, `${total} service${total === 1 ? '' : 's'} from ${groups.length} department${groups.length === 1 ? '' : 's'}.`),
    ...(groups.length ? groups : [h('p', { class: 'muted' }, 'No services yet.')]),
  ];
  if (mayEdit(me, null)) parts.push(h('section', { class: 'section' }, await addForm(ctx, departments)));
  if (ctx.stale()) return;
  main.replaceChildren(...parts);
}

async function addForm(ctx, departments) {
  const { me } = ctx;
  const admin = isAdmin(me);
  const deps = admin ? departments.filter((d) => d.active !== false) : departments.filter((d) => isHeadOf(me, d.id));
  const dep = h('select', { name: 'provider_id', required: true });
  if (admin) dep.appendChild(h('option', { value: '' }, 'Choose a department'));
  for (const d of deps) dep.appendChild(h('option', { value: String(d.id) }, d.name));
  if (!admin) dep.disabled = deps.length <= 1;
  const name = h('input', { name: 'name', type: 'text', required: true, maxlength: '120', autocomplete: 'off' });
  const description = h('textarea', { name: 'description', rows: '2', maxlength: '2000' });
  const process = h('input', { name: 'process', type: 'text', maxlength: '2000', autocomplete: 'off' });
  const outcome = h('input', { name: 'outcome', type: 'text', maxlength: '2000', autocomplete: 'off' });
  const pointBox = h('div', { class: 'field-slot' });
  const deputyBox = h('div', { class: 'field-slot' });
  async function drawPeople() {
    const id = idOrNull(dep.value);
    const people = id ? await fetchAll('/people', { department: id, active: 'true' }) : [];
    pointBox.replaceChildren(field('Point person', personSelect('point_person_id', people, null, people.length ? 'Choose a person' : 'Choose the department first'), 'Requests to the service go to this person.'));
    deputyBox.replaceChildren(field('Deputy (optional)', personSelect('deputy_id', people, null), 'Takes requests when the point person is inactive.'));
  }
  dep.addEventListener('change', drawPeople);
  await drawPeople();
  const form = h(
    'form',
    { class: 'card form-grid', novalidate: true, 'aria-labelledby': 'add-svc-title', 'data-inline-errors': true },
    h('h2', { id: 'add-svc-title' }, 'Add service'),
    admin ? null : h('p', { class: 'hint wide' }, `As head of ${me.department.name} you add services that your department provides.`),
    field('Provider department', dep),
    field('Name', name),
    h('div', { class: 'wide' }, field('Description', description)),
    field('Business process it serves', process, 'e.g. Order to cash'),
    field('External-customer outcome it serves', outcome, 'e.g. New customers can order without waiting'),
    pointBox,
    deputyBox,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Add service'))
  );
  onSubmit(form, async () => {
    const body = {
      provider_id: idOrNull(dep.value),
      name: name.value.trim(),
      description: description.value.trim(),
      process: process.value.trim(),
      outcome: outcome.value.trim(),
      point_person_id: idOrNull(form.elements.point_person_id.value),
    };
    const dp = idOrNull(form.elements.deputy_id.value);
    if (dp !== null) body.deputy_id = dp;
    const s = await api('POST', '/services', body);
    announce(`Service “${s.name}” added to ${s.provider.name}.`);
    window.location.assign(`#/services/${s.id}`);
  });
  return form;
}

// ---------------------------------------------------------------------------
// A service's page

async function renderOne(ctx) {
  const { me, main, params } = ctx;
  const s = await api('GET', `/services/${encodeURIComponent(params.id)}`);
  if (ctx.stale()) return;
  ctx.setTitle(s.name);
  const edit = mayEdit(me, s);
  const [contracts, people] = await Promise.all([
    fetchAll('/contracts', { service: s.id, expand: 'current' }),
    edit ? fetchAll('/people', { department: s.provider.id, active: 'true' }) : Promise.resolve([]),
  ]);
  if (ctx.stale()) return;
  const active = contracts.filter((c) => c.current && c.current.state === 'active');

  const parts = [
    h('p', { class: 'crumbs' }, h('a', { href: '#/services' }, 'Service catalogue'), ' / ', s.name),
    h('div', { class: 'page-head' }, h('h1', null, s.name), s.active ? null : h('span', { class: 'badge badge-off' }, 'Retired')),
    s.description ? h('p', { class: 'lead' }, s.description) : null,
    h(
      'dl',
      { class: 'details' },
      h('dt', null, 'Provider'),
      h('dd', null, h('a', { href: `#/departments/${s.provider.id}` }, s.provider.name)),
      h('dt', null, 'Point person'),
      h('dd', null, personRef(s.point_person)),
      h('dt', null, 'Deputy'),
      h('dd', null, personRef(s.deputy)),
      h('dt', null, 'Business process'),
      h('dd', null, s.process || h('span', { class: 'muted' }, '—')),
      h('dt', null, 'External-customer outcome'),
      h('dd', null, s.outcome || h('span', { class: 'muted' }, '—'), s.outcome_series ? null : h('span', { class: 'hint' }, ' (not yet linked to an outcome series)')),
      h('dt', null, 'Active'),
      h('dd', null, s.active ? 'Yes' : 'No, retired'),
      h('dt', null, 'Updated'),
      h('dd', null, timeEl(s.updated_at))
    ),
  ];

  parts.push(
    h(
      'section',
      { class: 'section', 'aria-labelledby': 'svc-active-title' },
      h('h2', { id: 'svc-active-title' }, `Contracts in force (${active.length})`),
      active.length ? h('div', { class: 'svc-contracts' }, active.map((c) => contractBlock(c, 'h3'))) : h('p', { class: 'muted' }, 'No contract in force yet.')
    )
  );
  parts.push(
    h(
      'section',
      { class: 'section', 'aria-labelledby': 'svc-all-title' },
      h('div', { class: 'page-head' }, h('h2', { id: 'svc-all-title' }, 'All contracts you can see'), s.active && mayStartContract(me) ? h('a', { href: ctx.link('/contracts/new', { service: s.id }), class: 'button-link' }, 'New contract for this service') : null),
      table(
        `Contracts of ${s.name} (${contracts.length})`,
        ['Contract', 'Consumer', 'Kind', 'State', 'Shown version'],
        contracts.map((c) => [
          h('a', { href: `#/contracts/${c.id}` }, contractTitle(c)),
          sideLabel(c.consumer),
          c.formal ? 'Formal' : 'Informal',
          stateBadge(c.state),
          c.current ? h('span', null, `version ${c.current.number} `, stateBadge(c.current.state)) : '—',
        ]),
        'No contracts yet.'
      )
    )
  );

  if (edit) {
    parts.push(h('section', { class: 'section' }, editForm(ctx, s, people)));
    parts.push(h('section', { class: 'section' }, retireBox(ctx, s, active.length)));
  }
  if (isAdmin(me)) parts.push(h('p', null, h('a', { href: ctx.link('/audit', { entity: 'service', entity_id: s.id }) }, 'Audit history of this service')));
  main.replaceChildren(...parts);
}

function editForm(ctx, s, people) {
  const name = h('input', { name: 'name', type: 'text', required: true, maxlength: '120', autocomplete: 'off', value: s.name });
  const description = h('textarea', { name: 'description', rows: '2', maxlength: '2000' });
  description.value = s.description || '';
  const process = h('input', { name: 'process', type: 'text', maxlength: '2000', autocomplete: 'off', value: s.process || '' });
  const outcome = h('input', { name: 'outcome', type: 'text', maxlength: '2000', autocomplete: 'off', value: s.outcome || '' });
  const point = personSelect('point_person_id', people, s.point_person, 'Choose a person');
  const deputy = personSelect('deputy_id', people, s.deputy);
  const form = h(
    'form',
    { class: 'card form-grid', novalidate: true, 'aria-labelledby': 'edit-svc-title', 'data-inline-errors': true },
    h('h2', { id: 'edit-svc-title' }, 'Edit service'),
    field('Name', name),
    h('div', { class: 'wide' }, field('Description', description)),
    field('Business process it serves', process),
    field('External-customer outcome it serves', outcome),
    field('Point person', point, `Chosen from the people of ${s.provider.name}.`),
    field('Deputy', deputy),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save changes'))
  );
  onSubmit(form, async () => {
    const body = {};
    const text = { name, description, process, outcome };
    for (const [k, el] of Object.entries(text)) if (el.value.trim() !== (s[k] || '')) body[k] = el.value.trim();
    const pp = idOrNull(point.value);
    if (pp !== (s.point_person ? s.point_person.id : null)) body.point_person_id = pp;
    const dp = idOrNull(deputy.value);
    if (dp !== (s.deputy ? s.deputy.id : null)) body.deputy_id = dp;
    if (!Object.keys(body).length) {
      announce('Nothing to save: no field was changed.');
      return;
    }
    const ns = await api('PATCH', `/services/${s.id}`, body);
    announce(`Service “${ns.name}” saved.`);
    await ctx.rerender();
  });
  return form;
}

function retireBox(ctx, s, activeCount) {
  const form = h(
    'form',
    { class: 'card danger-zone', novalidate: true, 'aria-labelledby': 'retire-svc-title' },
    h('h2', { id: 'retire-svc-title' }, s.active ? 'Retire service' : 'Bring the service back'),
    h(
      'p',
      null,
      s.active
        ? activeCount
          ? `A service with contracts in force cannot be retired: retire its ${activeCount} active contract version${activeCount === 1 ? '' : 's'} first.`
          : 'A retired service stays in the catalogue’s history but takes no new contracts.'
        : 'The service takes contracts again.'
    ),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: s.active ? 'danger' : 'primary' }, s.active ? `Retire “${s.name}”` : `Bring “${s.name}” back`))
  );
  onSubmit(form, async () => {
    if (s.active && !window.confirm(`Retire the service “${s.name}”?`)) return;
    const ns = await api('PATCH', `/services/${s.id}`, { active: !s.active });
    announce(ns.active ? `Service “${ns.name}” is active again.` : `Service “${ns.name}” retired.`);
    await ctx.rerender();
  });
  return form;
}
