// Find: users by id prefix (GET /api/v1/wallets?prefix=, where the server has it; else the exact id), and a
// transaction by id or reference id.
import * as api from './api.js';
import { el, fill, link, section } from './dom.js';
import { errorView } from './format.js';

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const PAGE = 20;

export function userHash(user) {
  return '#/user/' + encodeURIComponent(user);
}

export function transactionHash(id) {
  return '#/tx/' + encodeURIComponent(id);
}

export async function findView({ root }) {
  const userInput = el('input', { id: 'find-user', type: 'search', placeholder: 'user id or its beginning',
    'aria-label': 'User id or prefix', maxlength: 100, autocomplete: 'off' });
  const userResults = el('div', { id: 'find-user-results' });
  const userForm = el('form', { class: 'row' }, userInput, ' ',
    el('button', { type: 'submit', id: 'find-user-button', class: 'primary' }, 'Find user'));
  userForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = userInput.value.trim();
    if (text) {
      searchUsers(userResults, text, null);
    }
  });

  const txInput = el('input', { id: 'find-tx', type: 'search', placeholder: 'transaction id or reference id',
    'aria-label': 'Transaction id or reference id', maxlength: 100, autocomplete: 'off' });
  const txResult = el('div', { id: 'find-tx-result' });
  const txForm = el('form', { class: 'row' }, txInput, ' ',
    el('button', { type: 'submit', id: 'find-tx-button', class: 'primary' }, 'Look up'));
  txForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = txInput.value.trim();
    if (text) {
      lookUpTransaction(txResult, text);
    }
  });

  fill(root,
    section('Find a user', userForm, userResults),
    section('Find a transaction', txForm, txResult));
  userInput.focus();
}

async function searchUsers(out, prefix, cursor) {
  const exact = el('p', {}, 'Open the user ', link(userHash(prefix), prefix, { class: 'user-link', id: 'open-exact' }),
    ' (exactly this id).');
  let page;
  try {
    page = await api.get('/api/v1/wallets' + api.query({ prefix, cursor, limit: PAGE }));
  } catch (e) {
    if (e.missing) {
      fill(out, exact, el('p', { class: 'muted' }, 'Search by prefix is not available on this server.'));
    } else {
      fill(out, exact, errorView(e, 'Search'));
    }
    return;
  }
  const users = page.users || [];
  const list = el('ul', { class: 'users', id: 'user-list' },
    users.map((user) => el('li', {}, link(userHash(user), user, { class: 'user-link' }))));
  const more = page.next_cursor
    ? el('button', { type: 'button', id: 'more-users', onclick: () => searchUsers(out, prefix, page.next_cursor) },
      'More users')
    : null;
  fill(out, exact, users.length ? list : el('p', { class: 'muted' }, 'No user starts with this.'), more);
}

async function lookUpTransaction(out, text) {
  fill(out, el('p', { class: 'muted' }, 'Looking up…'));
  try {
    let found = null;
    if (UUID.test(text)) {
      try {
        found = await api.get('/api/v1/transactions/' + api.seg(text.toLowerCase()));
      } catch (e) {
        if (e.code !== 'TRANSACTION_NOT_FOUND') {
          throw e;
        }
      }
    }
    if (!found) {
      found = await api.get('/api/v1/transactions' + api.query({ reference_id: text }));
    }
    location.hash = transactionHash(found.transaction_id);
  } catch (e) {
    fill(out, errorView(e, 'Look-up'));
  }
}
