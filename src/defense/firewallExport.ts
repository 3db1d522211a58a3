import type { Ban } from '../store/types.js';
import { timeoutSeconds, timeoutText } from './nftScript.js';

export interface NftOptions {
  /** Only drop connections to this TCP port (the gateway's); every packet from a banned source otherwise. */
  readonly port?: number;
  readonly table?: string;
}

/**
 * The ban list as an nftables script (`nft -f`): a drop in the kernel costs far less than an
 * accept in node, so a flood beyond the gateway's accept-time rejection rate belongs there.
 * Each element carries its remaining time, so the kernel lifts it when the ban ends. The
 * script replaces the whole table, so running it again simply resynchronises.
 */
export function toNftables(bans: readonly Ban[], now: number, options: NftOptions = {}): string {
  const table = options.table ?? 'bansho';
  const live = bans.filter((b) => b.until > now);
  const element = (b: Ban) => {
    const [net = '', bits = ''] = b.target.split('/');
    const host = (bits === '32' && !net.includes(':')) || (bits === '128' && net.includes(':'));
    return `${host ? net : b.target} timeout ${timeoutText(timeoutSeconds(b.until, now))}`;
  };
  const v4 = live.filter((b) => !b.target.includes(':')).map(element);
  const v6 = live.filter((b) => b.target.includes(':')).map(element);
  const match = options.port !== undefined ? ` tcp dport ${options.port}` : '';
  const set = (name: string, type: string, elements: string[]) =>
    [
      `  set ${name} {`,
      `    type ${type}`,
      '    flags interval, timeout',
      ...(elements.length > 0 ? [`    elements = { ${elements.join(', ')} }`] : []),
      '  }',
    ].join('\n');
  return `${[
    `# bansho: ${live.length} ban(s) in force at ${new Date(now).toISOString()}. Load with: nft -f FILE`,
    `table inet ${table}`,
    `delete table inet ${table}`,
    `table inet ${table} {`,
    set('banned_v4', 'ipv4_addr', v4),
    set('banned_v6', 'ipv6_addr', v6),
    '  chain input {',
    '    type filter hook input priority filter - 10; policy accept;',
    `    ip saddr @banned_v4${match} drop`,
    `    ip6 saddr @banned_v6${match} drop`,
    '  }',
    '}',
  ].join('\n')}\n`;
}
