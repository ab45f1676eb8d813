'use strict';
// The dashboard's single page: a hash route per page, each page polling the AppHost's JSON API while it is shown.
// Everything is built with DOM calls and textContent, never innerHTML: log lines, payloads and exceptions are data.

const palette = ['#3056d3', '#1f8a4c', '#b7791f', '#8e44ad', '#c2185b', '#00838f', '#5d4037', '#546e7a'];
const serviceColors = new Map();
let timers = [];
let generation = 0;

function colorOf(service) {
  if (!serviceColors.has(service)) serviceColors.set(service, palette[serviceColors.size % palette.length]);
  return serviceColors.get(service);
}

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'style' && typeof value === 'object') Object.assign(el.style, value);
    else if (key === 'class') el.className = value;
    else el.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

async function api(path, options) {
  const response = await fetch(path, Object.assign({ headers: { Accept: 'application/json' } }, options));
  const text = await response.text();
  const body = text && (response.headers.get('content-type') || '').includes('json') ? JSON.parse(text) : text;
  if (!response.ok) {
    const message = body && (body.detail || body.title) ? (body.title || '') + (body.detail ? ': ' + body.detail : '') : response.statusText;
    const error = new Error(message || String(response.status));
    error.status = response.status;
    throw error;
  }
  return body;
}

function every(ms, fn) {
  const mine = generation;
  let running = false;
  const tick = async () => {
    if (running || mine !== generation) return;
    running = true;
    try { await fn(); } catch (e) { console.warn(e); } finally { running = false; }
  };
  tick();
  timers.push(setInterval(tick, ms));
}

function toast(message) {
  const el = document.getElementById('toast');
  el.textContent = message;
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { el.hidden = true; }, 5000);
}

const fmt = {
  time: iso => iso ? new Date(iso).toLocaleTimeString([], { hour12: false }) + '.' + String(new Date(iso).getMilliseconds()).padStart(3, '0') : '',
  dateTime: iso => iso ? new Date(iso).toLocaleString([], { hour12: false }) : '',
  ms: v => v === null || v === undefined ? '–' : v >= 1000 ? (v / 1000).toFixed(2) + ' s' : v >= 10 ? v.toFixed(0) + ' ms' : v.toFixed(2) + ' ms',
  num: (v, digits = 1) => v === null || v === undefined ? '–' : Number(v).toLocaleString([], { maximumFractionDigits: digits }),
  since: iso => {
    if (!iso) return '';
    const s = Math.max(0, (Date.now() - new Date(iso).getTime()) / 1000);
    return s < 60 ? s.toFixed(0) + ' s' : s < 3600 ? (s / 60).toFixed(0) + ' min' : (s / 3600).toFixed(1) + ' h';
  },
};

function badge(text, kind) { return h('span', { class: 'badge ' + (kind || text) }, text); }
function chip(service) { return h('span', { class: 'chip', style: { background: colorOf(service) } }, service); }
function empty(text) { return h('div', { class: 'empty' }, text); }
function table(headers, rows) {
  return h('table', {}, h('thead', {}, h('tr', {}, headers.map(c => typeof c === 'string' ? h('th', {}, c) : h('th', { class: c.class }, c.text)))), h('tbody', {}, rows));
}
function replace(el, ...children) { el.replaceChildren(...children.flat().filter(c => c !== null && c !== undefined)); }
function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== '' && v !== null && v !== undefined && v !== false) q.set(k, v);
  const s = q.toString();
  return s ? '?' + s : '';
}

let resourceNames = [];
async function loadResourceNames() {
  if (resourceNames.length === 0) resourceNames = (await api('/api/resources')).map(r => r.name);
  return resourceNames;
}
const serviceNames = ['order', 'coupon', 'balance', 'data-platform'];

// ---- Resources -------------------------------------------------------------------------------------------------------
function resourcesPage(root) {
  const body = h('div');
  replace(root, h('h1', {}, 'Resources'), body);
  every(1500, async () => {
    const resources = await api('/api/resources');
    resourceNames = resources.map(r => r.name);
    replace(body, table(['Name', 'Type', 'State', { text: 'PID', class: 'num' }, 'Up', { text: 'Restarts', class: 'num' },
      { text: 'Exit code', class: 'num' }, 'Endpoints', 'Health', ''], resources.map(r => h('tr', { 'data-testid': 'resource-row', 'data-name': r.name, 'data-state': r.state },
      h('td', {}, h('strong', {}, r.name)),
      h('td', { class: 'muted' }, r.resourceType),
      h('td', {}, badge(r.state)),
      h('td', { class: 'num mono' }, r.pid ?? '–'),
      h('td', { class: 'muted' }, r.startedAt && !r.stoppedAt ? fmt.since(r.startedAt) : ''),
      h('td', { class: 'num' }, r.restartCount),
      h('td', { class: 'num' }, r.exitCode ?? ''),
      h('td', {}, r.endpoints.map(e => h('div', {}, e.url.startsWith('http') ? h('a', { href: e.url, target: '_blank', rel: 'noopener' }, e.url) : h('span', { class: 'mono' }, e.url)))),
      h('td', {}, r.lastError ? h('span', { class: 'error-text', title: r.lastError }, r.lastError.slice(0, 120))
        : r.lastHealthCheckAt ? h('span', { class: 'muted' }, 'checked ' + fmt.since(r.lastHealthCheckAt) + ' ago') : ''),
      h('td', {}, h('a', { href: '#/console/' + encodeURIComponent(r.name) }, 'Console'),
        r.resourceType === 'Project' ? [' · ', h('a', { href: '#', onclick: e => { e.preventDefault(); restart(r.name); } }, 'Restart')] : null),
    ))));
    const healthy = resources.filter(r => r.state === 'Healthy').length;
    replace(document.getElementById('summary'), `${healthy}/${resources.length} healthy`);
  });
}

async function restart(name) {
  try { await api('/api/resources/' + encodeURIComponent(name) + '/restart', { method: 'POST' }); toast('Restarting ' + name + '…'); }
  catch (e) { toast('Restart failed: ' + e.message); }
}

// ---- Console logs ----------------------------------------------------------------------------------------------------
async function consolePage(root, name) {
  const names = await loadResourceNames();
  name = name || names.find(n => serviceNames.includes(n)) || names[0];
  const select = h('select', { 'aria-label': 'Resource', onchange: () => { location.hash = '#/console/' + encodeURIComponent(select.value); } },
    names.map(n => h('option', { value: n, selected: n === name }, n)));
  const search = h('input', { type: 'search', placeholder: 'Search lines', 'aria-label': 'Search', oninput: () => render() });
  const follow = h('input', { type: 'checkbox', checked: true });
  const out = h('div', { class: 'console', 'data-testid': 'console' });
  const count = h('span', { class: 'muted' });
  replace(root, h('h1', {}, 'Console logs'), h('div', { class: 'toolbar' }, select, search, h('label', {}, follow, 'Follow'), count), out);
  let lines = [];
  let last = 0;
  function render() {
    const term = search.value.toLowerCase();
    const shown = term ? lines.filter(l => l.text.toLowerCase().includes(term)) : lines;
    replace(out, shown.slice(-3000).map(l => h('div', { class: 'line' + (l.isErrorStream ? ' stderr' : '') },
      h('span', { class: 'seq' }, l.sequence), h('pre', {}, highlight(l.text, term)))));
    count.textContent = term ? `${shown.length} of ${lines.length} lines` : `${lines.length} lines`;
    if (follow.checked) out.scrollTop = out.scrollHeight;
  }
  every(1000, async () => {
    const result = await api(`/api/resources/${encodeURIComponent(name)}/console${query({ after: last, limit: 5000 })}`);
    last = result.lastSequence;
    if (result.items.length === 0 && lines.length > 0) return;
    lines = lines.concat(result.items).slice(-5000);
    render();
  });
}

function highlight(text, term) {
  if (!term) return text;
  const parts = [];
  let at = 0;
  const lower = text.toLowerCase();
  for (let i = lower.indexOf(term); i >= 0; i = lower.indexOf(term, at)) {
    parts.push(text.slice(at, i), h('mark', {}, text.slice(i, i + term.length)));
    at = i + term.length;
  }
  parts.push(text.slice(at));
  return parts;
}

// ---- Structured logs -------------------------------------------------------------------------------------------------
function logsPage(root, params) {
  const service = h('select', { 'aria-label': 'Service' }, h('option', { value: '' }, 'All services'), serviceNames.map(s => h('option', { value: s }, s)));
  const level = h('select', { 'aria-label': 'Minimum level' }, ['Trace', 'Debug', 'Information', 'Warning', 'Error', 'Critical']
    .map(l => h('option', { value: l, selected: l === 'Information' }, l)));
  const trace = h('input', { type: 'search', placeholder: 'Trace id', 'aria-label': 'Trace id', value: params.get('traceId') || '', class: 'mono' });
  const search = h('input', { type: 'search', placeholder: 'Search messages', 'aria-label': 'Search' });
  const body = h('div');
  replace(root, h('h1', {}, 'Structured logs'), h('div', { class: 'toolbar' }, service, level, trace, search), body);
  let items = [];
  let last = 0;
  const reset = () => { items = []; last = 0; };
  for (const control of [service, level, trace, search]) control.addEventListener('change', reset);
  search.addEventListener('input', reset);
  every(2000, async () => {
    const filter = { service: service.value, minLevel: level.value, traceId: trace.value.trim(), search: search.value.trim() };
    const result = await api('/api/telemetry/logs' + query(Object.assign({ after: last, limit: 500 }, filter)));
    last = result.lastSequence ?? last;
    items = items.concat(result.items).slice(-1000);
    if (items.length === 0) { replace(body, empty('No log records match. Services export their logs every few seconds.')); return; }
    replace(body, table(['Time', 'Service', 'Level', 'Category', 'Message', 'Trace'], items.slice().reverse().map(l => h('tr', { 'data-testid': 'log-row' },
      h('td', { class: 'mono muted' }, fmt.time(l.time)),
      h('td', {}, chip(l.service)),
      h('td', {}, badge(l.level)),
      h('td', { class: 'muted' }, l.category),
      h('td', {}, h('pre', {}, l.message)),
      h('td', { class: 'mono' }, l.traceId ? h('a', { href: '#/traces/' + l.traceId }, l.traceId.slice(0, 8)) : ''),
    ))));
  });
}

// ---- Traces ----------------------------------------------------------------------------------------------------------
function tracesPage(root, params) {
  const service = h('select', { 'aria-label': 'Service' }, h('option', { value: '' }, 'All services'),
    serviceNames.map(s => h('option', { value: s, selected: s === params.get('service') }, s)));
  const search = h('input', { type: 'search', placeholder: 'Trace id, span name or attribute (e.g. an order id)', 'aria-label': 'Search', value: params.get('search') || '' });
  const errors = h('input', { type: 'checkbox' });
  const body = h('div');
  replace(root, h('h1', {}, 'Traces'), h('div', { class: 'toolbar' }, service, search, h('label', {}, errors, 'Errors only')), body);
  // The periodic refresh filters by what was committed (Enter or leaving the box), not by what is half typed: a tick
  // landing mid-typing would otherwise filter by a fragment, or leave the page for a trace id before Enter was pressed.
  let term = search.value.trim();
  const refresh = async () => {
    if (/^[0-9a-f]{32}$/i.test(term)) { location.hash = '#/traces/' + term.toLowerCase(); return; }
    const traces = await api('/api/telemetry/traces' + query({ service: service.value, search: term, errorsOnly: errors.checked, limit: 200 }));
    if (traces.length === 0) { replace(body, empty('No traces yet. Services export their spans every few seconds.')); return; }
    replace(body, table(['Time', 'Root', 'Services', { text: 'Duration', class: 'num' }, { text: 'Spans', class: 'num' }, { text: 'Errors', class: 'num' }, 'Trace id'],
      traces.map(t => h('tr', { class: 'clickable', 'data-testid': 'trace-row', 'data-trace-id': t.traceId, onclick: () => { location.hash = '#/traces/' + t.traceId; } },
        h('td', { class: 'mono muted' }, fmt.time(t.startTime)),
        h('td', {}, chip(t.rootService), ' ', t.rootName),
        h('td', {}, t.services.map(chip)),
        h('td', { class: 'num' }, fmt.ms(t.durationMs)),
        h('td', { class: 'num' }, t.spanCount),
        h('td', { class: 'num' }, t.errorCount ? badge(String(t.errorCount), 'error') : '0'),
        h('td', { class: 'mono muted' }, t.traceId.slice(0, 12)),
      ))));
  };
  for (const control of [service, errors]) control.addEventListener('change', refresh);
  search.addEventListener('change', () => { term = search.value.trim(); refresh(); });
  every(3000, refresh);
}

async function tracePage(root, traceId) {
  const header = h('div', { class: 'toolbar' });
  const waterfall = h('div', { class: 'waterfall', 'data-testid': 'waterfall' });
  const details = h('div', { class: 'details', 'data-testid': 'span-details' }, h('span', { class: 'muted' }, 'Select a span to see its attributes.'));
  replace(root, h('h1', {}, 'Trace ', h('span', { class: 'mono' }, traceId)), header, h('div', { class: 'grid2' }, waterfall, details));
  let selected = null;
  let shownSpans = -1;
  every(3000, async () => {
    let trace;
    try { trace = await api('/api/telemetry/traces/' + encodeURIComponent(traceId)); }
    catch (e) { if (e.status === 404) { replace(waterfall, empty('This trace is not (or no longer) in the dashboard.')); return; } throw e; }
    if (trace.spans.length === shownSpans) return;
    shownSpans = trace.spans.length;
    const services = [...new Set(trace.spans.map(s => s.service))];
    replace(header, h('span', {}, fmt.ms(trace.durationMs)), h('span', { class: 'muted' }, `${trace.spans.length} spans`), services.map(chip),
      h('a', { href: '#/logs?traceId=' + traceId }, 'Logs of this trace'));
    const ordered = orderSpans(trace.spans);
    const total = Math.max(trace.durationMs, 0.001);
    replace(waterfall, ordered.map(({ span, depth }) => {
      const left = (span.startOffsetMs / total) * 100;
      const width = Math.max((span.durationMs / total) * 100, 0.2);
      const row = h('div', { class: 'span-row', 'data-testid': 'span-row', 'data-service': span.service, 'data-kind': span.kind, 'data-span-id': span.spanId,
        onclick: () => { selected = span.spanId; for (const r of waterfall.children) r.classList.toggle('selected', r === row); showSpan(details, span); } },
        h('div', { class: 'span-name', style: { paddingLeft: (6 + Math.min(depth, 16) * 8) + 'px' }, title: span.name }, chip(span.service), ' ', span.name),
        h('div', { class: 'span-track' },
          h('div', { class: 'span-bar' + (span.status === 'error' ? ' error' : ''), style: { left: left + '%', width: width + '%', background: colorOf(span.service) } }),
          h('span', { class: 'span-label', style: left > 70 ? { right: (100 - left + 0.5) + '%' } : { left: (left + width + 0.5) + '%' } },
            fmt.ms(span.durationMs) + ' · ' + span.kind)));
      if (span.spanId === selected) row.classList.add('selected');
      return row;
    }));
  });
}

// Parents before children, siblings by start time; a span whose parent never arrived is shown as a root.
function orderSpans(spans) {
  const ids = new Set(spans.map(s => s.spanId));
  const children = new Map();
  for (const s of spans) {
    const parent = s.parentSpanId && ids.has(s.parentSpanId) ? s.parentSpanId : '';
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(s);
  }
  const out = [];
  const walk = (parent, depth) => {
    for (const s of (children.get(parent) || []).sort((a, b) => a.startOffsetMs - b.startOffsetMs)) {
      out.push({ span: s, depth });
      walk(s.spanId, depth + 1);
    }
  };
  walk('', 0);
  return out;
}

function showSpan(details, span) {
  const rows = [['service', span.service], ['name', span.name], ['kind', span.kind], ['status', span.status + (span.statusMessage ? ': ' + span.statusMessage : '')],
    ['start', fmt.dateTime(span.startTime)], ['duration', fmt.ms(span.durationMs)], ['span id', span.spanId], ['parent', span.parentSpanId || '–']]
    .concat(Object.entries(span.attributes || {}).sort(([a], [b]) => a.localeCompare(b)));
  replace(details, h('h2', {}, span.name), h('table', {}, h('tbody', {}, rows.map(([k, v]) => h('tr', {}, h('td', { class: 'muted' }, k), h('td', { class: 'mono' }, v))))),
    (span.events || []).length ? [h('h2', {}, 'Events'), span.events.map(e => h('div', {}, h('strong', {}, e.name), ' ', h('span', { class: 'muted' }, fmt.time(e.time)),
      h('pre', {}, Object.entries(e.attributes || {}).map(([k, v]) => k + ': ' + v).join('\n'))))] : null);
}

// ---- Metrics ---------------------------------------------------------------------------------------------------------
function metricsPage(root) {
  const body = h('div', { class: 'cards' });
  replace(root, h('h1', {}, 'Metrics'), h('p', { class: 'muted' }, 'From the services\' OTLP metrics, exported every few seconds; rates are per second over the last export interval.'), body);
  every(3000, async () => {
    const metrics = await api('/api/telemetry/metrics');
    if (metrics.services.length === 0) { replace(body, empty('No metrics yet.')); return; }
    replace(body, metrics.services.map(s => h('div', { class: 'card', 'data-testid': 'metrics-card', 'data-service': s.service },
      h('h3', {}, chip(s.service), ' ', h('span', { class: 'muted' }, 'updated ' + fmt.since(s.updatedAt) + ' ago')),
      h('dl', {},
        h('dt', {}, 'HTTP requests/s'), h('dd', {}, fmt.num(s.requestsPerSecond)),
        h('dt', {}, 'HTTP 5xx/s'), h('dd', {}, fmt.num(s.requestErrorsPerSecond)),
        h('dt', {}, 'Request p50 / p95'), h('dd', {}, fmt.ms(s.requestP50Ms) + ' / ' + fmt.ms(s.requestP95Ms)),
        h('dt', {}, 'Messages consumed/s'), h('dd', {}, fmt.num(s.messagesConsumedPerSecond)),
        h('dt', {}, 'Outbox backlog'), h('dd', {}, fmt.num(s.outboxBacklog, 0))),
      sparkline(s.history || [], 'requestsPerSecond', 'requests/s'),
      sparkline(s.history || [], 'messagesConsumedPerSecond', 'messages/s'))));
  });
}

function sparkline(history, field, label) {
  const values = history.map(p => p[field]).filter(v => v !== null && v !== undefined);
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('class', 'spark');
  svg.setAttribute('viewBox', '0 0 100 30');
  svg.setAttribute('preserveAspectRatio', 'none');
  const title = document.createElementNS(ns, 'title');
  title.textContent = label;
  svg.append(title);
  if (values.length > 1) {
    const max = Math.max(...values, 1e-9);
    const points = values.map((v, i) => `${(i / (values.length - 1)) * 100},${29 - (v / max) * 27}`).join(' ');
    const line = document.createElementNS(ns, 'polyline');
    line.setAttribute('points', points);
    line.setAttribute('fill', 'none');
    line.setAttribute('stroke', '#3056d3');
    line.setAttribute('stroke-width', '1.2');
    line.setAttribute('vector-effect', 'non-scaling-stroke');
    svg.append(line);
  }
  return h('div', {}, h('span', { class: 'muted' }, label), svg);
}

// ---- Topics and lag --------------------------------------------------------------------------------------------------
function topicsPage(root) {
  const body = h('div');
  replace(root, h('h1', {}, 'Topics and consumer lag'), body);
  every(2000, async () => {
    const view = await api('/api/topics');
    const sections = view.topics.map(topic => {
      const queues = view.queues.filter(q => q.topic === topic.name).sort((a, b) => a.group.localeCompare(b.group) || (a.partition ?? -1) - (b.partition ?? -1));
      return h('section', { 'data-testid': 'topic', 'data-topic': topic.name },
        h('h2', {}, topic.name, ' ', h('span', { class: 'muted' }, `${topic.partitions} partition${topic.partitions === 1 ? '' : 's'}`
          + (topic.key ? ', keyed by ' + topic.key : ', unkeyed') + (topic.isCommandChannel ? ', commands' : ', events'))),
        queues.length === 0 ? h('div', { class: 'muted' }, 'No consumer group queue reported.')
          : table(['Group', { text: 'Partition', class: 'num' }, 'Queue', { text: 'Ready (lag)', class: 'num' }, { text: 'Unacked', class: 'num' },
            { text: 'Consumers', class: 'num' }, { text: 'Dead-lettered', class: 'num' }],
          queues.map(q => h('tr', { 'data-testid': 'queue-row', 'data-queue': q.queue, 'data-service': q.service, 'data-group': q.group },
            h('td', {}, chip(q.service), ' ', q.group),
            h('td', { class: 'num' }, q.partition ?? '–'),
            h('td', { class: 'mono' }, q.queue),
            h('td', { class: 'num' + (q.ready > 0 ? ' error-text' : '') }, fmt.num(q.ready, 0)),
            h('td', { class: 'num' }, fmt.num(q.unacked, 0)),
            h('td', { class: 'num' + (q.consumers === 0 ? ' error-text' : '') }, fmt.num(q.consumers, 0)),
            h('td', { class: 'num' + (q.deadLettered > 0 ? ' error-text' : '') }, fmt.num(q.deadLettered, 0))))));
    });
    replace(body,
      h('h2', {}, 'Outboxes'),
      table(['Service', { text: 'Backlog (rows not yet published)', class: 'num' }, 'Status'], view.services.map(s => h('tr', {},
        h('td', {}, chip(s.service)), h('td', { class: 'num' }, fmt.num(s.outboxBacklog, 0)), h('td', { class: s.error ? 'error-text' : 'muted' }, s.error || 'ok')))),
      sections);
  });
}

// ---- Dead letters ----------------------------------------------------------------------------------------------------
function deadLettersPage(root) {
  const body = h('div');
  replace(root, h('h1', {}, 'Dead letters'), h('p', { class: 'muted' },
    'Messages that failed every retry and redelivery, recorded with their exception by the service that consumed them. Re-drive sends one back to its queue; discard deletes it.'), body);
  const refresh = async () => {
    const view = await api('/api/dead-letters');
    const problems = view.services.filter(s => s.error).map(s => h('div', { class: 'error-text' }, `${s.service}: ${s.error}`));
    if (view.letters.length === 0) { replace(body, problems, empty('No dead letters.')); return; }
    replace(body, problems, table(['Service', 'Faulted', 'Queue', 'Message', 'Exception', ''], view.letters.map(l => h('tr', { 'data-testid': 'dead-letter-row', 'data-id': l.id, 'data-message-id': l.messageId || '' },
      h('td', {}, chip(l.service)),
      h('td', { class: 'mono muted' }, fmt.dateTime(l.faultedAt)),
      h('td', { class: 'mono' }, l.queue),
      h('td', {}, h('div', {}, shortType(l.messageType)), h('div', { class: 'mono muted' }, l.messageId || ''),
        h('details', {}, h('summary', {}, 'payload'), h('pre', {}, l.payload))),
      h('td', {}, h('details', {}, h('summary', { class: 'error-text' }, firstLine(l.exception)), h('pre', {}, l.exception || ''))),
      h('td', {}, h('div', { class: 'toolbar' },
        h('button', { class: 'primary', 'data-action': 'redrive', onclick: e => act(e.target, 'POST', `/api/dead-letters/${l.service}/${l.id}/redrive`, 'Re-driven', refresh) }, 'Re-drive'),
        h('button', { class: 'danger', 'data-action': 'discard', onclick: e => { if (confirm('Discard this message for good?')) act(e.target, 'DELETE', `/api/dead-letters/${l.service}/${l.id}`, 'Discarded', refresh); } }, 'Discard'))),
    ))));
  };
  every(2000, refresh);
}

function shortType(type) { return type ? type.split(/[:,]/).filter(Boolean).slice(-1)[0].replace(/^urn:message:/, '') : '(unknown type)'; }
function firstLine(text) { return (text || '(no exception recorded)').split('\n')[0].slice(0, 160); }

async function act(button, method, path, done, refresh) {
  button.disabled = true;
  try { await api(path, { method }); toast(done); await refresh(); }
  catch (e) { toast(e.message); button.disabled = false; }
}

// ---- Routing ---------------------------------------------------------------------------------------------------------
const pages = { resources: resourcesPage, console: consolePage, logs: logsPage, traces: tracesPage, metrics: metricsPage, topics: topicsPage, 'dead-letters': deadLettersPage };

function route() {
  generation++;
  for (const t of timers) clearInterval(t);
  timers = [];
  const [path, search] = (location.hash.replace(/^#\/?/, '') || 'resources').split('?');
  const [page, arg] = path.split('/').map(decodeURIComponent);
  const params = new URLSearchParams(search || '');
  const root = document.getElementById('page');
  for (const a of document.querySelectorAll('.sidebar a')) a.classList.toggle('active', a.dataset.page === page);
  if (page === 'traces' && arg) tracePage(root, arg);
  else if (page === 'console') consolePage(root, arg);
  else (pages[page] || resourcesPage)(root, params);
}

window.addEventListener('hashchange', route);
route();
// The sidebar's health summary stays live on every page.
setInterval(async () => {
  try {
    const resources = await api('/api/resources');
    replace(document.getElementById('summary'), `${resources.filter(r => r.state === 'Healthy').length}/${resources.length} healthy`);
  } catch { replace(document.getElementById('summary'), h('span', { class: 'error-text' }, 'AppHost unreachable')); }
}, 3000);
