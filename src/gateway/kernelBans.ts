import type { BanFirewall } from '../config/banFirewall.js';
import { mirrorBans } from '../defense/banMirror.js';
import { NftFirewall } from '../defense/nftFirewall.js';
import type { Gateway } from './gateway.js';

/** The kernel's copy of the gateway's ban list (config `bans.firewall`). */
export interface KernelBans {
  readonly firewall: NftFirewall;
  /** Stop following the list and delete the table. */
  close(): Promise<void>;
}

/**
 * Open the firewall on the gateway's listening ports and mirror its ban list into it. The
 * gateway still refuses banned sources itself: a ban reaches the kernel a few milliseconds
 * later, and a source must be refused from the moment it is banned. Throws a FirewallError at
 * start (nft missing, no CAP_NET_ADMIN) when the config asked for it; null when it did not.
 */
export async function startKernelBans(
  gateway: Gateway,
  settings: BanFirewall,
  log: (line: string) => void,
): Promise<KernelBans | null> {
  if (settings.kind === 'none') return null;
  const firewall = await NftFirewall.open({
    table: settings.table,
    ports: gateway.ports(),
    onError: (err) => log(`bansho: firewall: ${String(err)}`),
  });
  const off = mirrorBans(gateway.bans, firewall, Date.now());
  return {
    firewall,
    async close() {
      off();
      await firewall.close();
    },
  };
}
