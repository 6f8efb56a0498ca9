// accord web UI: escalation policies. The list with each department's default policy (which
// administrators and a department's head may change), a policy's page, and the levels editor
// for adding and editing policies. Also the helpers that describe levels in words, which the
// contract page uses.
import { api, fetchAll, h, field, onSubmit, announce, table, timeEl, uid, idOrNull } from './api.js';

export const routes = [
  { path: '/escalation', render: renderList },
  { path: '/escalation/:id', render: renderOne },
];

const isAdmin = (me) => me.role === 'admin';
const headOf = (me, deptId) => me.role === 'head' && me.department && me.department.id === deptId;

export const NOTIFY = [
  ['point_person', 'the point person'],
  ['deputy', 'the deputy'],
  ['provider_head', 'the provider’s head'],
  ['consumer_head', 'the consumer’s head'],
];
const NOTIFY_LABEL = Object.fromEntries(NOTIFY);
const CLOCKS = [
  ['response', 'first response'],
  ['resolution', 'resolution'],
];
const REASSIGN = [
  ['', 'No reassignment'],
  ['deputy', 'Reassign to the deputy'],
  ['provider_head', 'Reassign to the provider’s head'],
];

// 90 -> "90 business minutes (1 h 30 min)"; 240 -> "240 business minutes (4 h)".
export function fmtMinutes(n) {
  const m = Number(n);
  if (!Number.isFinite(m)) return String(n ?? '—');
  if (m < 60) return `${m} business minute${m === 1 ? '' : 's'}`;
  const hrs = Math.floor(m / 60);
  const mm = Math.round(m % 60);
  return `${m} business minutes (${hrs} h${mm ? ` ${mm} min` : ''})`;
}

function joinWords(xs) {
  if (xs.length <= 1) return xs.join('');
  return `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;
}

export function notifyText(l) {
  const who = (l.notify || []).map((n) => NOTIFY_LABEL[n] || n);
  for (const p of l.people || []) who.push(p.name);
  return who.length ? joinWords(who) : 'nobody';
}

// "at 150% of the resolution target (12 h)" when the clock targets are known.
export function whenText(l, clocks) {
  const clock = l.clock === 'response' ? 'first-response' : 'resolution';
  let s = `At ${l.percent}% of the ${clock} target`;
  const base = clocks ? (l.clock === 'response' ? clocks.response : clocks.resolution) : null;
  if (base !== null && base !== undefined && Number.isFinite(Number(base))) {
    s += `, after ${fmtMinutes(Math.round((Number(base) * l.percent) / 100))}`;
  }
  return s;
}

export function thenText(l) {
  const out = [];
  if (l.raise_priority) out.push('raise the priority');
  if (l.reassign === 'deputy') out.push('reassign to the deputy');
  if (l.reassign === 'provider_head') out.push('reassign to the provider’s head');
  return out.length ? out.join('; ') : '—';
}

// The levels of a policy as a table; clocks {response, resolution} in business minutes.
export function levelsTable(caption, levels, clocks) {
  return table(
    caption,
    ['Level', 'When', 'Notifies', 'Also'],
    (levels || []).map((l, i) => [String(l.level || i + 1), whenText(l, clocks), notifyText(l), thenText(l)]),
    'No levels.'
  );
}

function levelsSummary(levels) {
  return (levels || []).map((l, i) => `${i + 1}. ${l.percent}% of ${l.clock}: ${notifyText(l)}`).join('; ');
}

export function ownerName(p) {
  return p.department ? p.department.name : 'Organisation-wide';
}

// Whether me may change policy p (or, with p null, create one).
function mayManage(me, p) {
  if (isAdmin(me)) return true;
  if (!p) return me.role === 'head' && Boolean(me.department);
  return Boolean(p.department) && headOf(me, p.department.id);
}

// ---------------------------------------------------------------------------
// The list page

async function renderList(ctx) {
  const { me, main } = ctx;
  ctx.setTitle('Escalation');
  const [policies, departments] = await Promise.all([fetchAll('/escalation-policies'), fetchAll('/departments')]);
  if (ctx.stale()) return;
  const active = departments.filter((d) => d.active !== false);
  const defaults = await Promise.all(
    active.map((d) => api('GET', `/departments/${d.id}/escalation-policy`).then((r) => r.policy, () => null))
  );
  if (ctx.stale()) return;

  const usedBy = new Map();
  active.forEach((d, i) => {
    const p = defaults[i];
    if (!p) return;
    if (!usedBy.has(p.id)) usedBy.set(p.id, []);
    usedBy.get(p.id).push(d.name);
  });

  const parts = [
    h('div', { class: 'page-head' }, h('h1', null, 'Escalation')),
    h(
      'p',
      { class: 'lead' },
      'What happens when a request runs late: ordered levels at a percentage of the first-response or resolution target, each notifying people and optionally raising the priority or reassigning. A department’s default applies to its contracts unless a contract names its own policy.'
    ),
    table(
      `Escalation policies (${policies.length})`,
      ['Name', 'Owner', 'Levels', 'Default of'],
      policies.map((p) => [
        h('a', { href: `#/escalation/${p.id}` }, p.name),
        ownerName(p),
        levelsSummary(p.levels),
        (usedBy.get(p.id) || []).join(', ') || h('span', { class: 'muted' }, '—'),
      ]),
      'No escalation policies yet.'
    ),
  ];

  const rows = active.map((d, i) => {
    const p = defaults[i];
    const cur = p ? h('a', { href: `#/escalation/${p.id}` }, p.name) : h('span', { class: 'muted' }, 'None: requests do not escalate');
    const cells = [h('a', { href: `#/departments/${d.id}` }, d.name), cur];
    if (isAdmin(me) || headOf(me, d.id)) cells.push(defaultForm(ctx, d, p, policies));
    else cells.push(h('span', { class: 'muted' }, '—'));
    return cells;
  });
  parts.push(
    h(
      'section',
      { class: 'section', 'aria-labelledby': 'esc-defaults-title' },
      h('h2', { id: 'esc-defaults-title' }, 'Department defaults'),
      table(`Default escalation policy of each department (${active.length})`, ['Department', 'Default policy', 'Change'], rows)
    )
  );
  if (mayManage(me, null)) {
    const people = await fetchAll('/people', { active: 'true' });
    if (ctx.stale()) return;
    parts.push(h('section', { class: 'section' }, policyForm(ctx, null, departments, people)));
  }
  main.replaceChildren(...parts);
}

function defaultForm(ctx, d, current, policies) {
  const usable = policies.filter((p) => !p.department || p.department.id === d.id);
  const sel = h('select', { name: 'policy_id' }, h('option', { value: '' }, 'None'));
  for (const p of usable) {
    sel.appendChild(h('option', { value: String(p.id), selected: current && current.id === p.id }, `${p.name} (${ownerName(p)})`));
  }
  sel.id = uid('defpol');
  const form = h(
    'form',
    { class: 'inline-form', novalidate: true, 'aria-label': `Default escalation policy of ${d.name}` },
    h('label', { for: sel.id, class: 'visually-hidden' }, `Default escalation policy of ${d.name}`),
    sel,
    h('button', { type: 'submit', class: 'small' }, 'Save', h('span', { class: 'visually-hidden' }, ` default of ${d.name}`))
  );
  onSubmit(form, async () => {
    const r = await api('PUT', `/departments/${d.id}/escalation-policy`, { policy_id: idOrNull(sel.value) });
    announce(r.policy ? `${d.name} now escalates by “${r.policy.name}” by default.` : `${d.name} has no default escalation policy now.`);
    await ctx.rerender();
  });
  return form;
}

// ---------------------------------------------------------------------------
// A policy's page

async function renderOne(ctx) {
  const { me, main, params } = ctx;
  const p = await api('GET', `/escalation-policies/${encodeURIComponent(params.id)}`);
  if (ctx.stale()) return;
  ctx.setTitle(p.name);
  const manage = mayManage(me, p);
  const [departments, people] = manage ? await Promise.all([fetchAll('/departments'), fetchAll('/people', { active: 'true' })]) : [[], []];
  if (ctx.stale()) return;
  const parts = [
    h('p', { class: 'crumbs' }, h('a', { href: '#/escalation' }, 'Escalation'), ' / ', p.name),
    h('div', { class: 'page-head' }, h('h1', null, p.name)),
    h(
      'dl',
      { class: 'details' },
      h('dt', null, 'Owner'),
      h('dd', null, p.department ? h('a', { href: `#/departments/${p.department.id}` }, p.department.name) : 'Organisation-wide (any department may use it)'),
      h('dt', null, 'Levels'),
      h('dd', null, String((p.levels || []).length)),
      h('dt', null, 'Created'),
      h('dd', null, timeEl(p.created_at)),
      h('dt', null, 'Updated'),
      h('dd', null, timeEl(p.updated_at))
    ),
    h('section', { class: 'section', 'aria-labelledby': 'pol-levels-title' }, h('h2', { id: 'pol-levels-title' }, 'Levels'), levelsTable(`Levels of ${p.name}`, p.levels)),
    h('p', { class: 'hint' }, 'A contract’s version copies the levels when it is proposed (or activated, if informal): later changes here apply to drafts and to new versions only.'),
  ];
  if (manage) {
    parts.push(h('section', { class: 'section' }, policyForm(ctx, p, departments, people)));
    const del = h(
      'form',
      { class: 'card danger-zone', novalidate: true, 'aria-labelledby': 'del-pol-title' },
      h('h2', { id: 'del-pol-title' }, 'Delete policy'),
      h('p', null, 'A policy that a department uses by default or a draft names cannot be deleted.'),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'danger' }, `Delete “${p.name}”`))
    );
    onSubmit(del, async () => {
      if (!window.confirm(`Delete the escalation policy “${p.name}”?`)) return;
      await api('DELETE', `/escalation-policies/${p.id}`);
      announce(`Escalation policy “${p.name}” deleted.`);
      window.location.assign('#/escalation');
    });
    parts.push(h('section', { class: 'section' }, del));
  }
  if (isAdmin(me)) parts.push(h('p', null, h('a', { href: ctx.link('/audit', { entity: 'escalation_policy', entity_id: p.id }) }, 'Audit history of this policy')));
  main.replaceChildren(...parts);
}

// ---------------------------------------------------------------------------
// The add / edit form with its levels editor

function policyForm(ctx, p, departments, people) {
  const { me } = ctx;
  const editing = Boolean(p);
  const titleId = uid('pol-title');
  const name = h('input', { name: 'name', type: 'text', required: true, maxlength: '120', autocomplete: 'off', value: p ? p.name : '' });
  let owner = null;
  if (!editing) {
    if (isAdmin(me)) {
      owner = h('select', { name: 'department_id' }, h('option', { value: '' }, 'Organisation-wide'));
      for (const d of departments.filter((x) => x.active !== false)) owner.appendChild(h('option', { value: String(d.id) }, d.name));
    } else {
      owner = h('select', { name: 'department_id', disabled: true }, h('option', { value: String(me.department.id) }, me.department.name));
    }
  }
  const editor = levelsEditor(p ? p.levels : [{ clock: 'response', percent: 100, notify: ['point_person'], people: [], raise_priority: false, reassign: null }], people);
  const form = h(
    'form',
    { class: 'card form-grid', novalidate: true, 'aria-labelledby': titleId, 'data-inline-errors': true },
    h('h2', { id: titleId }, editing ? 'Edit policy' : 'Add escalation policy'),
    field('Name', name),
    owner ? field('Owner', owner, isAdmin(me) ? 'An organisation-wide policy may be used by every department.' : 'A head adds policies for their own department.') : null,
    h('fieldset', { class: 'wide' }, h('legend', null, 'Levels, in order'), editor.el),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, editing ? 'Save policy' : 'Add policy'))
  );
  onSubmit(form, async () => {
    const body = { name: name.value.trim(), levels: editor.value() };
    if (!editing && owner && !owner.disabled) body.department_id = idOrNull(owner.value);
    if (!editing && owner && owner.disabled) body.department_id = me.department.id;
    const r = editing ? await api('PATCH', `/escalation-policies/${p.id}`, body) : await api('POST', '/escalation-policies', body);
    announce(editing ? `Escalation policy “${r.name}” saved.` : `Escalation policy “${r.name}” added.`);
    if (editing) await ctx.rerender();
    else window.location.assign(`#/escalation/${r.id}`);
  });
  return form;
}

function levelsEditor(initial, people) {
  const levels = (initial || []).map((l) => ({
    clock: l.clock || 'response',
    percent: l.percent ?? '',
    notify: [...(l.notify || [])],
    people: (l.people || []).map((x) => x.id),
    raise_priority: Boolean(l.raise_priority),
    reassign: l.reassign || '',
  }));
  const box = h('div', { class: 'lv-editor' });
  const list = h('ol', { class: 'lv-list' });

  function draw(focus) {
    list.replaceChildren();
    levels.forEach((l, i) => {
      const n = i + 1;
      const lab = (t) => [h('span', { class: 'visually-hidden' }, `Level ${n}: `), t];
      const clock = h('select', { name: `levels.${i}.clock` }, CLOCKS.map(([v, t]) => h('option', { value: v, selected: l.clock === v }, t)));
      clock.addEventListener('change', () => (l.clock = clock.value));
      const pct = h('input', { name: `levels.${i}.percent`, type: 'number', min: '1', max: '1000', step: '1', inputmode: 'numeric', value: String(l.percent) });
      pct.addEventListener('input', () => (l.percent = pct.value));
      const checks = NOTIFY.map(([v, t], k) => {
        const cb = h('input', { type: 'checkbox', name: k === 0 ? `levels.${i}.notify` : `levels.${i}.notify.${v}`, checked: l.notify.includes(v) });
        cb.id = uid('lvn');
        cb.addEventListener('change', () => {
          l.notify = l.notify.filter((x) => x !== v);
          if (cb.checked) l.notify.push(v);
        });
        return h('span', { class: 'lv-check' }, cb, h('label', { for: cb.id }, t.replace(/^the /, '')));
      });
      const ppl = h('select', { name: `levels.${i}.people`, multiple: true, size: '4' });
      for (const p of people) {
        ppl.appendChild(h('option', { value: String(p.id), selected: l.people.includes(p.id) }, p.department ? `${p.name} (${p.department.name})` : p.name));
      }
      for (const id of l.people) {
        if (!people.some((p) => p.id === id)) ppl.appendChild(h('option', { value: String(id), selected: true }, `Person ${id}`));
      }
      ppl.addEventListener('change', () => {
        l.people = [...ppl.selectedOptions].map((o) => Number(o.value));
      });
      const raise = h('input', { type: 'checkbox', name: `levels.${i}.raise_priority`, checked: l.raise_priority });
      raise.id = uid('lv');
      raise.addEventListener('change', () => (l.raise_priority = raise.checked));
      const reassign = h('select', { name: `levels.${i}.reassign` }, REASSIGN.map(([v, t]) => h('option', { value: v, selected: l.reassign === v }, t)));
      reassign.addEventListener('change', () => (l.reassign = reassign.value));
      const rm = h(
        'button',
        {
          type: 'button',
          class: 'small',
          'aria-label': `Remove level ${n}`,
          onclick: () => {
            levels.splice(i, 1);
            draw(levels.length ? { remove: Math.min(i, levels.length - 1) } : { add: true });
          },
        },
        'Remove'
      );
      const fl = (label, control, hint) => {
        control.id = control.id || uid('lv');
        return h('div', { class: 'field' }, h('label', { for: control.id }, ...lab(label)), control, hint ? h('span', { class: 'hint' }, hint) : null);
      };
      list.appendChild(
        h(
          'li',
          { class: 'lv-row' },
          fl('Clock', clock),
          fl('Percent of target', pct),
          h('fieldset', { class: 'lv-notify' }, h('legend', null, ...lab('Notify')), h('div', { class: 'lv-checks' }, checks)),
          fl('Named people', ppl, 'Optional, besides the roles; Ctrl or Shift with a click or the arrow keys picks several.'),
          h('div', { class: 'field field-check' }, raise, h('label', { for: raise.id }, ...lab('Raise priority'))),
          fl('Reassign', reassign),
          h('div', { class: 'lv-remove' }, rm)
        )
      );
    });
    if (focus) {
      if (focus.clock !== undefined) list.querySelector(`[name="levels.${focus.clock}.clock"]`).focus();
      else if (focus.remove !== undefined) list.querySelectorAll('.lv-remove button')[focus.remove].focus();
      else if (focus.add) add.focus();
    }
  }
  const add = h(
    'button',
    {
      type: 'button',
      class: 'small',
      name: 'levels',
      onclick: () => {
        const last = levels[levels.length - 1];
        levels.push({ clock: last ? last.clock : 'response', percent: last ? Number(last.percent || 100) + 50 : 100, notify: ['point_person'], people: [], raise_priority: false, reassign: '' });
        draw({ clock: levels.length - 1 });
      },
    },
    'Add a level'
  );
  box.append(h('p', { class: 'hint' }, 'Within one clock, the percentages rise from level to level. Each level notifies at least one role or person.'), list, h('div', { class: 'actions' }, add));
  draw();
  return {
    el: box,
    value: () =>
      levels.map((l) => ({
        clock: l.clock,
        percent: /^\d+$/.test(String(l.percent).trim()) ? Number(l.percent) : String(l.percent).trim() === '' ? null : l.percent,
        notify: l.notify,
        people: l.people,
        raise_priority: l.raise_priority,
        reassign: l.reassign || null,
      })),
  };
}
