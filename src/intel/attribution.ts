/**
 * The credits the offline origin data asks for. All three sources are CC BY 4.0: credit the
 * holder and link the licence; DB-IP additionally asks web pages to link back to db-ip.com.
 * Wherever bansho shows a country or an ASN (bulletin, dashboard, CLI summary), it shows these.
 */
export interface Credit {
  readonly data: string;
  readonly holder: string;
  readonly url: string;
}

export const LICENCE = { name: 'CC BY 4.0', url: 'https://creativecommons.org/licenses/by/4.0/' } as const;

export const ORIGIN_CREDITS: readonly Credit[] = [
  { data: 'Country (whois + geofeed)', holder: 'NRO', url: 'https://www.nro.net/' },
  { data: 'IP to ASN', holder: 'RouteViews', url: 'https://www.routeviews.org/' },
  { data: 'IP to ASN Lite (organisation names)', holder: 'DB-IP', url: 'https://db-ip.com' },
];

const PACKAGES = '@ip-location-db/geo-whois-asn-country-mmdb and @ip-location-db/asn';

/** One line for a terminal. */
export function attributionText(): string {
  const credits = ORIGIN_CREDITS.map((c) => `${c.data}: ${c.holder} (${c.url})`).join('; ');
  return `Origin data: ${credits}. Licensed ${LICENCE.name} (${LICENCE.url}), via ${PACKAGES}.`;
}

/** Markdown, with links. */
export function attributionMarkdown(): string {
  const credits = ORIGIN_CREDITS.map((c) => `${c.data}: [${c.holder}](${c.url})`).join('; ');
  return `Origin data: ${credits}. Licensed [${LICENCE.name}](${LICENCE.url}), via ${PACKAGES}. [IP Geolocation by DB-IP](https://db-ip.com).`;
}

/** HTML, with the back-link DB-IP asks web pages to carry. */
export function attributionHtml(): string {
  const credits = ORIGIN_CREDITS.map(
    (c) => `${escapeHtml(c.data)}: <a href="${c.url}">${escapeHtml(c.holder)}</a>`,
  ).join('; ');
  return `Origin data: ${credits}. Licensed <a href="${LICENCE.url}">${LICENCE.name}</a>, via ${escapeHtml(PACKAGES)}. <a href='https://db-ip.com'>IP Geolocation by DB-IP</a>.`;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
