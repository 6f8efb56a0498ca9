// accord web UI: service contracts. The list (filters in the address), the "new contract"
// form, and a contract's page: its terms in plain language, both sides' expectations side
// by side, the clocks and calendar, the escalation levels, the sign-off, the version history
// with what changed between two versions, the steps that fit the version's state (propose,
// sign, activate, retire, start a new version) and the draft editor.
import { api, fetchAll, h, field, onSubmit, announce, table, timeEl, fmtTime, uid, idOrNull, ApiError, formError, showProblem, clearProblem } from './api.js';
import { levelsTable, fmtMinutes, ownerName } from './policies.js';

export const routes = [
  { path: '/contracts', render: renderList },
  { path: '/contracts/new', render: renderNew },
  { path: '/contracts/:id', render: renderOne },
];

const isAdmin = (me) => me.role === 'admin';
export const STATES = ['draft', 'proposed', 'agreed', 'active', 'superseded', 'retired'];
const OPEN_STATES = ['draft', 'proposed', 'agreed'];
const STATE_TEXT = {
  draft: 'Draft',
  proposed: 'Proposed',
  agreed: 'Agreed',
  active: 'Active',
  superseded: 'Superseded',
  retired: 'Retired',
};
const GROUPS = ['task', 'relationship', 'learning'];
const CADENCES = [
  ['monthly', 'Monthly'],
  ['quarterly', 'Quarterly'],
  ['semiannual', 'Every six months'],
  ['annual', 'Yearly'],
];
const PERIODS = [
  ['month', 'Month'],
  ['quarter', 'Quarter'],
];
const SIDES = ['provider', 'consumer'];
// Where focus goes once the contract page has been drawn again after a step (a selector).
let pendingFocus = null;

// ---------------------------------------------------------------------------
// Words

export function stateBadge(state) {
  return h('span', { class: `badge badge-state badge-${state}` }, STATE_TEXT[state] || state);
}

export function sideLabel(side) {
  if (!side) return '—';
  if (side.person) return `${side.person.name} (${side.department.name})`;
  return side.department ? side.department.name : '—';
}

// "Credit check: Finance → Sales"
export function contractTitle(c) {
  return `${c.service.name}: ${sideLabel(c.provider)} → ${sideLabel(c.consumer)}`;
}

// "Sales’" and "Finance’s".
function possessive(name) {
  return /s$/.test(name) ? `${name}’` : `${name}’s`;
}

function fmtNum(x) {
  if (x === null || x === undefined || x === '') return '—';
  const n = Number(x);
  return Number.isFinite(n) ? String(Math.round(n * 1000) / 1000) : String(x);
}

// An expectation's target in words: "at most 480 business minutes (8 h)", "at least 90%".
export function fmtTarget(e) {
  const dir = e.higher_is_better ? 'at least' : 'at most';
  switch (e.unit) {
    case 'minutes':
      return `${dir} ${fmtMinutes(e.target)}`;
    case 'percent':
      return `${dir} ${fmtNum(e.target)}%`;
    case 'rating':
      return `${dir} ${fmtNum(e.target)} of 5`;
    case 'ratio':
      return `${dir} ${fmtNum(e.target)} × the median`;
    default:
      return `${dir} ${fmtNum(e.target)}`;
  }
}

const UNIT_HINT = {
  minutes: 'Business minutes to resolution (median); lower is better.',
  percent: 'A percentage, 0 to 100.',
  rating: 'A mean rating, 1 to 5.',
  ratio: 'Slowest tenth ÷ median, 1 or more; lower is better.',
};

export function termsList(v, cls) {
  const terms = (v && v.terms) || [];
  if (!terms.length) return h('p', { class: 'muted' }, 'No terms yet.');
  return h('ul', { class: 'terms-list' + (cls ? ` ${cls}` : '') }, terms.map((t) => h('li', null, t)));
}

function escalationText(v, c) {
  const e = v.escalation || {};
  const pol = e.policy ? h('a', { href: `#/escalation/${e.policy.id}` }, e.policy.name) : null;
  if (e.source === 'contract') return ['This contract’s own policy: ', pol, '.'];
  if (e.source === 'department') return [`${possessive(c.provider.department.name)} default policy: `, pol, '.'];
  return [`No escalation: neither the contract nor ${c.provider.department.name} sets a policy.`];
}

// Who may sign, change or see what: mirrors the API's rules so that only steps that can
// succeed are offered (the API decides in the end).
// What the signed-in person may do: the server says it (contract_rules.c), the UI only shows it.
function powers(c) {
  const may = c.may || { manage: false, sign: [] };
  return { sign: new Set(may.sign), manage: may.manage };
}

// ---------------------------------------------------------------------------
// The list

async function renderList(ctx) {
  const { me, main, query } = ctx;
  ctx.setTitle('Contracts');
  const f = {
    provider: query.get('provider') || '',
    consumer: query.get('consumer') || '',
    service: query.get('service') || '',
    state: query.get('state') || '',
  };
  const [departments, services, items] = await Promise.all([fetchAll('/departments'), fetchAll('/services'), fetchAll('/contracts', f)]);
  if (ctx.stale()) return;

  const depSel = (name, label) => {
    const sel = h('select', { name }, h('option', { value: '' }, 'Any'));
    for (const d of departments) sel.appendChild(h('option', { value: String(d.id), selected: f[name] === String(d.id) }, d.name));
    return field(label, sel);
  };
  const svcSel = h('select', { name: 'service' }, h('option', { value: '' }, 'Any'));
  for (const s of services) svcSel.appendChild(h('option', { value: String(s.id), selected: f.service === String(s.id) }, `${s.name} (${s.provider.name})`));
  const stSel = h('select', { name: 'state' }, h('option', { value: '' }, 'Any'));
  for (const s of STATES) stSel.appendChild(h('option', { value: s, selected: f.state === s }, STATE_TEXT[s]));
  const filters = h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Filter contracts' },
    depSel('provider', 'Provider'),
    depSel('consumer', 'Consumer'),
    field('Service', svcSel),
    field('Has a version in state', stSel),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Apply filters'), h('a', { href: '#/contracts', class: 'button-link' }, 'Clear'))
  );
  onSubmit(filters, async () => {
    const target = ctx.link('/contracts', {
      provider: filters.elements.provider.value,
      consumer: filters.elements.consumer.value,
      service: svcSel.value,
      state: stSel.value,
    });
    if (window.location.hash === target) await ctx.rerender();
    else window.location.hash = target;
  });

  const rows = items.map((c) => [
    h('a', { href: `#/contracts/${c.id}` }, contractTitle(c)),
    h('a', { href: `#/services/${c.service.id}` }, c.service.name),
    sideLabel(c.provider),
    sideLabel(c.consumer),
    c.formal ? 'Formal' : 'Informal',
    stateBadge(c.state),
    versionsText(c),
  ]);
  const filtered = Object.values(f).some(Boolean);
  const parts = [
    h('div', { class: 'page-head' }, h('h1', null, 'Contracts'), mayCreate(me) ? h('a', { href: '#/contracts/new', class: 'button-link primary-link' }, 'New contract') : null),
    h(
      'p',
      { class: 'lead' },
      'Agreements between a provider and a consumer about one service: what each side expects of the other, the clocks, and how they escalate. Drafts and proposals are visible to the two sides only.'
    ),
    filters,
    h('div', { id: 'contracts-table' }, table(`Contracts${filtered ? ' matching the filters' : ''} (${items.length})`, ['Contract', 'Service', 'Provider', 'Consumer', 'Kind', 'State', 'Versions'], rows, 'No contracts match.')),
  ];
  main.replaceChildren(...parts);
}

function versionsText(c) {
  const open = (c.versions || []).find((v) => OPEN_STATES.includes(v.state));
  const bits = [];
  if (c.active_version) bits.push(`version ${c.active_version} active`);
  if (open) bits.push(`version ${open.number} ${open.state}`);
  if (!bits.length) bits.push(`${(c.versions || []).length} version${(c.versions || []).length === 1 ? '' : 's'}`);
  return bits.join('; ');
}

function mayCreate(me) {
  return isAdmin(me) || me.role === 'head' || me.role === 'point_person';
}

// ---------------------------------------------------------------------------
// The terms editor: used for a draft and inside the "new contract" form.

function numOrRaw(v) {
  const t = String(v ?? '').trim();
  if (t === '') return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : t;
}

// init: a version's JSON (or defaults); opts: {measures, calendars, policies, provider:
// {id, name} the provider department, names: {provider, consumer}, deptDefault: policy|null}.
function termsEditor(init, opts) {
  const st = {
    summary: init.summary || '',
    calendar_id: init.calendar ? String(init.calendar.id) : '',
    escalation_policy_id: init.escalation_policy ? String(init.escalation_policy.id) : '',
    response_minutes: init.response_minutes ?? '',
    resolution_minutes: init.resolution_minutes ?? '',
    weights: { task: 0.5, relationship: 0.5, learning: 0, ...(init.weights || {}) },
    min_n: init.min_n ?? 5,
    review_cadence: init.review_cadence || 'quarterly',
    measure_period: init.measure_period || 'month',
    expectations: {
      provider: ((init.expectations && init.expectations.provider) || []).map((e) => ({ measure: e.measure, target: e.target, weight: e.weight ?? 1, note: e.note || '' })),
      consumer: ((init.expectations && init.expectations.consumer) || []).map((e) => ({ measure: e.measure, target: e.target, weight: e.weight ?? 1, note: e.note || '' })),
    },
    priorities: (init.priorities || []).map((p) => ({ name: p.name, factor: p.factor, default: Boolean(p.default) })),
  };
  const measureOf = (name) => opts.measures.find((m) => m.name === name) || null;
  const names = { ...opts.names };
  const sideTitle = { provider: 'Provider', consumer: 'Consumer' };

  const bind = (input, obj, key) => {
    input.addEventListener(input.tagName === 'SELECT' ? 'change' : 'input', () => {
      obj[key] = input.value;
    });
    return input;
  };

  // ---- expectations, one list per side
  const sideBoxes = {};
  const sideHeads = {};
  function sideHeading(side) {
    return side === 'provider' ? `What ${names.consumer} expects of ${names.provider}` : `What ${names.provider} needs from ${names.consumer}`;
  }
  function drawSide(side, focus) {
    const rows = st.expectations[side];
    const list = h('ol', { class: 'exp-rows' });
    rows.forEach((e, i) => {
      const n = i + 1;
      const pre = (t) => [h('span', { class: 'visually-hidden' }, `${sideTitle[side]} expectation ${n}: `), t];
      const fl = (label, control, hint) => {
        control.id = uid('exp');
        let hintEl = null;
        if (hint) {
          hintEl = h('span', { class: 'hint', id: uid('hint') }, hint);
          control.setAttribute('aria-describedby', hintEl.id);
        }
        return h('div', { class: 'field' }, h('label', { for: control.id }, ...pre(label)), control, hintEl);
      };
      const msel = h('select', { name: `expectations.${side}.${i}.measure` }, h('option', { value: '' }, 'Choose a measure'));
      for (const g of GROUPS) {
        const ms = opts.measures.filter((m) => m.sides.includes(side) && m.group === g);
        if (!ms.length) continue;
        msel.appendChild(h('optgroup', { label: g[0].toUpperCase() + g.slice(1) }, ms.map((m) => h('option', { value: m.name, selected: e.measure === m.name }, m.name))));
      }
      if (e.measure && !measureOf(e.measure)) msel.appendChild(h('option', { value: e.measure, selected: true }, e.measure));
      const target = h('input', { name: `expectations.${side}.${i}.target`, type: 'number', step: 'any', inputmode: 'decimal', value: e.target === null || e.target === undefined ? '' : String(e.target) });
      const weight = h('input', { name: `expectations.${side}.${i}.weight`, type: 'number', step: 'any', min: '0', inputmode: 'decimal', value: String(e.weight ?? 1) });
      const note = h('input', { name: `expectations.${side}.${i}.note`, type: 'text', maxlength: '500', autocomplete: 'off', value: e.note || '' });
      bind(target, e, 'target');
      bind(weight, e, 'weight');
      bind(note, e, 'note');
      const m0 = measureOf(e.measure);
      const meaning = h('span', { class: 'hint exp-meaning' }, m0 ? (side === 'provider' ? m0.provider_meaning : m0.consumer_meaning) || '' : 'What is measured, from SPEC §6.1.');
      const unitHint = m0 ? UNIT_HINT[m0.unit] : 'Choose a measure first.';
      const fTarget = fl('Target', target, unitHint);
      msel.addEventListener('change', () => {
        e.measure = msel.value;
        const m = measureOf(e.measure);
        meaning.textContent = m ? (side === 'provider' ? m.provider_meaning : m.consumer_meaning) || '' : '';
        const hint = fTarget.querySelector('.hint');
        if (hint) hint.textContent = m ? UNIT_HINT[m.unit] : 'Choose a measure first.';
        if (m && (e.target === '' || e.target === null || e.target === undefined) && m.typical_target !== null) {
          e.target = m.typical_target;
          target.value = String(m.typical_target);
        }
        rm.setAttribute('aria-label', `Remove ${side} expectation ${n}${e.measure ? ` (${e.measure})` : ''}`);
      });
      const fMeasure = fl('Measure', msel);
      meaning.id = uid('hint');
      msel.setAttribute('aria-describedby', meaning.id);
      fMeasure.appendChild(meaning);
      const rm = h(
        'button',
        {
          type: 'button',
          class: 'small',
          'aria-label': `Remove ${side} expectation ${n}${e.measure ? ` (${e.measure})` : ''}`,
          onclick: () => {
            rows.splice(i, 1);
            drawSide(side, rows.length ? { remove: Math.min(i, rows.length - 1) } : { add: true });
            announce(`${sideTitle[side]} expectation ${n} removed.`);
          },
        },
        'Remove'
      );
      list.appendChild(h('li', { class: 'exp-row' }, fMeasure, fTarget, fl('Weight', weight), fl('Note in your own words', note), h('div', { class: 'exp-remove' }, rm)));
    });
    const add = h(
      'button',
      {
        type: 'button',
        class: 'small',
        name: `expectations.${side}`,
        onclick: () => {
          rows.push({ measure: '', target: '', weight: 1, note: '' });
          drawSide(side, { measure: rows.length - 1 });
        },
      },
      'Add an expectation',
      h('span', { class: 'visually-hidden' }, ` on the ${side} side`)
    );
    const box = sideBoxes[side];
    box.replaceChildren(rows.length ? list : h('p', { class: 'muted' }, 'No expectations on this side yet.'), h('div', { class: 'actions' }, add));
    if (focus) {
      if (focus.measure !== undefined) box.querySelector(`[name="expectations.${side}.${focus.measure}.measure"]`).focus();
      else if (focus.remove !== undefined) box.querySelectorAll('.exp-remove button')[focus.remove].focus();
      else if (focus.add) add.focus();
    }
  }
  const sidesEl = h(
    'div',
    { class: 'exp-sides wide' },
    SIDES.map((side) => {
      sideBoxes[side] = h('div', { class: 'exp-side-body' });
      sideHeads[side] = h('legend', null, sideHeading(side), h('span', { class: 'muted' }, ` (${side} side)`));
      return h('fieldset', { class: `exp-side exp-${side}`, 'data-side': side }, sideHeads[side], sideBoxes[side]);
    })
  );
  SIDES.forEach((s) => drawSide(s));

  // ---- clocks, calendar, escalation
  const minutesField = (name, label) => {
    const input = bind(h('input', { name, type: 'number', min: '0', step: '1', inputmode: 'numeric', value: String(st[name]) }), st, name);
    const out = h('span', { class: 'hint', 'aria-live': 'polite' });
    const upd = () => {
      const v = numOrRaw(input.value);
      out.textContent = typeof v === 'number' ? `= ${fmtMinutes(v)}` : 'Business minutes on the calendar.';
    };
    input.addEventListener('input', upd);
    upd();
    input.id = uid(name);
    input.setAttribute('aria-describedby', (out.id = uid('hint')));
    return h('div', { class: 'field' }, h('label', { for: input.id }, label), input, out);
  };
  const cal = bind(h('select', { name: 'calendar_id' }, h('option', { value: '' }, 'Choose a calendar')), st, 'calendar_id');
  for (const c of opts.calendars) cal.appendChild(h('option', { value: String(c.id), selected: st.calendar_id === String(c.id) }, `${c.name} (${c.zone})`));
  const pol = bind(h('select', { name: 'escalation_policy_id' }), st, 'escalation_policy_id');
  function drawPolicies() {
    const cur = st.escalation_policy_id;
    const dflt = opts.deptDefault ? `The provider’s default (now “${opts.deptDefault.name}”)` : 'The provider’s default (none set: no escalation)';
    pol.replaceChildren(h('option', { value: '' }, dflt));
    const usable = opts.policies.filter((p) => !p.department || !opts.provider || p.department.id === opts.provider.id || String(p.id) === cur);
    for (const p of usable) pol.appendChild(h('option', { value: String(p.id), selected: cur === String(p.id) }, `${p.name} (${ownerName(p)})`));
  }
  drawPolicies();
  const clocksEl = h(
    'fieldset',
    { class: 'wide ed-group' },
    h('legend', null, 'Clocks, calendar and escalation'),
    h(
      'div',
      { class: 'ed-grid' },
      minutesField('response_minutes', 'First response within (business minutes)'),
      minutesField('resolution_minutes', 'Resolution within (business minutes)'),
      field('Calendar', cal, 'The opening hours the clocks count on.'),
      field('Escalation policy', pol, 'Leave on the default to follow the provider department’s default policy.')
    )
  );

  // ---- priorities
  const prioBox = h('div', { class: 'prio-body' });
  const radioName = uid('prio-default');
  function drawPriorities(focus) {
    const list = h('ol', { class: 'prio-rows' });
    st.priorities.forEach((p, i) => {
      const n = i + 1;
      const pre = (t) => [h('span', { class: 'visually-hidden' }, `Priority ${n}: `), t];
      const nm = bind(h('input', { name: `priorities.${i}.name`, type: 'text', maxlength: '200', autocomplete: 'off', value: p.name }), p, 'name');
      const fac = bind(h('input', { name: `priorities.${i}.factor`, type: 'number', step: 'any', min: '0.01', max: '100', inputmode: 'decimal', value: String(p.factor ?? '') }), p, 'factor');
      const def = h('input', { type: 'radio', name: radioName, checked: p.default });
      def.addEventListener('change', () => st.priorities.forEach((q) => (q.default = q === p)));
      const lab = (c, t) => {
        c.id = uid('prio');
        return h('label', { for: c.id }, ...pre(t));
      };
      const rm = h(
        'button',
        {
          type: 'button',
          class: 'small',
          'aria-label': `Remove priority ${n}${p.name ? ` (${p.name})` : ''}`,
          onclick: () => {
            const wasDefault = p.default;
            st.priorities.splice(i, 1);
            if (wasDefault && st.priorities.length) st.priorities[0].default = true;
            drawPriorities(st.priorities.length ? { remove: Math.min(i, st.priorities.length - 1) } : { add: true });
          },
        },
        'Remove'
      );
      list.appendChild(
        h(
          'li',
          { class: 'prio-row' },
          h('div', { class: 'field' }, lab(nm, 'Name'), nm),
          h('div', { class: 'field' }, lab(fac, 'Factor'), fac),
          h('div', { class: 'field field-check' }, def, lab(def, 'Default')),
          h('div', { class: 'exp-remove' }, rm)
        )
      );
    });
    const add = h(
      'button',
      {
        type: 'button',
        class: 'small',
        name: 'priorities',
        onclick: () => {
          const first = st.priorities.length === 0;
          st.priorities.push({ name: first ? 'Normal' : '', factor: first ? 1 : '', default: first });
          drawPriorities({ name: st.priorities.length - 1 });
        },
      },
      'Add a priority'
    );
    prioBox.replaceChildren(st.priorities.length ? list : h('p', { class: 'muted' }, 'No priorities: every request has the same clocks.'), h('div', { class: 'actions' }, add));
    if (focus) {
      if (focus.name !== undefined) prioBox.querySelector(`[name="priorities.${focus.name}.name"]`).focus();
      else if (focus.remove !== undefined) prioBox.querySelectorAll('.exp-remove button')[focus.remove].focus();
      else if (focus.add) add.focus();
    }
  }
  drawPriorities();
  const prioEl = h(
    'fieldset',
    { class: 'wide ed-group' },
    h('legend', null, 'Priorities'),
    h('p', { class: 'hint' }, 'Optional. A factor multiplies both clock targets: 0.5 halves them (urgent), 2 doubles them (low). Exactly one priority is the default.'),
    prioBox
  );

  // ---- scoring
  const wIn = {};
  const wFields = GROUPS.map((g) => {
    wIn[g] = h('input', { name: `weights.${g}`, type: 'number', step: 'any', min: '0', inputmode: 'decimal', value: String(st.weights[g]) });
    wIn[g].addEventListener('input', () => (st.weights[g] = wIn[g].value));
    return field(`${g[0].toUpperCase() + g.slice(1)} weight`, wIn[g]);
  });
  const minN = bind(h('input', { name: 'min_n', type: 'number', min: '1', max: '1000', step: '1', inputmode: 'numeric', value: String(st.min_n) }), st, 'min_n');
  const cad = bind(h('select', { name: 'review_cadence' }, CADENCES.map(([v, t]) => h('option', { value: v, selected: st.review_cadence === v }, t))), st, 'review_cadence');
  const per = bind(h('select', { name: 'measure_period' }, PERIODS.map(([v, t]) => h('option', { value: v, selected: st.measure_period === v }, t))), st, 'measure_period');
  const scoringEl = h(
    'fieldset',
    { class: 'wide ed-group' },
    h('legend', null, 'Scoring and review'),
    h(
      'div',
      { class: 'ed-grid' },
      ...wFields,
      field('Minimum number of requests or ratings (min_n)', minN, 'Fewer in a period: the measure is shown as too few to judge.'),
      field('Measured per', per),
      field('Reviewed', cad)
    ),
    h('p', { class: 'hint' }, 'Group weights say how much task, relationship and learning count in a side’s score (default 0.5 / 0.5 / 0); each expectation’s weight counts inside its group.')
  );

  const summary = bind(h('textarea', { name: 'summary', rows: '2', maxlength: '2000' }, st.summary), st, 'summary');
  summary.value = st.summary;
  const summaryEl = h('div', { class: 'wide' }, field('Summary (optional)', summary, 'One or two sentences on what the contract is for.'));

  const ed = {
    el: [summaryEl, h('fieldset', { class: 'wide ed-group' }, h('legend', null, 'Expectations of both sides'), sidesEl), clocksEl, scoringEl, prioEl],
    value() {
      return {
        summary: st.summary,
        calendar_id: idOrNull(st.calendar_id),
        escalation_policy_id: idOrNull(st.escalation_policy_id),
        response_minutes: numOrRaw(st.response_minutes),
        resolution_minutes: numOrRaw(st.resolution_minutes),
        weights: Object.fromEntries(GROUPS.map((g) => [g, numOrRaw(st.weights[g])])),
        min_n: numOrRaw(st.min_n),
        review_cadence: st.review_cadence,
        measure_period: st.measure_period,
        expectations: Object.fromEntries(
          SIDES.map((s) => [s, st.expectations[s].map((e) => ({ measure: e.measure, target: numOrRaw(e.target), weight: numOrRaw(e.weight), note: e.note || '' }))])
        ),
        priorities: st.priorities.map((p) => ({ name: p.name, factor: numOrRaw(p.factor), default: p.default })),
      };
    },
    changed() {
      return JSON.stringify(ed.value()) !== start;
    },
    // Points a problem's field at an input that exists.
    mapField(ptr) {
      if (!ptr) return ptr;
      if (ptr === '/expectations') return '/expectations/provider';
      if (ptr === '/weights') return '/weights/task';
      let m = /^\/expectations\/(provider|consumer)\/(\d+)$/.exec(ptr);
      if (m) return st.expectations[m[1]][Number(m[2])] ? `${ptr}/measure` : `/expectations/${m[1]}`;
      m = /^\/expectations\/(provider|consumer)\/(\d+)\//.exec(ptr);
      if (m && !st.expectations[m[1]][Number(m[2])]) return `/expectations/${m[1]}`;
      m = /^\/priorities\/(\d+)(\/default)?$/.exec(ptr);
      if (m) return `/priorities/${m[1]}/name`;
      return ptr;
    },
    // The service (and so the provider) changed: the side names and the usable policies.
    setParties(p) {
      Object.assign(names, p.names || {});
      if ('provider' in p) opts.provider = p.provider;
      if ('deptDefault' in p) opts.deptDefault = p.deptDefault;
      for (const s of SIDES) sideHeads[s].replaceChildren(sideHeading(s), h('span', { class: 'muted' }, ` (${s} side)`));
      drawPolicies();
    },
  };
  const start = JSON.stringify(ed.value());
  return ed;
}

// Runs a write; a problem's field is pointed at the editor's inputs.
async function withEditorField(editor, fn) {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ApiError && err.field) err.field = editor.mapField(err.field);
    throw err;
  }
}

// ---------------------------------------------------------------------------
// The "new contract" form

async function renderNew(ctx) {
  const { main, query } = ctx;
  ctx.setTitle('New contract');
  const [services, departments, calendars, policies, measures] = await Promise.all([
    fetchAll('/services', { active: 'true' }),
    fetchAll('/departments'),
    fetchAll('/calendars'),
    fetchAll('/escalation-policies'),
    api('GET', '/measures').then((r) => r.items),
  ]);
  if (ctx.stale()) return;

  const wanted = query.get('service') || '';
  const svc = h('select', { name: 'service_id', required: true }, h('option', { value: '' }, 'Choose a service'));
  const byProvider = new Map();
  for (const s of services) {
    if (!byProvider.has(s.provider.name)) byProvider.set(s.provider.name, []);
    byProvider.get(s.provider.name).push(s);
  }
  for (const [prov, list] of byProvider) {
    svc.appendChild(h('optgroup', { label: prov }, list.map((s) => h('option', { value: String(s.id), selected: wanted === String(s.id) }, `${s.name} (${prov})`))));
  }
  const provPerson = h('select', { name: 'provider_person_id' }, h('option', { value: '' }, 'The department as a whole'));
  const consDept = h('select', { name: 'consumer_department_id' }, h('option', { value: '' }, 'Choose a department'));
  for (const d of departments.filter((x) => x.active !== false)) consDept.appendChild(h('option', { value: String(d.id) }, d.name));
  const consPerson = h('select', { name: 'consumer_person_id' }, h('option', { value: '' }, 'The department as a whole'));
  const formal = h('input', { name: 'formal', type: 'checkbox', checked: true });

  const editor = termsEditor(
    { calendar: calendars[0] || null },
    { measures, calendars, policies, provider: null, deptDefault: null, names: { provider: 'the provider', consumer: 'the consumer' } }
  );

  async function peopleOf(deptId, sel) {
    sel.replaceChildren(h('option', { value: '' }, 'The department as a whole'));
    if (!deptId) return;
    const ppl = await fetchAll('/people', { department: deptId, active: 'true' });
    for (const p of ppl) sel.appendChild(h('option', { value: String(p.id) }, p.name));
  }
  async function onService() {
    const s = services.find((x) => String(x.id) === svc.value);
    const provider = s ? s.provider : null;
    let deptDefault = null;
    if (provider) {
      try {
        deptDefault = (await api('GET', `/departments/${provider.id}/escalation-policy`)).policy;
      } catch (e) {
        deptDefault = null;
      }
    }
    editor.setParties({ provider, deptDefault, names: { provider: provider ? provider.name : 'the provider' } });
    await peopleOf(provider ? provider.id : null, provPerson);
  }
  svc.addEventListener('change', onService);
  consDept.addEventListener('change', async () => {
    const d = departments.find((x) => String(x.id) === consDept.value);
    editor.setParties({ names: { consumer: d ? d.name : 'the consumer' } });
    await peopleOf(consDept.value, consPerson);
  });

  const form = h(
    'form',
    { class: 'card form-grid', novalidate: true, 'aria-labelledby': 'new-contract-title', 'data-inline-errors': true },
    h('h2', { id: 'new-contract-title' }, 'Parties and terms'),
    h(
      'fieldset',
      { class: 'wide ed-group' },
      h('legend', null, 'Parties'),
      h(
        'div',
        { class: 'ed-grid' },
        field('Service', svc, 'The service decides the provider department.'),
        field('Provider: a named person (optional)', provPerson),
        field('Consumer department', consDept),
        field('Consumer: a named person (optional)', consPerson),
        field('Formal (needs sign-off by both sides)', formal, 'Clear for an informal contract: no sign-off, measured all the same.')
      )
    ),
    ...editor.el,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Create draft'), h('a', { href: '#/contracts', class: 'button-link' }, 'Cancel'))
  );
  onSubmit(form, async () => {
    const body = { ...editor.value(), service_id: idOrNull(svc.value), formal: formal.checked };
    const cd = idOrNull(consDept.value);
    const cp = idOrNull(consPerson.value);
    const pp = idOrNull(provPerson.value);
    if (cd !== null) body.consumer_department_id = cd;
    if (cp !== null) body.consumer_person_id = cp;
    if (pp !== null) body.provider_person_id = pp;
    if (body.service_id === null) throw Object.assign(new Error('Choose the service the contract is about.'), { field: '/service_id' });
    if (cd === null && cp === null) throw Object.assign(new Error('Choose the consumer department.'), { field: '/consumer_department_id' });
    const c = await withEditorField(editor, () => api('POST', '/contracts', body));
    announce(`Draft contract “${contractTitle(c)}” created.`);
    window.location.assign(`#/contracts/${c.id}`);
  });

  main.replaceChildren(
    h('p', { class: 'crumbs' }, h('a', { href: '#/contracts' }, 'Contracts'), ' / New contract'),
    h('div', { class: 'page-head' }, h('h1', null, 'New contract')),
    h('p', { class: 'lead' }, 'A contract starts as a draft that either side’s head or the service’s point person may edit. Proposing it freezes the text for sign-off.'),
    form
  );
  if (wanted) await onService();
}

// ---------------------------------------------------------------------------
// A contract's page

async function renderOne(ctx) {
  const { me, main, params, query } = ctx;
  const id = encodeURIComponent(params.id);
  const [c, versionsPage, measuresR] = await Promise.all([api('GET', `/contracts/${id}`), api('GET', `/contracts/${id}/versions`), api('GET', '/measures')]);
  if (ctx.stale()) return;
  const versions = versionsPage.items || [];
  const measures = measuresR.items || [];
  const wantedN = query.get('version');
  let v = c.current;
  if (wantedN) {
    v = versions.find((x) => String(x.number) === wantedN);
    if (!v) v = await api('GET', `/contracts/${id}/versions/${encodeURIComponent(wantedN)}`); // 404 as the API says
  }
  const service = await api('GET', `/services/${c.service.id}`).catch(() => null);
  if (ctx.stale()) return;
  const title = contractTitle(c);
  ctx.setTitle(`${title} (version ${v.number})`);
  const pw = powers(c);
  const open = versions.find((x) => OPEN_STATES.includes(x.state));
  const editable = v.state === 'draft' && pw.manage;

  let editorData = null;
  if (editable) {
    const [calendars, policies, dd] = await Promise.all([
      fetchAll('/calendars'),
      fetchAll('/escalation-policies'),
      api('GET', `/departments/${c.provider.department.id}/escalation-policy`).then((r) => r.policy, () => null),
    ]);
    if (ctx.stale()) return;
    editorData = { calendars, policies, deptDefault: dd };
  }

  const editorRef = { editor: null };
  const parts = [
    h('p', { class: 'crumbs' }, h('a', { href: '#/contracts' }, 'Contracts'), ' / ', title),
    h('div', { class: 'page-head' }, h('h1', null, title), stateBadge(c.state), h('span', { class: 'badge badge-off' }, c.formal ? 'Formal' : 'Informal')),
    h(
      'dl',
      { class: 'details' },
      h('dt', null, 'Service'),
      h('dd', null, h('a', { href: `#/services/${c.service.id}` }, c.service.name), service && service.point_person ? h('span', { class: 'muted' }, ` · point person ${service.point_person.name}${service.deputy ? `, deputy ${service.deputy.name}` : ''}`) : null),
      h('dt', null, 'Provider'),
      h('dd', null, sideLink(c.provider)),
      h('dt', null, 'Consumer'),
      h('dd', null, sideLink(c.consumer)),
      h('dt', null, 'Kind'),
      h('dd', null, c.formal ? 'Formal: each version is signed by both sides before it becomes active.' : 'Informal: no sign-off; a draft is activated directly and measured all the same.'),
      h('dt', null, 'Versions'),
      h('dd', null, versionNav(c, versions, v))
    ),
  ];

  // The version shown and what can be done with it.
  const viewing = h(
    'section',
    { class: 'section version-view', 'aria-labelledby': 'version-title' },
    h('h2', { id: 'version-title' }, `Version ${v.number} `, stateBadge(v.state)),
    versionStatus(c, v, open),
    actionsBox(ctx, c, v, pw, open, () => editorRef.editor)
  );
  parts.push(viewing);

  parts.push(
    h(
      'section',
      { class: 'section', 'aria-labelledby': 'terms-title' },
      h('h2', { id: 'terms-title' }, 'The terms in plain language'),
      v.summary ? h('p', { class: 'lead' }, v.summary) : null,
      termsList(v)
    )
  );
  // A draft that may be edited shows its editor here instead of the read-only terms.
  if (editable) {
    const { form, editor } = draftForm(ctx, c, v, measures, editorData);
    editorRef.editor = editor;
    parts.push(h('section', { class: 'section', id: 'draft-editor' }, form));
  } else {
    parts.push(expectationsSection(c, v, measures));
    parts.push(clocksSection(v));
  }
  parts.push(
    h(
      'section',
      { class: 'section', 'aria-labelledby': 'esc-title' },
      h('h2', { id: 'esc-title' }, 'Escalation'),
      h('p', null, ...escalationText(v, c), ' ', v.escalation && v.escalation.frozen ? 'The levels were copied into this version when it was frozen.' : 'The levels follow the policy as it is now; they are copied into the version when it is proposed.'),
      levelsTable(`Escalation levels of version ${v.number}`, v.escalation ? v.escalation.levels : [], { response: v.response_minutes, resolution: v.resolution_minutes })
    )
  );
  parts.push(signoffSection(c, v, service));

  parts.push(historySection(ctx, c, versions, v));
  if (isAdmin(me)) parts.push(h('p', null, h('a', { href: ctx.link('/audit', { entity: 'contract', entity_id: c.id }) }, 'Audit history of this contract')));
  main.replaceChildren(...parts);
  if (pendingFocus) {
    const el = main.querySelector(pendingFocus);
    pendingFocus = null;
    if (el) {
      if (!/^(INPUT|SELECT|TEXTAREA|BUTTON|A)$/.test(el.tagName)) el.setAttribute('tabindex', '-1');
      el.focus();
    }
  }
}

function sideLink(s) {
  const dep = h('a', { href: `#/departments/${s.department.id}` }, s.department.name);
  if (!s.person) return dep;
  return [h('a', { href: `#/people/${s.person.id}` }, s.person.name), ' of ', dep];
}

function versionNav(c, versions, v) {
  const items = versions.map((x) =>
    h(
      'li',
      null,
      x.number === v.number
        ? h('span', { 'aria-current': 'page', class: 'version-current' }, `Version ${x.number}`)
        : h('a', { href: `#/contracts/${c.id}?version=${x.number}` }, `Version ${x.number}`),
      ' ',
      stateBadge(x.state)
    )
  );
  return h('ul', { class: 'inline-list', 'aria-label': 'Versions' }, items);
}

function versionStatus(c, v, open) {
  const bits = [];
  const s = v.signatures || {};
  switch (v.state) {
    case 'draft':
      bits.push(c.formal ? 'A draft: either side’s head or the service’s point person may change it, then propose it for sign-off.' : 'A draft: either side’s head or the service’s point person may change it, then activate it.');
      break;
    case 'proposed': {
      const waiting = SIDES.filter((x) => !s[x]).map((x) => (x === 'provider' ? `the provider side (${sideLabel(c.provider)})` : `the consumer side (${sideLabel(c.consumer)})`));
      bits.push(`Proposed: the text is frozen. Waiting for the signature of ${waiting.join(' and ')}.`);
      break;
    }
    case 'agreed':
      bits.push('Agreed: both sides signed. Activating it makes it the contract in force.');
      break;
    case 'active':
      bits.push(`In force since ${v.activated_at ? fmtTime(v.activated_at) : '—'}.`);
      break;
    case 'superseded':
      bits.push('Superseded by a later version; kept unchanged for the record.');
      break;
    case 'retired':
      bits.push('Retired (or withdrawn before it became active); kept unchanged for the record.');
      break;
    default:
      break;
  }
  const p = h('p', { class: 'version-status' }, bits.join(' '));
  if (open && open.number !== v.number) {
    return [p, h('p', { class: 'warning' }, `Version ${open.number} is ${open.state}: `, h('a', { href: `#/contracts/${c.id}?version=${open.number}` }, `see version ${open.number}`), '.')];
  }
  return p;
}

// The steps that make sense for version v and this person.
function actionsBox(ctx, c, v, pw, open, getEditor) {
  const box = h('form', { class: 'card actions-card', novalidate: true, 'aria-labelledby': 'steps-title' }, h('h3', { id: 'steps-title' }, 'Next steps'));
  formError(box);
  const buttons = [];
  const base = `/contracts/${c.id}/versions/${v.number}`;
  const run = (label, fn, cls) => {
    const b = h('button', { type: 'button', class: cls || '' }, label);
    b.addEventListener('click', async () => {
      if (box.dataset.busy === '1') return;
      box.dataset.busy = '1';
      for (const x of box.querySelectorAll('button')) x.disabled = true;
      clearProblem(box);
      try {
        await fn();
      } catch (err) {
        if (!(err instanceof ApiError && err.status === 401)) {
          const ed = getEditor();
          const edForm = ed && document.getElementById('draft-form');
          // A problem in the draft's terms (e.g. on proposing) is shown in the editor.
          if (edForm && err instanceof ApiError && err.field && err.field !== '/side') {
            err.field = ed.mapField(err.field);
            showProblem(edForm, err);
          }
          showProblem(box, err);
          if (edForm && err instanceof ApiError && err.field) {
            const inp = edForm.querySelector('[aria-invalid="true"]');
            if (inp) inp.focus();
          }
        }
      } finally {
        delete box.dataset.busy;
        for (const x of box.querySelectorAll('button')) if (x.isConnected) x.disabled = false;
      }
    });
    buttons.push(b);
  };
  // Saves the draft's unsaved edits before a step that freezes or activates it.
  const saveFirst = async () => {
    const ed = getEditor();
    if (ed && ed.changed()) await api('PATCH', base, ed.value());
  };
  const after = async (msg, number, focusSel) => {
    announce(msg);
    pendingFocus = focusSel || '#version-title';
    const target = `#/contracts/${c.id}?version=${number || v.number}`;
    if (window.location.hash === target) await ctx.rerender();
    else window.location.hash = target;
  };

  if (v.state === 'draft' && pw.manage) {
    if (c.formal) {
      run(
        'Propose for sign-off',
        async () => {
          await saveFirst();
          await api('POST', `${base}/propose`);
          await after(`Version ${v.number} proposed: it waits for both sides’ signatures.`);
        },
        'primary'
      );
    } else {
      run(
        'Activate',
        async () => {
          await saveFirst();
          await api('POST', `${base}/activate`);
          await after(`Version ${v.number} is active.`);
        },
        'primary'
      );
    }
  }
  if (v.state === 'proposed') {
    for (const side of SIDES) {
      if (!pw.sign.has(side) || (v.signatures && v.signatures[side])) continue;
      const who = side === 'provider' ? sideLabel(c.provider) : sideLabel(c.consumer);
      run(
        `Sign for the ${side} side (${who})`,
        async () => {
          const r = await api('POST', `${base}/sign`, { side });
          await after(r.state === 'agreed' ? `Signed for ${who}. Both sides have signed: version ${v.number} is agreed.` : `Signed for ${who}.`);
        },
        'primary'
      );
    }
  }
  if (v.state === 'agreed' && pw.manage) {
    run(
      `Activate version ${v.number}`,
      async () => {
        await api('POST', `${base}/activate`);
        await after(`Version ${v.number} is active${c.active_version && c.active_version !== v.number ? `; version ${c.active_version} is superseded` : ''}.`);
      },
      'primary'
    );
  }
  if (['active', 'superseded', 'retired'].includes(v.state) && pw.manage && !open) {
    run('Start a new version', async () => {
      const nv = await api('POST', `/contracts/${c.id}/versions`, { from: v.number });
      await after(`Version ${nv.number} started as a draft from version ${v.number}.`, nv.number, '#draft-title');
    });
  }
  if (!['superseded', 'retired'].includes(v.state) && pw.manage) {
    const label = v.state === 'active' ? `Retire version ${v.number}` : v.state === 'draft' ? 'Discard the draft' : 'Withdraw';
    run(
      label,
      async () => {
        const q = v.state === 'active' ? `Retire version ${v.number}? The contract is no longer in force until a new version is activated.` : `${label}: version ${v.number} is kept, retired, for the record. Continue?`;
        if (!window.confirm(q)) return;
        await api('POST', `${base}/retire`);
        await after(`Version ${v.number} retired.`);
      },
      'danger'
    );
  }
  if (!buttons.length) {
    const why =
      v.state === 'proposed' && pw.sign.size
        ? 'You have signed for your side; the other side has not signed yet.'
        : pw.manage
          ? open && open.number !== v.number
            ? `Work continues on version ${open.number}.`
            : 'Nothing to do on this version.'
          : 'Only an administrator, either side’s head, the service’s point person or a named party acts on this contract.';
    box.appendChild(h('p', { class: 'muted' }, why));
  } else {
    box.appendChild(h('div', { class: 'actions' }, buttons));
  }
  return box;
}

function measureMeaning(measures, name, side) {
  const m = measures.find((x) => x.name === name);
  if (!m) return '';
  return (side === 'provider' ? m.provider_meaning : m.consumer_meaning) || '';
}

function expectationsSection(c, v, measures) {
  const prov = sideLabel(c.provider);
  const cons = sideLabel(c.consumer);
  const col = (side, heading) => {
    const list = (v.expectations && v.expectations[side]) || [];
    return h(
      'div',
      { class: `exp-col exp-col-${side}`, 'data-side': side },
      table(
        `${heading} (${side} side, ${list.length})`,
        ['Measure', 'Target', 'Weight', 'In their words'],
        list.map((e) => [
          h('span', null, e.measure, h('span', { class: 'hint exp-meaning' }, ` ${e.group} · ${measureMeaning(measures, e.measure, side)}`)),
          fmtTarget(e),
          h('span', { class: 'num' }, fmtNum(e.weight)),
          e.note ? h('q', null, e.note) : h('span', { class: 'muted' }, '—'),
        ]),
        'No expectations on this side.'
      )
    );
  };
  return h(
    'section',
    { class: 'section', 'aria-labelledby': 'exp-title' },
    h('h2', { id: 'exp-title' }, 'Expectations of both sides'),
    h('div', { class: 'ct-sides' }, col('provider', `What ${cons} expects of ${prov}`), col('consumer', `What ${prov} needs from ${cons}`))
  );
}

function clocksSection(v) {
  const pr = v.priorities || [];
  return h(
    'section',
    { class: 'section', 'aria-labelledby': 'clocks-title' },
    h('h2', { id: 'clocks-title' }, 'Clocks, calendar and scoring'),
    h(
      'dl',
      { class: 'details' },
      h('dt', null, 'First response within'),
      h('dd', { 'data-testid': 'response-target' }, fmtMinutes(v.response_minutes)),
      h('dt', null, 'Resolution within'),
      h('dd', { 'data-testid': 'resolution-target' }, fmtMinutes(v.resolution_minutes)),
      h('dt', null, 'Calendar'),
      h('dd', null, v.calendar ? h('a', { href: `#/calendars/${v.calendar.id}` }, v.calendar.name) : '—'),
      h('dt', null, 'Group weights'),
      h('dd', null, GROUPS.map((g) => `${g} ${fmtNum(v.weights ? v.weights[g] : null)}`).join(' · ')),
      h('dt', null, 'Minimum sample'),
      h('dd', null, `${v.min_n} requests or ratings per period`),
      h('dt', null, 'Measured per'),
      h('dd', null, v.measure_period),
      h('dt', null, 'Reviewed'),
      h('dd', null, (CADENCES.find((x) => x[0] === v.review_cadence) || [null, v.review_cadence])[1])
    ),
    pr.length
      ? table(
          `Priorities of version ${v.number} (${pr.length})`,
          ['Priority', 'Factor', 'First response within', 'Resolution within'],
          pr.map((p) => [
            h('span', null, p.name, p.default ? h('span', { class: 'badge' }, 'default') : null),
            `× ${fmtNum(p.factor)}`,
            fmtMinutes(Math.round(v.response_minutes * p.factor)),
            fmtMinutes(Math.round(v.resolution_minutes * p.factor)),
          ])
        )
      : h('p', { class: 'muted' }, 'No priorities: every request has the same clocks.')
  );
}

function signoffSection(c, v, service) {
  const s = v.signatures || {};
  const whoMay = {
    provider: `${possessive(c.provider.department.name)} head${service && service.point_person ? ` or the service’s point person (${service.point_person.name})` : ' or the service’s point person'}${c.provider.person ? ` or ${c.provider.person.name}` : ''}`,
    consumer: `${possessive(c.consumer.department.name)} head${c.consumer.person ? ` or ${c.consumer.person.name}` : ''}`,
  };
  const events = [
    ['Created', v.created_by, v.created_at],
    ['Proposed', v.proposed_by, v.proposed_at],
    ['Agreed', null, v.agreed_at],
    ['Activated', v.activated_by, v.activated_at],
    ['Superseded', null, v.superseded_at],
    ['Retired', v.retired_by, v.retired_at],
  ].filter((e) => e[2]);
  return h(
    'section',
    { class: 'section', 'aria-labelledby': 'signoff-title' },
    h('h2', { id: 'signoff-title' }, 'Sign-off'),
    c.formal
      ? table(
          `Signatures of version ${v.number}`,
          ['Side', 'May sign', 'Signed by', 'Signed at'],
          SIDES.map((side) => [
            `${side === 'provider' ? 'Provider' : 'Consumer'}: ${sideLabel(c[side])}`,
            whoMay[side],
            s[side] ? h('a', { href: `#/people/${s[side].person.id}` }, s[side].person.name) : h('span', { class: 'muted' }, v.state === 'draft' ? 'not proposed yet' : 'not signed'),
            s[side] ? timeEl(s[side].signed_at) : h('span', { class: 'muted' }, '—'),
          ])
        )
      : h('p', null, 'An informal contract is not signed: a draft is activated directly.'),
    h(
      'dl',
      { class: 'details timeline' },
      events.map(([what, who, at]) => [h('dt', null, what), h('dd', null, timeEl(at), who ? ` by ${who.name}` : '')])
    )
  );
}

function draftForm(ctx, c, v, measures, data) {
  const editor = termsEditor(v, {
    measures,
    calendars: data.calendars,
    policies: data.policies,
    provider: c.provider.department,
    deptDefault: data.deptDefault,
    names: { provider: sideLabel(c.provider), consumer: sideLabel(c.consumer) },
  });
  const form = h(
    'form',
    { class: 'card form-grid draft-form', id: 'draft-form', novalidate: true, 'aria-labelledby': 'draft-title', 'data-inline-errors': true },
    h('h2', { id: 'draft-title' }, `Edit draft version ${v.number}`),
    h('p', { class: 'hint wide' }, 'Every field works from the keyboard: Tab moves on, “Add an expectation” adds a row and moves to its measure, “Remove” moves to the next row. Save as often as you like; the draft changes nothing until it is proposed and signed.'),
    ...editor.el,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save draft'))
  );
  onSubmit(form, async () => {
    if (!editor.changed()) {
      announce('Nothing to save: no field was changed.');
      return;
    }
    await withEditorField(editor, () => api('PATCH', `/contracts/${c.id}/versions/${v.number}`, editor.value()));
    announce(`Draft version ${v.number} saved.`);
    pendingFocus = '#draft-title';
    await ctx.rerender();
  });
  return { form, editor };
}

// ---------------------------------------------------------------------------
// Version history and the comparison of two versions

function historySection(ctx, c, versions, shown) {
  const rows = [...versions].reverse().map((x) => {
    const s = x.signatures || {};
    const signed = SIDES.filter((side) => s[side]).map((side) => `${s[side].person.name} (${side})`);
    return [
      x.number === shown.number ? h('span', { 'aria-current': 'page' }, `Version ${x.number} (shown)`) : h('a', { href: `#/contracts/${c.id}?version=${x.number}` }, `Version ${x.number}`),
      stateBadge(x.state),
      x.based_on ? `version ${x.based_on}` : h('span', { class: 'muted' }, '—'),
      h('span', null, timeEl(x.created_at), x.created_by ? ` by ${x.created_by.name}` : ''),
      signed.length ? signed.join(', ') : h('span', { class: 'muted' }, c.formal ? 'none' : 'informal'),
      x.activated_at ? h('span', null, timeEl(x.activated_at), x.superseded_at ? [' – ', timeEl(x.superseded_at)] : x.retired_at ? [' – ', timeEl(x.retired_at)] : ' – now') : h('span', { class: 'muted' }, '—'),
    ];
  });
  const parts = [
    h('h2', { id: 'history-title' }, 'Version history'),
    table(`Versions (${versions.length})`, ['Version', 'State', 'Based on', 'Created', 'Signed by', 'In force'], rows),
  ];
  if (versions.length >= 2) parts.push(compareForm(c, versions, shown));
  return h('section', { class: 'section', 'aria-labelledby': 'history-title' }, ...parts);
}

function compareForm(c, versions, shown) {
  const byN = new Map(versions.map((x) => [x.number, x]));
  const idx = versions.findIndex((x) => x.number === shown.number);
  const to0 = shown.number;
  const from0 = shown.based_on && byN.has(shown.based_on) && shown.based_on !== shown.number ? shown.based_on : (versions[idx > 0 ? idx - 1 : 1] || versions[0]).number;
  const sel = (name, cur) => h('select', { name }, versions.map((x) => h('option', { value: String(x.number), selected: x.number === cur }, `Version ${x.number} (${STATE_TEXT[x.state]})`)));
  const from = sel('from', from0);
  const to = sel('to', to0);
  const out = h('div', { class: 'diff-result', 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'card compare-form', novalidate: true, 'aria-labelledby': 'compare-title' },
    h('h3', { id: 'compare-title' }, 'What changed between two versions'),
    h('div', { class: 'compare-row' }, field('From', from), field('To', to), h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Show the changes'))),
    out
  );
  const draw = () => out.replaceChildren(...diffView(c, byN.get(Number(from.value)), byN.get(Number(to.value))));
  onSubmit(form, async () => {
    draw();
  });
  draw();
  return form;
}

function expMap(v, side) {
  return new Map(((v.expectations && v.expectations[side]) || []).map((e) => [e.measure, e]));
}

function policyName(v) {
  return v.escalation_policy ? v.escalation_policy.name : 'the provider’s default';
}

// The changes from version a to version b: [what, in a, in b].
export function diffVersions(c, a, b) {
  const rows = [];
  const add = (what, x, y) => {
    if (String(x) !== String(y)) rows.push([what, x, y]);
  };
  add('Summary', a.summary || '—', b.summary || '—');
  add('Calendar', a.calendar ? a.calendar.name : '—', b.calendar ? b.calendar.name : '—');
  add('First response within', fmtMinutes(a.response_minutes), fmtMinutes(b.response_minutes));
  add('Resolution within', fmtMinutes(a.resolution_minutes), fmtMinutes(b.resolution_minutes));
  add('Escalation policy', policyName(a), policyName(b));
  for (const g of GROUPS) add(`Weight of the ${g} group`, fmtNum(a.weights && a.weights[g]), fmtNum(b.weights && b.weights[g]));
  add('Minimum sample (min_n)', a.min_n, b.min_n);
  add('Measured per', a.measure_period, b.measure_period);
  add('Reviewed', a.review_cadence, b.review_cadence);
  const pa = new Map((a.priorities || []).map((p) => [p.name, p]));
  const pb = new Map((b.priorities || []).map((p) => [p.name, p]));
  const ptext = (p) => `× ${fmtNum(p.factor)}${p.default ? ' (default)' : ''}`;
  for (const [n, p] of pa) add(`Priority “${n}”`, ptext(p), pb.has(n) ? ptext(pb.get(n)) : 'removed');
  for (const [n, p] of pb) if (!pa.has(n)) add(`Priority “${n}”`, 'not there', ptext(p));
  for (const side of SIDES) {
    const who = side === 'provider' ? `${sideLabel(c.provider)} (provider)` : `${sideLabel(c.consumer)} (consumer)`;
    const ea = expMap(a, side);
    const eb = expMap(b, side);
    const whole = (e) => `${fmtTarget(e)}, weight ${fmtNum(e.weight)}${e.note ? `, “${e.note}”` : ''}`;
    for (const [m, x] of ea) {
      const y = eb.get(m);
      if (!y) {
        add(`${who}: ${m}`, whole(x), 'removed');
        continue;
      }
      add(`${who}: ${m} target`, fmtTarget(x), fmtTarget(y));
      add(`${who}: ${m} weight`, fmtNum(x.weight), fmtNum(y.weight));
      add(`${who}: ${m} note`, x.note || '—', y.note || '—');
    }
    for (const [m, y] of eb) if (!ea.has(m)) add(`${who}: ${m}`, 'not there', whole(y));
  }
  return rows;
}

function diffView(c, a, b) {
  if (!a || !b) return [h('p', { class: 'muted' }, 'Choose two versions.')];
  if (a.number === b.number) return [h('p', { class: 'muted' }, 'Choose two different versions.')];
  const rows = diffVersions(c, a, b);
  const ta = new Set(a.terms || []);
  const tb = new Set(b.terms || []);
  const removed = (a.terms || []).filter((t) => !tb.has(t));
  const added = (b.terms || []).filter((t) => !ta.has(t));
  const out = [
    table(
      `Changes from version ${a.number} to version ${b.number} (${rows.length})`,
      ['What', `Version ${a.number}`, `Version ${b.number}`],
      rows,
      'The two versions have the same terms.'
    ),
  ];
  if (removed.length || added.length) {
    out.push(
      h('h4', null, 'In plain language'),
      h(
        'ul',
        { class: 'terms-list terms-diff' },
        removed.map((t) => h('li', null, h('del', null, h('span', { class: 'visually-hidden' }, 'Removed: '), t))),
        added.map((t) => h('li', null, h('ins', null, h('span', { class: 'visually-hidden' }, 'Added: '), t)))
      )
    );
  }
  return out;
}
