/**
 * The first bytes sent into a tunnel that answers nothing (`CONNECT host:443` and other ports):
 * kept, bounded, and read for what they say. A TLS ClientHello names its real target in the
 * server_name extension (RFC 6066 §3), whatever host the CONNECT line named.
 */

/** A TLS handshake record (content type 22, major version 3) starts these bytes. */
export function looksLikeTls(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0x16 && bytes[1] === 0x03;
}

/** The host name of a ClientHello's server_name extension, or null when there is none or the bytes are not one. */
export function tlsServerName(bytes: Uint8Array): string | null {
  const r = new Reader(bytes);
  // Record header: type, version, length. A hello longer than the bytes kept (or spanning
  // records) is read as far as it goes: server_name comes early, and a short read gives null.
  if (r.u8() !== 0x16 || r.u8() !== 0x03) return null;
  r.skip(1);
  const record = r.sub(Math.min(r.u16(), r.left));
  if (record.u8() !== 0x01) return null;
  const hello = record.sub(Math.min(record.u24(), record.left));
  hello.skip(2 + 32);
  hello.skip(hello.u8());
  hello.skip(hello.u16());
  hello.skip(hello.u8());
  const extensions = hello.sub(Math.min(hello.u16(), hello.left));
  while (extensions.ok && extensions.left >= 4) {
    const type = extensions.u16();
    const body = extensions.sub(extensions.u16());
    if (type !== 0x0000) continue;
    const list = body.sub(body.u16());
    while (list.ok && list.left >= 3) {
      const nameType = list.u8();
      const name = list.bytes(list.u16());
      if (nameType === 0 && name !== null) return hostName(name);
    }
    return null;
  }
  return null;
}

/** RFC 6066: an ASCII host name, no trailing dot; anything else is not a name we repeat. */
function hostName(bytes: Uint8Array): string | null {
  const text = Buffer.from(bytes).toString('latin1');
  return /^[A-Za-z0-9._-]{1,253}$/.test(text) ? text.toLowerCase() : null;
}

/** A bounds-checked reader: reading past the end sets `ok` false and yields zeros, never throws. */
class Reader {
  readonly #bytes: Uint8Array;
  #at = 0;
  ok = true;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  get left(): number {
    return this.#bytes.length - this.#at;
  }

  u8(): number {
    return this.#take(1)?.[0] ?? 0;
  }

  u16(): number {
    const b = this.#take(2);
    return b ? ((b[0] as number) << 8) | (b[1] as number) : 0;
  }

  u24(): number {
    const b = this.#take(3);
    return b ? ((b[0] as number) << 16) | ((b[1] as number) << 8) | (b[2] as number) : 0;
  }

  skip(n: number): void {
    this.#take(n);
  }

  bytes(n: number): Uint8Array | null {
    return this.#take(n);
  }

  /** The next `n` bytes as their own reader; a short read gives an empty, failed one. */
  sub(n: number): Reader {
    const b = this.#take(n);
    const r = new Reader(b ?? new Uint8Array(0));
    r.ok = b !== null;
    return r;
  }

  #take(n: number): Uint8Array | null {
    if (!this.ok || n > this.left) {
      this.ok = false;
      return null;
    }
    const b = this.#bytes.subarray(this.#at, this.#at + n);
    this.#at += n;
    return b;
  }
}
