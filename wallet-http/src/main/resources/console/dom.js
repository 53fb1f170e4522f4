// DOM building without markup strings: every text goes in through textContent, so data from the ledger
// (user ids, metadata, reasons) is shown as written and never parsed as HTML.

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * el('button', {class: 'primary', onclick: fn, disabled: true}, 'Text', child...).
 * Attributes are set with setAttribute (never "style" or "on*" strings); functions under on* become listeners.
 */
export function el(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}

/** The same for SVG elements. */
export function svg(tag, attrs, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children);
}

function build(node, attrs, children) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) {
      continue;
    }
    if (name.startsWith('on')) {
      if (typeof value !== 'function') {
        throw new Error('event handlers must be functions: ' + name);
      }
      node.addEventListener(name.slice(2), value);
    } else if (name === 'style') {
      throw new Error('no inline styles: use a class');
    } else if (value === true) {
      node.setAttribute(name, '');
    } else {
      node.setAttribute(name, String(value));
    }
  }
  append(node, children);
  return node;
}

/** Appends children: nodes as they are, anything else as text; arrays are flattened, null skipped. */
export function append(node, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    if (Array.isArray(child)) {
      append(node, child);
    } else if (child instanceof Node) {
      node.appendChild(child);
    } else {
      node.appendChild(document.createTextNode(String(child)));
    }
  }
  return node;
}

export function clear(node) {
  while (node.firstChild) {
    node.removeChild(node.firstChild);
  }
  return node;
}

/** Replaces a node's children. */
export function fill(node, ...children) {
  return append(clear(node), children);
}

/** A table: headers (strings) and rows (arrays of cells: text or nodes). */
export function table(headers, rows, attrs) {
  return el('table', attrs || {},
    el('thead', {}, el('tr', {}, headers.map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, rows.map((row) => el('tr', {}, row.map((cell) => el('td', {}, cell))))));
}

/** A two-column table of name and value. */
export function fields(pairs) {
  return el('table', { class: 'fields' },
    el('tbody', {}, pairs.map(([name, value]) => el('tr', {}, el('th', { scope: 'row' }, name), el('td', {}, value)))));
}

/** A section with a heading. */
export function section(title, ...children) {
  return el('section', { class: 'card' }, el('h2', {}, title), ...children);
}

/** An internal link to a console view (the hash router reads it). */
export function link(hash, text, attrs) {
  return el('a', Object.assign({ href: hash }, attrs || {}), text);
}
