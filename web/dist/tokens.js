// accord web UI: "My tokens": personal API tokens for `Authorization: Bearer …`.
import { api, fetchAll, h, field, onSubmit, announce, timeEl } from './api.js';

export const routes = [{ path: '/tokens', render: render }];

async function render(ctx) {
  const { main } = ctx;
  ctx.setTitle('My tokens');
  const items = await fetchAll('/tokens');
  if (ctx.stale()) return;

  const listBox = h('div', { id: 'tokens-table' });
  const reveal = h('div', { id: 'new-token' });
  const drawList = (rows) => listBox.replaceChildren(tokenTable(rows, drawAgain));
  const drawAgain = async () => drawList(await fetchAll('/tokens'));
  drawList(items);

  const label = h('input', { name: 'label', type: 'text', required: true, maxlength: '80', autocomplete: 'off' });
  const days = h('input', { name: 'expires_days', type: 'number', min: '1', max: '3650', step: '1', inputmode: 'numeric' });
  const form = h(
    'form',
    { class: 'card form-grid', novalidate: true, 'aria-labelledby': 'new-token-title' },
    h('h2', { id: 'new-token-title' }, 'Create a token'),
    field('Label', label, 'What the token is for, e.g. “reporting script”.'),
    field('Expires after (days)', days, 'Optional. Leave empty for a token that does not expire.'),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Create token'))
  );
  onSubmit(form, async () => {
    const body = { label: label.value.trim() };
    if (days.value !== '') body.expires_days = Number(days.value);
    const t = await api('POST', '/tokens', body);
    form.reset();
    showToken(reveal, t);
    await drawAgain();
  });

  main.replaceChildren(
    h('div', { class: 'page-head' }, h('h1', null, 'My tokens')),
    h(
      'p',
      { class: 'lead' },
      'Personal API tokens let scripts call the accord API as you. Send one as ',
      h('code', null, 'Authorization: Bearer …'),
      '. A token has your permissions: keep it secret and revoke it when it is no longer needed.'
    ),
    reveal,
    listBox,
    h('section', { class: 'section' }, form)
  );
}

function showToken(box, t) {
  const input = h('input', { type: 'text', readonly: true, value: t.token, class: 'token-value', spellcheck: 'false', autocomplete: 'off' });
  const copied = h('span', { class: 'hint', role: 'status' });
  const copy = h(
    'button',
    {
      type: 'button',
      onclick: async () => {
        let ok = false;
        try {
          await navigator.clipboard.writeText(t.token);
          ok = true;
        } catch (e) {
          input.select();
          try {
            ok = document.execCommand('copy');
          } catch (e2) {
            ok = false;
          }
        }
        copied.textContent = ok ? 'Copied to the clipboard.' : 'Could not copy: select the token and copy it by hand.';
      },
    },
    'Copy token'
  );
  const panel = h(
    'section',
    { class: 'card token-reveal', 'aria-labelledby': 'token-reveal-title' },
    h('h2', { id: 'token-reveal-title', tabindex: '-1' }, `New token “${t.label}”`),
    h('p', { class: 'warning' }, h('strong', null, 'Copy this token now. '), 'It will not be shown again: accord keeps only a hash of it.'),
    field('Your new token', input),
    h(
      'div',
      { class: 'actions' },
      copy,
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          onclick: () => {
            box.replaceChildren();
            const h1 = document.querySelector('main h1');
            if (h1) {
              h1.setAttribute('tabindex', '-1');
              h1.focus();
            }
          },
        },
        'Done, hide it'
      ),
      copied
    ),
    t.expires_at ? h('p', { class: 'hint' }, 'Expires: ', timeEl(t.expires_at)) : h('p', { class: 'hint' }, 'This token does not expire.')
  );
  box.replaceChildren(panel);
  announce(`Token “${t.label}” created. Copy it now: it will not be shown again.`);
  input.focus();
  input.select();
}

function tokenTable(items, refresh) {
  const thead = h(
    'thead',
    null,
    h('tr', null, ['Label', 'Created', 'Expires', 'Last used', 'Actions'].map((x) => h('th', { scope: 'col' }, x)))
  );
  const tbody = h('tbody');
  if (!items.length) tbody.appendChild(h('tr', null, h('td', { colspan: 5, class: 'empty' }, 'You have no tokens.')));
  for (const t of items) {
    const cell = h('td', { class: 'row-actions' });
    const revokeBtn = h('button', { type: 'button', class: 'danger', 'aria-label': `Revoke token ${t.label}` }, 'Revoke');
    const ask = () => {
      const yes = h('button', { type: 'button', class: 'danger', 'aria-label': `Yes, revoke token ${t.label}` }, 'Yes, revoke');
      const no = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
      const err = h('span', { class: 'inline-error', role: 'alert' });
      no.addEventListener('click', () => {
        cell.replaceChildren(revokeBtn);
        revokeBtn.focus();
      });
      yes.addEventListener('click', async () => {
        yes.disabled = true;
        try {
          await api('DELETE', `/tokens/${t.id}`);
          announce(`Token “${t.label}” revoked.`);
          await refresh();
          const h1 = document.querySelector('main h1');
          if (h1) h1.focus();
        } catch (e) {
          yes.disabled = false;
          err.textContent = e.message;
        }
      });
      cell.replaceChildren(h('span', null, 'Revoke this token? '), yes, no, err);
      yes.focus();
    };
    revokeBtn.addEventListener('click', ask);
    cell.appendChild(revokeBtn);
    tbody.appendChild(
      h(
        'tr',
        null,
        h('th', { scope: 'row' }, t.label),
        h('td', null, timeEl(t.created_at)),
        h('td', null, timeEl(t.expires_at, 'Never')),
        h('td', null, timeEl(t.last_used_at, 'Never')),
        cell
      )
    );
  }
  return h('div', { class: 'table-wrap' }, h('table', null, h('caption', null, `Your tokens (${items.length})`), thead, tbody));
}

