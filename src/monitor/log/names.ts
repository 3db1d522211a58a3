import { readFileSync } from 'node:fs';

/**
 * Ethernet address names as tshark shows them in the Source/Destination columns of non-IP
 * frames (`Cisco_7c:eb:3d`, `Broadcast`), read from Wireshark's own `manuf` and `wka` files when
 * they are installed. Without them, addresses print as plain hex.
 */
export class MacNames {
  readonly #vendors = new Map<string, string>();
  readonly #wellKnown = new Map<string, string>();

  static load(dir = '/usr/share/wireshark'): MacNames {
    const names = new MacNames();
    names.#read(`${dir}/manuf`, (addr, name) => {
      if (addr.length === 8) names.#vendors.set(addr, name);
    });
    names.#read(`${dir}/wka`, (addr, name) => {
      if (addr.length === 17) names.#wellKnown.set(addr, name);
    });
    names.#wellKnown.set('ff:ff:ff:ff:ff:ff', 'Broadcast');
    return names;
  }

  #read(file: string, put: (addr: string, name: string) => void): void {
    let text: string;
    try {
      text = readFileSync(file, 'latin1');
    } catch {
      return;
    }
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      const [addr, name] = line.split('\t');
      if (addr && name) put(addr.toLowerCase().replaceAll('-', ':'), name.trim());
    }
  }

  /** `mac` in lower-case colon form. */
  name(mac: string): string {
    const known = this.#wellKnown.get(mac);
    if (known) return known;
    const vendor = this.#vendors.get(mac.slice(0, 8));
    return vendor ? `${vendor}_${mac.slice(9)}` : mac;
  }
}
