import { readFileSync } from 'node:fs';

/**
 * Ethernet address names as tshark shows them in the Source/Destination columns of non-IP
 * frames (`Cisco_7c:eb:3d`, `Broadcast`), read from Wireshark's own `manuf` and `wka` files when
 * they are installed. Without them, addresses print as plain hex. The files are read on the first
 * lookup: most captures are all IP, and reading `manuf` costs tens of milliseconds at start-up.
 */
export class MacNames {
  readonly #vendors = new Map<string, string>();
  readonly #wellKnown = new Map<string, string>();
  #dir: string | null;

  private constructor(dir: string) {
    this.#dir = dir;
  }

  static load(dir = '/usr/share/wireshark'): MacNames {
    return new MacNames(dir);
  }

  #ensureLoaded(): void {
    const dir = this.#dir;
    if (dir === null) return;
    this.#dir = null;
    this.#read(`${dir}/manuf`, (addr, name) => {
      if (addr.length === 8) this.#vendors.set(addr, name);
    });
    this.#read(`${dir}/wka`, (addr, name) => {
      if (addr.length === 17) this.#wellKnown.set(addr, name);
    });
    this.#wellKnown.set('ff:ff:ff:ff:ff:ff', 'Broadcast');
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
    this.#ensureLoaded();
    const known = this.#wellKnown.get(mac);
    if (known) return known;
    const vendor = this.#vendors.get(mac.slice(0, 8));
    return vendor ? `${vendor}_${mac.slice(9)}` : mac;
  }
}
