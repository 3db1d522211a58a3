import { readFileSync } from 'node:fs';

/**
 * Ethernet address names as tshark shows them in the Source/Destination columns of non-IP
 * frames (`Cisco_7c:eb:3d`, `Broadcast`, `IPv4mcast_fb`), read from Wireshark's own `manuf`
 * and `wka` files when they are installed. Without them, addresses print as plain hex. The
 * files are read on the first lookup: most captures are all IP, and reading `manuf` costs tens
 * of milliseconds at start-up.
 *
 * Three kinds of entry, tried in this order: whole addresses; blocks written `addr/bits`
 * (IEEE's MA-M and MA-S blocks, multicast ranges); vendors' 24-bit OUIs (`Vendor_xx:xx:xx`,
 * also for a group address under the OUI without its group bit).
 * Blocks are looked up as tshark does: the address is cut to 47 bits, then 46, and so on, and
 * the first cut that equals some block's start wins, the name followed by the bytes below the
 * cut (that cut's bits cleared in the first of them). So 01:00:5e:00:00:fb, cut to 40 bits,
 * equals the start of 01:00:5e/25 and prints `IPv4mcast_fb`, not `IPv4mcast_00:00:fb`.
 */
export class MacNames {
  readonly #exact = new Map<string, string>();
  /** Blocks by their start (12 hex digits, bits beyond the block zero), whatever their length. */
  readonly #blocks = new Map<string, string>();
  readonly #vendors = new Map<string, string>();
  /** Names already worked out: a capture repeats its few link-layer addresses. */
  readonly #seen = new Map<string, string>();
  #dir: string | null;

  private constructor(dir: string) {
    this.#dir = dir;
  }

  static load(dir = '/usr/share/wireshark'): MacNames {
    return new MacNames(dir);
  }

  /** `mac` in lower-case colon form. */
  name(mac: string): string {
    let name = this.#seen.get(mac);
    if (name === undefined) {
      name = this.#lookUp(mac);
      if (this.#seen.size >= 4096) this.#seen.clear();
      this.#seen.set(mac, name);
    }
    return name;
  }

  #lookUp(mac: string): string {
    this.#ensureLoaded();
    const bytes = mac.split(':').map((h) => Number.parseInt(h, 16));
    if (bytes.length !== 6 || bytes.some((b) => !(b >= 0 && b <= 255))) return mac;
    const exact = this.#exact.get(prefixKey(bytes, 48));
    if (exact !== undefined) return exact;
    if (this.#blocks.size > 0) {
      for (let bits = 47; bits > 0; bits--) {
        const name = this.#blocks.get(prefixKey(bytes, bits));
        if (name !== undefined) return `${name}_${lowBits(bytes, bits)}`;
      }
    }
    // A group address is looked up under its vendor's OUI, without the group bit.
    const vendor =
      this.#vendors.get(prefixKey(bytes, 24)) ??
      this.#vendors.get(prefixKey([(bytes[0] as number) & 0xfe, ...bytes.slice(1)], 24));
    return vendor === undefined ? mac : `${vendor}_${lowBits(bytes, 24)}`;
  }

  #ensureLoaded(): void {
    const dir = this.#dir;
    if (dir === null) return;
    this.#dir = null;
    const put = (entry: Entry): void => {
      const table = entry.bits === 48 ? this.#exact : entry.explicit ? this.#blocks : this.#vendors;
      table.set(prefixKey(entry.bytes, entry.bits), entry.name);
    };
    this.#read(`${dir}/manuf`, put);
    this.#read(`${dir}/wka`, put);
    if (!this.#exact.has('ffffffffffff')) this.#exact.set('ffffffffffff', 'Broadcast');
  }

  #read(file: string, put: (entry: Entry) => void): void {
    let text: string;
    try {
      text = readFileSync(file, 'latin1');
    } catch {
      return;
    }
    for (const line of text.split('\n')) {
      const entry = parseEntry(line);
      if (entry) put(entry);
    }
  }
}

interface Entry {
  readonly bytes: number[];
  readonly bits: number;
  /** Written with `/bits`. */
  readonly explicit: boolean;
  readonly name: string;
}

/** `00:1B:C5:00:10:00/36<TAB>OpenRBco<TAB>long name` or `01-80-C2-00-00-01<TAB>Name # comment`. */
function parseEntry(line: string): Entry | null {
  if (line === '' || line.startsWith('#')) return null;
  const [spec, rawName] = line.split(/\t+/);
  if (!spec || !rawName) return null;
  // A `#` starts a comment anywhere on the line (`NETBIOS-# [TR?]`), and the name is one word (`ISL-Frame [TR?]`).
  const hash = rawName.indexOf('#');
  const name = (hash < 0 ? rawName : rawName.slice(0, hash)).trim().split(/\s/)[0] ?? '';
  const [addr, maskText] = spec.split('/');
  const bytes = (addr ?? '').split(/[:.-]/).map((h) => Number.parseInt(h, 16));
  if (name === '' || bytes.length < 1 || bytes.length > 6 || bytes.some((b) => !(b >= 0 && b <= 255))) return null;
  const bits = maskText === undefined ? bytes.length * 8 : Number(maskText);
  if (!Number.isInteger(bits) || bits < 1 || bits > 48) return null;
  while (bytes.length < 6) bytes.push(0);
  return { bytes, bits, explicit: maskText !== undefined, name };
}

/** The first `bits` bits of the address, the rest zeroed, as 12 hex digits. */
function prefixKey(bytes: readonly number[], bits: number): string {
  let key = '';
  for (let i = 0; i < 6; i++) {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    const byte = (bytes[i] as number) & ((0xff << (8 - keep)) & 0xff);
    key += byte.toString(16).padStart(2, '0');
  }
  return key;
}

/** The bytes from the one the prefix ends in, with the prefix's bits cleared: what tshark appends to the name. */
function lowBits(bytes: readonly number[], bits: number): string {
  const from = Math.floor(bits / 8);
  const parts: string[] = [];
  for (let i = from; i < 6; i++) {
    const byte = i === from ? (bytes[i] as number) & (0xff >> (bits % 8)) : (bytes[i] as number);
    parts.push(byte.toString(16).padStart(2, '0'));
  }
  return parts.join(':');
}
