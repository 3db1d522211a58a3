// bansho dashboard. Every string from the API was written by an attacker: it reaches the page
// only through text nodes (textContent, createTextNode), never innerHTML, and links are built
// from fixed paths plus encodeURIComponent. No eval, no inline handlers (the CSP forbids both).
'use strict';

const SVG_NS = 'http://www.w3.org/2000/svg';
const csrfMeta = document.querySelector('meta[name="csrf-token"]');
const CSRF = csrfMeta ? csrfMeta.getAttribute('content') : '';
const page = document.body.dataset.page;
const subject = document.body.dataset.subject || '';

/** An element with attributes and children; strings become text nodes. */
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) node.setAttribute(k, String(v));
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(c === null || c === undefined ? '' : String(c)));
  return node;
}

function sourceLink(ip) {
  return el('a', { href: `/sources/${encodeURIComponent(ip)}` }, ip);
}

function threatLink(threat) {
  return threat ? el('a', { href: `/threats/${encodeURIComponent(threat.id)}` }, threat.name) : el('span', { class: 'muted' }, '–');
}

function originText(o) {
  if (!o) return '';
  if (o.special) return `${o.special} address`;
  const parts = [];
  if (o.country) parts.push(`${o.country.name} (${o.country.code})`);
  if (o.asn) parts.push(`AS${o.asn.number} ${o.asn.org}`);
  return parts.join(', ');
}

/** What bansho did, in words. */
function didText(e) {
  if (e.action === 'banned' && e.ban) return `banned ${e.ban.target} until ${e.ban.until.slice(0, 16).replace('T', ' ')}`;
  if (e.action === 'dropped') return `dropped ${e.count}`;
  return e.action;
}

function timeText(iso) {
  return iso.slice(0, 19).replace('T', ' ');
}

/** Control characters shown as \xNN, so a terminal escape in a request line is visible, not acted on. */
function visible(text) {
  return String(text).replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function evidenceCell(e) {
  const cell = el('td', { class: 'evidence' }, el('code', {}, visible(e.evidence)));
  if (e.userAgent) cell.append(el('div', { class: 'muted' }, `User-Agent: ${visible(e.userAgent)}`));
  return cell;
}

async function api(path, options) {
  const res = await fetch(path, { credentials: 'same-origin', ...options });
  const body = await res.json();
  if (!res.ok) throw new Error(body.message || `HTTP ${res.status}`);
  return body;
}

function post(path, fields) {
  return api(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': CSRF },
    body: JSON.stringify(fields),
  });
}

function fillTable(id, rows) {
  const body = document.querySelector(`#${id} tbody`);
  body.replaceChildren(...rows);
}

/** A line chart as inline SVG: one polyline per series, drawn from numbers only. */
function lineChart(figure, series, labels) {
  const w = 600;
  const h = 160;
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const n = Math.max(2, labels.length);
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${w} ${h + 20}`);
  svg.setAttribute('role', 'img');
  const axis = document.createElementNS(SVG_NS, 'text');
  axis.setAttribute('x', '2');
  axis.setAttribute('y', '12');
  axis.textContent = String(max);
  svg.append(axis);
  series.forEach((s, i) => {
    const line = document.createElementNS(SVG_NS, 'polyline');
    line.setAttribute('points', s.values.map((v, x) => `${((x / (n - 1)) * w).toFixed(1)},${(h - (v / max) * (h - 16)).toFixed(1)}`).join(' '));
    line.setAttribute('class', `series s${i % 6}`);
    const title = document.createElementNS(SVG_NS, 'title');
    title.textContent = s.name;
    line.append(title);
    svg.append(line);
  });
  const legend = el('p', { class: 'legend' }, ...series.map((s, i) => el('span', { class: `key s${i % 6}` }, s.name)));
  figure.replaceChildren(svg, legend);
}

function eventRow(e, columns) {
  const cells = {
    time: el('td', { class: 'nowrap' }, timeText(e.time)),
    did: el('td', { class: `did ${e.action}` }, didText(e)),
    threat: el('td', {}, threatLink(e.threat), e.rule ? el('div', { class: 'muted' }, e.rule) : ''),
    source: el('td', {}, sourceLink(e.source.ip)),
    origin: el('td', {}, originText(e.source.origin)),
    sensor: el('td', {}, e.sensor),
    evidence: evidenceCell(e),
  };
  return el('tr', { 'data-seq': e.seq }, ...columns.map((c) => cells[c]));
}

const FEED_COLUMNS = ['time', 'did', 'threat', 'source', 'origin', 'evidence'];
const FEED_ROWS = 200;

async function nowPage() {
  const first = await api('/api/events?limit=50');
  fillTable('feed', first.events.map((e) => eventRow(e, FEED_COLUMNS)));
  const stats = await api('/api/stats');
  document.getElementById('active-bans').textContent = String(stats.activeBans);
  const history = { requests: [], blocked: [], banned: [], dropped: [] };
  const status = document.getElementById('live-status');
  const feed = new EventSource('/api/live');
  feed.addEventListener('open', () => {
    status.textContent = 'live';
  });
  feed.addEventListener('error', () => {
    status.textContent = 'reconnecting…';
  });
  feed.addEventListener('security', (msg) => {
    const e = JSON.parse(msg.data);
    const body = document.querySelector('#feed tbody');
    body.prepend(eventRow(e, FEED_COLUMNS));
    while (body.rows.length > FEED_ROWS) body.deleteRow(-1);
  });
  feed.addEventListener('rates', (msg) => {
    const r = JSON.parse(msg.data);
    for (const k of ['requests', 'blocked', 'banned', 'dropped']) {
      document.getElementById(`rate-${k}`).textContent = r[k] === null ? 'n/a' : String(r[k]);
      history[k].push(r[k] || 0);
      if (history[k].length > 120) history[k].shift();
    }
    document.getElementById('active-bans').textContent = String(r.activeBans);
    const names = Object.keys(history);
    lineChart(document.getElementById('rate-chart'), names.map((k) => ({ name: `${k}/s`, values: history[k] })), history.requests);
  });
}

async function threatsPage(unit) {
  const data = await api(`/api/threats?unit=${unit}`);
  for (const b of document.querySelectorAll('#units button')) b.setAttribute('aria-pressed', String(b.dataset.unit === unit));
  lineChart(
    document.getElementById('threat-chart'),
    data.threats.slice(0, 6).map((t) => ({ name: t.name, values: t.counts })),
    data.buckets,
  );
  fillTable(
    'threats',
    data.threats.map((t) =>
      el('tr', {}, el('td', {}, threatLink(t)), el('td', { class: 'n' }, t.total), el('td', { class: `trend ${t.trend.word}` }, t.trendText), el('td', {}, t.recurrenceText)),
    ),
  );
}

async function threatPage() {
  const data = await api(`/api/threats/${encodeURIComponent(subject)}?unit=day`);
  const t = data.threat;
  const info = document.getElementById('threat-info');
  const parts = [el('h2', {}, t.name)];
  if (t.aliases && t.aliases.length) parts.push(el('p', {}, `Also known as: ${t.aliases.join(', ')}`));
  if (t.kind) parts.push(el('p', { class: 'muted' }, `${t.kind}, first seen ${t.firstSeen}; targets ${t.targets}`));
  if (t.description) parts.push(el('h3', {}, 'What it is'), el('p', {}, t.description));
  if (t.advice) parts.push(el('h3', {}, 'Advice'), el('p', {}, t.advice));
  if (t.references) parts.push(el('h3', {}, 'References'), el('ul', {}, ...t.references.map((r) => el('li', {}, safeLink(r)))));
  if (data.series) parts.push(el('p', {}, data.series.trendText), el('p', {}, data.series.recurrenceText));
  info.replaceChildren(...parts);
  if (data.series) lineChart(document.getElementById('threat-chart'), [{ name: t.name, values: data.series.counts }], data.buckets);
  const events = await api(`/api/events?threat=${encodeURIComponent(subject)}&limit=50`);
  fillTable('threat-events', events.events.map((e) => eventRow(e, ['time', 'did', 'source', 'evidence'])));
}

/** Catalog references are ours, but only http(s) ever becomes a link. */
function safeLink(url) {
  return /^https?:\/\//.test(url) ? el('a', { href: url, rel: 'noreferrer' }, url) : el('span', {}, url);
}

async function sourcesPage() {
  const data = await api('/api/sources?hours=24');
  fillTable(
    'sources',
    data.sources.map((s) =>
      el('tr', {}, el('td', {}, sourceLink(s.ip)), el('td', { class: 'n' }, s.events), el('td', {}, originText(s.origin)), el('td', { class: 'nowrap' }, timeText(new Date(s.last).toISOString())), el('td', {}, s.banned ? 'yes' : '')),
    ),
  );
  fillTable('countries', data.countries.map((c) => el('tr', {}, el('td', {}, `${c.name} (${c.code})`), el('td', { class: 'n' }, c.sources), el('td', { class: 'n' }, c.events))));
  fillTable('networks', data.networks.map((a) => el('tr', {}, el('td', {}, `AS${a.number} ${a.org}`), el('td', { class: 'n' }, a.sources), el('td', { class: 'n' }, a.events))));
}

async function sourcePage(before) {
  const data = await api(`/api/sources/${encodeURIComponent(subject)}?limit=200${before ? `&before=${encodeURIComponent(before)}` : ''}`);
  if (!before) {
    const info = document.getElementById('source-info');
    const facts = [el('p', {}, originText(data.origin) || 'origin unknown'), el('p', {}, `${data.total} events, ${data.offences} offence(s)`)];
    if (data.ban) facts.push(el('p', { class: 'did banned' }, `banned until ${timeText(new Date(data.ban.until).toISOString())} (${data.ban.reason})`));
    if (data.threats.length) facts.push(el('p', {}, `Threats: ${data.threats.map((t) => `${t.name} ×${t.count}`).join(', ')}`));
    info.replaceChildren(...facts);
  }
  const body = document.querySelector('#source-events tbody');
  body.append(...data.events.map((e) => eventRow(e, ['time', 'did', 'threat', 'sensor', 'evidence'])));
  const more = document.getElementById('more');
  more.hidden = data.next === null;
  more.onclick = () => sourcePage(data.next);
}

async function bansPage() {
  const data = await api('/api/bans?limit=500');
  const now = Date.now();
  fillTable(
    'bans',
    data.bans.map((b) => {
      const remove = el('button', { type: 'button', class: 'remove' }, 'remove');
      remove.addEventListener('click', () => banAction('/api/bans/remove', { ip: b.target }));
      const extend = el('button', { type: 'button', class: 'extend' }, '+1d');
      extend.addEventListener('click', () => banAction('/api/bans/extend', { ip: b.target, duration: '1d' }));
      return el('tr', { 'data-target': b.target }, el('td', {}, el('a', { href: `/sources/${encodeURIComponent(b.target.replace(/\/\d+$/, ''))}` }, b.target)), el('td', { class: 'nowrap' }, timeText(new Date(b.until).toISOString())), el('td', {}, `${Math.round((b.until - now) / 60000)} min`), el('td', { class: 'n' }, b.offence), el('td', {}, b.origin), el('td', {}, b.reason), el('td', {}, remove, extend));
    }),
  );
}

async function banAction(path, fields) {
  const status = document.getElementById('ban-status');
  try {
    const outcome = await post(path, fields);
    status.textContent = outcome.text;
    status.className = 'status';
  } catch (err) {
    status.textContent = err.message;
    status.className = 'status error';
  }
  await bansPage();
}

function bulletinPage() {
  const since = document.body.dataset.since || '7d';
  const select = document.querySelector('#bulletin-form select');
  if ([...select.options].some((o) => o.value === since)) select.value = since;
  document.getElementById('bulletin-frame').src = `/bulletin/report?since=${encodeURIComponent(select.value)}`;
}

function start() {
  const run = {
    now: nowPage,
    threats: () => {
      for (const b of document.querySelectorAll('#units button')) b.addEventListener('click', () => threatsPage(b.dataset.unit));
      return threatsPage('day');
    },
    threat: threatPage,
    sources: sourcesPage,
    source: () => sourcePage(null),
    bans: () => {
      document.getElementById('ban-form').addEventListener('submit', (ev) => {
        ev.preventDefault();
        const form = new FormData(ev.target);
        const fields = { ip: String(form.get('ip')) };
        if (form.get('duration')) fields.duration = String(form.get('duration'));
        if (form.get('reason')) fields.reason = String(form.get('reason'));
        banAction('/api/bans', fields);
      });
      return bansPage();
    },
    bulletin: bulletinPage,
  }[page];
  if (!run) return;
  Promise.resolve(run())
    .then(() => document.body.setAttribute('data-ready', 'true'))
    .catch((err) => {
      document.querySelector('main').append(el('p', { class: 'status error' }, `could not load: ${err.message}`));
    });
}

start();
