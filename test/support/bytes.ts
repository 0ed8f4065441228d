// An independent byte builder for codec tests, in the manner of pg-protocol's test buffer
// list: inputs are written out octet by octet here and never with the codec's Writer or
// encoders, so that a bug in those cannot hide on both sides of an assertion.
//
// Every helper returns plain arrays of octets (or a Uint8Array for whole messages); `bytes`
// flattens any nesting of numbers, arrays and Uint8Arrays into one Uint8Array.

export type ByteParts = number | Uint8Array | readonly ByteParts[];

const HEADER_LENGTH = 19;

function flattenInto(out: number[], part: ByteParts): void {
  if (typeof part === 'number') {
    if (!Number.isInteger(part) || part < 0 || part > 0xff) throw new RangeError(`not an octet: ${part}`);
    out.push(part);
    return;
  }
  for (const p of part) flattenInto(out, p);
}

/** Flattens octets, arrays of octets and Uint8Arrays into one Uint8Array. */
export function bytes(...parts: ByteParts[]): Uint8Array {
  const out: number[] = [];
  flattenInto(out, parts);
  return Uint8Array.from(out);
}

/** The number of octets `parts` flatten to. */
export function lengthOf(...parts: ByteParts[]): number {
  return bytes(...parts).length;
}

export function u8(value: number): number[] {
  if (!Number.isInteger(value) || value < 0 || value > 0xff) throw new RangeError(`not a u8: ${value}`);
  return [value];
}

export function u16(value: number): number[] {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff) throw new RangeError(`not a u16: ${value}`);
  return [Math.floor(value / 0x100), value % 0x100];
}

export function u32(value: number): number[] {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`not a u32: ${value}`);
  return [Math.floor(value / 0x1000000) % 0x100, Math.floor(value / 0x10000) % 0x100, Math.floor(value / 0x100) % 0x100, value % 0x100];
}

/** `n` copies of `octet`. */
export function repeat(octet: number, n: number): number[] {
  return new Array<number>(n).fill(octet);
}

/** The 16-octet all-ones marker (RFC 4271 §4.1). */
export function marker(): number[] {
  return repeat(0xff, 16);
}

/** Marker, length (19 + bodyLength) and type: the 19-octet header of RFC 4271 §4.1. */
export function header(type: number, bodyLength: number): number[] {
  return [...marker(), ...u16(HEADER_LENGTH + bodyLength), ...u8(type)];
}

/** A whole message: header with the length computed from the body, then the body. */
export function message(type: number, ...body: ByteParts[]): Uint8Array {
  const b = bytes(...body);
  return bytes(header(type, b.length), b);
}

/** The octets of UTF-8 text. */
export function utf8(text: string): number[] {
  return [...Buffer.from(text, 'utf8')];
}

/** One path attribute: flags, type, a 1-octet length (2 octets with Extended Length 0x10), value. */
export function attr(flags: number, type: number, ...value: ByteParts[]): number[] {
  const v = [...bytes(...value)];
  if (flags & 0x10) return [...u8(flags), ...u8(type), ...u16(v.length), ...v];
  if (v.length > 255) throw new RangeError(`attribute ${type}: ${v.length} octets need the Extended Length flag`);
  return [...u8(flags), ...u8(type), v.length, ...v];
}

/** One capability (RFC 5492 §4): code, 1-octet length, value. */
export function capability(code: number, ...value: ByteParts[]): number[] {
  const v = [...bytes(...value)];
  return [...u8(code), ...u8(v.length), ...v];
}

/** One classic optional parameter: type, 1-octet length, value. */
export function parameter(type: number, ...value: ByteParts[]): number[] {
  const v = [...bytes(...value)];
  return [...u8(type), ...u8(v.length), ...v];
}

/** Dotted-quad text to 4 octets, parsed here rather than by the codec. */
export function ipv4(text: string): number[] {
  const parts = text.split('.');
  if (parts.length !== 4) throw new RangeError(`not dotted-quad: ${text}`);
  return parts.map((p) => u8(Number(p))[0]!);
}

/** IPv6 text (with at most one "::", no embedded IPv4) to 16 octets, parsed here rather than by the codec. */
export function ipv6(text: string): number[] {
  const [left, right] = text.includes('::') ? text.split('::') : [text, undefined];
  const groups = (s: string | undefined) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const l = groups(left);
  const r = groups(right);
  const all = right === undefined ? l : [...l, ...repeat(0, 8 - l.length - r.length), ...r];
  if (all.length !== 8) throw new RangeError(`not IPv6: ${text}`);
  return all.flatMap((g) => u16(g));
}

/** An NLRI entry: prefix length, then the significant octets of the address (RFC 4271 §4.3). */
export function prefix(text: string): number[] {
  const [addr, len] = text.split('/');
  const length = Number(len);
  const address = addr!.includes(':') ? ipv6(addr!) : ipv4(addr!);
  return [length, ...address.slice(0, Math.ceil(length / 8))];
}

/** A whole UPDATE: the withdrawn routes and path attributes with their 2-octet lengths computed. */
export function update(parts: { withdrawn?: ByteParts; attributes?: ByteParts; nlri?: ByteParts }): Uint8Array {
  const withdrawn = bytes(parts.withdrawn ?? []);
  const attributes = bytes(parts.attributes ?? []);
  return message(2, u16(withdrawn.length), withdrawn, u16(attributes.length), attributes, parts.nlri ?? []);
}

/** A whole OPEN with version 4, AS 65001, hold time 90, identifier 192.0.2.1 unless given, and the classic parameters length. */
export function open(parameters: ByteParts = [], fields: { version?: number; myAs?: number; holdTime?: number; bgpId?: string } = {}): Uint8Array {
  const params = bytes(parameters);
  return message(1, u8(fields.version ?? 4), u16(fields.myAs ?? 65001), u16(fields.holdTime ?? 90), ipv4(fields.bgpId ?? '192.0.2.1'), u8(params.length), params);
}

/** Lower-case hex of the octets, for assertions with readable diffs. */
export function hex(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.length).toString('hex');
}

/** Octets from hex text; whitespace is ignored. */
export function fromHex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(clean)) throw new RangeError(`not hex: ${text}`);
  return Uint8Array.from(Buffer.from(clean, 'hex'));
}
