import type { WantedByThreat, WantedList } from '../wanted.js';
import { html } from './escape.js';

/** The lists of the section, in the order a reader asks: whom did they write to, about what, where else. */
const LISTS: ReadonlyArray<[WantedList, string]> = [
  ['recipientDomains', 'Recipient domains'],
  ['recipients', 'Recipient addresses'],
  ['subjects', 'Subjects'],
  ['ircChannels', 'IRC channels'],
  ['destinations', 'Asked the "proxy" for'],
  ['serverNames', 'TLS server names'],
];

function lead(w: WantedByThreat): string {
  const mail = w.messages > 0 ? `, ${w.messages} message${w.messages === 1 ? '' : 's'} taken and never delivered` : '';
  return `${w.sessions} session${w.sessions === 1 ? '' : 's'} from ${w.sources} source${w.sources === 1 ? '' : 's'}${mail}.`;
}

/** "What they wanted", in Markdown; empty when the honeypot recorded nothing in the period. */
export function wantedMarkdown(wanted: readonly WantedByThreat[]): string[] {
  if (wanted.length === 0) return [];
  const out = ['## What they wanted', '', 'What the honeypot learnt by playing along: nothing was relayed.', ''];
  for (const w of wanted) {
    out.push(`### ${mdDecoded(w.threatName)}`, '', lead(w), '');
    for (const [key, title] of LISTS) {
      const rows = w[key];
      if (rows.length === 0) continue;
      out.push(`| ${title} | times |`, '|---|---:|');
      for (const r of rows) out.push(`| ${mdDecoded(r.key)} | ${r.count} |`);
      out.push('');
    }
  }
  return out;
}

/** "What they wanted", in HTML; empty when the honeypot recorded nothing in the period. */
export function wantedHtml(wanted: readonly WantedByThreat[]): string[] {
  if (wanted.length === 0) return [];
  const out = ['<h2>What they wanted</h2>', '<p>What the honeypot learnt by playing along: nothing was relayed.</p>'];
  for (const w of wanted) {
    out.push(`<h3>${html(controlsVisible(w.threatName))}</h3>`, `<p>${html(lead(w))}</p>`);
    for (const [key, title] of LISTS) {
      const rows = w[key];
      if (rows.length === 0) continue;
      out.push(`<table><tr><th>${html(title)}</th><th>times</th></tr>`);
      for (const r of rows) out.push(`<tr><td>${html(controlsVisible(r.key))}</td><td class="n">${r.count}</td></tr>`);
      out.push('</table>');
    }
  }
  return out;
}

/**
 * Decoded text (a subject, a channel) shown as it reads — umlauts and all — with only control
 * characters made visible (`\xNN`): PrettyPark's channel begins `#\x1f\x02`.
 */
function controlsVisible(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what we rewrite
  return text.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function mdDecoded(text: string): string {
  return controlsVisible(text).replace(/[\\`*_[\]<>|#]/g, (c) => `\\${c}`);
}
