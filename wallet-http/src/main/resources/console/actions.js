// Acting on the ledger: each action is a form (a reason is required), then a confirmation, then one request.
// The reference id is made when the form opens and kept: a double click, or a retry after a failure whose outcome
// is unknown (no answer, a timeout, a 5xx), sends the same reference, so the ledger applies the operation at most
// once. Only after a definite refusal (a 4xx answer: nothing was applied, and the ledger has bound the refusal to
// that reference) does going back to change the form take a new reference id.
import * as api from './api.js';
import { el, fill, fields } from './dom.js';
import { errorView, pretty } from './format.js';

/** A fresh reference id: a random UUID (crypto.randomUUID where the page is a secure context). */
export function newReference() {
  if (window.crypto && typeof window.crypto.randomUUID === 'function') {
    return 'console-' + window.crypto.randomUUID();
  }
  const bytes = window.crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return 'console-' + hex.slice(0, 8) + '-' + hex.slice(8, 12) + '-' + hex.slice(12, 16) + '-'
    + hex.slice(16, 20) + '-' + hex.slice(20);
}

/**
 * Opens an action in area. spec: {id, title, intro, fields: [{name, label, type, options, value, hint}],
 * reasonMax, reference: boolean, build(values, reference) -> {method, path, body, describe} (throws Error
 * for bad input), show(result) -> node, done(result)}.
 */
export function openAction(area, spec) {
  const state = { reference: spec.reference === false ? null : newReference(), refused: false };
  const inputs = {};
  const rows = [];
  for (const field of spec.fields || []) {
    const id = 'action-' + field.name;
    let input;
    if (field.type === 'select') {
      input = el('select', { id, name: field.name },
        field.options.map(([value, label]) => el('option', { value, selected: value === field.value }, label)));
    } else {
      input = el('input', { id, name: field.name, type: 'text', value: field.value, autocomplete: 'off',
        placeholder: field.placeholder });
    }
    inputs[field.name] = input;
    rows.push(el('div', { class: 'field' }, el('label', { for: id }, field.label), input,
      field.hint ? el('span', { class: 'hint' }, field.hint) : null));
  }
  const reason = el('input', { id: 'action-reason', name: 'reason', type: 'text', required: true,
    maxlength: spec.reasonMax || 100, autocomplete: 'off', placeholder: 'why (recorded with it)' });
  rows.push(el('div', { class: 'field' }, el('label', { for: 'action-reason' }, 'Reason (required)'), reason));
  const problem = el('div', { class: 'problem' });
  const referenceText = el('code', { id: 'action-reference' }, state.reference || '');
  // After a refusal nothing was applied, and that reference now answers the same refusal: a changed request
  // needs a reference of its own.
  state.renew = () => {
    if (state.refused && state.reference) {
      state.reference = newReference();
      referenceText.textContent = state.reference;
    }
    state.refused = false;
  };
  const panel = el('div', { class: 'card action', id: 'action-panel', 'data-action': spec.id });
  const form = el('form', { id: 'action-form' },
    el('h2', {}, spec.title),
    spec.intro ? el('p', {}, spec.intro) : null,
    rows,
    state.reference ? el('p', { class: 'muted' }, 'Reference id: ', referenceText) : null,
    problem,
    el('div', { class: 'buttons' },
      el('button', { type: 'submit', id: 'action-review', class: 'primary' }, 'Review'),
      ' ',
      el('button', { type: 'button', id: 'action-cancel', onclick: () => fill(area) }, 'Cancel')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const values = {};
    for (const [name, input] of Object.entries(inputs)) {
      values[name] = input.value.trim();
    }
    values.reason = reason.value.trim();
    if (!values.reason) {
      fill(problem, el('p', { class: 'error' }, 'A reason is required.'));
      reason.focus();
      return;
    }
    let request;
    try {
      request = spec.build(values, state.reference);
    } catch (e) {
      fill(problem, el('p', { class: 'error' }, e.message));
      return;
    }
    fill(problem);
    confirmStep(panel, form, spec, request, state, area);
  });
  fill(panel, form);
  fill(area, panel);
  panel.scrollIntoView({ block: 'nearest' });
  const first = Object.values(inputs)[0] || reason;
  first.focus();
  return panel;
}

/** Whether a failed call was definitely not applied: a 4xx answer other than 408 and 429. */
function definite(error) {
  return error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429;
}

function confirmStep(panel, form, spec, request, state, area) {
  const reference = state.reference;
  const outcome = el('div', { id: 'action-outcome' });
  let busy = false;
  let done = false;
  const confirm = el('button', { type: 'button', id: 'action-confirm', class: 'danger' }, 'Confirm');
  const back = el('button', { type: 'button', id: 'action-back', onclick: () => {
    state.renew();
    fill(panel, form);
  } }, 'Back');
  // The request is fixed here: a retry sends these very bytes (the same reference id).
  const frozen = { method: request.method, path: request.path, body: request.body };
  confirm.addEventListener('click', async () => {
    if (busy || done) {
      return;
    }
    busy = true;
    confirm.disabled = true;
    back.disabled = true;
    confirm.textContent = 'Sending…';
    fill(outcome);
    try {
      const result = await api.call(frozen.method, frozen.path, frozen.body);
      done = true;
      confirm.textContent = 'Done';
      fill(outcome, el('div', { class: 'ok', id: 'action-done' }, el('strong', {}, 'Done. '), spec.show(result)));
      if (spec.done) {
        spec.done(result);
      }
    } catch (e) {
      busy = false;
      confirm.disabled = false;
      back.disabled = false;
      confirm.textContent = reference ? 'Retry (same reference id)' : 'Retry';
      if (definite(e)) {
        state.refused = true;
        fill(outcome, errorView(e, 'Refused'), el('p', { class: 'hint' }, 'Nothing was applied.'
          + (reference ? ' Back lets you change it; it is then sent under a new reference id.' : '')));
      } else {
        fill(outcome, errorView(e, 'No answer'), el('p', { class: 'hint' }, 'It may or may not have been applied.'
          + (reference ? ' Retry sends it again under the same reference id: the ledger applies it once.' : '')));
      }
    }
  });
  fill(panel,
    el('h2', {}, 'Confirm: ' + spec.title),
    el('p', { id: 'action-summary' }, request.describe),
    fields([
      ['Request', request.method + ' ' + request.path],
      ['Reference id', el('code', { id: 'confirm-reference' }, reference || '— (not a transaction)')],
    ]),
    el('pre', { class: 'json' }, pretty(frozen.body)),
    el('div', { class: 'buttons' }, confirm, ' ', back, ' ',
      el('button', { type: 'button', id: 'action-close', onclick: () => fill(area) }, 'Close')),
    outcome);
  confirm.focus();
}
