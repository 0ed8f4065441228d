// The config watcher against real files in a temporary folder, replaced the ways they really
// are: written in place, saved by an editor (new file renamed over the old), swapped by the
// kubelet (a ConfigMap's ..data symlink pointed at a new folder, the old one deleted), deleted
// and re-created. The debounce runs on a ManualClock: each test awaits the file system event,
// then advances the clock, and the content check runs at once, so nothing sleeps.
import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../bgp/index.js';
import { ConfigWatcher, DEFAULT_DEBOUNCE_MS, DEFAULT_RETRY_MS } from '../../../src/config/watch.js';

const SWAPS = 10;

describe('config watcher', () => {
  let dir: string;
  let clock: ManualClock;
  let watcher: ConfigWatcher | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vip-speaker-watch-'));
    clock = new ManualClock();
  });

  afterEach(() => {
    watcher?.close();
    watcher = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  function start(paths: string[]): ConfigWatcher {
    watcher = new ConfigWatcher({ paths, clock });
    watcher.start();
    return watcher;
  }

  /** Runs `op`, awaits the file system's word of it, lets the debounce pass: the paths reported changed. */
  async function changesAfter(w: ConfigWatcher, op: () => void): Promise<string[]> {
    const changed: string[] = [];
    const onChange = (paths: string[]) => changed.push(...paths);
    w.on('change', onChange);
    const noticed = once(w, 'noticed');
    op();
    await noticed;
    clock.advance(DEFAULT_DEBOUNCE_MS);
    w.off('change', onChange);
    return changed;
  }

  it('tells a change made between the baseline and the start (a file changed during a slow start), once', () => {
    const file = join(dir, 'config.yaml');
    writeFileSync(file, 'asn: 65100\n');
    watcher = new ConfigWatcher({ paths: [file], clock });
    watcher.baseline();
    writeFileSync(file, 'asn: 65101\n');
    watcher.start();
    assert.deepEqual(watcher.changed(), [file]);
    assert.deepEqual(watcher.changed(), [], 'remembered as read');
  });

  it('picks up in-place writes, every time', async () => {
    const file = join(dir, 'config.yaml');
    writeFileSync(file, 'asn: 1\n');
    const w = start([file]);
    for (let i = 2; i <= 4; i++) assert.deepEqual(await changesAfter(w, () => writeFileSync(file, `asn: ${i}\n`)), [file]);
  });

  it(`picks up an editor's save (a new file renamed over the old) ${SWAPS} times in a row`, async () => {
    const file = join(dir, 'config.yaml');
    writeFileSync(file, 'asn: 0\n');
    const w = start([file]);
    for (let i = 1; i <= SWAPS; i++) {
      const changed = await changesAfter(w, () => {
        writeFileSync(join(dir, `.config.yaml.swp${i}`), `asn: ${i}\n`);
        renameSync(join(dir, `.config.yaml.swp${i}`), file);
      });
      assert.deepEqual(changed, [file], `save ${i}`);
    }
  });

  it(`picks up a ConfigMap volume update (the ..data symlink swapped, the old folder deleted) ${SWAPS} times in a row`, async () => {
    const volume = join(dir, 'volume');
    mkdirSync(volume);
    const version = (i: number) => {
      const folder = join(volume, `..2024_01_01_00_00_0${i}.000000000`);
      mkdirSync(folder);
      writeFileSync(join(folder, 'config.yaml'), `asn: ${i}\n`);
      return folder;
    };
    let current = version(0);
    symlinkSync(current, join(volume, '..data'));
    symlinkSync(join('..data', 'config.yaml'), join(volume, 'config.yaml'));
    const file = join(volume, 'config.yaml');
    const w = start([file]);
    for (let i = 1; i <= SWAPS; i++) {
      const changed = await changesAfter(w, () => {
        // The kubelet's AtomicWriter: new folder, ..data_tmp pointing at it, renamed over ..data, old folder removed.
        const next = version(i);
        symlinkSync(next, join(volume, '..data_tmp'));
        renameSync(join(volume, '..data_tmp'), join(volume, '..data'));
        rmSync(current, { recursive: true });
        current = next;
      });
      assert.deepEqual(changed, [file], `swap ${i}`);
      // Re-armed on the folder the link leads to now, and no longer on the deleted ones.
      assert.deepEqual(w.folders, [volume, current].sort());
    }
  });

  it('follows a link to a ConfigMap volume: the swap in the volume is seen through it', async () => {
    const volume = join(dir, 'volume');
    mkdirSync(join(volume, '..v1'), { recursive: true });
    writeFileSync(join(volume, '..v1', 'config.yaml'), 'asn: 1\n');
    symlinkSync('..v1', join(volume, '..data'));
    symlinkSync(join('..data', 'config.yaml'), join(volume, 'config.yaml'));
    const file = join(dir, 'config.yaml');
    symlinkSync(join(volume, 'config.yaml'), file);
    const w = start([file]);
    const changed = await changesAfter(w, () => {
      mkdirSync(join(volume, '..v2'));
      writeFileSync(join(volume, '..v2', 'config.yaml'), 'asn: 2\n');
      symlinkSync('..v2', join(volume, '..data_tmp'));
      renameSync(join(volume, '..data_tmp'), join(volume, '..data'));
    });
    assert.deepEqual(changed, [file]);
    assert.ok(w.folders.includes(volume), `the volume folder is watched: ${w.folders.join(', ')}`);
  });

  it('sees a deleted file as no change, and its return with other content as one', async () => {
    const file = join(dir, 'config.yaml');
    writeFileSync(file, 'asn: 1\n');
    const w = start([file]);
    assert.deepEqual(await changesAfter(w, () => unlinkSync(file)), []);
    assert.deepEqual(await changesAfter(w, () => writeFileSync(file, 'asn: 2\n')), [file]);
    assert.deepEqual(await changesAfter(w, () => unlinkSync(file)), []);
    assert.deepEqual(await changesAfter(w, () => writeFileSync(file, 'asn: 2\n')), [], 'the same content back is no change');
    assert.deepEqual(await changesAfter(w, () => writeFileSync(file, 'asn: 3\n')), [file]);
  });

  it('sees a rewrite with the same bytes, or another file in the folder changing, as no change', async () => {
    const file = join(dir, 'config.yaml');
    writeFileSync(file, 'asn: 1\n');
    const w = start([file]);
    assert.deepEqual(await changesAfter(w, () => writeFileSync(file, 'asn: 1\n')), []);
    assert.deepEqual(await changesAfter(w, () => writeFileSync(join(dir, 'other'), 'x')), []);
  });

  it('watches a password file in another folder, replaced by rename, and follows setPaths', async () => {
    const file = join(dir, 'config.yaml');
    const secrets = join(dir, 'secrets');
    mkdirSync(secrets);
    const password = join(secrets, 'tor-a');
    writeFileSync(file, 'asn: 1\n');
    writeFileSync(password, 'first\n');
    const w = start([file, password]);
    const changed = await changesAfter(w, () => {
      writeFileSync(join(secrets, '.tmp'), 'second\n');
      renameSync(join(secrets, '.tmp'), password);
    });
    assert.deepEqual(changed, [password]);
    w.setPaths([file]);
    assert.deepEqual(w.folders, [dir]);
  });

  it('arms on a folder that appears later, retrying on the clock', async () => {
    const later = join(dir, 'later');
    const file = join(later, 'config.yaml');
    watcher = new ConfigWatcher({ paths: [file], clock });
    const refused = once(watcher, 'unwatchable');
    watcher.start();
    assert.equal((await refused)[0], later);
    mkdirSync(later);
    writeFileSync(file, 'asn: 1\n');
    clock.advance(DEFAULT_RETRY_MS);
    assert.deepEqual(watcher.folders, [later]);
    assert.deepEqual(await changesAfter(watcher, () => writeFileSync(file, 'asn: 2\n')), [file]);
  });

  it('reports nothing once closed', async () => {
    const file = join(dir, 'config.yaml');
    writeFileSync(file, 'asn: 1\n');
    const w = start([file]);
    let changes = 0;
    w.on('change', () => changes++);
    w.close();
    writeFileSync(file, 'asn: 2\n');
    w.check();
    clock.advance(DEFAULT_DEBOUNCE_MS);
    assert.equal(changes, 0);
    assert.deepEqual(w.folders, []);
  });
});
