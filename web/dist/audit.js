// accord web UI: the audit log (administrators): filters, cursor pagination, before/after.
import { api, h, field, onSubmit, timeEl, ref } from './api.js';

export const routes = [{ path: '/audit', render, when: (me) => me.role === 'admin' }];

const PAGE_SIZE = 50;
const KNOWN_ENTITIES = ['department', 'person', 'token', 'session'];

function json(v) {
  return JSON.stringify(v, null, 2);
}

function changes(e) {
  if (!e.before && !e.after) return h('span', { class: 'muted' }, '—');
  // Keys whose values differ, to summarise the change in the <summary>.
  const b = e.before || {};
  const a = e.after || {};
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k]));
  const summary = !e.before ? 'Created' : !e.after ? 'Removed' : keys.length ? `Changed: ${keys.join(', ')}` : 'No field changed';
  return h(
    'details',
    { class: 'audit-details' },
    h('summary', null, summary),
    h(
      'div',
      { class: 'before-after' },
      h('div', null, h('h3', null, 'Before'), e.before ? h('pre', null, json(e.before)) : h('p', { class: 'muted' }, 'Nothing (new)')),
      h('div', null, h('h3', null, 'After'), e.after ? h('pre', null, json(e.after)) : h('p', { class: 'muted' }, 'Nothing (removed)'))
    )
  );
}

async function render(ctx) {
  const { main, query } = ctx;
  ctx.setTitle('Audit');
  const f = {
    entity: query.get('entity') || '',
    entity_id: query.get('entity_id') || '',
    actor: query.get('actor') || '',
  };
  const cursor = query.get('cursor') || '';
  const page = await api('GET', '/audit', null, { ...f, limit: PAGE_SIZE, cursor });
  if (ctx.stale()) return;

  const listId = 'audit-entities';
  const entity = h('input', { name: 'entity', type: 'text', value: f.entity, list: listId, autocomplete: 'off', spellcheck: 'false' });
  const entityId = h('input', { name: 'entity_id', type: 'number', min: '1', step: '1', value: f.entity_id, inputmode: 'numeric' });
  const actor = h('input', { name: 'actor', type: 'number', min: '1', step: '1', value: f.actor, inputmode: 'numeric' });
  const form = h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Filter the audit log', novalidate: true },
    h('datalist', { id: listId }, KNOWN_ENTITIES.map((x) => h('option', { value: x }))),
    field('Entity', entity),
    field('Entity id', entityId),
    field('Actor (person id)', actor),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Apply filters'), h('a', { href: '#/audit', class: 'button-link' }, 'Clear'))
  );
  onSubmit(form, async () => {
    const target = ctx.link('/audit', { entity: entity.value.trim(), entity_id: entityId.value, actor: actor.value });
    if (window.location.hash === target) await ctx.rerender();
    else window.location.hash = target;
  });

  const items = page.items || [];
  const thead = h('thead', null, h('tr', null, ['When', 'Actor', 'Action', 'Entity', 'Id', 'Before / after'].map((x) => h('th', { scope: 'col' }, x))));
  const tbody = h('tbody');
  if (!items.length) tbody.appendChild(h('tr', null, h('td', { colspan: 6, class: 'empty' }, 'No audit records match these filters.')));
  for (const e of items) {
    tbody.appendChild(
      h(
        'tr',
        null,
        h('th', { scope: 'row', class: 'nowrap' }, timeEl(e.at)),
        h('td', null, e.actor ? ref(e.actor, '#/people/') : h('span', { class: 'muted' }, 'system')),
        h('td', null, h('code', null, e.action || '')),
        h('td', null, e.entity || ''),
        h('td', { class: 'num' }, e.entity_id === null || e.entity_id === undefined ? '' : String(e.entity_id)),
        h('td', null, changes(e))
      )
    );
  }
  const desc = [f.entity && `entity ${f.entity}`, f.entity_id && `id ${f.entity_id}`, f.actor && `actor ${f.actor}`].filter(Boolean).join(', ');
  const tbl = h(
    'div',
    { class: 'table-wrap' },
    h('table', { class: 'audit-table' }, h('caption', null, `Audit records${desc ? ` (${desc})` : ''}${cursor ? ', continued' : ''}: ${items.length} shown`), thead, tbody)
  );

  const pager = h('nav', { class: 'pager', 'aria-label': 'Audit pages' });
  if (cursor) pager.appendChild(h('a', { href: ctx.link('/audit', f), class: 'button-link' }, 'First page'));
  if (page.next_cursor) pager.appendChild(h('a', { href: ctx.link('/audit', { ...f, cursor: page.next_cursor }), class: 'button-link', rel: 'next' }, 'Next page'));

  main.replaceChildren(
    h('div', { class: 'page-head' }, h('h1', null, 'Audit')),
    h('p', { class: 'lead' }, 'Every change, who made it and when. The log is append-only.'),
    form,
    tbl,
    ...(pager.childNodes.length ? [pager] : [])
  );
}
