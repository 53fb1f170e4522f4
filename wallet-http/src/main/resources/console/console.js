// The console's entry: a hash router over the views. Leaving a view runs its clean-up (timers stop).
import { el, fill } from './dom.js';
import { start, session } from './signin.js';
import { findView } from './find.js';
import { userView } from './user.js';
import { transactionView } from './transaction.js';
import { economyView } from './economy.js';
import { healthView } from './health.js';
import { errorView } from './format.js';

const VIEWS = {
  find: findView,
  user: userView,
  tx: transactionView,
  economy: economyView,
  health: healthView,
};

let cleanups = [];

function leave() {
  for (const cleanup of cleanups) {
    try {
      cleanup();
    } catch (e) {
      // a view's clean-up must not keep the next view from showing
    }
  }
  cleanups = [];
}

async function route() {
  leave();
  if (!session.ready) {
    return;
  }
  const hash = location.hash || '#/find';
  const parts = hash.replace(/^#\/?/, '').split('/');
  const name = VIEWS[parts[0]] ? parts[0] : 'find';
  let arg = null;
  try {
    arg = parts.length > 1 ? decodeURIComponent(parts.slice(1).join('/')) : null;
  } catch (e) {
    arg = null;
  }
  for (const a of document.querySelectorAll('#nav a')) {
    a.classList.toggle('current', a.dataset.view === name || (name !== 'economy' && name !== 'health'
      && a.dataset.view === 'find'));
  }
  // Each view draws into its own root: when the operator has moved on, late answers land in a detached node.
  const root = el('div', { class: 'view-' + name });
  fill(document.getElementById('view'), root);
  try {
    await VIEWS[name]({ root, arg, onLeave: (fn) => cleanups.push(fn) });
  } catch (e) {
    root.appendChild(errorView(e, 'This view failed'));
  }
}

window.addEventListener('hashchange', route);
start(route);
