// An IP prefix as carried in NLRI (RFC 4271 §4.3, RFC 4760 §5): family, length and the
// address bytes with host bits zero.
import { Afi } from './constants.js';
import { formatIpv4, formatIpv6, parseIp } from './address.js';

export class Prefix {
  /** `address` is 4 bytes for IPv4 and 16 for IPv6; bits past `length` are zero. */
  constructor(
    readonly afi: Afi,
    readonly length: number,
    readonly address: Uint8Array,
  ) {}

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

  /** Bytes this prefix takes in NLRI encoding: the length octet and the significant octets. */
  get wireLength(): number {
    return 1 + ((this.length + 7) >>> 3);
  }

  toString(): string {
    const addr = this.afi === Afi.Ipv4 ? formatIpv4(this.address) : formatIpv6(this.address);
    return `${addr}/${this.length}`;
  }

  equals(other: Prefix): boolean {
    if (this.afi !== other.afi || this.length !== other.length) return false;
    for (let i = 0; i < this.address.length; i++) if (this.address[i] !== other.address[i]) return false;
    return true;
  }
}
