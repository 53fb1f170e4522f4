// CSV export: RFC 4180 quoting, and no cell a spreadsheet would run as a formula.
import { el } from './dom.js';

/** One cell: a text starting with = + - @ (or a tab or carriage return) gets a leading ' so no spreadsheet runs it. */
export function cell(value) {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) {
    text = "'" + text;
  }
  return /[",\r\n']/.test(text) || text !== text.trim() ? '"' + text.replace(/"/g, '""') + '"' : text;
}

/** Rows (arrays) to CSV text, lines ended by CRLF. */
export function toCsv(headers, rows) {
  return [headers].concat(rows).map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}

/** A download link for the CSV (a Blob URL, made when clicked and let go just after). */
export function downloadLink(id, fileName, headers, rows) {
  return el('a', {
    href: '#', id, class: 'button', download: fileName,
    onclick: (event) => {
      const a = event.currentTarget;
      const url = URL.createObjectURL(new Blob([toCsv(headers, rows)], { type: 'text/csv;charset=utf-8' }));
      a.href = url;
      setTimeout(() => {
        URL.revokeObjectURL(url);
        a.href = '#';
      }, 1000);
    },
  }, 'Export CSV');
}
