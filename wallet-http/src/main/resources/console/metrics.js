// Prometheus text from /metrics, read into the figures the health view shows: requests per route and the
// latency histogram per route (wallet_http_requests_total, wallet_http_request_duration_seconds).

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
/** Lines read from one scrape at most: /metrics is a few hundred lines. */
const LINES_MAX = 20000;

/** Parses the exposition text: [{name, labels: {..}, value}], comments skipped. */
export function parse(text) {
  const samples = [];
  const lines = String(text).split('\n', LINES_MAX);
  for (const line of lines) {
    if (!line || line.startsWith('#')) {
      continue;
    }
    const match = SAMPLE.exec(line.trim());
    if (!match) {
      continue;
    }
    const labels = {};
    if (match[2]) {
      for (const label of match[2].matchAll(LABEL)) {
        labels[label[1]] = label[2].replace(/\\(.)/g, (all, c) => (c === 'n' ? '\n' : c));
      }
    }
    const value = match[3] === '+Inf' ? Infinity : Number(match[3]);
    if (!Number.isNaN(value)) {
      samples.push({ name: match[1], labels, value });
    }
  }
  return samples;
}

/**
 * One scrape summed by route: {time, routes: {route: {requests, errors, sum, count, buckets: [[le, n]...]}},
 * gauges: {name: value}}.
 */
export function snapshot(text, time) {
  const routes = {};
  const gauges = {};
  const route = (name) => {
    routes[name] = routes[name] || { requests: 0, errors: 0, sum: 0, count: 0, buckets: new Map() };
    return routes[name];
  };
  for (const s of parse(text)) {
    if (s.name === 'wallet_http_requests_total') {
      const r = route(s.labels.route);
      r.requests += s.value;
      if (Number(s.labels.status) >= 500) {
        r.errors += s.value;
      }
    } else if (s.name === 'wallet_http_request_duration_seconds_sum') {
      route(s.labels.route).sum = s.value;
    } else if (s.name === 'wallet_http_request_duration_seconds_count') {
      route(s.labels.route).count = s.value;
    } else if (s.name === 'wallet_http_request_duration_seconds_bucket') {
      route(s.labels.route).buckets.set(s.labels.le === '+Inf' ? Infinity : Number(s.labels.le), s.value);
    } else if (!s.name.startsWith('wallet_http_request')) {
      gauges[s.name + (Object.keys(s.labels).length ? JSON.stringify(s.labels) : '')] = s.value;
    }
  }
  return { time, routes, gauges };
}

/**
 * What happened between two snapshots, per route: requests per second, mean latency and a p95 read from the
 * histogram's buckets (the upper bound of the bucket holding the 95th percentile).
 */
export function rates(before, after) {
  const seconds = Math.max(0.001, (after.time - before.time) / 1000);
  const result = [];
  let total = 0;
  for (const [name, now] of Object.entries(after.routes)) {
    const then = before.routes[name] || { requests: 0, errors: 0, sum: 0, count: 0, buckets: new Map() };
    const requests = Math.max(0, now.requests - then.requests);
    const count = Math.max(0, now.count - then.count);
    total += requests;
    let p95 = null;
    if (count > 0) {
      const bounds = Array.from(now.buckets.keys()).sort((a, b) => a - b);
      for (const le of bounds) {
        if (now.buckets.get(le) - (then.buckets.get(le) || 0) >= 0.95 * count) {
          p95 = le;
          break;
        }
      }
    }
    result.push({
      route: name,
      perSecond: requests / seconds,
      errors: Math.max(0, now.errors - then.errors),
      meanMs: count > 0 ? ((now.sum - then.sum) / count) * 1000 : null,
      p95Ms: p95 === null ? null : p95 * 1000,
    });
  }
  result.sort((a, b) => b.perSecond - a.perSecond || a.route.localeCompare(b.route));
  return { perSecond: total / seconds, routes: result };
}
