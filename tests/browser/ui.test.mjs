// accord browser test: drives the web UI in Debian's headless Chromium with playwright-core.
// It does not start the server: the caller passes ACCORD_URL (e.g. http://127.0.0.1:18123),
// ACCORD_ADMIN_EMAIL, ACCORD_ADMIN_PASSWORD and ACCORD_OUT (a directory for screenshots).
// Prints one line per case and ends with "N passed, M failed"; exits 1 if any failed.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';

const BASE = (process.env.ACCORD_URL || 'http://127.0.0.1:18123').replace(/\/+$/, '');
const EMAIL = process.env.ACCORD_ADMIN_EMAIL || 'admin@example.org';
const PASSWORD = process.env.ACCORD_ADMIN_PASSWORD || 'accord-demo';
const OUT = process.env.ACCORD_OUT || path.join(process.cwd(), 'out');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const STEP_TIMEOUT = 10000;
const DEMO_DEPARTMENTS = [
  'Finance',
  'Sales',
  'Customer Service',
  'HR',
  'IT',
  'Production',
  'Marketing',
  'Storage & Transportation',
];

fs.mkdirSync(OUT, { recursive: true });
// Screenshots of an earlier run (this test's own NN-name.png files) would mix with this run's.
for (const f of fs.readdirSync(OUT)) {
  if (/^\d{2}-[\w-]+\.png$/.test(f)) fs.rmSync(path.join(OUT, f));
}

// A whole-run guard so that a hung browser never hangs the test command.
const guard = setTimeout(() => {
  console.log('browser test: timed out after 180 s');
  console.log(`${passed} passed, ${failed + 1} failed`);
  process.exit(1);
}, 180000);

let passed = 0;
let failed = 0;
let shot = 0;
// The page a failing case is photographed on: the main page unless a case uses its own.
let activePage = null;
const cases = [];
const jsErrors = [];

function test(name, fn) {
  cases.push({ name, fn });
}

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

async function screenshot(page, name) {
  shot += 1;
  const file = path.join(OUT, `${String(shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

function watch(page, label) {
  page.on('pageerror', (err) => jsErrors.push(`${label}: ${err.message}`));
  page.on('console', (msg) => {
    // A failed fetch (e.g. the expected 401 of a wrong password) is logged by Chromium as
    // a console error; only script errors count.
    if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) jsErrors.push(`${label}: console: ${msg.text()}`);
  });
}

// Wait for the app after submitting the sign-in form; if the page shows an error instead
// (e.g. 429 after too many failed sign-ins of this account), fail with that text.
async function waitForApp(p) {
  const err = p.locator('#signin-error');
  const which = await Promise.race([
    p.waitForURL((u) => u.pathname === '/').then(
      () => 'app',
      () => 'timeout'
    ),
    err.waitFor({ state: 'visible' }).then(
      () => 'error',
      () => 'timeout'
    ),
  ]);
  if (which === 'timeout') throw new Error('the app did not open after signing in');
  if (which === 'error') {
    const text = (await err.innerText()).trim();
    throw new Error(`sign-in refused: "${text}"${/too many|paused/i.test(text) ? ' (the account is rate-limited: restart the server or wait)' : ''}`);
  }
}

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});

// Europe/London, so that the browser's local time (what the what-if form reads) is the
// Head office calendar's wall clock; one case below uses another zone on purpose.
const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-GB', timezoneId: 'Europe/London' });
context.setDefaultTimeout(STEP_TIMEOUT);
const page = await context.newPage();
watch(page, 'main');

const uniqueName = `Quality Assurance ${Date.now().toString(36)}`;
const calName = `Warehouse ${Date.now().toString(36)}`;
const DEMO_CALENDARS = [
  ['Head office', 'Europe/London'],
  ['Plant shifts', 'Europe/Warsaw'],
  ['IT 24x7', 'UTC'],
];
const DAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
let headOfficeUrl = null;

// Calls the API from inside the signed-in page (with its session and CSRF token).
function apiCall(p, method, apiPath, body) {
  return p.evaluate(
    async ([m, ap, b]) => {
      const me = await (await fetch('/api/v1/me')).json();
      const res = await fetch('/api/v1' + ap, {
        method: m,
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token },
        body: b === null ? undefined : JSON.stringify(b),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    [method, apiPath, body === undefined ? null : body]
  );
}

// Blocks drawn in each day column of the week chart: [{top, height, cont}] in hours.
function chartBlocks(p) {
  return p.locator('[data-testid="week-chart"]').evaluate((chart) =>
    [...chart.querySelectorAll('.wk-col')].map((col) => {
      const c = col.getBoundingClientRect();
      return [...col.querySelectorAll('.wk-block')].map((b) => {
        const r = b.getBoundingClientRect();
        return {
          from: Math.round(((r.top - c.top - col.clientTop) / col.clientHeight) * 24 * 4) / 4,
          to: Math.round(((r.bottom - c.top - col.clientTop) / col.clientHeight) * 24 * 4) / 4,
          cont: b.classList.contains('wk-cont'),
        };
      });
    })
  );
}

async function openCalendar(p, name) {
  // goto() to the URL the page is already at changes no hash, so nothing would redraw.
  if (p.url() === `${BASE}/#/calendars`) await p.reload();
  else await p.goto(`${BASE}/#/calendars`);
  await p.getByRole('table', { name: /^Calendars/ }).getByRole('link', { name, exact: true }).click();
  await p.getByRole('heading', { level: 1, name }).waitFor();
  await p.locator('[data-testid="week-chart"]').waitFor();
}

test('sign-in page rejects a wrong password with a visible error', async () => {
  await page.goto(`${BASE}/signin`);
  await page.getByLabel('E-mail').fill(EMAIL);
  await page.getByLabel('Password').fill(`${PASSWORD}-wrong`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor({ state: 'visible' });
  const text = (await alert.innerText()).trim();
  assert(text.length > 0, 'the error message is empty');
  assert(new URL(page.url()).pathname === '/signin', `left the sign-in page: ${page.url()}`);
  await screenshot(page, 'signin-wrong-password');
  return `error shown: "${text}"`;
});

test('signs in as the administrator', async () => {
  await page.goto(`${BASE}/signin`);
  await page.getByLabel('E-mail').fill(EMAIL);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await waitForApp(page);
  const who = page.locator('#who');
  await who.waitFor({ state: 'visible' });
  const whoText = await who.innerText();
  assert(/Administrator/.test(whoText), `header does not show the administrator role: ${whoText}`);
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  const nav = page.getByRole('navigation', { name: 'Main' });
  for (const l of ['Departments', 'People', 'Calendars', 'My tokens', 'Audit']) {
    await nav.getByRole('link', { name: l, exact: true }).waitFor();
  }
  await page.getByRole('heading', { level: 1, name: 'Departments' }).waitFor();
  await screenshot(page, 'signed-in');
  return whoText.replace(/\s+/g, ' ').replace('Sign out', '').trim();
});

test('departments list shows the demo departments', async () => {
  await page.goto(`${BASE}/#/departments`);
  const tbl = page.getByRole('table', { name: /^Departments/ });
  await tbl.waitFor();
  for (const name of DEMO_DEPARTMENTS) {
    await tbl.getByRole('link', { name, exact: true }).waitFor({ timeout: 5000 }).catch(() => {
      throw new Error(`department "${name}" is not listed`);
    });
  }
  await screenshot(page, 'departments');
  // The same page on a phone-sized screen, to check the layout stays usable.
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'departments-narrow');
  await page.setViewportSize({ width: 1280, height: 860 });
  return `${DEMO_DEPARTMENTS.length} demo departments listed`;
});

test('adds a department via the form and sees it listed', async () => {
  await page.goto(`${BASE}/#/departments`);
  const form = page.getByRole('form', { name: 'Add department' });
  await form.waitFor();
  // Submitting with no name must show the server's problem and mark the field.
  await form.getByRole('button', { name: 'Add department' }).click();
  const err = form.getByRole('alert');
  await err.waitFor({ state: 'visible' });
  const nameInput = form.getByLabel('Name', { exact: true });
  await page.waitForFunction(() => document.activeElement && document.activeElement.name === 'name');
  assert((await nameInput.getAttribute('aria-invalid')) === 'true', 'the empty name is not marked invalid');
  await screenshot(page, 'add-department-empty-name');

  await nameInput.fill(uniqueName);
  await form.getByRole('button', { name: 'Add department' }).click();
  const tbl = page.getByRole('table', { name: /^Departments/ });
  await tbl.getByRole('link', { name: uniqueName, exact: true }).waitFor();
  await page.getByRole('status').filter({ hasText: uniqueName }).waitFor();
  await screenshot(page, 'department-added');
  // Still there after a reload: it was stored, not just drawn.
  await page.reload();
  await page.getByRole('table', { name: /^Departments/ }).getByRole('link', { name: uniqueName, exact: true }).waitFor();
  await page.getByRole('table', { name: /^Departments/ }).getByRole('link', { name: uniqueName, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: uniqueName }).waitFor();
  await screenshot(page, 'department-page');
  return `added "${uniqueName}"`;
});

test('people page filters by department', async () => {
  await page.goto(`${BASE}/#/people`);
  const tbl = page.getByRole('table', { name: /^People/ });
  await tbl.waitFor();
  const search = page.getByRole('search', { name: 'Filter people' });
  await search.getByLabel('Department').selectOption({ label: 'Finance' });
  await search.getByRole('button', { name: 'Apply filters' }).click();
  await page.waitForURL(/#\/people\?.*department=\d+/);
  const filtered = page.getByRole('table', { name: /in Finance/ });
  await filtered.waitFor();
  const depCells = await filtered.locator('tbody tr td:nth-child(3)').allInnerTexts();
  assert(depCells.length > 0, 'no people listed for Finance');
  const others = depCells.filter((t) => t.trim() !== 'Finance');
  assert(others.length === 0, `people of other departments listed: ${others.join(', ')}`);
  await screenshot(page, 'people-filtered-finance');
  return `${depCells.length} people, all in Finance`;
});

test('calendars page lists the three demo calendars', async () => {
  await page.goto(`${BASE}/#/departments`);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Calendars', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Calendars' }).waitFor();
  const tbl = page.getByRole('table', { name: /^Calendars/ });
  const summaries = [];
  for (const [name, zone] of DEMO_CALENDARS) {
    const row = tbl.getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });
    await row.waitFor({ timeout: 5000 }).catch(() => {
      throw new Error(`calendar "${name}" is not listed`);
    });
    const cells = (await row.locator('th, td').allInnerTexts()).map((t) => t.trim());
    assert(cells[1] === zone, `"${name}" shows zone "${cells[1]}", not ${zone}`);
    assert(cells[2].length > 0, `"${name}" has no hours summary`);
    assert(/^\d+$/.test(cells[3]), `"${name}" has no holiday count: "${cells[3]}"`);
    summaries.push(`${name}: ${cells[2]} [${cells[3]} holidays]`);
  }
  const ho = summaries[0];
  assert(ho.includes('Mon–Fri 09:00–12:30, 13:30–17:30'), `Head office summary: ${ho}`);
  assert(/Sat–Sun closed/.test(ho), `Head office summary does not close the weekend: ${ho}`);
  assert(/^IT 24x7: Every day all day/.test(summaries[2]), `IT 24x7 summary: ${summaries[2]}`);
  await screenshot(page, 'calendars');
  return summaries.join(' | ');
});

test('Head office page shows the week grid and its holidays', async () => {
  await openCalendar(page, 'Head office');
  headOfficeUrl = page.url();
  const blocks = await chartBlocks(page);
  const counts = blocks.map((b) => b.length);
  assert(JSON.stringify(counts) === '[2,2,2,2,2,0,0]', `blocks per day (Mon..Sun): ${counts.join(',')}`);
  for (let d = 0; d < 5; d++) {
    const got = blocks[d].map((b) => `${b.from}-${b.to}`).join(' ');
    assert(got === '9-12.5 13.5-17.5', `${DAY_NAMES[d]} blocks are drawn at ${got} (hours), not 9-12.5 13.5-17.5`);
  }
  const chart = page.locator('[data-testid="week-chart"]');
  assert((await chart.getAttribute('aria-hidden')) === 'true', 'the chart is not hidden from assistive technology');
  // The text alternative: a table of the intervals per day.
  const ht = page.getByRole('table', { name: /^Opening hours by day/ });
  const mon = await ht.getByRole('row', { name: /^Monday/ }).innerText();
  assert(mon.includes('09:00–12:30, 13:30–17:30'), `Monday row of the hours table: ${mon}`);
  const sat = await ht.getByRole('row', { name: /^Saturday/ }).innerText();
  assert(/closed/.test(sat), `Saturday row of the hours table: ${sat}`);
  // Holidays: UK bank holidays, upcoming first.
  const up = page.getByRole('table', { name: /^Upcoming holidays/ });
  await up.waitFor();
  const rows = await up.locator('tbody tr').allInnerTexts();
  assert(rows.length > 0 && !/No holidays/.test(rows[0]), 'no upcoming holidays listed');
  assert(rows.some((r) => /Christmas/i.test(r)), `Christmas is not among the upcoming holidays: ${rows.join(' / ')}`);
  const dates = await up.locator('tbody time').evaluateAll((ts) => ts.map((t) => t.getAttribute('datetime')));
  assert(dates.every((d, i) => i === 0 || dates[i - 1] <= d), `upcoming holidays are not in date order: ${dates.join(', ')}`);
  const past = page.locator('details.hol-more summary', { hasText: 'Past holidays' });
  const pastText = (await past.count()) ? (await past.innerText()).trim() : 'no past holidays';
  await screenshot(page, 'calendar-head-office');
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'calendar-head-office-narrow');
  await page.setViewportSize({ width: 1280, height: 860 });
  return `blocks ${counts.join(',')}; ${rows.length} upcoming holidays, first: ${rows[0].replace(/\s+/g, ' ').trim()}; ${pastText}`;
});

test('what-if form answers the due time (browser in Europe/London)', async () => {
  if (!headOfficeUrl) await openCalendar(page, 'Head office');
  else await page.goto(headOfficeUrl);
  const form = page.getByRole('form', { name: 'What if' });
  await form.waitFor();
  const startLabel = await form.locator('label', { hasText: 'Start' }).innerText();
  assert(/Europe\/London/.test(startLabel), `the start label does not name the browser's zone: ${startLabel}`);
  const id = headOfficeUrl.split('/').pop();
  const notes = [];
  // Friday 16:30 + 60 min lands exactly on closing (17:30): the due instant is that closing
  // time. + 90 min runs over the weekend to Monday 09:30.
  for (const [minutes, expectLocal, expectElapsed] of [
    [60, '2026-11-27T17:30+00:00', '1 h'],
    [90, '2026-11-30T09:30+00:00', '2 days 17 h (65 h)'],
  ]) {
    const ref = await apiCall(page, 'POST', `/calendars/${id}/due`, { start: '2026-11-27T16:30:00Z', minutes });
    assert(ref.status === 200, `POST /calendars/${id}/due answered ${ref.status}`);
    await form.getByLabel(/^Start/).fill('2026-11-27T16:30');
    await form.getByLabel('Business minutes').fill(String(minutes));
    await form.getByRole('button', { name: 'Work out the due time' }).click();
    const local = form.locator('.whatif-due-local code', { hasText: ref.body.due_local });
    await local.waitFor();
    assert(ref.body.due_local === expectLocal, `the API answers ${ref.body.due_local} for +${minutes}, SPEC §3 says ${expectLocal}`);
    const shown = (await form.locator('.whatif-due-local').innerText()).trim();
    const browserShown = (await form.locator('.whatif-due-browser').innerText()).trim();
    const elapsed = (await form.locator('.whatif-elapsed').innerText()).trim();
    assert((await form.locator('.whatif-due-utc').innerText()).trim() === ref.body.due, 'the UTC due instant differs from the API');
    assert(elapsed === expectElapsed, `calendar time from the start shows "${elapsed}", expected "${expectElapsed}"`);
    assert(browserShown.includes(expectLocal.slice(11, 16)), `browser-local due "${browserShown}" is not ${expectLocal.slice(11, 16)} London time`);
    notes.push(`+${minutes} → ${shown} [${elapsed}]`);
    if (minutes === 60) await screenshot(page, 'calendar-what-if');
  }
  return notes.join('; ');
});

test('what-if form converts from the browser\'s own zone (America/New_York)', async () => {
  assert(headOfficeUrl, 'the Head office page was not found by an earlier case');
  const nctx = await browser.newContext({
    viewport: { width: 1280, height: 860 },
    locale: 'en-GB',
    timezoneId: 'America/New_York',
    storageState: await context.storageState(),
  });
  nctx.setDefaultTimeout(STEP_TIMEOUT);
  const np = await nctx.newPage();
  watch(np, 'new-york');
  try {
    await np.goto(headOfficeUrl);
    const form = np.getByRole('form', { name: 'What if' });
    await form.waitFor();
    // 11:30 in New York (EST, UTC-5) is 16:30 in London: + 60 min is 17:30 London, 12:30 New York.
    await form.getByLabel(/^Start/).fill('2026-11-27T11:30');
    await form.getByLabel('Business minutes').fill('60');
    await form.getByRole('button', { name: 'Work out the due time' }).click();
    await form.locator('.whatif-due-local code', { hasText: '2026-11-27T17:30+00:00' }).waitFor();
    const browserShown = (await form.locator('.whatif-due-browser').innerText()).trim();
    assert(/12:30/.test(browserShown), `due in the browser's zone shows "${browserShown}", not 12:30`);
    assert((await form.locator('.whatif-due-utc').innerText()).trim() === '2026-11-27T17:30:00Z', 'UTC due is not 17:30Z');
    await screenshot(np, 'calendar-what-if-new-york');
    return `11:30 New York + 60 → 17:30 London = ${browserShown}`;
  } finally {
    await nctx.close();
  }
});

test('Plant shifts: night shifts continue past midnight into the next day\'s column', async () => {
  await openCalendar(page, 'Plant shifts');
  const id = page.url().split('/').pop();
  const cal = (await apiCall(page, 'GET', `/calendars/${id}`)).body;
  const toMin = (t) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3));
  const expected = [[], [], [], [], [], [], []];
  let nights = 0;
  cal.week.forEach((ivs, d) => {
    let cur = 0; // as the server reads a day: see expectedColumns
    for (const iv of ivs) {
      let o = toMin(iv.open);
      let c = toMin(iv.close);
      while (o < cur) o += 1440;
      while (c <= o) c += 1440;
      cur = c;
      if (o >= 1440) {
        nights += 1;
        expected[(d + 1) % 7].push(`${(o - 1440) / 60}-${(c - 1440) / 60}+`);
        continue;
      }
      expected[d].push(`${o / 60}-${Math.min(c, 1440) / 60}`);
      if (c > 1440) {
        nights += 1;
        expected[(d + 1) % 7].push(`0-${(c - 1440) / 60}+`);
      }
    }
  });
  assert(nights > 0, 'the demo plant calendar has no interval past midnight');
  const blocks = await chartBlocks(page);
  for (let d = 0; d < 7; d++) {
    const got = blocks[d].map((b) => `${b.from}-${b.to}${b.cont ? '+' : ''}`).sort().join(' ');
    const want = [...expected[d]].sort().join(' ');
    assert(got === want, `${DAY_NAMES[d]} column: drawn ${got || '(none)'}, hours say ${want || '(none)'}`);
  }
  await screenshot(page, 'calendar-plant-shifts');
  return `${nights} overnight intervals drawn across midnight; ${cal.hours}`;
});

test('an administrator adds a calendar with the week editor and sees it listed', async () => {
  await page.goto(`${BASE}/#/calendars`);
  const form = page.getByRole('form', { name: 'Add calendar' });
  await form.waitFor();
  await form.getByLabel('Name', { exact: true }).fill(calName);
  await form.getByLabel('Time zone').fill('Europe/Berlin');
  // The editor starts at Mon–Fri 09:00–17:00. Monday: 13:00–17:00, then 08:00–12:00, out of
  // order on purpose: the UI must send them in order (the server would read a later interval
  // with an earlier clock time as the next morning's).
  await form.getByLabel('Monday interval 1 opens').fill('13:00');
  await form.getByLabel('Monday interval 1 closes').fill('17:00');
  // Keyboard: "Add hours on Monday" with Enter moves focus to the new interval's opening time.
  await form.getByRole('button', { name: 'Add hours on Monday' }).focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement && document.activeElement.name === 'week.0.1.open');
  await form.getByLabel('Monday interval 2 opens').fill('08:00');
  await form.getByLabel('Monday interval 2 closes').fill('12:00');
  await form.getByRole('button', { name: 'Copy Monday to Tuesday–Friday' }).click();
  // Friday: remove the morning (the second row).
  await form.getByRole('button', { name: 'Remove Friday interval 2' }).click();
  // Saturday: a night shift 22:00–02:00, running into Sunday.
  await form.getByRole('button', { name: 'Add hours on Saturday' }).click();
  await form.getByLabel('Saturday interval 1 opens').fill('22:00');
  await form.getByLabel('Saturday interval 1 closes').fill('02:00');
  await screenshot(page, 'add-calendar-week-editor');
  await form.getByRole('button', { name: 'Add calendar' }).click();
  const tbl = page.getByRole('table', { name: /^Calendars/ });
  const row = tbl.getByRole('row').filter({ has: page.getByRole('link', { name: calName, exact: true }) });
  await row.waitFor();
  const summary = (await row.locator('td').nth(1).innerText()).trim();
  const want = 'Mon–Thu 08:00–12:00, 13:00–17:00; Fri 13:00–17:00; Sat 22:00–02:00 next day; Sun closed';
  assert(summary === want, `the new calendar's summary is "${summary}", not "${want}"`);
  await page.getByRole('status').filter({ hasText: calName }).waitFor();
  await screenshot(page, 'calendar-added');
  await row.getByRole('link', { name: calName, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: calName }).waitFor();
  const blocks = await chartBlocks(page);
  const counts = blocks.map((b) => b.length).join(',');
  assert(counts === '2,2,2,2,1,1,1', `blocks per day: ${counts}`);
  assert(blocks[6][0].cont && blocks[6][0].from === 0 && blocks[6][0].to === 2, `Sunday does not carry Saturday's night to 02:00: ${JSON.stringify(blocks[6])}`);
  await screenshot(page, 'calendar-new-page');
  return summary;
});

test('a bad time zone and overlapping hours show the field errors', async () => {
  await page.goto(`${BASE}/#/calendars`);
  const form = page.getByRole('form', { name: 'Add calendar' });
  await form.waitFor();
  const badName = `Bad zone ${Date.now().toString(36)}`;
  await form.getByLabel('Name', { exact: true }).fill(badName);
  const zone = form.getByLabel('Time zone');
  await zone.fill('Mars/Olympus_Mons');
  await form.getByRole('button', { name: 'Add calendar' }).click();
  const err = form.getByRole('alert');
  await err.waitFor({ state: 'visible' });
  await page.waitForFunction(() => document.activeElement && document.activeElement.name === 'zone');
  assert((await zone.getAttribute('aria-invalid')) === 'true', 'the zone is not marked invalid');
  const zoneMsg = (await err.innerText()).trim();
  await screenshot(page, 'add-calendar-bad-zone');
  // Overlapping intervals on Tuesday: the error points into Tuesday.
  await zone.fill('Europe/Berlin');
  await form.getByRole('button', { name: 'Add hours on Tuesday' }).click();
  await form.getByLabel('Tuesday interval 2 opens').fill('12:00');
  await form.getByLabel('Tuesday interval 2 closes').fill('13:00');
  await form.getByRole('button', { name: 'Add calendar' }).click();
  await page.waitForFunction(() => {
    const a = document.activeElement;
    return a && a.closest && a.closest('.wk-day') && a.closest('.wk-day').dataset.day === 'Tuesday';
  });
  const overlapMsg = (await err.innerText()).trim();
  assert((await zone.getAttribute('aria-invalid')) !== 'true', 'the zone is still marked invalid');
  assert(await form.locator('.wk-day[data-day="Tuesday"].wk-day-invalid').count(), 'Tuesday is not marked invalid');
  await screenshot(page, 'add-calendar-overlap');
  const listed = await page.getByRole('table', { name: /^Calendars/ }).getByRole('link', { name: badName, exact: true }).count();
  assert(listed === 0, 'a refused calendar was listed');
  return `zone: "${zoneMsg}"; overlap: "${overlapMsg}"`;
});

test('an interval the server lays after midnight is drawn, edited and answered on the next day', async () => {
  // Monday "22:00-23:00 + 01:00-03:00": the server reads the second as Tuesday 01:00-03:00.
  const name = `Night desk ${Date.now().toString(36)}`;
  const week = [[{ open: '22:00', close: '23:00' }, { open: '01:00', close: '03:00' }], [], [], [], [], [], []];
  const made = await apiCall(page, 'POST', '/calendars', { name, zone: 'UTC', week });
  assert(made.status === 201, `POST /calendars answered ${made.status}: ${JSON.stringify(made.body)}`);
  try {
    const due = await apiCall(page, 'POST', `/calendars/${made.body.id}/due`, { start: '2026-11-30T00:00:00Z', minutes: 30 });
    await openCalendar(page, name);
    const blocks = await chartBlocks(page);
    const drawn = blocks.map((b) => b.map((x) => `${x.from}-${x.to}${x.cont ? '+' : ''}`).join(' ') || '-').join(' | ');
    // Monday 00:00Z + 30: Monday 22:30 if 01:00-03:00 is Tuesday's, 01:30 if Monday's.
    const serverSaysTuesday = due.body.due === '2026-11-30T22:30:00Z';
    const want = serverSaysTuesday ? '22-23 | 1-3+ | - | - | - | - | -' : '1-3 22-23 | - | - | - | - | - | -';
    assert(drawn === want, `drawn ${drawn}; the server's due ${due.body.due} needs ${want}`);
    // The editor shows it as Tuesday's own row, so that saving keeps its meaning.
    const form = page.getByRole('form', { name: 'Edit calendar' });
    if (serverSaysTuesday) {
      assert((await form.getByLabel('Tuesday interval 1 opens').inputValue()) === '01:00', 'the editor does not show 01:00-03:00 on Tuesday');
      assert((await form.getByLabel('Monday interval 2 opens').count()) === 0, 'the editor shows a second Monday interval');
    }
    await screenshot(page, 'calendar-after-midnight');
    return `server: +30 from Mon 00:00Z is ${due.body.due}; drawn ${drawn}`;
  } finally {
    await apiCall(page, 'DELETE', `/calendars/${made.body.id}`);
  }
});

test('an administrator adds a holiday and imports an .ics file twice', async () => {
  await openCalendar(page, calName);
  const add = page.getByRole('form', { name: 'Add a holiday' });
  await add.getByLabel('Date').fill('2027-06-01');
  await add.getByLabel('Name', { exact: true }).fill('Stocktaking day');
  await add.getByRole('button', { name: 'Add holiday' }).click();
  const up = page.getByRole('table', { name: /^Upcoming holidays/ });
  await up.getByRole('row', { name: /Stocktaking day/ }).waitFor();
  const ics = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//accord test//EN',
    'BEGIN:VEVENT',
    'UID:inventory-2027@example.org',
    'DTSTAMP:20260101T000000Z',
    'DTSTART;VALUE=DATE:20270115',
    'DTEND;VALUE=DATE:20270116',
    'SUMMARY:Inventory closure',
    'END:VEVENT',
    'BEGIN:VEVENT',
    'UID:summer-2027@example.org',
    'DTSTAMP:20260101T000000Z',
    'DTSTART;VALUE=DATE:20270802',
    'DTEND;VALUE=DATE:20270803',
    'SUMMARY:Summer maintenance',
    'END:VEVENT',
    // Not an all-day event: the import must report it, not add it.
    'BEGIN:VEVENT',
    'UID:meeting-2027@example.org',
    'DTSTAMP:20260101T000000Z',
    'DTSTART:20270301T090000Z',
    'DTEND:20270301T100000Z',
    'SUMMARY:Board meeting',
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
  const imp = page.getByRole('form', { name: 'Import holidays from an .ics file' });
  const results = [];
  for (let i = 0; i < 2; i++) {
    await imp.getByLabel('iCalendar file (.ics)').setInputFiles({ name: 'plant.ics', mimeType: 'text/calendar', buffer: Buffer.from(ics) });
    const [resp] = await Promise.all([
      page.waitForResponse((r) => /\/holidays\/import/.test(r.url()) && r.request().method() === 'POST'),
      imp.getByRole('button', { name: 'Import holidays' }).click(),
    ]);
    assert(resp.status() === 200, `import answered ${resp.status()}`);
    const r = await resp.json();
    const shown = imp.locator('.import-summary', { hasText: `added ${r.added} holiday` });
    await shown.waitFor();
    const text = (await shown.innerText()).trim();
    assert(text.includes(`skipped ${r.skipped}`), `the result "${text}" does not show skipped ${r.skipped}`);
    const errItems = await imp.locator('.import-errors li').allInnerTexts();
    assert(errItems.length === r.errors.length, `${errItems.length} errors shown, the API gave ${r.errors.length}`);
    assert(r.errors.some((e) => e.event === 'Board meeting'), `the timed event is not reported: ${JSON.stringify(r.errors)}`);
    assert(errItems.some((t) => t.startsWith('Board meeting:')), `the error list does not name the event: ${errItems.join(' / ')}`);
    results.push(r);
    if (i === 0) await screenshot(page, 'calendar-ics-imported');
  }
  assert(results[0].added === 2, `the first import added ${results[0].added}, not 2`);
  assert(results[1].added === 0 && results[1].skipped === 2, `the second import added ${results[1].added} and skipped ${results[1].skipped}`);
  await up.getByRole('row', { name: /Inventory closure/ }).waitFor();
  const later = page.locator('details.hol-more', { hasText: 'Later holidays' });
  if (await later.count()) await later.locator('summary').click();
  await page.getByRole('row', { name: /Summer maintenance/ }).waitFor();
  await screenshot(page, 'calendar-holidays');
  return `first: added ${results[0].added}, skipped ${results[0].skipped}; second: added ${results[1].added}, skipped ${results[1].skipped}; reported: ${results[0].errors.map((e) => `${e.event}: ${e.detail}`).join('; ')}`;
});

test('an administrator deletes the new calendar', async () => {
  await openCalendar(page, calName);
  page.once('dialog', (d) => d.accept());
  await page.getByRole('button', { name: `Delete “${calName}”` }).click();
  await page.getByRole('heading', { level: 1, name: 'Calendars' }).waitFor();
  await page.getByRole('table', { name: /^Calendars/ }).waitFor();
  const n = await page.getByRole('table', { name: /^Calendars/ }).getByRole('link', { name: calName, exact: true }).count();
  assert(n === 0, 'the deleted calendar is still listed');
});

// ---------------------------------------------------------------------------
// Service delivery: the catalogue, contracts and escalation. The walk from draft to active
// uses a browser context of its own, in which the Finance head and then the Sales head sign
// in; the main page stays signed in as the administrator.

const DEMO_PASSWORD = process.env.ACCORD_DEMO_PASSWORD || PASSWORD;
const walk = {
  service: `Payment terms ${Date.now().toString(36)}`,
  contractUrl: null, // #/contracts/N once the draft exists
  title: null,
};
let walkCtx = null;
let wp = null; // the walk's page

async function signInAs(p, email) {
  await p.goto(`${BASE}/signin`);
  await p.getByLabel('E-mail').fill(email);
  await p.getByLabel('Password').fill(DEMO_PASSWORD);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await waitForApp(p);
  await p.locator('#who').waitFor({ state: 'visible' });
  // The name is filled in once /me answers, which may be after #who shows.
  await p.waitForFunction(() => (document.querySelector('#who-name')?.textContent || '').trim() !== '');
  return (await p.locator('#who-name').innerText()).trim();
}

async function signOutOf(p) {
  await p.getByRole('button', { name: 'Sign out' }).click();
  await p.waitForURL((u) => u.pathname === '/signin');
}

async function walkPage() {
  if (!walkCtx) {
    walkCtx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB', timezoneId: 'Europe/London' });
    walkCtx.setDefaultTimeout(STEP_TIMEOUT);
    wp = await walkCtx.newPage();
    watch(wp, 'walk');
  }
  activePage = wp;
  return wp;
}

const focusedName = (p) => p.evaluate(() => (document.activeElement && document.activeElement.getAttribute('name')) || '');

async function waitFocus(p, name) {
  await p.waitForFunction((n) => document.activeElement && document.activeElement.getAttribute('name') === n, name).catch(async () => {
    throw new Error(`focus is on "${await focusedName(p)}", not on ${name}`);
  });
}

// Goes to a hash even when the page is already there (a goto to the same URL draws nothing).
async function openHash(p, hash) {
  if (p.url() === `${BASE}/${hash}`) await p.reload();
  else await p.goto(`${BASE}/${hash}`);
}

test('the catalogue lists the demo services with their point persons and terms', async () => {
  await page.goto(`${BASE}/#/departments`);
  const nav = page.getByRole('navigation', { name: 'Main' });
  for (const l of ['Catalogue', 'Contracts', 'Escalation']) await nav.getByRole('link', { name: l, exact: true }).waitFor();
  await nav.getByRole('link', { name: 'Catalogue', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Service catalogue' }).waitFor();
  const wanted = [
    ['Finance', 'Credit check'],
    ['HR', 'New-hire onboarding'],
    ['IT', 'Laptop request'],
    ['IT', 'Access request'],
    ['Storage & Transportation', 'Delivery scheduling'],
    ['Marketing', 'Campaign brief'],
  ];
  for (const [dept, svc] of wanted) {
    const section = page.getByRole('region', { name: new RegExp(`^${dept.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} ·`) });
    await section.getByRole('article', { name: svc }).waitFor({ timeout: 5000 }).catch(() => {
      throw new Error(`"${svc}" is not listed under ${dept}`);
    });
  }
  const credit = page.getByRole('article', { name: 'Credit check' });
  const text = await credit.innerText();
  assert(/Point person\s+Farid Haddad/.test(text), `Credit check does not name its point person: ${text}`);
  assert(/Deputy\s+Freya Nilsen/.test(text), `Credit check does not name its deputy: ${text}`);
  const first = "Finance answers Sales' Credit check requests within 2 business hours and resolves them within 8 business hours, on the Head office calendar.";
  assert(text.includes(first), `the active version's terms are not shown: ${text}`);
  assert(text.includes('Sales sends complete requests'), 'the consumer side’s terms are not shown');
  // HR's onboarding has a contract with six departments: folded, one line each.
  const onboarding = page.getByRole('article', { name: 'New-hire onboarding' });
  const folded = await onboarding.locator('details.svc-contract').count();
  assert(folded === 6, `New-hire onboarding shows ${folded} contracts in force, not 6 (Marketing's is only proposed)`);
  await screenshot(page, 'catalogue');
  return `${wanted.length} services; Credit check: "${first}"`;
});

test('a contract page shows both sides, the clocks, escalation, sign-off and what changed', async () => {
  await page.goto(`${BASE}/#/contracts`);
  await page.getByRole('heading', { level: 1, name: 'Contracts' }).waitFor();
  const search = page.getByRole('search', { name: 'Filter contracts' });
  await search.getByLabel('Provider').selectOption({ label: 'Finance' });
  await search.getByRole('button', { name: 'Apply filters' }).click();
  await page.waitForURL(/#\/contracts\?provider=\d+/);
  const tbl = page.getByRole('table', { name: /^Contracts matching/ });
  await tbl.getByRole('link', { name: 'Credit check: Finance → Sales' }).click();
  await page.getByRole('heading', { level: 1, name: 'Credit check: Finance → Sales' }).waitFor();
  const prov = page.getByRole('table', { name: /^What Sales expects of Finance \(provider side, 5\)/ });
  const cons = page.getByRole('table', { name: /^What Finance needs from Sales \(consumer side, 2\)/ });
  await prov.waitFor();
  await cons.waitFor();
  const speed = (await prov.getByRole('row', { name: /^speed/ }).innerText()).replace(/\s+/g, ' ');
  assert(speed.includes('at most 480 business minutes (8 h)'), `speed row: ${speed}`);
  const compl = (await cons.getByRole('row', { name: /^completeness/ }).innerText()).replace(/\s+/g, ' ');
  assert(compl.includes("registration number"), `the consumer's note is not shown: ${compl}`);
  const resp = (await page.getByTestId('response-target').innerText()).trim();
  assert(resp === '120 business minutes (2 h)', `response target: ${resp}`);
  const levels = await page.getByRole('table', { name: /^Escalation levels of version 2/ }).locator('tbody tr').count();
  assert(levels === 4, `${levels} escalation levels shown, not the Standard escalation's 4`);
  const sig = page.getByRole('table', { name: 'Signatures of version 2' });
  const sigText = (await sig.innerText()).replace(/\s+/g, ' ');
  assert(sigText.includes('Farid Haddad') && sigText.includes('Samuel Reed'), `signatures: ${sigText}`);
  // Version 2 against version 1: the clocks and the speed target were halved.
  const diff = page.getByRole('table', { name: /^Changes from version 1 to version 2/ });
  const rows = (await diff.locator('tbody tr').allInnerTexts()).map((r) => r.replace(/\s+/g, ' ').trim());
  assert(rows.some((r) => r.startsWith('First response within') && r.includes('240 business minutes') && r.includes('120 business minutes')), `the diff misses the response clock: ${rows.join(' / ')}`);
  assert(rows.some((r) => /speed target/.test(r) && r.includes('960') && r.includes('480')), `the diff misses the speed target: ${rows.join(' / ')}`);
  // The reverse comparison, chosen by hand.
  const cmp = page.getByRole('form', { name: 'What changed between two versions' });
  await cmp.getByLabel('From').selectOption('2');
  await cmp.getByLabel('To').selectOption('1');
  await cmp.getByRole('button', { name: 'Show the changes' }).click();
  await page.getByRole('table', { name: /^Changes from version 2 to version 1/ }).waitFor();
  // An administrator is no party: no signing, but may start a new version.
  assert((await page.getByRole('button', { name: /^Sign for/ }).count()) === 0, 'an administrator is offered to sign');
  await page.getByRole('button', { name: 'Start a new version' }).waitFor();
  await screenshot(page, 'contract-credit-check');
  return `${rows.length} changes from version 1 to 2: ${rows.slice(0, 3).join(' / ')}`;
});

test('escalation: policies and department defaults are listed', async () => {
  await page.goto(`${BASE}/#/escalation`);
  await page.getByRole('heading', { level: 1, name: 'Escalation' }).waitFor();
  const pol = page.getByRole('table', { name: /^Escalation policies/ });
  const std = (await pol.getByRole('row', { name: /^Standard escalation/ }).innerText()).replace(/\s+/g, ' ');
  assert(/Finance/.test(std) && /HR/.test(std), `Standard escalation is not the default of Finance and HR: ${std}`);
  const defs = page.getByRole('table', { name: /^Default escalation policy of each department/ });
  const it = (await defs.getByRole('row', { name: /^IT/ }).innerText()).replace(/\s+/g, ' ');
  assert(/IT escalation/.test(it), `IT's default: ${it}`);
  await pol.getByRole('link', { name: 'IT escalation' }).click();
  await page.getByRole('heading', { level: 1, name: 'IT escalation' }).waitFor();
  const lv = await page.getByRole('table', { name: 'Levels of IT escalation' }).locator('tbody tr').allInnerTexts();
  assert(lv.length === 3, `IT escalation shows ${lv.length} levels`);
  await screenshot(page, 'escalation');
  return lv.map((r) => r.replace(/\s+/g, ' ').trim()).join(' / ');
});

test('walk 1/3: the Finance head adds a service, drafts a contract from the keyboard, proposes and signs it', async () => {
  const p = await walkPage();
  const who = await signInAs(p, 'fiona.clarke@example.org');
  assert(who === 'Fiona Clarke', `signed in as ${who}`);
  // A new service of Finance, from the catalogue.
  await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Catalogue', exact: true }).click();
  const add = p.getByRole('form', { name: 'Add service' });
  await add.getByLabel('Name', { exact: true }).fill(walk.service);
  await add.getByLabel('Description').fill('Agrees payment terms for a new customer before the first invoice.');
  await add.getByLabel('Business process it serves').fill('Order to cash');
  await add.getByLabel('External-customer outcome it serves').fill('Customers know when to pay');
  await add.getByLabel('Point person').selectOption({ label: 'Farid Haddad (Finance)' });
  await add.getByLabel('Deputy (optional)').selectOption({ label: 'Freya Nilsen (Finance)' });
  await add.getByRole('button', { name: 'Add service' }).click();
  await p.getByRole('heading', { level: 1, name: walk.service }).waitFor();

  // The "new contract" form, with the service chosen.
  await p.getByRole('link', { name: 'New contract for this service' }).click();
  await p.getByRole('heading', { level: 1, name: 'New contract' }).waitFor();
  const form = p.getByRole('form', { name: 'Parties and terms' });
  const svcLabel = await form.getByLabel('Service', { exact: true }).evaluate((s) => s.selectedOptions[0].textContent);
  assert(svcLabel.startsWith(walk.service), `the service chosen is "${svcLabel}"`);
  // Creating without a consumer is refused next to the consumer field.
  await form.getByRole('button', { name: 'Create draft' }).click();
  await waitFocus(p, 'consumer_department_id');
  await form.getByLabel('Consumer department').selectOption({ label: 'Sales' });
  await form.getByRole('group', { name: /^What Sales expects of Finance/ }).waitFor();
  await form.getByLabel('First response within (business minutes)').fill('240');
  await form.getByLabel('Resolution within (business minutes)').fill('960');
  await form.getByLabel('Calendar').selectOption({ label: 'Head office (Europe/London)' });
  await form.getByRole('button', { name: 'Add an expectation on the provider side' }).click();
  await form.getByLabel('Provider expectation 1: Measure').selectOption('reliability');
  assert((await form.getByLabel('Provider expectation 1: Target').inputValue()) === '90', 'the typical target was not filled in');
  await form.getByRole('button', { name: 'Add an expectation on the consumer side' }).click();
  await form.getByLabel('Consumer expectation 1: Measure').selectOption('completeness');
  await form.getByLabel('Consumer expectation 1: Target').fill('95');
  await form.getByLabel('Consumer expectation 1: Note in your own words').fill("Requests name the customer's account number.");
  await screenshot(p, 'walk-new-contract');
  await form.getByRole('button', { name: 'Create draft' }).click();
  walk.title = `${walk.service}: Finance → Sales`;
  await p.getByRole('heading', { level: 1, name: walk.title }).waitFor();
  walk.contractUrl = new URL(p.url()).hash.replace(/\?.*$/, '');
  assert(/^#\/contracts\/\d+$/.test(walk.contractUrl), `the new contract's address: ${p.url()}`);

  // The draft editor, from the keyboard only.
  const ed = p.getByRole('form', { name: 'Edit draft version 1' });
  await ed.waitFor();
  await ed.getByRole('button', { name: 'Add an expectation on the provider side' }).focus();
  await p.keyboard.press('Enter');
  await waitFocus(p, 'expectations.provider.1.measure');
  await p.keyboard.type('quality'); // type-ahead picks the measure
  await p.keyboard.press('Tab');
  await waitFocus(p, 'expectations.provider.1.target');
  await p.keyboard.press('Control+A');
  await p.keyboard.type('4.5');
  await p.keyboard.press('Tab');
  await waitFocus(p, 'expectations.provider.1.weight');
  await p.keyboard.press('Control+A');
  await p.keyboard.type('2');
  await p.keyboard.press('Tab');
  await waitFocus(p, 'expectations.provider.1.note');
  await p.keyboard.type('Answers say what was checked.');
  // A third row, removed again: focus moves to the row before.
  await ed.getByRole('button', { name: 'Add an expectation on the provider side' }).focus();
  await p.keyboard.press('Enter');
  await waitFocus(p, 'expectations.provider.2.measure');
  await p.keyboard.type('courtesy');
  await ed.getByRole('button', { name: 'Remove provider expectation 3 (courtesy)' }).focus();
  await p.keyboard.press('Enter');
  await p.waitForFunction(() => (document.activeElement.getAttribute('aria-label') || '') === 'Remove provider expectation 2 (quality)');
  // The consumer side: clarity with a target out of range, submitted with Enter.
  await ed.getByRole('button', { name: 'Add an expectation on the consumer side' }).focus();
  await p.keyboard.press('Enter');
  await waitFocus(p, 'expectations.consumer.1.measure');
  await p.keyboard.type('clarity');
  await p.keyboard.press('Tab');
  await p.keyboard.press('Control+A');
  await p.keyboard.type('7');
  await p.keyboard.press('Enter');
  // The problem is shown next to the target, which is marked and focused. (Focus is on
  // the target already when Enter is pressed: wait for the answer, not for the focus.)
  const target = ed.getByLabel('Consumer expectation 2: Target');
  await p.waitForFunction(() => document.querySelector('[name="expectations.consumer.1.target"]').getAttribute('aria-invalid') === 'true').catch(() => {});
  await waitFocus(p, 'expectations.consumer.1.target');
  assert((await target.getAttribute('aria-invalid')) === 'true', 'the bad target is not marked invalid');
  const inline = ed.locator('.exp-row').filter({ has: p.getByLabel('Consumer expectation 2: Target') }).locator('.field-error');
  await inline.waitFor();
  const problem = (await inline.innerText()).trim();
  assert(/1 to 5/.test(problem), `the message next to the target: "${problem}"`);
  await screenshot(p, 'walk-draft-error');
  await p.keyboard.press('Control+A');
  await p.keyboard.type('4');
  await p.keyboard.press('Enter');
  await p.getByRole('status').filter({ hasText: 'Draft version 1 saved.' }).waitFor();
  const terms = (await p.locator('.terms-list').first().innerText()).replace(/\s+/g, ' ');
  for (const t of ['Sales rates Finance\'s quality at 4.5 or better', 'Finance rates Sales\' clarity at 4 or better', 'at least 95% need no more information']) {
    assert(terms.includes(t), `the saved terms lack "${t}": ${terms}`);
  }
  assert(!/courtesy/.test(terms), 'the removed row was saved');
  await screenshot(p, 'walk-draft-saved');

  // Propose, then sign for the provider side.
  await p.getByRole('button', { name: 'Propose for sign-off' }).click();
  await p.getByRole('heading', { level: 2, name: /^Version 1 Proposed/ }).waitFor();
  assert((await p.getByRole('form', { name: /^Edit draft/ }).count()) === 0, 'a proposed version can still be edited');
  assert((await p.getByRole('button', { name: /^Sign for the consumer side/ }).count()) === 0, 'the Finance head is offered the consumer signature');
  await p.getByRole('button', { name: 'Sign for the provider side (Finance)' }).click();
  await p.getByRole('status').filter({ hasText: 'Signed for Finance.' }).waitFor();
  const sig = (await p.getByRole('table', { name: 'Signatures of version 1' }).innerText()).replace(/\s+/g, ' ');
  assert(/Provider: Finance .*Fiona Clarke/.test(sig), `the provider signature: ${sig}`);
  assert(/Consumer: Sales .*not signed/.test(sig), `the consumer side: ${sig}`);
  await screenshot(p, 'walk-proposed-signed-provider');
  await signOutOf(p);
  return `${walk.title} at ${walk.contractUrl}; the bad target said "${problem}"`;
});

test('walk 2/3: the Sales head signs the consumer side and activates; the catalogue shows the new terms', async () => {
  assert(walk.contractUrl, 'walk 1 did not create the contract');
  const p = await walkPage();
  await signInAs(p, 'samuel.reed@example.org');
  // The proposal waits in the contract list for Sales.
  await openHash(p, '#/contracts?state=proposed');
  await p.getByRole('table', { name: /^Contracts matching/ }).getByRole('link', { name: walk.title }).click();
  await p.getByRole('heading', { level: 1, name: walk.title }).waitFor();
  assert((await p.getByRole('button', { name: /^Sign for the provider side/ }).count()) === 0, 'the Sales head is offered the provider signature');
  await p.getByRole('button', { name: 'Sign for the consumer side (Sales)' }).click();
  await p.getByRole('heading', { level: 2, name: /^Version 1 Agreed/ }).waitFor();
  const sig = (await p.getByRole('table', { name: 'Signatures of version 1' }).innerText()).replace(/\s+/g, ' ');
  assert(/Fiona Clarke/.test(sig) && /Samuel Reed/.test(sig), `signatures after both: ${sig}`);
  await p.getByRole('button', { name: 'Activate version 1' }).click();
  await p.getByRole('heading', { level: 2, name: /^Version 1 Active/ }).waitFor();
  await screenshot(p, 'walk-active');
  // Every employee's catalogue now shows the terms.
  await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Catalogue', exact: true }).click();
  const card = p.getByRole('article', { name: walk.service });
  await card.waitFor();
  const text = (await card.innerText()).replace(/\s+/g, ' ');
  const want = `Finance answers Sales' ${walk.service} requests within 4 business hours and resolves them within 16 business hours, on the Head office calendar.`;
  assert(text.includes(want), `the catalogue card lacks "${want}": ${text}`);
  assert(text.includes("In their words: \"Requests name the customer's account number.\""), `the consumer's note is missing: ${text}`);
  assert(text.includes('With Sales'), `the card does not name the consumer: ${text}`);
  await card.screenshot({ path: path.join(OUT, `${String(++shot).padStart(2, '0')}-walk-catalogue-card.png`) });
  return want;
});

test('walk 3/3: a new draft is hidden from a third department and read-only to a member', async () => {
  assert(walk.contractUrl, 'walk 1 did not create the contract');
  const p = await walkPage();
  // Still the Sales head: start version 2 from the active one.
  await openHash(p, walk.contractUrl);
  await p.getByRole('heading', { level: 1, name: walk.title }).waitFor();
  await p.getByRole('button', { name: 'Start a new version' }).click();
  await p.getByRole('form', { name: 'Edit draft version 2' }).waitFor();
  await p.waitForFunction(() => document.activeElement && document.activeElement.id === 'draft-title');
  const prefilled = await p.getByLabel('Consumer expectation 1: Note in your own words').inputValue();
  assert(prefilled === "Requests name the customer's account number.", `version 2 is not prefilled: "${prefilled}"`);
  const draftUrl = `${walk.contractUrl}?version=2`;
  await signOutOf(p);

  // Customer Service's head: a third department. The draft is "not found"; version 1 is visible.
  await signInAs(p, 'carmen.ortiz@example.org');
  await openHash(p, draftUrl);
  await p.getByRole('heading', { level: 1, name: 'Not found' }).waitFor();
  await screenshot(p, 'walk-third-department-draft');
  await openHash(p, walk.contractUrl);
  await p.getByRole('heading', { level: 1, name: walk.title }).waitFor();
  const versions = await p.getByRole('list', { name: 'Versions' }).innerText();
  assert(!/Version 2/.test(versions), `a third department sees version 2 listed: ${versions}`);
  assert((await p.getByText('Version 2 is draft').count()) === 0, 'a third department is told about the draft');
  await openHash(p, '#/contracts?state=draft');
  const drafts = await p.getByRole('table', { name: /^Contracts matching/ }).getByRole('link', { name: walk.title }).count();
  assert(drafts === 0, 'the draft is listed for a third department');
  await signOutOf(p);

  // A member of Sales (a side) sees the draft, but may neither edit nor act.
  await signInAs(p, 'sara.lindqvist@example.org');
  await openHash(p, draftUrl);
  await p.getByRole('heading', { level: 2, name: /^Version 2 Draft/ }).waitFor();
  assert((await p.getByRole('form', { name: /^Edit draft/ }).count()) === 0, 'a member may edit the draft');
  const steps = (await p.getByRole('form', { name: 'Next steps' }).innerText()).replace(/\s+/g, ' ');
  assert(/Only an administrator/.test(steps), `a member is offered steps: ${steps}`);
  await screenshot(p, 'walk-member-draft');
  await signOutOf(p);
  await walkCtx.close();
  walkCtx = null;
  return 'Customer Service head: 404 on the draft, version 1 visible; Sales member: draft read-only';
});

test('keyboard: the sign-in form can be completed with Tab and Enter only', async () => {
  const kctx = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-GB' });
  kctx.setDefaultTimeout(STEP_TIMEOUT);
  const kp = await kctx.newPage();
  watch(kp, 'keyboard');
  try {
    await kp.goto(`${BASE}/signin`);
    await kp.getByLabel('E-mail').waitFor();
    const focusedName = () => kp.evaluate(() => (document.activeElement && (document.activeElement.name || document.activeElement.textContent || '').trim()) || '');
    let steps = 0;
    while ((await focusedName()) !== 'email' && steps < 6) {
      await kp.keyboard.press('Tab');
      steps += 1;
    }
    assert((await focusedName()) === 'email', 'Tab never reached the e-mail field');
    // The focused field must show a visible focus indicator.
    const outline = await kp.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert(outline && outline !== 'none', 'the focused e-mail field has no visible outline');
    await kp.keyboard.type(EMAIL);
    await kp.keyboard.press('Tab');
    assert((await focusedName()) === 'password', 'Tab from e-mail did not reach the password field');
    await kp.keyboard.type(PASSWORD);
    await screenshot(kp, 'keyboard-signin');
    await kp.keyboard.press('Enter');
    await waitForApp(kp);
    await kp.locator('#who').waitFor({ state: 'visible' });
    await kp.getByRole('heading', { level: 1 }).first().waitFor();
    // In the app, the first Tab stop is the skip link, and it moves focus to the main content.
    await kp.evaluate(() => {
      if (document.activeElement) document.activeElement.blur();
    });
    await kp.keyboard.press('Tab');
    const first = await kp.evaluate(() => document.activeElement && document.activeElement.textContent.trim());
    assert(first === 'Skip to main content', `the first Tab stop is "${first}", not the skip link`);
    await screenshot(kp, 'keyboard-skip-link');
    await kp.keyboard.press('Enter');
    const inMain = await kp.evaluate(() => document.getElementById('main').contains(document.activeElement));
    assert(inMain, 'the skip link did not move focus to the main content');
    return `${steps ? `e-mail reached after ${steps} Tab press(es)` : 'e-mail focused on load'}; Tab to password; signed in with Enter`;
  } finally {
    await kctx.close();
  }
});

// ---------------------------------------------------------------------------
// Requests: a Sales member raises one under the Credit check contract; Finance's point
// person finds it in the queue and answers it, asks for missing information (the resolution
// clock pauses); Sales answers (it runs again); Finance resolves it and Sales accepts it.
// A person of a third department (IT) gets "not found". A browser context of its own, in
// which each person signs in in turn.

const rq = { title: `Credit check for Nordwind AB ${Date.now().toString(36)}`, hash: null, id: null };
const rqNote = 'Nordwind had a payment default in 2024: check with the bank.';
const rqAsk = 'Please send the customer’s registration number.';
const rqAnswer = 'Registration number 556677-8899.';
let rqCtx = null;
let rp = null; // the requests walk's page

async function rqAs(email) {
  if (!rqCtx) {
    rqCtx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB', timezoneId: 'Europe/London' });
    rqCtx.setDefaultTimeout(STEP_TIMEOUT);
    rp = await rqCtx.newPage();
    watch(rp, 'requests');
  }
  activePage = rp;
  await rqCtx.clearCookies();
  await signInAs(rp, email);
  return rp;
}

// The state a clock card shows: met, missed, paused, overdue, soon or running.
const clockOf = (p, kind) => p.locator(`article.rq-clock[data-clock="${kind}"]`).getAttribute('data-state');

async function waitClock(p, kind, states) {
  const want = Array.isArray(states) ? states : [states];
  await p
    .waitForFunction(([k, w]) => {
      const el = document.querySelector(`article.rq-clock[data-clock="${k}"]`);
      return el && w.includes(el.dataset.state);
    }, [kind, want])
    .catch(async () => {
      throw new Error(`the ${kind} clock is "${await clockOf(p, kind)}", not ${want.join(' or ')}`);
    });
}

async function statusText(p) {
  return (await p.locator('.page-head .rq-status').innerText()).trim();
}

async function timelineText(p) {
  return (await p.locator('.rq-timeline').innerText()).replace(/\s+/g, ' ');
}

// A request's row in a list, after "Show more" as often as it takes.
async function rowOf(p, tableId) {
  const row = p.locator(`#${tableId} tr[data-request="${rq.id}"]`);
  await p.locator(`#${tableId} table`).waitFor();
  for (let i = 0; i < 100 && !(await row.count()); i++) {
    const more = p.locator(`#${tableId} .rq-more`);
    if (!(await more.isVisible())) break;
    await more.click();
  }
  await row.waitFor();
  return row;
}

async function openRequest(p) {
  await openHash(p, rq.hash);
  await p.getByRole('heading', { level: 1, name: rq.title }).waitFor();
}

test('a Sales member raises a request under the Credit check contract', async () => {
  const p = await rqAs('sara.lindqvist@example.org');
  const nav = p.getByRole('navigation', { name: 'Main' });
  for (const l of ['Queue', 'My requests', 'Raise a request']) await nav.getByRole('link', { name: l, exact: true }).waitFor();
  await nav.getByRole('link', { name: 'Raise a request', exact: true }).click();
  await p.getByRole('heading', { level: 1, name: 'Raise a request' }).waitFor();
  const form = p.getByRole('form', { name: 'The request' });
  // Nothing chosen: the error names the service field and focus goes there.
  await form.getByRole('button', { name: 'Raise the request' }).click();
  await form.locator('.field-error').filter({ hasText: 'Choose the service' }).waitFor();
  await waitFocus(p, 'service');
  // service → contract → fields
  await form.getByLabel('Service').selectOption({ label: 'Credit check (Finance)' });
  await p.waitForFunction(() => document.querySelector('select[name="contract_id"]').value !== '');
  const contract = await form.getByLabel('Contract').locator('option:checked').innerText();
  assert(/Credit check with Finance, for Sales \(version \d+\)/.test(contract), `contract chosen: "${contract}"`);
  const about = p.getByRole('complementary', { name: 'What has been agreed' });
  await about.getByText('Farid Haddad (point person)').waitFor();
  await about.getByText(/registration number/).waitFor(); // Sales' own completeness term
  await form.getByLabel('Title').fill(rq.title);
  await form.getByLabel('Description').fill('New customer Nordwind AB, first order expected next week, about 40 000 EUR a month.');
  await form.getByLabel('Your reference (optional)').fill(`CRM-${Date.now().toString(36)}`);
  await screenshot(p, 'request-raise-form');
  await form.getByRole('button', { name: 'Raise the request' }).click();
  await p.waitForURL(/#\/requests\/\d+$/);
  await p.getByRole('heading', { level: 1, name: rq.title }).waitFor();
  rq.hash = new URL(p.url()).hash;
  rq.id = Number(rq.hash.split('/').pop());
  await p.getByRole('status').filter({ hasText: `Request #${rq.id} raised` }).waitFor();
  assert((await statusText(p)) === 'Open', `status: ${await statusText(p)}`);
  await waitClock(p, 'response', ['running', 'soon']);
  await waitClock(p, 'resolution', ['running', 'soon']);
  const due = await p.getByTestId('resolution-due').innerText();
  assert(/Head office time, UTC[+-]\d\d:\d\d/.test(due), `resolution due shown as "${due}"`);
  const big = await p.getByTestId('response-state').innerText();
  assert(/\d+ (h|min).* left of business time/.test(big), `response clock shows "${big}"`);
  assert((await p.getByTestId('assignee').innerText()).trim() === 'Farid Haddad', 'not assigned to the point person');
  const tl = await timelineText(p);
  assert(tl.includes('Sara Lindqvist raised the request') && tl.includes('Assigned to Farid Haddad'), `timeline: ${tl}`);
  // The consumer side offers no internal notes and no provider steps.
  assert((await p.getByLabel(/Internal note/).count()) === 0, 'the consumer is offered internal notes');
  assert((await p.getByRole('button', { name: 'Start work' }).count()) === 0, 'the consumer is offered "Start work"');
  await screenshot(p, 'request-raised');
  // My requests lists it.
  await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My requests', exact: true }).click();
  await p.getByRole('heading', { level: 1, name: 'My requests' }).waitFor();
  await (await rowOf(p, 'mine-table')).getByRole('link', { name: rq.title }).waitFor();
  return `request #${rq.id}; resolution due ${due.split(' (')[0]}; ${big}`;
});

test('Finance’s point person finds it in the queue, adds an internal note and answers it', async () => {
  assert(rq.hash, 'no request was raised');
  const p = await rqAs('farid.haddad@example.org');
  await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Queue', exact: true }).click();
  await p.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();
  const row = await rowOf(p, 'queue-table');
  const cell = await row.locator('[data-clock="resolution"]').innerText();
  assert(/\d+ (h|min)( \d+ min)? left/.test(cell), `queue resolution cell: "${cell}"`);
  // Filters are kept in the address: "assigned to me" survives a reload.
  const search = p.getByRole('search', { name: 'Filter the queue' });
  await search.getByLabel('Assignee').selectOption({ value: 'me' });
  await search.getByRole('button', { name: 'Apply filters' }).click();
  await p.waitForURL(/#\/queue\?.*assignee=me/);
  await p.reload();
  await rowOf(p, 'queue-table');
  assert((await p.getByRole('search', { name: 'Filter the queue' }).getByLabel('Assignee').inputValue()) === 'me', 'the assignee filter was lost on reload');
  // Sorted by resolution due instant among running clocks.
  const dues = await p.$$eval('#queue-table tbody tr', (trs) => trs.map((tr) => [tr.querySelector('[data-clock="resolution"]')?.dataset.state, tr.querySelector('[data-clock="resolution"] time')?.getAttribute('datetime')]));
  const running = dues.filter(([s, d]) => d && ['running', 'soon', 'overdue'].includes(s)).map(([, d]) => d);
  assert(running.every((d, i) => i === 0 || running[i - 1] <= d), `queue not sorted by due instant: ${running.join(', ')}`);
  await screenshot(p, 'request-queue');
  await (await rowOf(p, 'queue-table')).getByRole('link', { name: rq.title }).click();
  await p.getByRole('heading', { level: 1, name: rq.title }).waitFor();
  for (const b of ['Start work', 'Wait on Sales…', 'Resolve…', 'Reassign']) await p.getByRole('button', { name: b, exact: true }).waitFor();
  // An internal note does not answer the request.
  const cform = p.getByRole('form', { name: 'Add a comment or an internal note' });
  await cform.getByLabel('Comment', { exact: true }).fill(rqNote);
  await cform.getByLabel('Internal note: only Finance sees it').check();
  await cform.getByRole('button', { name: 'Add internal note' }).click();
  await p.locator('.rq-comment-note').filter({ hasText: rqNote }).getByText('Internal note · only Finance sees it').waitFor();
  await waitFocus(p, 'body');
  await waitClock(p, 'response', ['running', 'soon']);
  // The first public comment answers it: the response clock stops, met.
  await p.getByRole('form', { name: 'Add a comment or an internal note' }).getByLabel('Comment', { exact: true }).fill('Looking into it now; the bank answers within the hour.');
  await p.getByRole('form', { name: 'Add a comment or an internal note' }).getByRole('button', { name: 'Post comment' }).click();
  await waitClock(p, 'response', 'met');
  const big = await p.getByTestId('response-state').innerText();
  assert(big.includes('Answered in time'), `response clock: "${big}"`);
  const tl = await timelineText(p);
  assert(tl.includes('Farid Haddad added an internal note') && tl.includes('Farid Haddad commented'), `timeline: ${tl}`);
  return 'queue filter in the URL survives a reload; note kept internal; response clock met';
});

test('waiting on Sales with missing information pauses the resolution clock (from the keyboard)', async () => {
  const p = rp;
  activePage = p;
  const toggle = p.getByRole('button', { name: 'Wait on Sales…', exact: true });
  await toggle.focus();
  await p.keyboard.press('Enter');
  await waitFocus(p, 'reason');
  assert((await toggle.getAttribute('aria-expanded')) === 'true', 'the toggle does not say it is expanded');
  const panel = p.getByRole('form', { name: 'Wait on Sales' });
  // Without a reason: the error shows next to the field, which keeps focus.
  await panel.getByRole('button', { name: 'Wait on Sales', exact: true }).click();
  await panel.locator('.field-error').filter({ hasText: 'Say what Sales should answer' }).waitFor();
  await waitFocus(p, 'reason');
  await p.keyboard.type(rqAsk);
  await p.keyboard.press('Tab');
  await p.keyboard.press('Space'); // the "Missing information" checkbox
  assert(await panel.getByLabel('Missing information').isChecked(), 'Tab then Space did not tick "Missing information"');
  await panel.getByRole('button', { name: 'Wait on Sales', exact: true }).focus();
  await p.keyboard.press('Enter');
  await p.locator('.page-head .rq-status', { hasText: 'Waiting on Sales' }).waitFor();
  await waitClock(p, 'resolution', 'paused');
  await p.waitForFunction(() => document.activeElement && document.activeElement.id === 'rq-next-title');
  await p.getByRole('button', { name: 'Resume work', exact: true }).waitFor();
  const note = await p.getByTestId('status-note').innerText();
  assert(note.includes('missing information') && note.includes(rqAsk), `status note: "${note}"`);
  const tl = await timelineText(p);
  assert(tl.includes('Farid Haddad asked Sales for an answer (missing information): the resolution clock pauses.'), `timeline: ${tl}`);
  await screenshot(p, 'request-waiting');
  return 'opened with Enter, focus to the reason, inline error, Tab+Space ticks the box; focus back on "Next steps"';
});

test('Sales sees the question but not the internal note, and answers: the clock runs again', async () => {
  assert(rq.hash, 'no request was raised');
  const p = await rqAs('sara.lindqvist@example.org');
  await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My requests', exact: true }).click();
  await p.getByRole('heading', { level: 1, name: 'My requests' }).waitFor();
  const row = await rowOf(p, 'mine-table');
  await row.getByText('Needs your answer').waitFor();
  await row.getByRole('link', { name: rq.title }).click();
  await p.getByRole('heading', { level: 1, name: rq.title }).waitFor();
  const note = await p.getByTestId('status-note').innerText();
  assert(note.includes('Finance needs your answer') && note.includes(rqAsk), `status note: "${note}"`);
  await waitClock(p, 'resolution', 'paused');
  const main = await p.locator('main').innerText();
  assert(!main.includes(rqNote) && !/internal note/i.test(main), 'the consumer sees the internal note');
  assert((await p.getByRole('button', { name: 'Resume work' }).count()) === 0, 'the consumer is offered "Resume work"');
  await p.getByRole('button', { name: 'Answer…', exact: true }).click();
  await waitFocus(p, 'body');
  await p.keyboard.type(rqAnswer);
  await p.getByRole('form', { name: 'Answer Finance' }).getByRole('button', { name: 'Send the answer and resume' }).click();
  await p.locator('.page-head .rq-status', { hasText: 'In progress' }).waitFor();
  await waitClock(p, 'resolution', ['running', 'soon']);
  await p.locator('.rq-comment').filter({ hasText: rqAnswer }).waitFor();
  const tl = await timelineText(p);
  assert(tl.includes('Sara Lindqvist commented') && tl.includes('Sara Lindqvist answered: the resolution clock runs again.'), `timeline: ${tl}`);
  await screenshot(p, 'request-answered');
  return 'the answer is posted, then the request resumes';
});

test('the search box finds it by its words and keeps them in the address; the consumer never finds it by the internal note', async () => {
  assert(rq.hash, 'no request was raised');
  const token = rq.title.split(' ').pop();
  const noteWords = `${token} payment default`;
  let p = await rqAs('sara.lindqvist@example.org');
  await openHash(p, '#/requests?status=all');
  await p.getByRole('heading', { level: 1, name: 'My requests' }).waitFor();
  let search = p.getByRole('search', { name: 'Filter my requests' });
  await search.getByLabel('Search', { exact: true }).focus();
  await p.keyboard.type(`nordwind ${token.slice(0, -1)}`); // the last word unfinished
  await p.keyboard.press('Enter');
  await p.waitForURL(/#\/requests\?.*q=nordwind/);
  await rowOf(p, 'mine-table');
  const rows = await p.locator('#mine-table tbody tr[data-request]').count();
  assert(rows === 1, `${rows} requests found by "nordwind ${token.slice(0, -1)}"`);
  const caption = await p.locator('#mine-table caption').innerText();
  assert(caption.includes(`matching “nordwind ${token.slice(0, -1)}”`), `caption: "${caption}"`);
  // The words of Finance's internal note find nothing on the consumer side.
  search = p.getByRole('search', { name: 'Filter my requests' });
  await search.getByLabel('Search', { exact: true }).fill(noteWords);
  await search.getByRole('button', { name: 'Apply filters' }).click();
  await p.waitForURL(/q=.*default/);
  await p.locator('#mine-table').getByText('No requests match.').waitFor();
  // Punctuation alone: the server's reason shows on the search box, the filters stay.
  search = p.getByRole('search', { name: 'Filter my requests' });
  await search.getByLabel('Search', { exact: true }).fill('?!');
  await search.getByRole('button', { name: 'Apply filters' }).click();
  await p.waitForFunction(() => document.querySelector('input[name="q"]')?.getAttribute('aria-invalid') === 'true');
  const problem = await p.getByRole('search', { name: 'Filter my requests' }).locator('.form-error').innerText();
  assert(/no word to search for/.test(problem), `search problem: "${problem}"`);
  // Finance finds it in its queue by the note's words, from an address with the search in it.
  p = await rqAs('farid.haddad@example.org');
  await openHash(p, `#/queue?q=${encodeURIComponent(noteWords)}`);
  await rowOf(p, 'queue-table');
  const kept = await p.getByRole('search', { name: 'Filter the queue' }).getByLabel('Search', { exact: true }).inputValue();
  assert(kept === noteWords, `the queue's search box shows "${kept}"`);
  await screenshot(p, 'request-search');
  return 'found by title words with an unfinished last word; hidden by note words from Sales, found by them in Finance\'s queue; a refused search shows on the box';
});

test('Finance resolves it: both clocks met, and Sales accepts it', async () => {
  assert(rq.hash, 'no request was raised');
  let p = await rqAs('farid.haddad@example.org');
  await openRequest(p);
  await p.getByRole('button', { name: 'Resolve…', exact: true }).click();
  await waitFocus(p, 'reason');
  await p.keyboard.type('Credit limit set to 50 000 EUR.');
  await p.getByRole('form', { name: 'Resolve the request' }).getByRole('button', { name: 'Resolve', exact: true }).click();
  await p.locator('.page-head .rq-status', { hasText: 'Resolved' }).waitFor();
  await waitClock(p, 'resolution', 'met');
  await waitClock(p, 'response', 'met');
  const big = await p.getByTestId('resolution-state').innerText();
  assert(big.includes('Resolved in time'), `resolution clock: "${big}"`);
  await p.locator('.rq-actions').getByText('Nothing for Finance to do until Sales accepts or reopens it.').waitFor();
  let tl = await timelineText(p);
  assert(tl.includes('Farid Haddad resolved it: the resolution clock stops.') && tl.includes('Credit limit set to 50 000 EUR.'), `timeline: ${tl}`);
  await screenshot(p, 'request-resolved');
  p = await rqAs('sara.lindqvist@example.org');
  await openRequest(p);
  await p.getByRole('button', { name: 'Reopen…', exact: true }).waitFor();
  await p.getByRole('button', { name: 'Accept and close', exact: true }).click();
  await p.locator('.page-head .rq-status', { hasText: 'Closed' }).waitFor();
  await p.getByText('The request is closed: the conversation is over.').waitFor();
  tl = await timelineText(p);
  const kinds = await p.$$eval('.rq-timeline li', (lis) => lis.map((li) => li.dataset.kind));
  assert(tl.includes('Sara Lindqvist accepted and closed it.'), `timeline: ${tl}`);
  return `timeline: ${kinds.join(', ')}`;
});

test('a person of a third department (IT) gets "not found" and never sees it listed', async () => {
  assert(rq.hash, 'no request was raised');
  const p = await rqAs('imran.qureshi@example.org');
  await openHash(p, rq.hash);
  await p.getByRole('heading', { level: 1, name: 'Not found' }).waitFor();
  const alert = await p.getByRole('alert').innerText();
  assert(/does not exist/.test(alert), `alert: "${alert}"`);
  for (const sub of ['', '/comments', '/events']) {
    const r = await apiCall(p, 'GET', `/requests/${rq.id}${sub}`);
    assert(r.status === 404, `GET /requests/${rq.id}${sub} answered ${r.status} to IT`);
  }
  // Lists and counts: nothing of the Credit check contract (active contracts are public).
  const credit = (await apiCall(p, 'GET', '/contracts?state=active')).body.items.find((c) => c.service.name === 'Credit check' && c.consumer.department.name === 'Sales');
  assert(credit, 'IT does not see the Credit check contract in force');
  const list = await apiCall(p, 'GET', `/requests?contract=${credit.id}&limit=200`);
  const count = await apiCall(p, 'GET', `/requests/count?contract=${credit.id}`);
  assert(list.status === 200 && list.body.items.length === 0, `IT lists ${list.body.items ? list.body.items.length : list.status} Credit check requests`);
  assert(count.status === 200 && count.body.count === 0, `IT counts ${count.body.count} Credit check requests`);
  await openHash(p, '#/requests?status=all');
  await p.getByRole('heading', { level: 1, name: 'My requests' }).waitFor();
  await p.locator('#mine-table').waitFor();
  assert((await p.getByText(rq.title).count()) === 0, 'IT lists the request under My requests');
  await openHash(p, '#/queue?status=any');
  await p.locator('#queue-table').waitFor();
  assert((await p.getByText(rq.title).count()) === 0, 'IT lists the request in its queue');
  await screenshot(p, 'request-not-found');
  await rqCtx.close();
  rqCtx = null;
  return 'page, comments and events: 404; list and count of the contract: 0';
});

test('signs out', async () => {
  await page.goto(`${BASE}/#/departments`);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL((u) => u.pathname === '/signin');
  // The session is gone: the app sends us back to sign in.
  await page.goto(`${BASE}/#/people`);
  await page.waitForURL((u) => u.pathname === '/signin');
  await page.getByLabel('E-mail').waitFor();
  await screenshot(page, 'signed-out');
});

test('no JavaScript errors on any page', async () => {
  assert(jsErrors.length === 0, jsErrors.join(' | '));
});

for (const c of cases) {
  const t0 = Date.now();
  activePage = null;
  try {
    const note = await c.fn();
    passed += 1;
    console.log(`ok - ${c.name}${note ? ` (${note})` : ''} [${Date.now() - t0} ms]`);
  } catch (err) {
    failed += 1;
    let msg = String((err && err.message) || err).split('\n')[0];
    // Say what the page showed, if it showed an error (e.g. a problem from the API).
    const failPage = activePage && !activePage.isClosed() ? activePage : page;
    try {
      const alerts = await failPage.locator('[role="alert"]:visible').allInnerTexts();
      const shown = alerts.map((t) => t.trim()).filter(Boolean);
      if (shown.length) msg += ` [page shows: ${shown.join(' | ')}]`;
    } catch (e) {
      // Nothing more to say.
    }
    console.log(`FAIL - ${c.name}: ${msg}`);
    try {
      await screenshot(failPage, `FAILED-${c.name.replace(/\W+/g, '-').slice(0, 40)}`);
    } catch (e) {
      // The page may be gone; the failure line above is what matters.
    }
  }
}

await browser.close();
clearTimeout(guard);
console.log(`screenshots: ${OUT}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
