// A folder laid out and updated the way the kubelet updates a ConfigMap volume (its
// AtomicWriter): the files live in a timestamped folder, `..data` links to it, each key is a
// link through `..data`; an update writes a new folder, points `..data_tmp` at it, renames that
// over `..data`, and deletes the old folder.
import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class ConfigMapVolume {
  private version = 0;
  private current: string | undefined;

  constructor(
    readonly dir: string,
    private readonly key = 'config.yaml',
  ) {
    mkdirSync(dir, { recursive: true });
  }

  /** The path a pod reads: `<dir>/<key>`. */
  get path(): string {
    return join(this.dir, this.key);
  }

  /** Publishes new content the kubelet's way. */
  write(content: string): void {
    const folder = join(this.dir, `..2024_01_01_00_00_00.${String(++this.version).padStart(9, '0')}`);
    mkdirSync(folder);
    writeFileSync(join(folder, this.key), content, { mode: 0o644 });
    if (this.current === undefined) {
      symlinkSync(folder, join(this.dir, '..data'));
      symlinkSync(join('..data', this.key), this.path);
    } else {
      symlinkSync(folder, join(this.dir, '..data_tmp'));
      renameSync(join(this.dir, '..data_tmp'), join(this.dir, '..data'));
      rmSync(this.current, { recursive: true });
    }
    this.current = folder;
  }
}
