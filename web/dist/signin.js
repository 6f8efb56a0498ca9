// accord sign-in page: POST /api/v1/session, then go to the app.
import { api, ApiError, showProblem, clearProblem, waitSeconds, waitText } from './api.js';

const form = document.getElementById('signin-form');
const email = document.getElementById('signin-email');
const password = document.getElementById('signin-password');
const submit = form.querySelector('button[type="submit"]');
let countdown = null;

function nextTarget() {
  const q = new URLSearchParams(window.location.search).get('next');
  // Only same-app hash routes are accepted, never another origin.
  if (q && /^#\/[\w\-/?=&%.]*$/.test(q)) return '/' + q;
  return '/';
}

function startCountdown(err) {
  let left = waitSeconds(err.retryAfter);
  if (left === null || left <= 0) return;
  submit.disabled = true;
  const box = document.getElementById('signin-error');
  let base = (err.problem && (err.problem.detail || err.problem.title)) || 'Too many sign-in attempts';
  base = base.replace(/[.\s]*$/, '.');
  base = base.charAt(0).toUpperCase() + base.slice(1);
  box.textContent = `${base} Signing in is paused: ${waitText(left)} left.`;
  clearInterval(countdown);
  countdown = setInterval(() => {
    left -= 1;
    if (left <= 0) {
      clearInterval(countdown);
      countdown = null;
      submit.disabled = false;
      box.textContent = `${base} You can try again now.`;
      return;
    }
    // Update the visible text without re-announcing every second.
    box.setAttribute('aria-live', 'off');
    box.textContent = `${base} Signing in is paused: ${waitText(left)} left.`;
  }, 1000);
}

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  if (countdown || form.dataset.busy === '1') return;
  clearProblem(form);
  document.getElementById('signin-error').removeAttribute('aria-live');
  if (!email.value.trim()) {
    showProblem(form, new ApiError(400, { detail: 'Enter your e-mail address.', field: '/email' }));
    return;
  }
  if (!password.value) {
    showProblem(form, new ApiError(400, { detail: 'Enter your password.', field: '/password' }));
    return;
  }
  form.dataset.busy = '1';
  form.setAttribute('aria-busy', 'true');
  submit.disabled = true;
  try {
    await api('POST', '/session', { email: email.value.trim(), password: password.value });
    window.location.assign(nextTarget());
    return;
  } catch (err) {
    showProblem(form, err);
    if (err instanceof ApiError && err.status === 401) {
      password.value = '';
      password.focus();
    }
    if (err instanceof ApiError && err.status === 429) startCountdown(err);
  } finally {
    delete form.dataset.busy;
    form.removeAttribute('aria-busy');
    if (!countdown) submit.disabled = false;
  }
});

// Already signed in? Go straight to the app.
fetch('/api/v1/me', { credentials: 'same-origin', headers: { Accept: 'application/json' } })
  .then((r) => {
    if (r.ok) window.location.replace(nextTarget());
  })
  .catch(() => {});

// The wait applies to one account (and address): another e-mail may be tried at once.
email.addEventListener('input', () => {
  if (!countdown) return;
  clearInterval(countdown);
  countdown = null;
  submit.disabled = false;
});
