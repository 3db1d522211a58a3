import { html } from '../trends/render/escape.js';

/** The dashboard's pages: the server sends the frame, /assets/app.js fills it from the API as text. */
export type PageName = 'now' | 'threats' | 'threat' | 'sources' | 'source' | 'bans' | 'bulletin';

const NAV: ReadonlyArray<{ page: PageName; href: string; label: string }> = [
  { page: 'now', href: '/', label: 'Now' },
  { page: 'threats', href: '/threats', label: 'Threats' },
  { page: 'sources', href: '/sources', label: 'Sources' },
  { page: 'bans', href: '/bans', label: 'Bans' },
  { page: 'bulletin', href: '/bulletin', label: 'Bulletin' },
];

const BODIES: Record<PageName, string> = {
  now: `<section class="tiles">
  <div class="tile"><span class="label">requests/s</span><span class="value" id="rate-requests">–</span></div>
  <div class="tile"><span class="label">blocked/s</span><span class="value" id="rate-blocked">–</span></div>
  <div class="tile"><span class="label">banned/s</span><span class="value" id="rate-banned">–</span></div>
  <div class="tile"><span class="label">dropped/s</span><span class="value" id="rate-dropped">–</span></div>
  <div class="tile"><span class="label">active bans</span><span class="value" id="active-bans">–</span></div>
</section>
<figure class="chart" id="rate-chart" aria-label="events per second, last two minutes"></figure>
<p class="status" id="live-status">connecting…</p>
<h2>Live events</h2>
<div class="scroll"><table id="feed"><thead><tr><th>time</th><th>did</th><th>threat</th><th>source</th><th>origin</th><th>evidence</th></tr></thead><tbody></tbody></table></div>`,
  threats: `<p class="units" id="units"><button type="button" data-unit="hour">hour</button><button type="button" data-unit="day">day</button><button type="button" data-unit="week">week</button></p>
<figure class="chart" id="threat-chart" aria-label="events per threat"></figure>
<div class="scroll"><table id="threats"><thead><tr><th>threat</th><th>events</th><th>trend</th><th>recurrence</th></tr></thead><tbody></tbody></table></div>`,
  threat: `<article id="threat-info"></article>
<figure class="chart" id="threat-chart" aria-label="events per day"></figure>
<h2>Latest events</h2>
<div class="scroll"><table id="threat-events"><thead><tr><th>time</th><th>did</th><th>source</th><th>evidence</th></tr></thead><tbody></tbody></table></div>`,
  sources: `<h2>Top sources, last 24 hours</h2>
<div class="scroll"><table id="sources"><thead><tr><th>source</th><th>events</th><th>origin</th><th>last seen</th><th>banned</th></tr></thead><tbody></tbody></table></div>
<div class="columns"><section><h2>Countries</h2><table id="countries"><thead><tr><th>country</th><th>sources</th><th>events</th></tr></thead><tbody></tbody></table></section>
<section><h2>Networks</h2><table id="networks"><thead><tr><th>network</th><th>sources</th><th>events</th></tr></thead><tbody></tbody></table></section></div>`,
  source: `<article id="source-info"></article>
<h2>History</h2>
<div class="scroll"><table id="source-events"><thead><tr><th>time</th><th>did</th><th>threat</th><th>sensor</th><th>evidence</th></tr></thead><tbody></tbody></table></div>
<p><button type="button" id="more" hidden>older events</button></p>`,
  bans: `<form id="ban-form" class="inline"><label>address or CIDR <input name="ip" required autocomplete="off"></label>
<label>for <input name="duration" placeholder="policy" size="6"></label>
<label>reason <input name="reason" placeholder="manual"></label><button type="submit">ban</button></form>
<p class="status" id="ban-status" role="status"></p>
<div class="scroll"><table id="bans"><thead><tr><th>target</th><th>until</th><th>left</th><th>offence</th><th>origin</th><th>reason</th><th></th></tr></thead><tbody></tbody></table></div>`,
  bulletin: `<form id="bulletin-form" class="inline" method="get" action="/bulletin"><label>period
<select name="since"><option value="24h">last 24 hours</option><option value="7d">last 7 days</option><option value="30d">last 30 days</option><option value="90d">last 90 days</option><option value="365d">last year</option></select></label>
<button type="submit">show</button></form>
<iframe id="bulletin-frame" title="bulletin" sandbox=""></iframe>`,
};

export function pageHtml(page: PageName, options: { csrf: string | null; subject?: string; since?: string }): string {
  // A source's or a threat's own page sits under its list in the navigation.
  const section = page === 'source' ? 'sources' : page === 'threat' ? 'threats' : page;
  const nav = NAV.map(
    (n) => `<a href="${n.href}"${n.page === section ? ' aria-current="page"' : ''}>${n.label}</a>`,
  ).join('');
  const subject = options.subject === undefined ? '' : ` data-subject="${html(options.subject)}"`;
  const since = options.since === undefined ? '' : ` data-since="${html(options.since)}"`;
  const csrf = options.csrf === null ? '' : `<meta name="csrf-token" content="${html(options.csrf)}">`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">${csrf}
<title>bansho · ${html(titleOf(page, options.subject))}</title>
<link rel="stylesheet" href="/assets/app.css"><script src="/assets/app.js" defer></script></head>
<body data-page="${page}"${subject}${since}>
<header><span class="brand">bansho</span><nav>${nav}</nav></header>
<main><h1>${html(titleOf(page, options.subject))}</h1>
${BODIES[page]}
</main>
<footer>Origins: ip-location-db (NRO, RouteViews, <a href="https://db-ip.com" rel="noreferrer">DB-IP</a>), CC BY 4.0.</footer>
</body></html>`;
}

export function loginHtml(failed: boolean): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>bansho · log in</title><link rel="stylesheet" href="/assets/app.css"></head>
<body data-page="login"><main><h1>bansho</h1>
${failed ? '<p class="status error">That token is not the one in dashboard.token_file.</p>' : ''}
<form method="post" action="/login"><label>token <input type="password" name="token" required autocomplete="current-password"></label>
<button type="submit">log in</button></form></main></body></html>`;
}

function titleOf(page: PageName, subject: string | undefined): string {
  if (page === 'source') return `Source ${subject ?? ''}`;
  if (page === 'threat') return `Threat ${subject ?? ''}`;
  return { now: 'Now', threats: 'Threats', sources: 'Sources', bans: 'Bans', bulletin: 'Bulletin' }[page];
}
