// A user's wallets: balances per asset, lots, holds, controls, and the history page by page.
import * as api from './api.js';
import { el, fill, link, section, table } from './dom.js';
import { amount, errorView, minorUnits, requiredUnits, time } from './format.js';
import { openAction } from './actions.js';
import { session } from './signin.js';
import { transactionHash, userHash } from './find.js';

const HISTORY_PAGE = 20;
const HOLDS_PAGE = 20;

export function decimals(asset) {
  const found = session.assets.find((a) => a.code === asset);
  return found ? found.decimal_places : 0;
}

export async function userView({ root, arg }) {
  const user = arg;
  if (!user) {
    location.hash = '#/find';
    return;
  }
  const actionArea = el('div', { id: 'action-area' });
  const balances = el('div', { id: 'balances' }, el('p', { class: 'muted' }, 'Loading…'));
  const assets = el('div', { id: 'assets' });
  const history = el('div', { id: 'history' });
  fill(root,
    el('h2', { class: 'title' }, 'User ', el('code', { id: 'user-id' }, user)),
    actionArea,
    section('Balances', balances),
    assets,
    section('History', history));
  const load = async () => {
    fill(assets);
    let answer;
    try {
      answer = await api.get('/api/v1/wallets/' + api.seg(user) + '/balance');
    } catch (e) {
      fill(balances, errorView(e, 'Balances'));
      showHistory(history, user, []);
      return;
    }
    const rows = answer.balances || [];
    if (!rows.length) {
      fill(balances, el('p', { class: 'muted', id: 'no-wallet' }, 'This user has no wallet yet.'));
    } else {
      fill(balances, table(['Asset', 'Balance', 'Paid', 'Free', 'Held', 'Expiring', 'Act'], rows.map((b) => [
        b.asset_code,
        el('span', { class: 'num balance', 'data-asset': b.asset_code }, amount(b.balance, b.decimal_places)),
        el('span', { class: 'num' }, amount(b.paid, b.decimal_places)),
        el('span', { class: 'num' }, amount(b.free, b.decimal_places)),
        el('span', { class: 'num' }, amount(b.held, b.decimal_places)),
        expiring(b),
        el('button', { type: 'button', class: 'small', 'data-act': 'adjust',
          onclick: () => adjust(actionArea, user, b.asset_code, load) }, 'Adjust'),
      ]), { id: 'balance-table' }));
    }
    for (const b of rows) {
      assets.appendChild(assetCard(actionArea, user, b.asset_code, load));
    }
    showHistory(history, user, []);
  };
  await load();
}

function expiring(balance) {
  const lots = balance.expiring || [];
  if (!lots.length) {
    return '—';
  }
  return el('ul', { class: 'plain' }, lots.map((lot) => el('li', {},
    amount(lot.amount, balance.decimal_places) + ' ' + lot.class + ' on ' + time(lot.expires_at))));
}

function assetCard(actionArea, user, asset, reload) {
  const lots = el('div', { class: 'lots' }, el('p', { class: 'muted' }, 'Loading…'));
  const holds = el('div', { class: 'holds' }, el('p', { class: 'muted' }, 'Loading…'));
  const controls = el('div', { class: 'controls', id: 'controls-' + asset }, el('p', { class: 'muted' }, 'Loading…'));
  const card = section(asset,
    el('div', { class: 'columns' },
      el('div', {}, el('h3', {}, 'Controls'), controls),
      el('div', {}, el('h3', {}, 'Lots'), lots)),
    el('h3', {}, 'Holds'), holds);
  card.classList.add('asset-card');
  card.dataset.asset = asset;
  const dp = decimals(asset);
  const path = '/api/v1/wallets/' + api.seg(user);
  api.get(path + '/lots' + api.query({ asset_code: asset })).then((answer) => {
    const list = answer.lots || [];
    fill(lots, list.length
      ? table(['Class', 'Amount', 'Expires'], list.map((l) => [l.class, amount(l.amount, dp), time(l.expires_at)]))
      : el('p', { class: 'muted' }, 'No lots.'));
  }, (e) => fill(lots, errorView(e, 'Lots')));
  api.get(path + '/holds' + api.query({ asset_code: asset, limit: HOLDS_PAGE })).then((answer) => {
    const list = answer.holds || [];
    fill(holds, list.length
      ? table(['Hold', 'Status', 'Amount', 'Captured', 'Released', 'Remaining', 'Expires', 'Act'], list.map((h) => [
        el('code', {}, h.hold_id), h.status, amount(h.amount, dp), amount(h.captured, dp), amount(h.released, dp),
        amount(h.remaining, dp), time(h.expires_at),
        h.status === 'OPEN'
          ? el('button', { type: 'button', class: 'small', 'data-act': 'void',
            onclick: () => voidHold(actionArea, h, reload) }, 'Void')
          : '',
      ]))
      : el('p', { class: 'muted' }, 'No holds.'),
    answer.next_cursor ? el('p', { class: 'muted' }, 'The ' + HOLDS_PAGE + ' newest holds.') : null);
  }, (e) => fill(holds, errorView(e, 'Holds')));
  api.get(path + '/controls' + api.query({ asset_code: asset })).then((c) => {
    fill(controls,
      table(['Status', 'Max balance', 'Daily spend limit', 'Spent today'], [[
        el('span', { class: 'status status-' + c.status.toLowerCase(), id: 'status-' + asset }, c.status),
        c.max_balance === null ? 'none' : amount(c.max_balance, dp),
        c.daily_spend_limit === null ? 'none' : amount(c.daily_spend_limit, dp),
        amount(c.spent_today, dp)]]),
      c.change_id
        ? el('p', { class: 'muted' }, 'Last change ' + time(c.changed_at) + ' by ' + (c.actor || 'no key')
          + ': ' + c.reason)
        : null,
      el('div', { class: 'buttons' },
        c.status === 'FROZEN'
          ? el('button', { type: 'button', id: 'unfreeze-' + asset, 'data-act': 'unfreeze',
            onclick: () => setStatus(actionArea, user, asset, 'ACTIVE', reload) }, 'Unfreeze')
          : el('button', { type: 'button', id: 'freeze-' + asset, 'data-act': 'freeze', class: 'danger',
            onclick: () => setStatus(actionArea, user, asset, 'FROZEN', reload) }, 'Freeze'),
        ' ',
        el('button', { type: 'button', 'data-act': 'limits',
          onclick: () => setLimits(actionArea, user, asset, c, reload) }, 'Set limits')));
  }, (e) => fill(controls, errorView(e, 'Controls')));
  return card;
}

/** The history, a page at a time; cursors holds the cursors of the pages before (for Previous). */
async function showHistory(out, user, cursors) {
  const cursor = cursors.length ? cursors[cursors.length - 1] : null;
  let page;
  try {
    page = await api.get('/api/v1/wallets/' + api.seg(user) + '/transactions'
      + api.query({ limit: HISTORY_PAGE, cursor }));
  } catch (e) {
    fill(out, errorView(e, 'History'));
    return;
  }
  const items = page.items || [];
  const rows = items.map((item) => [
    time(item.created_at),
    link(transactionHash(item.transaction_id), item.type, { class: 'tx-link' }),
    item.asset_code,
    item.account,
    item.direction,
    el('span', { class: 'num' }, amount(item.amount, decimals(item.asset_code))),
    el('span', { class: 'num' }, amount(item.balance_after, decimals(item.asset_code))),
    el('span', { class: 'reference' }, item.reference_id),
    item.counterparty ? link(userHash(item.counterparty), item.counterparty) : '',
    reasonOf(item.metadata),
  ]);
  const previous = cursors.length
    ? el('button', { type: 'button', id: 'history-previous', onclick: () => showHistory(out, user, cursors.slice(0, -1)) },
      'Previous page')
    : null;
  const next = page.next_cursor
    ? el('button', { type: 'button', id: 'history-next',
      onclick: () => showHistory(out, user, cursors.concat([page.next_cursor])) }, 'Next page')
    : null;
  fill(out,
    items.length
      ? table(['Time', 'Type', 'Asset', 'Account', 'Direction', 'Amount', 'Balance after', 'Reference',
        'Counterparty', 'Reason'], rows, { id: 'history-table', 'data-page': cursors.length + 1 })
      : el('p', { class: 'muted' }, 'No transactions.'),
    el('div', { class: 'buttons' }, previous, ' ',
      el('span', { class: 'muted', id: 'history-page' }, 'Page ' + (cursors.length + 1)), ' ', next));
}

export function reasonOf(metadata) {
  return metadata && typeof metadata === 'object' && typeof metadata.reason === 'string' ? metadata.reason : '';
}

function adjust(area, user, asset, reload) {
  const dp = decimals(asset);
  openAction(area, {
    id: 'adjust',
    title: 'Adjust ' + asset + ' of ' + user,
    intro: 'An operator\'s correction: credits or debits the user\'s paid balance.',
    fields: [
      { name: 'direction', label: 'Direction', type: 'select', value: 'credit',
        options: [['credit', 'credit (give)'], ['debit', 'debit (take)']] },
      { name: 'amount', label: 'Amount', placeholder: dp ? '0.' + '0'.repeat(dp) : '0' },
    ],
    build(values, reference) {
      const units = requiredUnits(values.amount, dp);
      return {
        method: 'POST',
        path: '/api/v1/adjustments',
        body: { user_id: user, asset_code: asset, direction: values.direction, amount: units,
          reference_id: reference, reason: values.reason },
        describe: values.direction + ' ' + amount(units, dp) + ' ' + asset + ' to ' + user + ', because: '
          + values.reason,
      };
    },
    show: showTransaction,
    done: reload,
  });
}

export function voidHold(area, hold, reload) {
  openAction(area, {
    id: 'void',
    title: 'Void hold ' + hold.hold_id,
    intro: 'Releases what the hold still keeps back to the user.',
    build(values, reference) {
      return {
        method: 'POST',
        path: '/api/v1/holds/' + api.seg(hold.hold_id) + '/void',
        body: { reference_id: reference, metadata: { reason: values.reason } },
        describe: 'void the hold ' + hold.hold_id + ' of ' + hold.user_id + ', because: ' + values.reason,
      };
    },
    show: showTransaction,
    done: reload,
  });
}

function setStatus(area, user, asset, status, reload) {
  openAction(area, {
    id: status === 'FROZEN' ? 'freeze' : 'unfreeze',
    title: (status === 'FROZEN' ? 'Freeze ' : 'Unfreeze ') + asset + ' of ' + user,
    intro: status === 'FROZEN'
      ? 'A frozen wallet refuses spends, transfers out and new holds; refunds and corrections still go through.'
      : 'The wallet takes every operation again.',
    reference: false,
    reasonMax: 500,
    build(values) {
      return {
        method: 'PUT',
        path: '/api/v1/wallets/' + api.seg(user) + '/controls' + api.query({ asset_code: asset }),
        body: { status, reason: values.reason },
        describe: 'set ' + asset + ' of ' + user + ' to ' + status + ', because: ' + values.reason,
      };
    },
    show: showControls,
    done: reload,
  });
}

function setLimits(area, user, asset, current, reload) {
  const dp = decimals(asset);
  const shown = (v) => (v === null || v === undefined ? '' : amount(v, dp));
  openAction(area, {
    id: 'limits',
    title: 'Limits of ' + asset + ' for ' + user,
    intro: 'Leave a field empty to remove that limit.',
    reference: false,
    reasonMax: 500,
    fields: [
      { name: 'max_balance', label: 'Max balance', value: shown(current.max_balance) },
      { name: 'daily_spend_limit', label: 'Daily spend limit', value: shown(current.daily_spend_limit) },
    ],
    build(values) {
      const limit = (text, what) => {
        if (text === '') {
          return null;
        }
        if (/^0+(\.0*)?$/.test(text)) {
          return 0;
        }
        const units = minorUnits(text, dp);
        if (units === null) {
          throw new Error(what + ' must be empty or a number with at most ' + dp + ' decimal places.');
        }
        return units;
      };
      const body = {
        max_balance: limit(values.max_balance, 'Max balance'),
        daily_spend_limit: limit(values.daily_spend_limit, 'Daily spend limit'),
        reason: values.reason,
      };
      return {
        method: 'PUT',
        path: '/api/v1/wallets/' + api.seg(user) + '/controls' + api.query({ asset_code: asset }),
        body,
        describe: 'set the limits of ' + asset + ' for ' + user + ': max balance '
          + (body.max_balance === null ? 'none' : amount(body.max_balance, dp)) + ', daily spend limit '
          + (body.daily_spend_limit === null ? 'none' : amount(body.daily_spend_limit, dp)) + ', because: '
          + values.reason,
      };
    },
    show: showControls,
    done: reload,
  });
}

/** A write's answer: its type, id (a link) and the amount. */
export function showTransaction(result) {
  return el('span', {},
    result.type + ' ',
    link(transactionHash(result.transaction_id), result.transaction_id, { id: 'result-transaction' }),
    result.amount !== undefined ? ' of ' + amount(result.amount, decimals(result.asset_code)) + ' '
      + (result.asset_code || '') : '');
}

function showControls(result) {
  return el('span', { id: 'result-controls' }, result.asset_code + ' of ' + result.user_id + ' is ' + result.status);
}
