// Reads structured choices from the fuzzer's bytes, front to back, so that a coverage-guided
// engine that mutates bytes steers the choices too. Past the end every read gives zero or the
// empty value: any input, however short, is a whole test case. (Jazzer.js has its own
// FuzzedDataProvider, but importing it loads the native engine; the targets must also run
// under plain mocha, where the crashers are replayed.)

export class FuzzInput {
  private at = 0;

  constructor(private readonly data: Uint8Array) {}

  get remaining(): number {
    return this.data.length - this.at;
  }

  byte(): number {
    return this.at < this.data.length ? this.data[this.at++]! : 0;
  }

  /** An integer in 0..max (max below 2^32), from as few bytes as it needs. */
  int(max: number): number {
    if (max <= 0) return 0;
    let value = 0;
    for (let range = max; range > 0; range = Math.floor(range / 256)) value = value * 256 + this.byte();
    return value % (max + 1);
  }

  boolean(): boolean {
    return (this.byte() & 1) === 1;
  }

  pick<T>(choices: readonly T[]): T {
    return choices[this.int(choices.length - 1)]!;
  }

  /** Up to `max` bytes, the length read first. */
  bytes(max: number): Uint8Array {
    const length = Math.min(this.int(max), this.remaining);
    const out = this.data.subarray(this.at, this.at + length);
    this.at += length;
    return out;
  }

  /** A string of up to `max` UTF-8 bytes (invalid sequences become U+FFFD). */
  string(max: number): string {
    return Buffer.from(this.bytes(max)).toString('utf8');
  }

  /** Everything not read yet. */
  rest(): Uint8Array {
    const out = this.data.subarray(this.at);
    this.at = this.data.length;
    return out;
  }
}
