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

// A whole-run guard so that a hung browser never hangs the test command.
const guard = setTimeout(() => {
  console.log('browser test: timed out after 180 s');
  console.log(`${passed} passed, ${failed + 1} failed`);
  process.exit(1);
}, 180000);

let passed = 0;
let failed = 0;
let shot = 0;
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

const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-GB' });
context.setDefaultTimeout(STEP_TIMEOUT);
const page = await context.newPage();
watch(page, 'main');

const uniqueName = `Quality Assurance ${Date.now().toString(36)}`;

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
  for (const l of ['Departments', 'People', 'My tokens', 'Audit']) {
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
  try {
    const note = await c.fn();
    passed += 1;
    console.log(`ok - ${c.name}${note ? ` (${note})` : ''} [${Date.now() - t0} ms]`);
  } catch (err) {
    failed += 1;
    let msg = String((err && err.message) || err).split('\n')[0];
    // Say what the page showed, if it showed an error (e.g. a problem from the API).
    try {
      const alerts = await page.locator('[role="alert"]:visible').allInnerTexts();
      const shown = alerts.map((t) => t.trim()).filter(Boolean);
      if (shown.length) msg += ` [page shows: ${shown.join(' | ')}]`;
    } catch (e) {
      // Nothing more to say.
    }
    console.log(`FAIL - ${c.name}: ${msg}`);
    try {
      await screenshot(page, `FAILED-${c.name.replace(/\W+/g, '-').slice(0, 40)}`);
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
