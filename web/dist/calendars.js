// accord web UI: business calendars. The list (with "Add calendar"), and a calendar's
// page: a week grid of opening hours, its holidays (add, remove, .ics import), a what-if
// form (start + business minutes -> due) and, for administrators, the edit form.
import { api, fetchAll, h, field, onSubmit, announce, table, timeEl, uid, ApiError } from './api.js';

export const routes = [
  { path: '/calendars', render: renderList },
  { path: '/calendars/:id', render: renderOne },
];

const isAdmin = (me) => me.role === 'admin';

export const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const DAYS_SHORT = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const DAY_MIN = 1440;

// Common IANA zones for the zone field's suggestions; any other IANA name may be typed.
const ZONES = [
  'UTC',
  'Europe/London',
  'Europe/Dublin',
  'Europe/Lisbon',
  'Europe/Paris',
  'Europe/Brussels',
  'Europe/Amsterdam',
  'Europe/Berlin',
  'Europe/Zurich',
  'Europe/Vienna',
  'Europe/Rome',
  'Europe/Madrid',
  'Europe/Copenhagen',
  'Europe/Oslo',
  'Europe/Stockholm',
  'Europe/Helsinki',
  'Europe/Warsaw',
  'Europe/Prague',
  'Europe/Budapest',
  'Europe/Bucharest',
  'Europe/Athens',
  'Europe/Kyiv',
  'Europe/Istanbul',
  'Europe/Moscow',
  'Atlantic/Reykjavik',
  'Africa/Casablanca',
  'Africa/Lagos',
  'Africa/Cairo',
  'Africa/Nairobi',
  'Africa/Johannesburg',
  'Asia/Jerusalem',
  'Asia/Riyadh',
  'Asia/Dubai',
  'Asia/Tehran',
  'Asia/Karachi',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Asia/Dhaka',
  'Asia/Bangkok',
  'Asia/Jakarta',
  'Asia/Singapore',
  'Asia/Kuala_Lumpur',
  'Asia/Manila',
  'Asia/Hong_Kong',
  'Asia/Shanghai',
  'Asia/Taipei',
  'Asia/Seoul',
  'Asia/Tokyo',
  'Australia/Perth',
  'Australia/Adelaide',
  'Australia/Darwin',
  'Australia/Brisbane',
  'Australia/Sydney',
  'Australia/Melbourne',
  'Australia/Lord_Howe',
  'Pacific/Auckland',
  'Pacific/Honolulu',
  'America/Anchorage',
  'America/Los_Angeles',
  'America/Vancouver',
  'America/Phoenix',
  'America/Denver',
  'America/Chicago',
  'America/Mexico_City',
  'America/New_York',
  'America/Toronto',
  'America/Havana',
  'America/Bogota',
  'America/Lima',
  'America/Halifax',
  'America/Santiago',
  'America/Sao_Paulo',
  'America/Argentina/Buenos_Aires',
  'America/St_Johns',
];

// ---------------------------------------------------------------------------
// Hours: "HH:MM" text, minutes, intervals and summaries

function mins(t) {
  const m = /^(\d{1,2}):(\d{2})$/.exec(t || '');
  return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
}

function hhmm(m) {
  const hh = Math.floor(m / 60);
  const mm = m % 60;
  return `${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}`;
}

// A day's intervals laid out as minutes from that day's 00:00, read as the server's week
// parser reads them (SPEC §2, the HOURS syntax): an end at or before its start is on the next
// day, and a later interval whose clock time is before the previous end lies after midnight.
// {o, c, iv}: o >= 1440 is after midnight; c > 1440 runs past it.
function layDay(ivs) {
  const out = [];
  let cur = 0;
  for (const iv of ivs || []) {
    let o = mins(iv.open);
    let c = mins(iv.close);
    if (!Number.isFinite(o) || !Number.isFinite(c)) continue;
    while (o < cur) o += DAY_MIN;
    while (c <= o) c += DAY_MIN;
    out.push({ o, c, iv });
    cur = c;
  }
  return out;
}

function fmtLaid({ o, c, iv }) {
  if (o === 0 && c === DAY_MIN) return 'all day (00:00–24:00)';
  if (o >= DAY_MIN) return `${iv.open}–${iv.close} after midnight`;
  if (c > DAY_MIN) return `${iv.open}–${iv.close} next day`;
  return `${iv.open}–${iv.close}`;
}

function dayText(ivs) {
  const laid = layDay(ivs);
  return laid.length ? laid.map(fmtLaid).join(', ') : 'closed';
}

// A one-line summary: consecutive days with the same hours are grouped.
export function hoursSummary(week) {
  if (!Array.isArray(week) || week.length !== 7) return '';
  const texts = week.map(dayText);
  if (texts.every((t) => t === texts[0])) return `Every day ${texts[0]}`;
  const parts = [];
  let i = 0;
  while (i < 7) {
    let j = i;
    while (j + 1 < 7 && texts[j + 1] === texts[i]) j += 1;
    const days = i === j ? DAYS_SHORT[i] : `${DAYS_SHORT[i]}–${DAYS_SHORT[j]}`;
    parts.push(`${days} ${texts[i]}`);
    i = j + 1;
  }
  return parts.join('; ');
}

// The blocks of the week grid, per day column: an overnight interval is cut at midnight and
// continues in the next day's column (Sunday night in Monday's); one after midnight is drawn
// there whole. cont: the block belongs to the day before.
function segments(week) {
  const cols = [[], [], [], [], [], [], []];
  (week || []).forEach((ivs, d) => {
    for (const l of layDay(ivs)) {
      const label = fmtLaid(l);
      const next = cols[(d + 1) % 7];
      if (l.o >= DAY_MIN) {
        next.push({ from: l.o - DAY_MIN, to: l.c - DAY_MIN, label, day: d, cont: true, after: true });
        continue;
      }
      cols[d].push({ from: l.o, to: Math.min(l.c, DAY_MIN), label, day: d, cont: false, overnight: l.c > DAY_MIN });
      if (l.c > DAY_MIN) next.push({ from: 0, to: l.c - DAY_MIN, label, day: d, cont: true, after: false });
    }
  });
  for (const col of cols) col.sort((x, y) => x.from - y.from);
  return cols;
}

// ---------------------------------------------------------------------------
// Dates and times

// The wall clock now in a zone: {date: 'YYYY-MM-DD', day: 0..6 (Monday 0), min, text}.
function zoneNow(zone) {
  try {
    const parts = {};
    const f = new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
      hourCycle: 'h23',
    });
    for (const p of f.formatToParts(new Date())) parts[p.type] = p.value;
    const day = DAYS_SHORT.indexOf(parts.weekday);
    return {
      date: `${parts.year}-${parts.month}-${parts.day}`,
      day,
      min: (Number(parts.hour) % 24) * 60 + Number(parts.minute),
      text: `${parts.weekday} ${parts.hour}:${parts.minute}`,
    };
  } catch (e) {
    return null; // a zone this browser does not know
  }
}

// "2026-12-31" -> "2027-01-01".
function nextDate(iso) {
  const [y, m, d] = iso.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

// "2026-12-25" -> "Fri 25 Dec 2026" (a calendar date, independent of any zone).
function fmtDate(iso, long) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || '');
  if (!m) return iso || '';
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toLocaleDateString(undefined, {
    timeZone: 'UTC',
    weekday: long ? 'long' : 'short',
    day: 'numeric',
    month: long ? 'long' : 'short',
    year: 'numeric',
  });
}

// "2026-11-27T17:30+00:00" (a wall time with its offset) -> "Friday 27 November 2026, 17:30 (UTC+00:00)".
function fmtLocalWall(s) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:?\d{2})$/.exec(s || '');
  if (!m) return s || '';
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5])));
  const date = d.toLocaleDateString(undefined, { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
  const off = m[7] === 'Z' ? '+00:00' : m[7];
  return `${date}, ${m[4]}:${m[5]}${m[6] && m[6] !== '00' ? ':' + m[6] : ''} (UTC${off})`;
}

// An instant in the browser's own time zone, with the zone's short name.
function fmtBrowser(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso || '';
  return d.toLocaleString(undefined, {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  });
}

// An instant's wall time in a given zone, e.g. for "the start, read in Europe/London".
function fmtInZone(iso, zone) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso || '';
  try {
    return d.toLocaleString(undefined, {
      timeZone: zone,
      weekday: 'long',
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      timeZoneName: 'short',
    });
  } catch (e) {
    return iso;
  }
}

function browserZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'local time';
  } catch (e) {
    return 'local time';
  }
}

// A Date -> the value of a datetime-local input, in the browser's local time.
function localInputValue(d) {
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

// Elapsed minutes -> "1 h", "2 h 15 min", "3 days 17 h (89 h)".
function fmtElapsed(totalMin) {
  const m = Math.round(totalMin);
  const days = Math.floor(m / DAY_MIN);
  const hrs = Math.floor((m % DAY_MIN) / 60);
  const mm = m % 60;
  const hm = [hrs ? `${hrs} h` : null, mm ? `${mm} min` : null].filter(Boolean).join(' ');
  if (!days) return hm || '0 min';
  const d = days === 1 ? '1 day' : `${days} days`;
  const totalH = m / 60;
  const tot = Number.isInteger(totalH) ? `${totalH} h` : `${Math.floor(totalH)} h ${m % 60} min`;
  return `${d}${hm ? ' ' + hm : ''} (${tot})`;
}

function fmtBusiness(minutes) {
  const n = Number(minutes);
  if (!Number.isFinite(n)) return String(minutes);
  if (n < 60) return `${n} business minute${n === 1 ? '' : 's'}`;
  const hrs = Math.floor(n / 60);
  const mm = n % 60;
  return `${n} business minutes (${hrs} h${mm ? ` ${mm} min` : ''})`;
}

// ---------------------------------------------------------------------------
// The week grid chart and its text alternative

// The text inside a block: its opening and closing times on two lines when there is room.
function blockLabel(s, len) {
  if (len < 50) return null;
  const from = s.cont && !s.after ? '…' : hhmm(s.from);
  const to = s.overnight ? '…' : s.to === DAY_MIN ? '24:00' : hhmm(s.to);
  if (len < 100) return h('span', { class: 'wk-label' }, s.cont && !s.after ? `–${to}` : from);
  return h('span', { class: 'wk-label' }, h('span', null, from), h('span', null, `–${to}`));
}

function weekChart(cal, holidayToday) {
  const cols = segments(cal.week);
  const now = zoneNow(cal.zone);
  const chart = h('div', { class: 'wk-chart', 'aria-hidden': 'true', 'data-testid': 'week-chart' });
  chart.appendChild(h('div', { class: 'wk-corner' }));
  DAYS_SHORT.forEach((d, i) => {
    chart.appendChild(h('div', { class: 'wk-dayhead' + (now && now.day === i ? ' wk-today' : '') }, d));
  });
  const axis = h('div', { class: 'wk-axis' });
  for (let hr = 0; hr <= 24; hr += 3) {
    const t = h('span', { class: 'wk-tick' }, hhmm(hr * 60));
    t.style.top = `${(hr / 24) * 100}%`;
    axis.appendChild(t);
  }
  chart.appendChild(axis);
  cols.forEach((segs, d) => {
    const col = h('div', { class: 'wk-col' + (now && now.day === d ? ' wk-today' : ''), 'data-day': DAYS[d] });
    if (now && now.day === d && holidayToday) col.classList.add('wk-holiday');
    for (const s of segs) {
      const len = s.to - s.from;
      const b = h(
        'div',
        {
          class: 'wk-block' + (s.cont ? ' wk-cont' : ''),
          title: s.cont ? `${s.label} (from ${DAYS[s.day]})` : `${DAYS[s.day]} ${s.label}`,
        },
        blockLabel(s, len)
      );
      // 1px apart, so that back-to-back intervals (shifts) show as separate blocks.
      b.style.top = `calc(${(s.from / DAY_MIN) * 100}% + 1px)`;
      b.style.height = `max(2px, calc(${(len / DAY_MIN) * 100}% - 2px))`;
      col.appendChild(b);
    }
    if (now && now.day === d) {
      const line = h('div', { class: 'wk-now', title: `Now: ${now.text}` });
      line.style.top = `${(now.min / DAY_MIN) * 100}%`;
      col.appendChild(line);
    }
    chart.appendChild(col);
  });
  return chart;
}

function hoursTable(cal) {
  const cols = segments(cal.week);
  const rows = DAYS.map((d, i) => {
    const own = dayText(cal.week[i]);
    const carried = cols[i].filter((s) => s.cont).map((s) => `${hhmm(s.from)}–${hhmm(s.to)}: ${DAYS[s.day]}’s night`);
    return [d, h('span', null, own, carried.length ? h('span', { class: 'wk-carried' }, carried.join('; ')) : null)];
  });
  return h('div', { class: 'wk-table' }, table(`Opening hours by day, ${cal.zone}`, ['Day', 'Opening hours'], rows));
}

// Is the calendar open now? (Its hours on today's column, unless today is a holiday.)
function openNow(cal, holidays) {
  const now = zoneNow(cal.zone);
  if (!now || now.day < 0) return null;
  const hol = holidays.find((x) => x.date === now.date);
  if (hol) return { open: false, text: `Closed now: ${hol.name} (holiday). ${now.text} in ${cal.zone}.` };
  const cols = segments(cal.week);
  const seg = cols[now.day].find((x) => x.from <= now.min && now.min < x.to);
  if (seg) {
    // Follow back-to-back intervals (one shift after another, into the next days unless
    // a holiday closes them) to the actual closing.
    const closed = new Set(holidays.map((x) => x.date));
    let day = now.day;
    let date = now.date;
    let to = seg.to;
    let steps = 0;
    for (;;) {
      for (let more = true; more; ) {
        more = false;
        for (const x of cols[day]) {
          if (x.from <= to && x.to > to) {
            to = x.to;
            more = true;
          }
        }
      }
      if (to < DAY_MIN || steps >= 7) break;
      const next = nextDate(date);
      if (closed.has(next) || !cols[(day + 1) % 7].some((x) => x.from === 0)) break;
      day = (day + 1) % 7;
      date = next;
      to = 0;
      steps += 1;
    }
    let until;
    if (steps >= 7) until = 'round the clock';
    else if (to === DAY_MIN) until = steps === 0 ? 'until midnight' : `until ${DAYS[(day + 1) % 7]} 00:00`;
    else until = steps === 0 ? `until ${hhmm(to)}` : steps === 1 ? `until tomorrow ${hhmm(to)}` : `until ${DAYS[day]} ${hhmm(to)}`;
    return { open: true, text: `Open now, ${until}. ${now.text} in ${cal.zone}.` };
  }
  return { open: false, text: `Closed now. ${now.text} in ${cal.zone}.` };
}

// ---------------------------------------------------------------------------
// The week editor: per day a list of intervals (time inputs) with add and remove.

function weekEditor(initial) {
  // Rows are a day's own hours: an interval the server lays after midnight (see layDay) is
  // shown on the next day, where it is; each day in order of opening.
  const week = [[], [], [], [], [], [], []];
  (initial || []).forEach((ivs, d) => {
    for (const l of layDay(ivs)) {
      const iv = { open: l.iv.open, close: l.iv.close === '24:00' ? '00:00' : l.iv.close };
      week[l.o >= DAY_MIN ? (d + 1) % 7 : d].push(iv);
    }
  });
  for (const ivs of week) ivs.sort((x, y) => mins(x.open) - mins(y.open));
  const box = h('div', { class: 'wk-editor wide' });
  const days = h('div', { class: 'wk-editor-days' });

  function drawDay(d, focus) {
    const fs = h('fieldset', { class: 'wk-day', 'data-day': DAYS[d] }, h('legend', null, DAYS[d]));
    const list = h('ul', { class: 'wk-intervals' });
    week[d].forEach((iv, i) => {
      const n = i + 1;
      const open = h('input', { type: 'time', name: `week.${d}.${i}.open`, value: iv.open, step: '60', required: true });
      const close = h('input', { type: 'time', name: `week.${d}.${i}.close`, value: iv.close, step: '60', required: true });
      open.id = uid('wk');
      close.id = uid('wk');
      open.addEventListener('input', () => {
        iv.open = open.value;
      });
      close.addEventListener('input', () => {
        iv.close = close.value;
      });
      const rm = h(
        'button',
        {
          type: 'button',
          class: 'small',
          'aria-label': `Remove ${DAYS[d]} interval ${n}`,
          onclick: () => {
            week[d].splice(i, 1);
            drawDay(d, week[d].length ? { remove: Math.min(i, week[d].length - 1) } : { add: true });
          },
        },
        'Remove'
      );
      list.appendChild(
        h(
          'li',
          { class: 'wk-interval' },
          h('label', { for: open.id, class: 'visually-hidden' }, `${DAYS[d]} interval ${n} opens`),
          open,
          h('span', { 'aria-hidden': 'true' }, '–'),
          h('label', { for: close.id, class: 'visually-hidden' }, `${DAYS[d]} interval ${n} closes`),
          close,
          rm
        )
      );
    });
    const add = h(
      'button',
      {
        type: 'button',
        class: 'small',
        name: `week.${d}`,
        onclick: () => {
          const last = week[d][week[d].length - 1];
          let iv = { open: '09:00', close: '17:00' };
          if (last) {
            const c = mins(last.close);
            const o = Number.isFinite(c) ? Math.min(c + 60, DAY_MIN - 60) : 13 * 60;
            iv = { open: hhmm(o), close: hhmm(Math.min(o + 240, DAY_MIN - 1)) };
          }
          week[d].push(iv);
          drawDay(d, { open: week[d].length - 1 });
        },
      },
      'Add hours',
      h('span', { class: 'visually-hidden' }, ` on ${DAYS[d]}`)
    );
    fs.append(h('div', { class: 'wk-day-body' }, week[d].length ? list : h('p', { class: 'muted wk-closed' }, 'Closed'), add));
    const old = days.children[d];
    if (old) old.replaceWith(fs);
    else days.appendChild(fs);
    if (focus) {
      if (focus.open !== undefined) fs.querySelector(`[name="week.${d}.${focus.open}.open"]`).focus();
      else if (focus.remove !== undefined) fs.querySelectorAll('.wk-interval button')[focus.remove].focus();
      else if (focus.add) add.focus();
    }
  }

  function drawAll() {
    days.replaceChildren();
    for (let d = 0; d < 7; d++) drawDay(d);
  }

  const tools = h(
    'div',
    { class: 'actions wk-tools' },
    h(
      'button',
      {
        type: 'button',
        class: 'small',
        onclick: () => {
          for (let d = 1; d <= 4; d++) week[d] = week[0].map((iv) => ({ ...iv }));
          drawAll();
          announce('Monday’s hours copied to Tuesday to Friday.');
        },
      },
      'Copy Monday to Tuesday–Friday'
    ),
    h(
      'button',
      {
        type: 'button',
        class: 'small',
        onclick: () => {
          for (let d = 0; d < 7; d++) week[d] = [];
          drawAll();
          announce('All days set to closed.');
        },
      },
      'Close every day'
    )
  );
  box.append(
    h('p', { class: 'hint wk-hint' }, 'Times are wall-clock times in the calendar’s zone. A closing time at or before the opening time runs past midnight into the next day; 00:00 to 00:00 is the whole day.'),
    tools,
    days
  );
  drawAll();

  const ed = {
    el: box,
    // The week as the API takes it; a whole day (00:00 to 00:00) is sent as 00:00-24:00.
    // Each day's intervals are put in order of opening first (and redrawn so, so that a
    // problem's "/week/d/i" names the row on screen): the server reads a later interval with
    // an earlier clock time as after midnight, which is not what a list of rows means.
    value() {
      week.forEach((ivs, d) => {
        const key = (iv) => (Number.isFinite(mins(iv.open)) ? mins(iv.open) : DAY_MIN);
        const sorted = [...ivs].sort((x, y) => key(x) - key(y));
        if (sorted.some((iv, i) => iv !== ivs[i])) {
          week[d] = sorted;
          drawDay(d);
        }
      });
      return week.map((ivs) => ivs.map((iv) => ({ open: iv.open, close: iv.open === '00:00' && iv.close === '00:00' ? '24:00' : iv.close })));
    },
    // Point a problem's "/week/..." field at an input that exists, and mark the day.
    mapField(pointer) {
      for (const fs of days.querySelectorAll('.wk-day-invalid')) fs.classList.remove('wk-day-invalid');
      const m = /^\/week(?:\/(\d+)(?:\/(\d+)(?:\/(open|close))?)?)?/.exec(pointer || '');
      if (!m) return pointer;
      const d = m[1] !== undefined ? Number(m[1]) : null;
      if (d !== null && days.children[d]) days.children[d].classList.add('wk-day-invalid');
      if (d === null) {
        const first = days.querySelector('input');
        return first ? '/' + first.name.replace(/\./g, '/') : pointer;
      }
      const i = m[2] !== undefined ? Number(m[2]) : 0;
      const which = m[3] || 'open';
      if (week[d] && week[d][i]) return `/week/${d}/${i}/${which}`;
      return `/week/${d}`; // the day's "Add hours" button
    },
    // Whether the week differs from what the editor started with.
    changed() {
      return JSON.stringify(ed.value()) !== start;
    },
  };
  const start = JSON.stringify(ed.value());
  return ed;
}

// The zone input with its suggestions.
function zoneInput(value) {
  const listId = uid('zones');
  const input = h('input', {
    name: 'zone',
    type: 'text',
    required: true,
    value: value || '',
    list: listId,
    autocomplete: 'off',
    spellcheck: 'false',
    autocapitalize: 'off',
  });
  const dl = h('datalist', { id: listId }, ZONES.map((z) => h('option', { value: z })));
  return { input, datalist: dl };
}

// Run a write; a problem whose field is inside the week is pointed at the editor's inputs.
async function withWeekField(editor, fn) {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ApiError && err.field && /^\/week/.test(err.field)) err.field = editor.mapField(err.field);
    throw err;
  }
}

// ---------------------------------------------------------------------------
// The list page

function calTable(items) {
  return table(
    `Calendars (${items.length})`,
    ['Name', 'Time zone', 'Opening hours', 'Holidays'],
    items.map((c) => [
      h('a', { href: `#/calendars/${c.id}` }, c.name),
      c.zone,
      hoursSummary(c.week),
      h('span', { class: 'num' }, String(c.holidays_count ?? 0)),
    ]),
    'No calendars yet.'
  );
}

async function renderList(ctx) {
  const { me, main } = ctx;
  ctx.setTitle('Calendars');
  const items = await fetchAll('/calendars');
  if (ctx.stale()) return;
  const listBox = h('div', { id: 'calendars-table' }, calTable(items));
  const parts = [
    h('div', { class: 'page-head' }, h('h1', null, 'Calendars')),
    h(
      'p',
      { class: 'lead' },
      'Opening hours and holidays on which business-time clocks count. Each calendar reads its hours on the wall clock of its own time zone.'
    ),
    listBox,
  ];
  if (isAdmin(me)) {
    const name = h('input', { name: 'name', type: 'text', required: true, maxlength: '200', autocomplete: 'off' });
    const zone = zoneInput(browserZone() === 'local time' ? 'UTC' : browserZone());
    const office = [0, 1, 2, 3, 4].map(() => [{ open: '09:00', close: '17:00' }]);
    const editor = weekEditor([...office, [], []]);
    const form = h(
      'form',
      { class: 'card form-grid', novalidate: true, 'aria-labelledby': 'add-cal-title' },
      h('h2', { id: 'add-cal-title' }, 'Add calendar'),
      field('Name', name),
      field('Time zone', zone.input, 'An IANA zone name, e.g. Europe/London.'),
      zone.datalist,
      h('fieldset', { class: 'wide wk-week' }, h('legend', null, 'Weekly opening hours'), editor.el),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Add calendar'))
    );
    onSubmit(form, async () => {
      const body = { name: name.value.trim(), zone: zone.input.value.trim(), week: editor.value() };
      const c = await withWeekField(editor, () => api('POST', '/calendars', body));
      const fresh = await fetchAll('/calendars');
      listBox.replaceChildren(calTable(fresh));
      name.value = '';
      announce(`Calendar “${c.name}” added.`);
      name.focus();
    });
    parts.push(h('section', { class: 'section' }, form));
  }
  main.replaceChildren(...parts);
}

// ---------------------------------------------------------------------------
// A calendar's page

async function renderOne(ctx) {
  const { me, main, params } = ctx;
  const cal = await api('GET', `/calendars/${encodeURIComponent(params.id)}`);
  if (ctx.stale()) return;
  const holidays = await fetchAll(`/calendars/${cal.id}/holidays`);
  if (ctx.stale()) return;
  ctx.setTitle(cal.name);
  const admin = isAdmin(me);

  const countEl = h('span', { class: 'num' }, String(cal.holidays_count ?? holidays.length));
  const now = openNow(cal, holidays);
  const today = zoneNow(cal.zone);
  const parts = [
    h('p', { class: 'crumbs' }, h('a', { href: '#/calendars' }, 'Calendars'), ' / ', cal.name),
    h('div', { class: 'page-head' }, h('h1', null, cal.name), now ? h('span', { class: 'badge' + (now.open ? ' badge-open' : ' badge-off') }, now.open ? 'Open now' : 'Closed now') : null),
    h(
      'dl',
      { class: 'details' },
      h('dt', null, 'Time zone'),
      h('dd', null, cal.zone, now ? h('span', { class: 'muted' }, ` · ${now.text}`) : null),
      h('dt', null, 'Opening hours'),
      h('dd', null, hoursSummary(cal.week)),
      cal.hours ? [h('dt', null, 'As a HOURS= line'), h('dd', null, h('code', null, cal.hours))] : null,
      h('dt', null, 'Holidays'),
      h('dd', null, countEl),
      h('dt', null, 'Created'),
      h('dd', null, timeEl(cal.created_at)),
      h('dt', null, 'Updated'),
      h('dd', null, timeEl(cal.updated_at))
    ),
  ];

  // The week grid, with the day-by-day table as its text alternative.
  const holidayToday = today && holidays.find((x) => x.date === today.date);
  parts.push(
    h(
      'section',
      { class: 'section', 'aria-labelledby': 'cal-hours-title' },
      h('h2', { id: 'cal-hours-title' }, 'Opening hours'),
      h(
        'div',
        { class: 'wk-layout' },
        h(
          'figure',
          { class: 'wk-figure card' },
          weekChart(cal, holidayToday),
          h(
            'figcaption',
            { class: 'hint' },
            `A week from Monday to Sunday, 00:00 to 24:00 on the wall clock in ${cal.zone}. `,
            h('span', { class: 'wk-key wk-key-open', 'aria-hidden': 'true' }),
            ' open; ',
            h('span', { class: 'wk-key wk-key-cont', 'aria-hidden': 'true' }),
            ' a night continuing from the day before',
            today ? '; the orange line is now.' : '.',
            ' Holidays close whole days.'
          )
        ),
        hoursTable(cal)
      )
    )
  );

  const holidaysBox = h('div', { id: 'holidays' });
  const drawHolidays = (list) => holidaysBox.replaceChildren(...holidayTables(ctx, cal, list, refreshHolidays));
  async function refreshHolidays() {
    const [fresh, c] = await Promise.all([fetchAll(`/calendars/${cal.id}/holidays`), api('GET', `/calendars/${cal.id}`)]);
    drawHolidays(fresh);
    countEl.textContent = String(c.holidays_count ?? fresh.length);
  }
  drawHolidays(holidays);
  const holSection = h(
    'section',
    { class: 'section', 'aria-labelledby': 'cal-holidays-title' },
    h('h2', { id: 'cal-holidays-title' }, 'Holidays'),
    h('p', { class: 'lead' }, `A holiday closes its whole local day in ${cal.zone}.`),
    holidaysBox
  );
  if (admin) holSection.appendChild(h('div', { class: 'two-forms' }, addHolidayForm(cal, refreshHolidays), importForm(cal, refreshHolidays)));
  parts.push(holSection);

  parts.push(
    h('section', { class: 'section', 'aria-labelledby': 'cal-whatif-title' }, h('h2', { id: 'cal-whatif-title' }, 'What if…'), whatIfForm(cal))
  );

  if (admin) {
    parts.push(h('section', { class: 'section' }, editForm(ctx, cal)));
    parts.push(h('section', { class: 'section' }, deleteBox(ctx, cal)));
    parts.push(h('p', null, h('a', { href: ctx.link('/audit', { entity: 'calendar', entity_id: cal.id }) }, 'Audit history of this calendar')));
  }
  main.replaceChildren(...parts);
}

function holidayTables(ctx, cal, list, refresh) {
  const admin = isAdmin(ctx.me);
  const now = zoneNow(cal.zone);
  const today = now ? now.date : new Date().toISOString().slice(0, 10);
  const yearOn = `${Number(today.slice(0, 4)) + 1}${today.slice(4)}`;
  const sorted = [...list].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const soon = sorted.filter((x) => x.date >= today && x.date < yearOn);
  const later = sorted.filter((x) => x.date >= yearOn);
  const past = sorted.filter((x) => x.date < today).reverse();

  const headers = ['Date', 'Name', 'Source'];
  if (admin) headers.push(h('span', { class: 'visually-hidden' }, 'Actions'));
  const rows = (xs) =>
    xs.map((x) => {
      const r = [
        h('time', { datetime: x.date }, fmtDate(x.date), x.date === today ? h('span', { class: 'badge' }, 'today') : null),
        x.name,
        x.source === 'ics' ? 'imported (.ics)' : 'added by hand',
      ];
      if (admin) {
        r.push(
          h(
            'button',
            {
              type: 'button',
              class: 'small danger',
              'aria-label': `Remove holiday ${x.name}, ${fmtDate(x.date)}`,
              onclick: async (ev) => {
                ev.currentTarget.disabled = true;
                try {
                  await api('DELETE', `/calendars/${cal.id}/holidays/${x.id}`);
                  announce(`Holiday “${x.name}” (${fmtDate(x.date)}) removed.`);
                  await refresh();
                  const t = document.getElementById('cal-holidays-title');
                  if (t) {
                    t.setAttribute('tabindex', '-1');
                    t.focus();
                  }
                } catch (err) {
                  if (ev.target.isConnected) ev.target.disabled = false;
                  announce(`Could not remove the holiday: ${err.message}`);
                }
              },
            },
            'Remove'
          )
        );
      }
      return r;
    });

  const out = [
    table(
      `Upcoming holidays, next 12 months (${soon.length})`,
      headers,
      rows(soon),
      list.length ? 'No holidays in the next 12 months.' : 'No holidays yet.'
    ),
  ];
  if (later.length) {
    out.push(h('details', { class: 'hol-more' }, h('summary', null, `Later holidays (${later.length})`), table(`Later holidays (${later.length})`, headers, rows(later))));
  }
  if (past.length) {
    out.push(h('details', { class: 'hol-more' }, h('summary', null, `Past holidays (${past.length})`), table(`Past holidays, latest first (${past.length})`, headers, rows(past))));
  }
  return out;
}

function addHolidayForm(cal, refresh) {
  const date = h('input', { name: 'date', type: 'date', required: true });
  const name = h('input', { name: 'name', type: 'text', required: true, maxlength: '200', autocomplete: 'off' });
  const form = h(
    'form',
    { class: 'card form-grid', novalidate: true, 'aria-labelledby': 'add-hol-title' },
    h('h3', { id: 'add-hol-title' }, 'Add a holiday'),
    field('Date', date),
    field('Name', name),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Add holiday'))
  );
  onSubmit(form, async () => {
    const x = await api('POST', `/calendars/${cal.id}/holidays`, { date: date.value, name: name.value.trim() });
    await refresh();
    form.reset();
    announce(`Holiday “${x.name}” on ${fmtDate(x.date)} added.`);
    date.focus();
  });
  return form;
}

function readFileText(file) {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result || ''));
    r.onerror = () => reject(new Error(`Could not read ${file.name}.`));
    r.readAsText(file);
  });
}

function importForm(cal, refresh) {
  const file = h('input', { name: 'file', type: 'file', accept: '.ics,text/calendar', required: true });
  const years = h('input', { name: 'years', type: 'number', min: '1', max: '50', step: '1', value: '3', inputmode: 'numeric' });
  const result = h('div', { class: 'import-result', 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'card form-grid', novalidate: true, 'aria-labelledby': 'import-hol-title' },
    h('h3', { id: 'import-hol-title' }, 'Import holidays from an .ics file'),
    field('iCalendar file (.ics)', file, 'All-day events become holidays; importing the same file again adds nothing.'),
    field('Years of repeating holidays', years, 'Yearly repeating events are added for this many years.'),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Import holidays')),
    h('div', { class: 'wide' }, result)
  );
  onSubmit(form, async () => {
    result.replaceChildren();
    const f = file.files && file.files[0];
    if (!f) throw Object.assign(new Error('Choose an .ics file to import.'), { field: '/file' });
    const text = await readFileText(f);
    const q = years.value.trim() ? { years: years.value.trim() } : null;
    const r = await api('POST', `/calendars/${cal.id}/holidays/import`, text, q, { contentType: 'text/calendar' });
    const errors = (r && r.errors) || [];
    result.replaceChildren(
      h(
        'p',
        { class: 'import-summary' + (errors.length ? ' warning' : ' ok') },
        `${f.name}: added ${r.added} holiday${r.added === 1 ? '' : 's'}, skipped ${r.skipped} already present`,
        errors.length ? `, ${errors.length} event${errors.length === 1 ? '' : 's'} could not be read:` : '.'
      ),
      ...(errors.length ? [h('ul', { class: 'import-errors' }, errors.map((e) => h('li', null, e.event ? h('strong', null, e.event, ': ') : null, e.detail || '')))] : [])
    );
    announce(`Import of ${f.name}: added ${r.added}, skipped ${r.skipped}${errors.length ? `, ${errors.length} error${errors.length === 1 ? '' : 's'}` : ''}.`);
    await refresh();
  });
  return form;
}

function whatIfForm(cal) {
  const zone = browserZone();
  const start = h('input', { name: 'start', type: 'datetime-local', required: true, step: '60', value: localInputValue(new Date()) });
  const minutes = h('input', { name: 'minutes', type: 'number', required: true, min: '0', step: '1', value: '60', inputmode: 'numeric' });
  const out = h('div', { class: 'whatif-result', 'aria-live': 'polite', id: uid('whatif') });
  const form = h(
    'form',
    { class: 'card form-grid', novalidate: true, 'aria-labelledby': 'cal-whatif-title' },
    h('p', { class: 'wide lead' }, `When is something due that starts at a given time and needs a number of business minutes on ${cal.name}’s hours?`),
    field(`Start, in your browser’s time (${zone})`, start, `It is converted to UTC; the answer is given in ${cal.zone} as well.`),
    field('Business minutes', minutes, '60 = one hour of opening time; 480 = an 8-hour working day.'),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Work out the due time')),
    h('div', { class: 'wide' }, out)
  );
  onSubmit(form, async () => {
    out.replaceChildren();
    if (!start.value) throw Object.assign(new Error('Enter the start date and time.'), { field: '/start' });
    const d = new Date(start.value); // a datetime-local value without offset is local time
    if (Number.isNaN(d.getTime())) throw Object.assign(new Error('The start is not a valid date and time.'), { field: '/start' });
    const n = minutes.value.trim();
    if (!/^\d+$/.test(n)) throw Object.assign(new Error('Business minutes must be a whole number, 0 or more.'), { field: '/minutes' });
    const startUtc = d.toISOString().replace(/\.\d{3}Z$/, 'Z');
    const r = await api('POST', `/calendars/${cal.id}/due`, { start: startUtc, minutes: Number(n) });
    const elapsed = (Date.parse(r.due) - Date.parse(r.start || startUtc)) / 60000;
    out.replaceChildren(
      h(
        'dl',
        { class: 'details whatif-details' },
        h('dt', null, `Due in ${r.zone || cal.zone}`),
        h('dd', { class: 'whatif-due-local' }, h('strong', null, fmtLocalWall(r.due_local)), ' ', h('code', null, r.due_local)),
        h('dt', null, `Due in your time (${zone})`),
        h('dd', { class: 'whatif-due-browser' }, fmtBrowser(r.due)),
        h('dt', null, 'Due in UTC'),
        h('dd', null, h('code', { class: 'whatif-due-utc' }, r.due)),
        h('dt', null, 'Start'),
        h('dd', null, fmtBrowser(r.start || startUtc), h('br'), h('span', { class: 'muted' }, `= ${fmtInZone(r.start || startUtc, cal.zone)} in ${cal.zone}`)),
        h('dt', null, 'Business time'),
        h('dd', null, fmtBusiness(r.minutes ?? n)),
        h('dt', null, 'Calendar time from the start'),
        h('dd', { class: 'whatif-elapsed' }, Number.isFinite(elapsed) ? fmtElapsed(elapsed) : '—')
      )
    );
    announce(`Due ${fmtLocalWall(r.due_local)} in ${r.zone || cal.zone}.`);
  });
  return form;
}

function editForm(ctx, cal) {
  const name = h('input', { name: 'name', type: 'text', required: true, maxlength: '200', value: cal.name, autocomplete: 'off' });
  const zone = zoneInput(cal.zone);
  const editor = weekEditor(cal.week);
  const form = h(
    'form',
    { class: 'card form-grid', novalidate: true, 'aria-labelledby': 'edit-cal-title' },
    h('h2', { id: 'edit-cal-title' }, 'Edit calendar'),
    field('Name', name),
    field('Time zone', zone.input, 'An IANA zone name, e.g. Europe/London.'),
    zone.datalist,
    h('fieldset', { class: 'wide wk-week' }, h('legend', null, 'Weekly opening hours'), editor.el),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save changes'))
  );
  onSubmit(form, async () => {
    const body = {};
    if (name.value.trim() !== cal.name) body.name = name.value.trim();
    if (zone.input.value.trim() !== cal.zone) body.zone = zone.input.value.trim();
    if (editor.changed()) body.week = editor.value();
    if (!Object.keys(body).length) {
      announce('Nothing to save: no field was changed.');
      return;
    }
    const c = await withWeekField(editor, () => api('PATCH', `/calendars/${cal.id}`, body));
    announce(`Calendar “${c.name}” saved.`);
    await ctx.rerender();
  });
  return form;
}

function deleteBox(ctx, cal) {
  const form = h(
    'form',
    { class: 'card danger-zone', novalidate: true, 'aria-labelledby': 'del-cal-title' },
    h('h2', { id: 'del-cal-title' }, 'Delete calendar'),
    h('p', null, 'A calendar that a contract uses cannot be deleted. Its holidays are deleted with it.'),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'danger' }, `Delete “${cal.name}”`))
  );
  onSubmit(form, async () => {
    if (!window.confirm(`Delete the calendar “${cal.name}” and its holidays?`)) return;
    await api('DELETE', `/calendars/${cal.id}`);
    announce(`Calendar “${cal.name}” deleted.`);
    window.location.assign('#/calendars');
  });
  return form;
}
