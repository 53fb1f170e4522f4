// Formatting of amounts, times and errors for display.
import { el } from './dom.js';

/** Minor units as a decimal text: amount(12345, 2) is "123.45". Works on the digits, never on floats. */
export function amount(value, decimalPlaces) {
  if (value === null || value === undefined) {
    return '—';
  }
  const places = Number.isInteger(decimalPlaces) && decimalPlaces > 0 ? decimalPlaces : 0;
  let digits = String(value);
  const negative = digits.startsWith('-');
  if (negative) {
    digits = digits.slice(1);
  }
  if (places > 0) {
    digits = digits.padStart(places + 1, '0');
    digits = digits.slice(0, digits.length - places) + '.' + digits.slice(digits.length - places);
  }
  return (negative ? '-' : '') + digits;
}

/** A decimal text typed by an operator to minor units: null when it is not a positive amount with that many places. */
export function minorUnits(text, decimalPlaces) {
  const places = decimalPlaces || 0;
  const match = /^\s*(\d{1,16})(?:\.(\d*))?\s*$/.exec(text || '');
  if (!match || (match[2] || '').length > places) {
    return null;
  }
  const units = Number(match[1] + (match[2] || '').padEnd(places, '0'));
  return Number.isSafeInteger(units) && units > 0 ? units : null;
}

/** As minorUnits, for an amount the operator must get right: throws the message the form shows. */
export function requiredUnits(text, decimalPlaces) {
  const units = minorUnits(text, decimalPlaces);
  if (!units) {
    throw new Error('The amount must be a positive number with at most ' + (decimalPlaces || 0)
      + ' decimal places.');
  }
  return units;
}

/** An RFC 3339 time as the server wrote it, shortened for tables (UTC). */
export function time(text) {
  if (!text) {
    return '—';
  }
  return String(text).replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/** Now (or a Date) as an RFC 3339 UTC time to whole seconds, as the report parameters take it. */
export function rfc3339(date) {
  return (date || new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A datetime-local input's value (the browser's zone) to RFC 3339 UTC; null when empty or invalid. */
export function fromLocalInput(value) {
  if (!value) {
    return null;
  }
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : rfc3339(date);
}

/** A Date as a datetime-local input's value, in the browser's zone. */
export function toLocalInput(date) {
  const pad = (n) => String(n).padStart(2, '0');
  return date.getFullYear() + '-' + pad(date.getMonth() + 1) + '-' + pad(date.getDate()) + 'T'
    + pad(date.getHours()) + ':' + pad(date.getMinutes());
}

/** An error as the operator sees it: the status, the stable code, and the server's message. */
export function errorView(error, context) {
  const status = error && error.status;
  let hint = null;
  if (status === 401) {
    hint = 'The key was refused: sign out and paste a valid key.';
  } else if (status === 403) {
    const scope = error.details && error.details.required_scope;
    // required_scope lists the scopes that open the route, separated by spaces: any one of them does.
    hint = 'This key may not do this'
      + (scope ? ' (it needs the ' + scope.split(' ').join(' or ') + ' scope).' : '.');
  }
  return el('div', { class: 'error', role: 'alert' },
    el('strong', {}, (context ? context + ': ' : '') + (status ? status + ' ' : '') + (error.code || 'ERROR')),
    ' ',
    el('span', { class: 'error-message' }, error.message || String(error)),
    hint ? el('div', { class: 'hint' }, hint) : null);
}

/** JSON for display in a <pre> (set as its text). */
export function pretty(value) {
  return JSON.stringify(value, null, 2);
}
