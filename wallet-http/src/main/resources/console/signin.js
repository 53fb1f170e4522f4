// Sign-in: the operator pastes an API key; it is kept in sessionStorage only and sent as a Bearer token.
// A server without keys needs none. What the key may do is learnt by asking (a 403 names the scope needed).
import * as api from './api.js';
import { el, fill } from './dom.js';
import { errorView } from './format.js';

/** What the console knows of the session: open server, the key's id, and what the key may do. */
export const session = { ready: false, open: false, keyId: null, can: {}, assets: [] };

/** A user nobody has, for the scope probe of the controls (a read that changes nothing). */
const PROBE_USER = 'console-scope-probe';

/**
 * Finds out whether the server asks for a key, and if one is stored, what it may do. Calls ready() once the
 * console may show its views; until then it shows the sign-in form.
 */
let onReady = () => {};

export async function start(ready) {
  onReady = ready;
  const bar = document.getElementById('session');
  try {
    const assets = await api.call('GET', '/api/v1/assets', undefined, { anonymous: true });
    session.open = true;
    session.assets = assets.assets || [];
    session.can = { read: true, operator: true, admin: true, write: true };
    session.ready = true;
    renderBar(bar);
    ready();
    return;
  } catch (e) {
    if (e.status !== 401) {
      fill(document.getElementById('view'), errorView(e, 'The server could not be asked'));
      return;
    }
  }
  if (api.key()) {
    await verify(bar, ready, null);
  } else {
    showForm(bar, ready, null);
  }
}

function showForm(bar, ready, error) {
  session.ready = false;
  fill(bar);
  document.getElementById('nav').hidden = true;
  const input = el('input', {
    id: 'api-key', type: 'password', autocomplete: 'off', spellcheck: 'false',
    placeholder: 'wlk_…', 'aria-label': 'API key', required: true, size: 48,
  });
  const form = el('form', { id: 'signin', class: 'card signin' },
    el('h2', {}, 'Sign in'),
    el('p', {}, 'Paste an API key (it starts with wlk_). It stays in this tab only and is sent with each call.'),
    el('label', { for: 'api-key' }, 'API key '), input, ' ',
    el('button', { type: 'submit', id: 'signin-button', class: 'primary' }, 'Sign in'),
    error ? errorView(error, 'Sign-in refused') : null);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const value = input.value.trim();
    if (!/^wlk_[A-Za-z0-9_-]{1,64}\.[A-Za-z0-9_-]+$/.test(value)) {
      showForm(bar, ready, new api.ApiError(0, 'NOT_A_KEY', 'that is not an API key: keys look like wlk_<id>.<secret>'));
      return;
    }
    api.signIn(value);
    await verify(bar, ready, form);
  });
  fill(document.getElementById('view'), form);
  input.focus();
}

async function verify(bar, ready) {
  const can = {};
  try {
    const assets = await api.get('/api/v1/assets');
    session.assets = assets.assets || [];
    can.read = true;
  } catch (e) {
    if (e.status === 401) {
      api.signOut();
      showForm(bar, ready, e);
      return;
    }
    if (e.status !== 403) {
      fill(document.getElementById('view'), errorView(e, 'The key could not be checked'));
      return;
    }
    can.read = false;
  }
  can.operator = await allowed('/api/v1/wallets/' + PROBE_USER + '/controls'
    + api.query({ asset_code: session.assets.length ? session.assets[0].code : 'GOLD_COINS' }));
  can.admin = await allowed('/api/v1/webhooks');
  session.open = false;
  session.keyId = api.keyId(api.key());
  session.can = can;
  session.ready = true;
  renderBar(bar);
  ready();
}

/** Whether the key may call path: anything but 401 and 403 says yes (a 404 for the probe user is a yes). */
async function allowed(path) {
  try {
    await api.get(path);
    return true;
  } catch (e) {
    return e.status !== 401 && e.status !== 403;
  }
}

function renderBar(bar) {
  document.getElementById('nav').hidden = false;
  if (session.open) {
    fill(bar, el('span', { class: 'badge warn', id: 'open-server' },
      'No API keys on this server: no sign-in, and every action is open'));
    return;
  }
  const may = [];
  if (session.can.read) {
    may.push('read wallets and transactions');
  }
  if (session.can.operator) {
    may.push('controls and reports');
  }
  if (session.can.admin) {
    may.push('admin (webhooks, metrics, verify)');
  }
  fill(bar,
    el('span', { id: 'signed-in' }, 'Key ', el('code', {}, session.keyId || '?')),
    ' ',
    el('span', { id: 'key-scopes', class: 'muted' },
      'may: ' + (may.length ? may.join('; ') : 'none of the reads') + '; writes are checked when you act'),
    ' ',
    el('button', {
      type: 'button', id: 'signout',
      onclick: () => {
        api.signOut();
        session.keyId = null;
        session.can = {};
        location.hash = '#/find';
        showForm(bar, onReady, null);
      },
    }, 'Sign out'));
}
