/** Benign request shapes of a small site's access log: ids and queries make most paths distinct. */
export const BENIGN_PATHS: ReadonlyArray<(n: number) => string> = [
  (n) => `/blog/${2000 + (n % 25)}/${(n % 12) + 1}/${n % 28}/post-${n}.html`,
  (n) => `/img/photo-${n}.jpg`,
  (n) => `/search?q=term${n}&page=${n % 7}`,
  (n) => `/shop/item/${n}?ref=home`,
  () => '/',
  () => '/css/site.css',
  () => '/favicon.ico',
  (n) => `/api/v1/items/${n}/reviews?limit=20`,
];

/** The few User-Agents that make up most of such a log. */
export const USER_AGENTS: readonly string[] = [
  'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  'Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)',
  'curl/8.5.0',
];
