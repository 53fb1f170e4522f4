// Ledger health (admin): a verification run with its progress, the anchor, live throughput and latency from
// /metrics, the database and WAL archive state, and the webhook subscriptions. Routes this server does not
// have are shown as not available; every timer stops when the operator leaves the view.
import * as api from './api.js';
import { el, fields, fill, section, table } from './dom.js';
import { errorView, pretty, time } from './format.js';
import { sparkline } from './chart.js';
import { rates, snapshot } from './metrics.js';

const METRICS_EVERY_MS = 3000;
/** An hour of samples, then the sampling stops (it resumes on a click). */
const METRICS_SAMPLES_MAX = 1200;
const SPARK_POINTS = 40;
const VERIFY_EVERY_MS = 1000;
/** A verification is followed for at most this many polls (15 minutes); its id stays shown. */
const VERIFY_POLLS_MAX = 900;

export async function healthView({ root, onLeave }) {
  const timers = new Set();
  let left = false;
  onLeave(() => {
    left = true;
    for (const timer of timers) {
      clearTimeout(timer);
    }
    timers.clear();
  });
  const later = (fn, ms) => {
    if (left) {
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!left) {
        fn();
      }
    }, ms);
    timers.add(timer);
  };

  const verifyOut = el('div', { id: 'verify' });
  const anchorOut = el('div', { id: 'anchor' });
  const trafficOut = el('div', { id: 'traffic' });
  const serverOut = el('div', { id: 'server-health' });
  const webhooksOut = el('div', { id: 'webhooks' });
  fill(root,
    section('Verification', verifyOut),
    section('Anchor', anchorOut),
    section('Live traffic', trafficOut),
    section('Database and WAL archive', serverOut),
    section('Webhook subscriptions', webhooksOut));

  showVerify(verifyOut, later);
  showAnchor(anchorOut);
  showServer(serverOut);
  showWebhooks(webhooksOut);
  sampleMetrics(trafficOut, later);
}

function notAvailable(out, what) {
  fill(out, el('p', { class: 'muted unavailable' }, what + ' is not available on this server.'));
}

function showVerify(out, later) {
  const progress = el('progress', { id: 'verify-progress', max: 1, value: 0 });
  const state = el('p', { id: 'verify-state', class: 'muted' }, 'Checks every transaction and the hash chain.');
  const report = el('div', { id: 'verify-report' });
  const start = el('button', { type: 'button', id: 'verify-start', class: 'primary' }, 'Verify the ledger');
  const anchorInput = el('input', { type: 'text', id: 'verify-anchor', size: 60, autocomplete: 'off',
    placeholder: 'optional: an anchor line (wl1.…) to prove history up to it', 'aria-label': 'Anchor line' });
  start.addEventListener('click', async () => {
    start.disabled = true;
    fill(report);
    let run;
    try {
      const line = anchorInput.value.trim();
      run = await api.post('/api/v1/verify', line ? { anchor: line } : {});
    } catch (e) {
      start.disabled = false;
      if (e.missing) {
        notAvailable(out, 'Verification');
      } else {
        fill(report, errorView(e, 'Verification'));
      }
      return;
    }
    follow(run, 0);
  });
  const follow = (run, polls) => {
    progress.max = Math.max(1, run.total || 1);
    progress.value = Math.min(progress.max, run.done || 0);
    fill(state, 'Run ', el('code', {}, String(run.run_id)), ': ',
      el('strong', { id: 'verify-outcome' }, run.state), ', ' + (run.done || 0) + ' of ' + (run.total || 0)
      + ' checked', run.error ? ' (' + run.error + ')' : '');
    if (run.state !== 'running') {
      start.disabled = false;
      state.classList.toggle('failed', run.state !== 'passed');
      fill(report, run.report ? el('pre', { class: 'json' }, pretty(run.report)) : null);
      return;
    }
    if (polls >= VERIFY_POLLS_MAX) {
      start.disabled = false;
      state.appendChild(document.createTextNode(' (no longer followed here; ask for it again later)'));
      return;
    }
    later(async () => {
      try {
        follow(await api.get('/api/v1/verify/' + api.seg(String(run.run_id))), polls + 1);
      } catch (e) {
        start.disabled = false;
        fill(report, errorView(e, 'Verification'));
      }
    }, VERIFY_EVERY_MS);
  };
  fill(out, state, progress, el('div', { class: 'buttons' }, anchorInput, start), report);
}

/** The last anchor this server took ({anchor: null | {line, entry_id, taken_at, actor}}), and taking one. */
async function showAnchor(out) {
  let answer;
  try {
    answer = await api.get('/api/v1/anchor');
  } catch (e) {
    if (e.missing) {
      notAvailable(out, 'The anchor');
    } else {
      fill(out, errorView(e, 'Anchor'));
    }
    return;
  }
  const take = el('button', { type: 'button', id: 'anchor-take' }, 'Take an anchor now');
  const problem = el('div');
  take.addEventListener('click', async () => {
    take.disabled = true;
    try {
      await api.call('POST', '/api/v1/anchor');
      await showAnchor(out);
    } catch (e) {
      take.disabled = false;
      fill(problem, errorView(e, 'Anchor'));
    }
  });
  const anchor = answer && answer.anchor;
  fill(out,
    anchor
      ? fields([
        ['Line', el('code', { id: 'anchor-line' }, anchor.line)],
        ['Entry', String(anchor.entry_id)],
        ['Taken', time(anchor.taken_at)],
        ['By', anchor.actor || 'no key'],
      ])
      : el('p', { class: 'muted', id: 'anchor-none' }, 'This server has taken no anchor since it started.'),
    el('p', { class: 'muted' }, 'Keep anchor lines somewhere the database cannot reach: a later verification'
      + ' against one proves the history up to it unchanged.'),
    el('div', { class: 'buttons' }, take), problem);
}

async function showServer(out) {
  try {
    const health = await api.call('GET', '/api/v1/health', undefined, { anonymous: true });
    fill(out, renderServer(health));
  } catch (e) {
    // 503: the body still says what is down
    fill(out, errorView(e, 'Health'));
  }
}

function renderServer(health) {
  const archive = health.wal_archive;
  return el('div', {},
    fields([
      ['Status', el('span', { class: 'status status-' + health.status, id: 'health-status' }, health.status)],
      ['Database', health.database],
      ['Version', health.version],
    ]),
    el('h3', {}, 'WAL archive'),
    archive
      ? fields([
        ['Status', el('span', { class: 'status status-' + archive.status, id: 'wal-status' }, archive.status)],
        ['Failed', String(archive.failed)],
        ['Pending files', String(archive.pending_files)],
        ['Last archived', archive.last_archived_wal || '—'],
      ])
      : el('p', { class: 'muted', id: 'wal-status' }, 'The database does not archive its WAL (or it could not be asked).'));
}

async function showWebhooks(out) {
  try {
    const list = (await api.get('/api/v1/webhooks')).webhooks || [];
    fill(out, list.length
      ? table(['URL', 'Status', 'Attempts', 'Last status', 'Last error', 'Next attempt', 'Events'], list.map((w) => [
        w.url, el('span', { class: 'status status-' + String(w.status).toLowerCase() }, w.status), String(w.attempts),
        w.last_status === null ? '—' : String(w.last_status), w.last_error || '—', time(w.next_attempt_at),
        (w.types || []).join(', ') || 'all']), { id: 'webhook-table' })
      : el('p', { class: 'muted' }, 'No subscriptions.'));
  } catch (e) {
    fill(out, errorView(e, 'Webhooks'));
  }
}

function sampleMetrics(out, later) {
  const samples = [];
  const series = [];
  const figures = el('div', { id: 'traffic-figures' }, el('p', { class: 'muted' }, 'Sampling /metrics…'));
  const resume = el('button', { type: 'button', id: 'traffic-resume', hidden: true }, 'Resume sampling');
  fill(out, figures, resume);
  const tick = async () => {
    let text;
    try {
      text = await api.get('/metrics');
    } catch (e) {
      fill(figures, errorView(e, '/metrics'));
      return; // a refused key or a missing route is not retried every few seconds
    }
    samples.push(snapshot(text, Date.now()));
    if (samples.length > 2) {
      samples.shift();
    }
    if (samples.length === 2) {
      const now = rates(samples[0], samples[1]);
      const busy = now.routes.filter((r) => r.perSecond > 0);
      series.push(now.perSecond);
      if (series.length > SPARK_POINTS) {
        series.shift();
      }
      fill(figures,
        el('p', {}, 'Requests per second: ', el('strong', { id: 'traffic-total' }, now.perSecond.toFixed(1)),
          ' (every ' + METRICS_EVERY_MS / 1000 + ' s)'),
        sparkline('traffic-spark', series, 'requests per second, last ' + series.length + ' samples'),
        busy.length ? null : el('p', { class: 'muted' }, 'No requests in the last ' + METRICS_EVERY_MS / 1000 + ' s.'),
        table(['Route', 'Requests/s', 'Server errors', 'Mean ms', 'p95 ms (bucket)'], busy.slice(0, 12)
          .map((r) => [r.route, r.perSecond.toFixed(2), String(r.errors),
            r.meanMs === null ? '—' : r.meanMs.toFixed(2), r.p95Ms === null ? '—'
              : (r.p95Ms === Infinity ? '> largest bucket' : r.p95Ms.toFixed(1))]), { id: 'traffic-table' }));
    }
    count += 1;
    if (count >= METRICS_SAMPLES_MAX) {
      resume.hidden = false;
      return;
    }
    later(tick, METRICS_EVERY_MS);
  };
  let count = 0;
  resume.addEventListener('click', () => {
    resume.hidden = true;
    count = 0;
    tick();
  });
  tick();
}
