// One transaction: its fields, every posting, its links (what it reverses, what reversed it, its hold), who
// acted, its metadata; and the reversal (refund) and chargeback of it.
import * as api from './api.js';
import { el, fields, fill, link, section, table } from './dom.js';
import { amount, errorView, pretty, requiredUnits, time } from './format.js';
import { openAction } from './actions.js';
import { decimals, reasonOf, showTransaction, voidHold } from './user.js';
import { transactionHash, userHash } from './find.js';

/** Fields shown in their own sections, or not at all. */
const APART = new Set(['entries', 'reversals', 'breakdown', 'metadata', 'balances']);
const USERS = new Set(['user_id', 'from_user_id', 'to_user_id']);
const AMOUNTS = new Set(['amount', 'balance', 'from_balance', 'to_balance', 'held', 'captured', 'released',
  'remaining', 'recovered', 'shortfall', 'reversible_amount']);

export async function transactionView({ root, arg }) {
  const actionArea = el('div', { id: 'action-area' });
  const body = el('div', { id: 'transaction' }, el('p', { class: 'muted' }, 'Loading…'));
  fill(root, el('h2', { class: 'title' }, 'Transaction ', el('code', {}, arg || '')), actionArea, body);
  const load = async () => {
    let tx;
    try {
      tx = await api.get('/api/v1/transactions/' + api.seg(arg || ''));
    } catch (e) {
      fill(body, errorView(e, 'Transaction'));
      return;
    }
    render(body, actionArea, tx, load);
  };
  await load();
}

function render(body, actionArea, tx, reload) {
  const dp = decimals(tx.asset_code);
  const pairs = [];
  for (const [name, value] of Object.entries(tx)) {
    if (APART.has(name)) {
      continue;
    }
    let shown;
    if (USERS.has(name)) {
      shown = link(userHash(value), value, { class: 'user-link' });
    } else if (name === 'reverses') {
      shown = link(transactionHash(value), value, { id: 'reverses-link' });
    } else if (AMOUNTS.has(name) && typeof value === 'number') {
      shown = amount(value, dp);
    } else if (name.endsWith('_at')) {
      shown = time(value);
    } else {
      shown = value === null ? '—' : String(value);
    }
    pairs.push([name, el('span', { 'data-field': name }, shown)]);
  }
  if (!('actor' in tx)) {
    pairs.push(['actor', el('span', { 'data-field': 'actor', class: 'muted' }, 'none (no API key acted)')]);
  }
  const reversals = tx.reversals || [];
  const actions = [];
  // What the server says may still be reversed; only a top-up is charged back (the server has the last word).
  if (tx.reversible_amount > 0) {
    actions.push(el('button', { type: 'button', id: 'reverse', class: 'danger',
      onclick: () => reverse(actionArea, tx, reload) }, 'Reverse (refund)'));
    if (tx.type === 'TOPUP') {
      actions.push(' ', el('button', { type: 'button', id: 'chargeback',
        onclick: () => chargeback(actionArea, tx, reload) }, 'Chargeback'));
    }
  }
  fill(body,
    section('Details', fields(pairs), actions.length ? el('div', { class: 'buttons' }, actions) : null),
    section('Postings',
      table(['Wallet kind', 'Owner', 'Account', 'Direction', 'Amount', 'Balance after'],
        (tx.entries || []).map((e) => [e.wallet_kind, e.owner, e.account, e.direction,
          el('span', { class: 'num' }, amount(e.amount, dp)),
          e.balance_after === undefined ? '—' : el('span', { class: 'num' }, amount(e.balance_after, dp))]),
        { id: 'postings' })),
    section('Reversed by',
      reversals.length
        ? table(['Transaction', 'Type', 'Amount'], reversals.map((r) => [
          link(transactionHash(r.transaction_id), r.transaction_id, { class: 'reversal-link' }), r.type,
          amount(r.amount, dp)]), { id: 'reversals' })
        : el('p', { class: 'muted' }, 'Not reversed.')),
    tx.hold_id ? holdSection(actionArea, tx, dp, reload) : null,
    (tx.breakdown || []).length
      ? section('Lots it moved', table(['Class', 'Expires', 'Amount'],
        tx.breakdown.map((l) => [l.class, time(l.expires_at), amount(l.amount, dp)])))
      : null,
    section('Metadata',
      reasonOf(tx.metadata) ? el('p', {}, 'Reason: ', el('span', { id: 'metadata-reason' }, reasonOf(tx.metadata)))
        : null,
      el('pre', { class: 'json', id: 'metadata' }, pretty(tx.metadata))));
}

/** The hold a hold movement moved, as it stands now, with a Void while it is open. */
function holdSection(actionArea, tx, dp, reload) {
  const out = el('div', { id: 'hold' }, el('p', { class: 'muted' }, 'Loading…'));
  api.get('/api/v1/holds/' + api.seg(tx.hold_id)).then((hold) => {
    fill(out,
      fields([
        ['Hold', el('code', { id: 'hold-id' }, hold.hold_id)],
        ['Status', el('span', { id: 'hold-status' }, hold.status)],
        ['Amount', amount(hold.amount, dp)],
        ['Captured', amount(hold.captured, dp)],
        ['Released', amount(hold.released, dp)],
        ['Remaining', amount(hold.remaining, dp)],
        ['Expires', time(hold.expires_at)],
        ['Reference', hold.reference_id],
      ]),
      hold.status === 'OPEN'
        ? el('div', { class: 'buttons' }, el('button', { type: 'button', id: 'void-hold', class: 'danger',
          onclick: () => voidHold(actionArea, hold, reload) }, 'Void the hold'))
        : null);
  }, (e) => fill(out, errorView(e, 'Hold')));
  return section('Hold', out);
}

function reverse(area, tx, reload) {
  const dp = decimals(tx.asset_code);
  openAction(area, {
    id: 'reverse',
    title: 'Reverse ' + tx.type + ' ' + tx.transaction_id,
    intro: 'Gives back up to ' + amount(tx.reversible_amount, dp) + ' ' + tx.asset_code
      + '. Leave the amount empty to reverse all that is left.',
    fields: [{ name: 'amount', label: 'Amount (optional)', placeholder: amount(tx.reversible_amount, dp) }],
    build(values, reference) {
      const body = { reference_id: reference, reason: values.reason };
      if (values.amount) {
        body.amount = requiredUnits(values.amount, dp);
      }
      return {
        method: 'POST',
        path: '/api/v1/transactions/' + api.seg(tx.transaction_id) + '/reversal',
        body,
        describe: 'reverse ' + (body.amount ? amount(body.amount, dp) : 'all that is left ('
          + amount(tx.reversible_amount, dp) + ')') + ' ' + tx.asset_code + ' of ' + tx.type + ' '
          + tx.transaction_id + ', because: ' + values.reason,
      };
    },
    show: showTransaction,
    done: reload,
  });
}

function chargeback(area, tx, reload) {
  const dp = decimals(tx.asset_code);
  openAction(area, {
    id: 'chargeback',
    title: 'Chargeback of ' + tx.type + ' ' + tx.transaction_id,
    intro: 'Takes the payment back after the payment provider reversed it.',
    fields: [
      { name: 'amount', label: 'Amount (optional)', placeholder: amount(tx.reversible_amount, dp) },
      { name: 'policy', label: 'Shortfall', type: 'select', value: 'debt',
        options: [['debt', 'debt: the balance may go negative'], ['write_off', 'write off the shortfall']] },
    ],
    build(values, reference) {
      const body = { reference_id: reference, policy: values.policy, metadata: { reason: values.reason } };
      if (values.amount) {
        body.amount = requiredUnits(values.amount, dp);
      }
      return {
        method: 'POST',
        path: '/api/v1/transactions/' + api.seg(tx.transaction_id) + '/chargeback',
        body,
        describe: 'charge back ' + (body.amount ? amount(body.amount, dp) : 'all that is left') + ' '
          + tx.asset_code + ' of ' + tx.transaction_id + ' (' + values.policy + '), because: ' + values.reason,
      };
    },
    show: showTransaction,
    done: reload,
  });
}
