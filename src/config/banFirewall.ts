import { DEFAULT_NFT_TABLE } from '../defense/nftScript.js';
import { ConfigError } from './configFile.js';
import { FIREWALL_KINDS } from './schema.js';

/**
 * Where banned sources are refused besides the gateway itself: nowhere else (`none`, the
 * default), or in the kernel, in an nftables table of bansho's own (`bans.firewall: nftables`,
 * `serve --firewall nftables`; ../defense/nftFirewall.ts).
 */
export type BanFirewall = { readonly kind: 'none' } | { readonly kind: 'nftables'; readonly table: string };

/** The config file's `bans` and `honeypot` sections as written, and the flag over them. */
export function resolveBanFirewall(
  file: {
    readonly bans?: { readonly firewall?: string; readonly nft_table?: string };
    readonly honeypot?: { readonly enabled?: boolean; readonly banned?: boolean };
  },
  flag: string | undefined,
): BanFirewall {
  const kind = flag ?? file.bans?.firewall ?? 'none';
  if (kind !== 'none' && kind !== 'nftables')
    throw new ConfigError(`--firewall "${kind}": must be one of ${FIREWALL_KINDS.join(', ')}`);
  if (kind === 'none') return { kind };
  // The kernel would reset them before the honeypot could play along.
  if (file.honeypot?.enabled && file.honeypot.banned)
    throw new ConfigError(
      'bans.firewall: nftables drops banned sources in the kernel, so honeypot.banned could never let one in: choose one',
    );
  return { kind, table: file.bans?.nft_table ?? DEFAULT_NFT_TABLE };
}
