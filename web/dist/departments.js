// accord web UI: the departments list, the "Add department" form and a department's page.
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
  personSelect,
  idOrNull,
} from './api.js';

export const routes = [
  { path: '/departments', render: renderList },
  { path: '/departments/:id', render: renderOne },
];

const isAdmin = (me) => me.role === 'admin';

// Heads of a department (and administrators) may change its point person and deputy.
function canManage(me, d) {
  if (isAdmin(me)) return true;
  if (d.head && d.head.id === me.id) return true;
  return me.role === 'head' && me.department && me.department.id === d.id;
}

function deptTable(items) {
  return table(
    `Departments (${items.length})`,
    ['Name', 'Head', 'Default point person', 'Deputy', 'Members', 'Active'],
    items.map((d) => [
      h('a', { href: `#/departments/${d.id}` }, d.name),
      ref(d.head, '#/people/'),
      ref(d.point_person, '#/people/'),
      ref(d.deputy, '#/people/'),
      h('span', { class: 'num' }, String(d.member_count ?? 0)),
      yesNo(d.active),
    ]),
    'No departments yet.'
  );
}

async function renderList(ctx) {
  const { me, main } = ctx;
  ctx.setTitle('Departments');
  const [items, people] = await Promise.all([
    fetchAll('/departments'),
    isAdmin(me) ? fetchAll('/people', { active: 'true' }) : Promise.resolve([]),
  ]);
  if (ctx.stale()) return;

  const listBox = h('div', { id: 'departments-table' }, deptTable(items));
  const parts = [
    h('div', { class: 'page-head' }, h('h1', null, 'Departments')),
    h('p', { class: 'lead' }, 'The units of the organisation, each with a head, a default point person and a deputy.'),
    listBox,
  ];

  if (isAdmin(me)) {
    const name = h('input', { name: 'name', type: 'text', required: true, maxlength: '200', autocomplete: 'off' });
    const form = h(
      'form',
      { class: 'card form-grid', novalidate: true, 'aria-labelledby': 'add-dept-title' },
      h('h2', { id: 'add-dept-title' }, 'Add department'),
      field('Name', name),
      field('Head (optional)', personSelect('head_id', people, null)),
      field('Default point person (optional)', personSelect('point_person_id', people, null)),
      field('Deputy (optional)', personSelect('deputy_id', people, null)),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Add department'))
    );
    onSubmit(form, async () => {
      const body = { name: name.value.trim() };
      for (const k of ['head_id', 'point_person_id', 'deputy_id']) {
        const v = idOrNull(form.elements[k].value);
        if (v !== null) body[k] = v;
      }
      const d = await api('POST', '/departments', body);
      const fresh = await fetchAll('/departments');
      listBox.replaceChildren(deptTable(fresh));
      form.reset();
      announce(`Department “${d.name}” added.`);
      name.focus();
    });
    parts.push(h('section', { class: 'section' }, form));
  }
  main.replaceChildren(...parts);
}

async function renderOne(ctx) {
  const { me, main, params } = ctx;
  const id = params.id;
  const d = await api('GET', `/departments/${encodeURIComponent(id)}`);
  if (ctx.stale()) return;
  ctx.setTitle(d.name);
  const manage = canManage(me, d);
  const [members, everyone] = await Promise.all([
    fetchAll('/people', { department: d.id }),
    manage && isAdmin(me) ? fetchAll('/people', { active: 'true' }) : Promise.resolve(null),
  ]);
  if (ctx.stale()) return;

  const parts = [
    h('p', { class: 'crumbs' }, h('a', { href: '#/departments' }, 'Departments'), ' / ', d.name),
    h('div', { class: 'page-head' }, h('h1', null, d.name, d.active ? null : h('span', { class: 'badge badge-off' }, 'Inactive'))),
    h(
      'dl',
      { class: 'details' },
      h('dt', null, 'Head'),
      h('dd', null, ref(d.head, '#/people/')),
      h('dt', null, 'Default point person'),
      h('dd', null, ref(d.point_person, '#/people/')),
      h('dt', null, 'Deputy'),
      h('dd', null, ref(d.deputy, '#/people/')),
      h('dt', null, 'Members'),
      h('dd', null, String(d.member_count ?? members.length)),
      h('dt', null, 'Active'),
      h('dd', null, d.active ? 'Yes' : 'No'),
      h('dt', null, 'Created'),
      h('dd', null, timeEl(d.created_at)),
      h('dt', null, 'Updated'),
      h('dd', null, timeEl(d.updated_at))
    ),
  ];

  parts.push(
    h(
      'section',
      { class: 'section', 'aria-labelledby': 'dept-people-title' },
      h('h2', { id: 'dept-people-title' }, 'People'),
      table(
        `People in ${d.name} (${members.length})`,
        ['Name', 'E-mail', 'Role', 'Active'],
        members.map((p) => [h('a', { href: `#/people/${p.id}` }, p.name), p.email, roleLabel(p.role), yesNo(p.active)]),
        'Nobody belongs to this department yet.'
      ),
      h('p', null, h('a', { href: ctx.link('/people', { department: d.id }) }, `Filter the people list by ${d.name}`))
    )
  );

  if (manage) parts.push(h('section', { class: 'section' }, editForm(ctx, d, members, everyone)));
  if (isAdmin(me)) {
    parts.push(h('p', null, h('a', { href: ctx.link('/audit', { entity: 'department', entity_id: d.id }) }, 'Audit history of this department')));
  }
  main.replaceChildren(...parts);
}

function editForm(ctx, d, members, everyone) {
  const admin = isAdmin(ctx.me);
  const activeMembers = members.filter((p) => p.active);
  const controls = [];
  let name = null;
  let active = null;
  if (admin) {
    name = h('input', { name: 'name', type: 'text', required: true, maxlength: '200', value: d.name, autocomplete: 'off' });
    controls.push(field('Name', name));
    controls.push(field('Head', personSelect('head_id', everyone || [], d.head)));
  }
  controls.push(
    field('Default point person', personSelect('point_person_id', activeMembers, d.point_person), 'Chosen from the people of this department.')
  );
  controls.push(field('Deputy', personSelect('deputy_id', activeMembers, d.deputy)));
  if (admin) {
    active = h('input', { name: 'active', type: 'checkbox', checked: d.active });
    controls.push(field('Active', active, 'Clear to deactivate the department; its history is kept.'));
  }
  const form = h(
    'form',
    { class: 'card form-grid', novalidate: true, 'aria-labelledby': 'edit-dept-title' },
    h('h2', { id: 'edit-dept-title' }, 'Edit department'),
    ...controls,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save changes'))
  );
  onSubmit(form, async () => {
    const body = {};
    if (name && name.value.trim() !== d.name) body.name = name.value.trim();
    const cur = { head_id: d.head, point_person_id: d.point_person, deputy_id: d.deputy };
    for (const k of ['head_id', 'point_person_id', 'deputy_id']) {
      const el = form.elements[k];
      if (!el) continue;
      const v = idOrNull(el.value);
      const was = cur[k] ? cur[k].id : null;
      if (v !== was) body[k] = v;
    }
    if (active && active.checked !== d.active) body.active = active.checked;
    if (!Object.keys(body).length) {
      announce('Nothing to save: no field was changed.');
      return;
    }
    const nd = await api('PATCH', `/departments/${d.id}`, body);
    announce(`Department “${nd.name}” saved.`);
    await ctx.rerender();
  });
  return form;
}
