// accord web UI: notifications. "My notifications": who gets which e-mail, and the optional
// ones a person turns off for themselves. "Webhooks & outbox" (administrators): webhook
// endpoints (the secret is shown once), and the outbox rows that failed, sent again by hand.
import { api, fetchAll, fetchUpTo, h, field, onSubmit, announce, table, timeEl } from './api.js';

const isAdmin = (me) => me.role === 'admin';

export const routes = [
  { path: '/notifications', render: renderMine },
  { path: '/notifications/admin', render: renderAdmin, when: isAdmin },
];

// ---- my notifications ----

async function renderMine(ctx) {
  const { main } = ctx;
  ctx.setTitle('My notifications');
  const prefs = await api('GET', '/me/notifications');
  if (ctx.stale()) return;

  const boxes = new Map();
  const rows = prefs.items.map((p) => {
    const box = h('input', {
      type: 'checkbox',
      name: p.type,
      checked: p.email,
      disabled: !p.optional,
      'aria-label': `E-mail me when ${p.summary}`,
    });
    boxes.set(p.type, box);
    return [
      p.summary.charAt(0).toUpperCase() + p.summary.slice(1),
      p.recipients,
      h('span', null, box, p.optional ? null : h('span', { class: 'hint' }, ' Always sent')),
    ];
  });
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'mine-title' },
    h('h2', { id: 'mine-title' }, 'E-mails I get'),
    table('Notifications and who gets them', ['Event', 'Who gets the e-mail', 'E-mail me'], rows),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save choices'))
  );
  onSubmit(form, async () => {
    const email = {};
    for (const p of prefs.items) if (p.optional) email[p.type] = boxes.get(p.type).checked;
    await api('PUT', '/me/notifications', { email });
    announce('Your choices of e-mail are saved.');
  });

  main.replaceChildren(
    h('div', { class: 'page-head' }, h('h1', null, 'My notifications')),
    h(
      'p',
      { class: 'lead' },
      'accord e-mails the people a change concerns: the other side of a request, its assignee, and those an escalation level names. ',
      'You never get an e-mail about what you did yourself. Escalations cannot be turned off.'
    ),
    prefs.email_enabled ? null : h('p', { class: 'warning' }, 'This server has no mail server set up: it sends no e-mail at the moment.'),
    form
  );
}

// ---- administrators: webhooks and the outbox ----

const STATES = ['failed', 'pending', 'done'];

async function renderAdmin(ctx) {
  const { main, query } = ctx;
  ctx.setTitle('Webhooks & outbox');
  const state = STATES.includes(query.get('state')) ? query.get('state') : 'failed';
  const [types, hooks, rows] = await Promise.all([
    api('GET', '/notification-types'),
    fetchAll('/webhooks'),
    fetchUpTo('/outbox', { state }, 200),
  ]);
  if (ctx.stale()) return;

  const reveal = h('div', { id: 'new-webhook-secret' });
  main.replaceChildren(
    h('div', { class: 'page-head' }, h('h1', null, 'Webhooks & outbox')),
    h(
      'p',
      { class: 'lead' },
      'Every event is POSTed as JSON to the endpoints that want its type, signed with the endpoint’s secret ',
      '(header X-Accord-Signature: sha256= and the hex HMAC-SHA256 of the timestamp, a dot and the body). ',
      'Deliveries that fail are tried again with growing delays, then parked below as failed.'
    ),
    reveal,
    h('section', { class: 'section', 'aria-labelledby': 'hooks-title' }, h('h2', { id: 'hooks-title' }, 'Endpoints'), hookTable(hooks, ctx)),
    h('section', { class: 'section' }, hookForm(types.items, reveal, ctx)),
    h('section', { class: 'section', 'aria-labelledby': 'outbox-title' }, h('h2', { id: 'outbox-title' }, 'Outbox'), stateNav(state, ctx), outboxTable(rows, state, ctx))
  );
}

function hookTable(hooks, ctx) {
  return table(
    `Webhook endpoints (${hooks.length})`,
    ['URL', 'Event types', 'Active', 'Description', 'Actions'],
    hooks.map((w) => {
      const cell = h('span', { class: 'row-actions' });
      const toggle = h('button', { type: 'button', class: 'secondary', 'aria-label': `${w.active ? 'Pause' : 'Resume'} ${w.url}` }, w.active ? 'Pause' : 'Resume');
      toggle.addEventListener('click', async () => {
        toggle.disabled = true;
        try {
          await api('PATCH', `/webhooks/${w.id}`, { active: !w.active });
          announce(`${w.url} ${w.active ? 'paused' : 'resumed'}.`);
          ctx.rerender();
        } catch (e) {
          toggle.disabled = false;
          announce(e.message);
        }
      });
      const del = h('button', { type: 'button', class: 'danger', 'aria-label': `Remove ${w.url}` }, 'Remove');
      del.addEventListener('click', () => {
        const yes = h('button', { type: 'button', class: 'danger', 'aria-label': `Yes, remove ${w.url}` }, 'Yes, remove');
        const no = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
        const err = h('span', { class: 'inline-error', role: 'alert' });
        no.addEventListener('click', () => {
          cell.replaceChildren(toggle, del);
          del.focus();
        });
        yes.addEventListener('click', async () => {
          yes.disabled = true;
          try {
            await api('DELETE', `/webhooks/${w.id}`);
            announce(`${w.url} removed.`);
            ctx.rerender();
          } catch (e) {
            yes.disabled = false;
            err.textContent = e.message;
          }
        });
        cell.replaceChildren(h('span', null, 'Remove this endpoint? '), yes, no, err);
        yes.focus();
      });
      cell.append(toggle, ' ', del);
      return [w.url, w.event_types.join(', '), w.active ? 'Yes' : h('span', { class: 'badge badge-off' }, 'Paused'), w.description || '—', cell];
    }),
    'No endpoints yet.'
  );
}

function hookForm(types, reveal, ctx) {
  const url = h('input', { name: 'url', type: 'text', inputmode: 'url', required: true, maxlength: '2000', placeholder: 'https://hooks.example.org/accord', autocomplete: 'off', spellcheck: 'false' });
  const description = h('input', { name: 'description', type: 'text', maxlength: '500', autocomplete: 'off' });
  const secret = h('input', { name: 'secret', type: 'text', minlength: '24', maxlength: '200', autocomplete: 'off', spellcheck: 'false' });
  const all = h('input', { type: 'checkbox', name: 'event_types', value: '*' });
  const boxes = types.map((t) => h('input', { type: 'checkbox', name: 'event_types', value: t.type }));
  const group = h(
    'fieldset',
    { class: 'field wide' },
    h('legend', null, 'Event types'),
    field('All types, those added later too', all),
    types.map((t, i) => field(`${t.type}: ${t.summary}`, boxes[i]))
  );
  all.addEventListener('change', () => {
    for (const b of boxes) b.disabled = all.checked;
  });
  const form = h(
    'form',
    { class: 'card form-grid', novalidate: true, 'aria-labelledby': 'new-hook-title', 'data-inline-errors': '' },
    h('h2', { id: 'new-hook-title' }, 'Add an endpoint'),
    h('div', { class: 'wide' }, field('URL', url, 'http:// or https://, without a user name or password in it.')),
    group,
    field('Secret', secret, 'Optional: 24 to 200 characters. Left empty, accord makes one. Either way it is shown once.'),
    field('Description', description),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Add endpoint'))
  );
  onSubmit(form, async () => {
    const body = {
      url: url.value.trim(),
      event_types: all.checked ? ['*'] : boxes.filter((b) => b.checked).map((b) => b.value),
    };
    if (secret.value !== '') body.secret = secret.value;
    if (description.value.trim() !== '') body.description = description.value.trim();
    const w = await api('POST', '/webhooks', body);
    form.reset();
    for (const b of boxes) b.disabled = false;
    await ctx.rerender();
    showSecret(document.getElementById('new-webhook-secret'), w);
  });
  return form;
}

function showSecret(box, w) {
  if (!box) return;
  const input = h('input', { type: 'text', readonly: true, value: w.secret, class: 'token-value', spellcheck: 'false', autocomplete: 'off' });
  const panel = h(
    'section',
    { class: 'card token-reveal', 'aria-labelledby': 'secret-title' },
    h('h2', { id: 'secret-title', tabindex: '-1' }, `Secret of ${w.url}`),
    h('p', { class: 'warning' }, h('strong', null, 'Copy this secret now. '), 'No page or API shows it again; the receiver needs it to check signatures.'),
    field('Secret', input),
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'secondary', onclick: () => box.replaceChildren() }, 'Done, hide it'))
  );
  box.replaceChildren(panel);
  announce('Endpoint added. Copy its secret now: it will not be shown again.');
  input.focus();
  input.select();
}

function stateNav(state, ctx) {
  return h(
    'p',
    { class: 'filters' },
    'Show: ',
    STATES.map((s, i) => [i ? ' · ' : '', s === state ? h('strong', { 'aria-current': 'page' }, s) : h('a', { href: ctx.link('/notifications/admin', { state: s }) }, s)])
  );
}

function outboxTable(page, state, ctx) {
  const rows = page.items.map((r) => {
    const action = h('span', { class: 'row-actions' });
    if (r.state === 'failed') {
      const again = h('button', { type: 'button', 'aria-label': `Send outbox row ${r.id} again` }, 'Send again');
      again.addEventListener('click', async () => {
        again.disabled = true;
        try {
          await api('POST', `/outbox/${r.id}/retry`);
          announce(`Outbox row ${r.id} will be sent again.`);
          ctx.rerender();
        } catch (e) {
          again.disabled = false;
          announce(e.message);
        }
      });
      action.append(again);
    }
    return [
      String(r.id),
      `${r.channel}: ${r.event_type}`,
      r.entity.type === 'request' ? h('a', { href: `#/requests/${r.entity.id}` }, `request #${r.entity.id}`) : `${r.entity.type} ${r.entity.id}`,
      r.to || '—',
      String(r.attempts),
      r.last_error ? h('span', { class: 'muted' }, r.last_error) : '—',
      r.state === 'pending' ? timeEl(r.next_attempt_at) : r.state === 'done' ? timeEl(r.sent_at) : timeEl(r.next_attempt_at || r.created_at),
      action,
    ];
  });
  const caption = `Outbox rows ${state}${page.more ? ' (the first 200)' : ''} (${rows.length})`;
  return table(caption, ['Row', 'What', 'About', 'To', 'Attempts', 'Last error', state === 'done' ? 'Sent' : 'When', 'Actions'], rows, state === 'failed' ? 'Nothing has failed.' : 'Nothing here.');
}
