// A growable byte writer: one per encode call, never shared, so encoders stay pure.
export class Writer {
  private buf: Buffer;
  pos = 0;

  constructor(initialSize = 256) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  private ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(value: number): void {
    this.ensure(1);
    this.buf[this.pos++] = value & 0xff;
  }

  u16(value: number): void {
    this.ensure(2);
    this.buf[this.pos++] = (value >>> 8) & 0xff;
    this.buf[this.pos++] = value & 0xff;
  }

  u32(value: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(value >>> 0, this.pos);
    this.pos += 4;
  }

  bytes(data: Uint8Array): void {
    this.ensure(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  /** The first `n` significant bytes of `data` (NLRI prefixes carry only these). */
  bytesPrefix(data: Uint8Array, n: number): void {
    this.ensure(n);
    for (let i = 0; i < n; i++) this.buf[this.pos + i] = data[i] ?? 0;
    this.pos += n;
  }

  patchU8(at: number, value: number): void {
    this.buf[at] = value & 0xff;
  }

  patchU16(at: number, value: number): void {
    this.buf[at] = (value >>> 8) & 0xff;
    this.buf[at + 1] = value & 0xff;
  }

  /** Moves bytes [from, pos) one position left; used to shrink a 2-octet length to 1 octet. */
  shiftLeftOne(from: number): void {
    this.buf.copyWithin(from - 1, from, this.pos);
    this.pos -= 1;
  }

  /** Cuts the written bytes back to `at` (used when a packed message would overflow). */
  truncate(at: number): void {
    this.pos = at;
  }

  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}
