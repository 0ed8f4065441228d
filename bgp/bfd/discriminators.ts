// bfd.LocalDiscr (RFC 5880 §6.3, §6.8.1): nonzero, unique among this system's sessions, and
// random so that a restarted speaker does not reuse the discriminator its peer still holds.
// The random source comes in so that tests choose the numbers.

const DISCRIMINATOR_SPACE = 0x1_0000_0000;
/** Draws before giving up: with a few sessions in 2^32 − 1 values, two draws almost never collide. */
const MAX_DRAWS = 64;

export class DiscriminatorPool {
  private readonly used = new Set<number>();

  constructor(private readonly random: () => number = Math.random) {}

  /** A fresh nonzero discriminator, reserved until released. */
  allocate(): number {
    for (let i = 0; i < MAX_DRAWS; i++) {
      const value = Math.floor(this.random() * DISCRIMINATOR_SPACE) >>> 0;
      if (value === 0 || this.used.has(value)) continue;
      this.used.add(value);
      return value;
    }
    throw new Error(`no free BFD discriminator after ${MAX_DRAWS} draws: the random source repeats itself`);
  }

  release(value: number): void {
    this.used.delete(value);
  }

  get size(): number {
    return this.used.size;
  }
}
