// accord web UI: the people list (filters, cursor pagination, "Add person") and a
// person's page with the edit form.
import {
  api,
  fetchAll,
  h,
  field,
  onSubmit,
  announce,
  table,
  ref,
  yesNo,
  timeEl,
  roleLabel,
  idOrNull,
} from './api.js';

export const routes = [
  { path: '/people', render: renderList },
  { path: '/people/:id', render: renderOne },
];

const PAGE_SIZE = 50;
const isAdmin = (me) => me.role === 'admin';
const isHead = (me) => me.role === 'head' && me.department;

// Roles a person may give: administrators any, heads the roles below their own.
function assignableRoles(me) {
  if (isAdmin(me)) return ['member', 'point_person', 'head', 'admin'];
  return ['member', 'point_person'];
}

// Departments a person may put people in: administrators any active one, heads their own.
function assignableDepartments(me, departments) {
  if (isAdmin(me)) return departments.filter((d) => d.active);
  return departments.filter((d) => me.department && d.id === me.department.id);
}

function canEditPerson(me, p) {
  if (isAdmin(me)) return true;
  return isHead(me) && p.department && p.department.id === me.department.id && p.role !== 'admin';
}

function roleSelect(me, current) {
  const sel = h('select', { name: 'role', required: true });
  const roles = assignableRoles(me);
  if (current && !roles.includes(current)) roles.push(current);
  for (const r of roles) sel.appendChild(h('option', { value: r, selected: r === (current || 'member') }, roleLabel(r)));
  return sel;
}

function departmentSelect(name, departments, currentId, opts) {
  const sel = h('select', { name, required: opts && opts.required });
  if (opts && opts.anyLabel) sel.appendChild(h('option', { value: '' }, opts.anyLabel));
  for (const d of departments) {
    sel.appendChild(
      h('option', { value: String(d.id), selected: currentId !== null && currentId !== undefined && String(d.id) === String(currentId) }, d.active === false ? `${d.name} (inactive)` : d.name)
    );
  }
  return sel;
}

function peopleRows(items) {
  return items.map((p) => [
    h('a', { href: `#/people/${p.id}` }, p.name),
    p.email,
    ref(p.department, '#/departments/'),
    roleLabel(p.role),
    yesNo(p.active),
  ]);
}

async function renderList(ctx) {
  const { me, main, query } = ctx;
  ctx.setTitle('People');
  const filters = {
    department: query.get('department') || '',
    active: query.has('active') ? query.get('active') : 'true',
    q: query.get('q') || '',
    limit: query.get('limit') || '',
  };
  const cursor = query.get('cursor') || '';
  const wanted = Number(query.get('limit'));
  const limit = Number.isInteger(wanted) && wanted >= 1 && wanted <= 200 ? wanted : PAGE_SIZE;
  const [departments, page] = await Promise.all([
    fetchAll('/departments'),
    api('GET', '/people', null, {
      department: filters.department,
      active: filters.active === 'all' ? '' : filters.active,
      q: filters.q,
      limit,
      cursor,
    }),
  ]);
  if (ctx.stale()) return;

  // Filters: a GET-like form whose values go into the address, so Back and bookmarks work.
  const depSel = departmentSelect('department', departments, filters.department, { anyLabel: 'All departments' });
  const actSel = h(
    'select',
    { name: 'active' },
    h('option', { value: 'true', selected: filters.active === 'true' }, 'Active'),
    h('option', { value: 'false', selected: filters.active === 'false' }, 'Inactive'),
    h('option', { value: 'all', selected: filters.active === 'all' }, 'Active and inactive')
  );
  const qIn = h('input', { name: 'q', type: 'search', value: filters.q, autocomplete: 'off' });
  const filterForm = h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Filter people' },
    field('Department', depSel),
    field('Status', actSel),
    field('Search name or e-mail', qIn),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit' }, 'Apply filters'),
      h('a', { href: '#/people', class: 'button-link' }, 'Clear')
    )
  );
  onSubmit(filterForm, async () => {
    const target = ctx.link('/people', {
      department: depSel.value,
      active: actSel.value === 'true' ? '' : actSel.value,
      q: qIn.value.trim(),
    });
    if (window.location.hash === target) await ctx.rerender();
    else window.location.hash = target;
  });

  const items = page.items || [];
  const depName = filters.department && (departments.find((d) => String(d.id) === filters.department) || {}).name;
  const desc = [
    filters.active === 'true' ? 'active' : filters.active === 'false' ? 'inactive' : 'all',
    depName ? `in ${depName}` : null,
    filters.q ? `matching “${filters.q}”` : null,
  ]
    .filter(Boolean)
    .join(' ');
  const tbl = table(`People: ${desc}${cursor ? ' (continued)' : ''}, ${items.length} shown`, ['Name', 'E-mail', 'Department', 'Role', 'Active'], peopleRows(items), 'No people match these filters.');
  tbl.id = 'people-table';

  const pager = h('nav', { class: 'pager', 'aria-label': 'People pages' });
  if (cursor) pager.appendChild(h('a', { href: ctx.link('/people', { ...linkFilters(filters) }), class: 'button-link' }, 'First page'));
  if (page.next_cursor) {
    pager.appendChild(h('a', { href: ctx.link('/people', { ...linkFilters(filters), cursor: page.next_cursor }), class: 'button-link', rel: 'next' }, 'Next page'));
  }

  const parts = [
    h('div', { class: 'page-head' }, h('h1', null, 'People')),
    filterForm,
    tbl,
    pager.childNodes.length ? pager : null,
  ];

  if (isAdmin(me) || isHead(me)) parts.push(h('section', { class: 'section' }, addForm(ctx, departments)));
  main.replaceChildren(...parts.filter(Boolean));
}

function linkFilters(f) {
  return { department: f.department, active: f.active === 'true' ? '' : f.active, q: f.q, limit: f.limit };
}

function addForm(ctx, departments) {
  const { me } = ctx;
  const deps = assignableDepartments(me, departments);
  const name = h('input', { name: 'name', type: 'text', required: true, maxlength: '200', autocomplete: 'off' });
  const email = h('input', { name: 'email', type: 'email', required: true, maxlength: '254', autocomplete: 'off', spellcheck: 'false' });
  const dep = departmentSelect('department_id', deps, isAdmin(me) ? null : me.department.id, {
    required: true,
    anyLabel: isAdmin(me) ? 'Choose a department' : null,
  });
  const role = roleSelect(me, 'member');
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'new-password' });
  const form = h(
    'form',
    { class: 'card form-grid', novalidate: true, 'aria-labelledby': 'add-person-title' },
    h('h2', { id: 'add-person-title' }, 'Add person'),
    isAdmin(me) ? null : h('p', { class: 'hint wide' }, `As head of ${me.department.name} you can add people to your own department.`),
    field('Name', name),
    field('E-mail', email),
    field('Department', dep),
    field('Role', role),
    field('Initial password', password, 'Optional; at least 8 characters. Share it with the person privately.'),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Add person'))
  );
  onSubmit(form, async () => {
    const body = {
      name: name.value.trim(),
      email: email.value.trim(),
      department_id: idOrNull(dep.value),
      role: role.value,
    };
    if (password.value) body.password = password.value;
    const p = await api('POST', '/people', body);
    form.reset();
    announce(`${p.name} added.`);
    await ctx.rerender();
  });
  return form;
}

async function renderOne(ctx) {
  const { me, main, params } = ctx;
  const p = await api('GET', `/people/${encodeURIComponent(params.id)}`);
  if (ctx.stale()) return;
  ctx.setTitle(p.name);
  const editable = canEditPerson(me, p);
  const departments = editable ? await fetchAll('/departments') : [];
  if (ctx.stale()) return;

  const parts = [
    h('p', { class: 'crumbs' }, h('a', { href: '#/people' }, 'People'), ' / ', p.name),
    h('div', { class: 'page-head' }, h('h1', null, p.name, p.active ? null : h('span', { class: 'badge badge-off' }, 'Inactive'))),
    h(
      'dl',
      { class: 'details' },
      h('dt', null, 'E-mail'),
      h('dd', null, h('a', { href: `mailto:${p.email}` }, p.email)),
      h('dt', null, 'Department'),
      h('dd', null, ref(p.department, '#/departments/')),
      h('dt', null, 'Role'),
      h('dd', null, roleLabel(p.role)),
      h('dt', null, 'Active'),
      h('dd', null, p.active ? 'Yes' : 'No'),
      h('dt', null, 'Created'),
      h('dd', null, timeEl(p.created_at)),
      h('dt', null, 'Updated'),
      h('dd', null, timeEl(p.updated_at))
    ),
  ];
  if (editable) parts.push(h('section', { class: 'section' }, editForm(ctx, p, departments)));
  if (isAdmin(me)) {
    parts.push(h('p', null, h('a', { href: ctx.link('/audit', { entity: 'person', entity_id: p.id }) }, 'Audit history of this person')));
  }
  main.replaceChildren(...parts);
}

function editForm(ctx, p, departments) {
  const { me } = ctx;
  const admin = isAdmin(me);
  let deps = assignableDepartments(me, departments);
  if (p.department && !deps.some((d) => d.id === p.department.id)) deps = [...deps, p.department];
  const name = h('input', { name: 'name', type: 'text', required: true, maxlength: '200', value: p.name, autocomplete: 'off' });
  const email = h('input', { name: 'email', type: 'email', required: true, maxlength: '254', value: p.email, autocomplete: 'off', spellcheck: 'false' });
  const dep = departmentSelect('department_id', deps, p.department ? p.department.id : null, { required: true, anyLabel: p.department ? null : '— none —' });
  const role = roleSelect(me, p.role);
  const active = h('input', { name: 'active', type: 'checkbox', checked: p.active });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'new-password' });
  const self = p.id === me.id;
  const form = h(
    'form',
    { class: 'card form-grid', novalidate: true, 'aria-labelledby': 'edit-person-title' },
    h('h2', { id: 'edit-person-title' }, 'Edit person'),
    field('Name', name),
    field('E-mail', email),
    field('Department', dep),
    field('Role', role),
    field('New password', password, 'At least 8 characters. Leave empty to keep the current password.'),
    field('Active', active, self ? 'You cannot deactivate yourself here.' : 'Clear to deactivate: the person can no longer sign in; their history is kept.'),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save changes'))
  );
  if (self) active.disabled = true;
  if (!admin && deps.length <= 1) dep.disabled = true;
  onSubmit(form, async () => {
    const body = {};
    if (name.value.trim() !== p.name) body.name = name.value.trim();
    if (email.value.trim() !== p.email) body.email = email.value.trim();
    const depId = idOrNull(dep.value);
    if (!dep.disabled && depId !== (p.department ? p.department.id : null)) body.department_id = depId;
    if (role.value !== p.role) body.role = role.value;
    if (!active.disabled && active.checked !== p.active) body.active = active.checked;
    if (password.value) body.password = password.value;
    if (!Object.keys(body).length) {
      announce('Nothing to save: no field was changed.');
      return;
    }
    const np = await api('PATCH', `/people/${p.id}`, body);
    announce(`${np.name} saved.`);
    await ctx.rerender();
  });
  return form;
}
