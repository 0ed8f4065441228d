// An IP prefix as carried in NLRI (RFC 4271 §4.3, RFC 4760 §5): family, length and the
// address with host bits zero.
//
// Compact, since a speaker holds one per route (100,000 and more): 56 octets for IPv4, where the
// address in a Uint8Array alone cost V8 about 200 (measured with heap snapshots). The address
// lives in 32-bit words kept as small integers (one for IPv4; IPv6 adds a three-word array), the
// family and length in one more. `address` builds the bytes on demand; the encoder reads the
// octets straight from the words.
import { Afi } from './constants.js';
import { formatIpv6, parseIp } from './address.js';

export class Prefix {
  /** The family and the length in one small integer: afi << 8 | length. */
  private readonly meta: number;
  /** The first (IPv4: the only) 32 bits of the address, big-endian, as a signed 32-bit integer (V8 keeps it unboxed). */
  private readonly w0: number;
  /** IPv6: the other three words; undefined for IPv4. */
  private readonly rest: readonly [number, number, number] | undefined;
  /** toString's answer, made once: a speaker keys every table by it. */
  private text: string | undefined;

  /**
   * `address` is 4 bytes for IPv4 and 16 for IPv6, or an IPv4 address as an unsigned 32-bit
   * number; bits past `length` are zero.
   */
  constructor(afi: Afi, length: number, address: Uint8Array | number) {
    const word = (i: number) =>
      typeof address === 'number' ? (i === 0 ? address | 0 : 0) : ((address[i] ?? 0) << 24) | ((address[i + 1] ?? 0) << 16) | ((address[i + 2] ?? 0) << 8) | (address[i + 3] ?? 0);
    this.meta = (afi << 8) | length;
    this.w0 = word(0);
    this.rest = afi === Afi.Ipv4 ? undefined : [word(4), word(8), word(12)];
    this.text = undefined;
  }

  get afi(): Afi {
    return this.meta >>> 8;
  }

  get length(): number {
    return this.meta & 0xff;
  }

  /** Parses "192.0.2.1/32", "2001:db8::/32" or a bare address (a host route). */
  static parse(text: string): Prefix {
    const slash = text.indexOf('/');
    const addrText = slash < 0 ? text : text.slice(0, slash);
    const bytes = parseIp(addrText);
    if (!bytes) throw new TypeError(`not an IP address: ${JSON.stringify(addrText)}`);
    const max = bytes.length * 8;
    const lenText = slash < 0 ? String(max) : text.slice(slash + 1);
    const length = /^\d{1,3}$/.test(lenText) ? Number(lenText) : NaN;
    if (!(length >= 0 && length <= max)) throw new TypeError(`prefix length must be 0..${max}, got ${JSON.stringify(lenText)}`);
    return Prefix.fromBytes(bytes.length === 4 ? Afi.Ipv4 : Afi.Ipv6, length, bytes);
  }

  /** Builds a prefix, clearing host bits. */
  static fromBytes(afi: Afi, length: number, bytes: Uint8Array): Prefix {
    const size = afi === Afi.Ipv4 ? 4 : 16;
    const address = new Uint8Array(size);
    const whole = length >>> 3;
    for (let i = 0; i < whole && i < size; i++) address[i] = bytes[i] ?? 0;
    const rest = length & 7;
    if (rest && whole < size) address[whole] = (bytes[whole] ?? 0) & (0xff << (8 - rest));
    return new Prefix(afi, length, address);
  }

  /**
   * An IPv4 host route (/32) from the address as an unsigned 32-bit number: no bytes in between.
   * `text`, when the caller has it ('192.0.2.7/32'), becomes toString's answer, so that the
   * caller's string and the prefix's are one in memory.
   */
  static ipv4Host(value: number, text?: string): Prefix {
    const prefix = new Prefix(Afi.Ipv4, 32, value);
    prefix.text = text;
    return prefix;
  }

  /** The address bytes (4 or 16), built on each call. */
  get address(): Uint8Array {
    const out = new Uint8Array(this.afi === Afi.Ipv4 ? 4 : 16);
    for (let i = 0; i < out.length; i++) out[i] = this.octet(i);
    return out;
  }

  /** Octet `i` of the address, network order. */
  octet(i: number): number {
    const w = i < 4 ? this.w0 : (this.rest?.[(i >>> 2) - 1] ?? 0);
    return (w >>> (24 - 8 * (i & 3))) & 0xff;
  }

  /** Bytes this prefix takes in NLRI encoding: the length octet and the significant octets. */
  get wireLength(): number {
    return 1 + ((this.length + 7) >>> 3);
  }

  toString(): string {
    if (this.text !== undefined) return this.text;
    const w = this.w0;
    this.text = this.afi !== Afi.Ipv4 ? `${formatIpv6(this.address)}/${this.length}` : `${w >>> 24}.${(w >>> 16) & 0xff}.${(w >>> 8) & 0xff}.${w & 0xff}/${this.length}`;
    return this.text;
  }

  equals(other: Prefix): boolean {
    const a = this.rest;
    const b = other.rest;
    return this.meta === other.meta && this.w0 === other.w0 && (a === b || (a !== undefined && b !== undefined && a[0] === b[0] && a[1] === b[1] && a[2] === b[2]));
  }
}
