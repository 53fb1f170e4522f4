// The economy: what is outstanding at a moment, and what moved in a period, as tables, bar charts and CSV.
import * as api from './api.js';
import { el, fill, section, table } from './dom.js';
import { amount, errorView, fromLocalInput, rfc3339, toLocalInput } from './format.js';
import { barChart } from './chart.js';
import { downloadLink } from './csv.js';

const OUTSTANDING = ['paid', 'free', 'held', 'expiring_within_30_days'];
const ACTIVITY = ['paid_credited', 'free_granted', 'paid_spent', 'free_spent', 'expired', 'refunded', 'charged_back',
  'adjusted_credit', 'adjusted_debit', 'held', 'released', 'transferred'];
const DAY_MS = 24 * 3600 * 1000;

/**
 * "Now" for a report: a second ago. The server refuses a moment past the database's clock, and this browser's
 * clock may run a little ahead of it.
 */
function justNow() {
  return rfc3339(new Date(Date.now() - 1000));
}

export async function economyView({ root }) {
  const outstandingOut = el('div', { id: 'outstanding' });
  const activityOut = el('div', { id: 'activity' });
  const at = el('input', { type: 'datetime-local', id: 'outstanding-at', 'aria-label': 'At (empty: now)' });
  const from = el('input', { type: 'datetime-local', id: 'activity-from',
    value: toLocalInput(new Date(Date.now() - 7 * DAY_MS)), 'aria-label': 'From' });
  const to = el('input', { type: 'datetime-local', id: 'activity-to', 'aria-label': 'To (empty: now)' });
  const outstandingForm = el('form', { class: 'row' }, el('label', { for: 'outstanding-at' }, 'At '), at,
    el('span', { class: 'hint' }, ' empty: now '),
    el('button', { type: 'submit', class: 'primary', id: 'outstanding-button' }, 'Show'));
  const activityForm = el('form', { class: 'row' }, el('label', { for: 'activity-from' }, 'From '), from, ' ',
    el('label', { for: 'activity-to' }, 'to '), to,
    el('span', { class: 'hint' }, ' empty: now '),
    el('button', { type: 'submit', class: 'primary', id: 'activity-button' }, 'Show'));
  outstandingForm.addEventListener('submit', (event) => {
    event.preventDefault();
    outstanding(outstandingOut, fromLocalInput(at.value) || justNow());
  });
  activityForm.addEventListener('submit', (event) => {
    event.preventDefault();
    activity(activityOut, fromLocalInput(from.value), fromLocalInput(to.value) || justNow());
  });
  fill(root,
    section('Outstanding', el('p', { class: 'muted' }, 'What the users hold at a moment, per asset.'),
      outstandingForm, outstandingOut),
    section('Activity', el('p', { class: 'muted' }, 'What moved in a period, per asset.'), activityForm,
      activityOut));
  await Promise.all([
    outstanding(outstandingOut, fromLocalInput(at.value) || justNow()),
    activity(activityOut, fromLocalInput(from.value), fromLocalInput(to.value) || justNow()),
  ]);
}

/** A file name from a report's times, without the characters file systems refuse (":"). */
function fileName(report, ...times) {
  return [report].concat(times.map((t) => String(t).replace(/\.\d+Z$/, 'Z').replace(/[^0-9A-Za-z]/g, '')))
    .join('-') + '.csv';
}

async function outstanding(out, at) {
  fill(out, el('p', { class: 'muted' }, 'Loading…'));
  let report;
  try {
    report = await api.get('/api/v1/reports/outstanding' + api.query({ at }));
  } catch (e) {
    fill(out, errorView(e, 'Outstanding'));
    return;
  }
  const lines = report.assets || [];
  const headers = ['asset_code'].concat(OUTSTANDING, ['wallets']);
  const rows = lines.map((l) => [l.asset_code].concat(OUTSTANDING.map((f) => amount(l[f], l.decimal_places)),
    [l.wallets]));
  const bars = [];
  lines.forEach((l) => OUTSTANDING.slice(0, 3).forEach((f, i) => bars.push({
    label: l.asset_code + ' ' + f, value: l[f], text: amount(l[f], l.decimal_places), series: i })));
  fill(out,
    el('p', { class: 'muted' }, 'At ' + report.at),
    lines.length ? table(headers, rows, { id: 'outstanding-table' }) : el('p', { class: 'muted' }, 'Nothing held.'),
    lines.length ? barChart('outstanding-chart', 'Outstanding at ' + report.at, bars) : null,
    el('div', { class: 'buttons' },
      downloadLink('outstanding-csv', fileName('outstanding', report.at), headers, rows)));
}

async function activity(out, from, to) {
  if (!from || !to) {
    fill(out, el('p', { class: 'error' }, 'Give both ends of the period.'));
    return;
  }
  fill(out, el('p', { class: 'muted' }, 'Loading…'));
  let report;
  try {
    report = await api.get('/api/v1/reports/activity' + api.query({ from, to }));
  } catch (e) {
    fill(out, errorView(e, 'Activity'));
    return;
  }
  const lines = report.assets || [];
  const headers = ['asset_code'].concat(ACTIVITY, ['paid_opening', 'paid_closing', 'free_opening', 'free_closing']);
  const rows = lines.map((l) => [l.asset_code]
    .concat(ACTIVITY.map((f) => amount(l[f], l.decimal_places)))
    .concat([l.paid.opening, l.paid.closing, l.free.opening, l.free.closing].map((v) => amount(v, l.decimal_places))));
  const charts = lines.map((l) => barChart('activity-chart-' + l.asset_code, l.asset_code + ' from ' + report.from
    + ' to ' + report.to, ACTIVITY.map((f, i) => ({ label: f, value: l[f], text: amount(l[f], l.decimal_places),
    series: i < 4 ? 0 : i < 9 ? 1 : 2 }))));
  fill(out,
    el('p', { class: 'muted' }, 'From ' + report.from + ' to ' + report.to),
    lines.length ? table(headers, rows, { id: 'activity-table', class: 'wide' })
      : el('p', { class: 'muted' }, 'Nothing moved.'),
    charts,
    el('div', { class: 'buttons' },
      downloadLink('activity-csv', fileName('activity', report.from, report.to), headers, rows)));
}
