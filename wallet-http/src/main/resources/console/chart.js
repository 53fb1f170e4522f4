// Bar charts as SVG built with DOM calls: labels go in as text nodes, sizes as numbers.
import { svg } from './dom.js';

const WIDTH = 640;
const BAR_HEIGHT = 18;
const GAP = 6;
const LABEL_WIDTH = 200;

/**
 * A horizontal bar chart: bars = [{label, value, text, series}], series an index for the colour class.
 * Negative values are drawn as zero-length bars with their text.
 */
export function barChart(id, title, bars) {
  const max = Math.max(1, ...bars.map((b) => Math.max(0, Number(b.value) || 0)));
  const height = bars.length * (BAR_HEIGHT + GAP) + GAP + 20;
  const chart = svg('svg', { id, class: 'chart', viewBox: '0 0 ' + WIDTH + ' ' + height, width: WIDTH, height,
    role: 'img', 'aria-label': title });
  chart.appendChild(svg('title', {}, title));
  bars.forEach((bar, i) => {
    const y = GAP + i * (BAR_HEIGHT + GAP);
    const length = Math.round(((Math.max(0, Number(bar.value) || 0)) / max) * (WIDTH - LABEL_WIDTH - 110));
    chart.appendChild(svg('text', { x: LABEL_WIDTH - 8, y: y + BAR_HEIGHT - 5, class: 'chart-label',
      'text-anchor': 'end' }, bar.label));
    chart.appendChild(svg('rect', { x: LABEL_WIDTH, y, width: Math.max(1, length), height: BAR_HEIGHT,
      class: 'bar series-' + ((bar.series || 0) % 4) }));
    chart.appendChild(svg('text', { x: LABEL_WIDTH + Math.max(1, length) + 6, y: y + BAR_HEIGHT - 5,
      class: 'chart-value' }, bar.text === undefined ? String(bar.value) : bar.text));
  });
  return chart;
}

/** A small line of the last values (throughput over time), scaled to its own maximum. */
export function sparkline(id, values, label) {
  const width = 320;
  const height = 60;
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const points = values.map((v, i) => (i * step).toFixed(1) + ',' + (height - (v / max) * (height - 4) - 2).toFixed(1));
  const line = svg('svg', { id, class: 'sparkline', viewBox: '0 0 ' + width + ' ' + height, width, height,
    role: 'img', 'aria-label': label });
  line.appendChild(svg('title', {}, label));
  if (points.length > 1) {
    line.appendChild(svg('polyline', { points: points.join(' '), class: 'spark' }));
  } else if (points.length === 1) {
    const [x, y] = points[0].split(',');
    line.appendChild(svg('circle', { cx: Number(x) + 3, cy: y, r: 3, class: 'spark-dot' }));
  }
  return line;
}
