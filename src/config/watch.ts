// Watching the config file (and the password files it names) the way files are really
// replaced. Watching a file follows its inode: an editor's save (write a new file, rename it
// over the old one) or a ConfigMap update (the kubelet points the `..data` symlink at a new
// folder and deletes the old one) leaves such a watch on a dead inode after the first time. So
// this watches folders instead: the folder of each path as given, and the folder its symlinks
// lead to today; after every batch of events it re-resolves the symlinks and re-arms on the
// folders they now lead to. What counts is content: each path's SHA-256 is compared with the
// last one read, so a touch or a rewrite with the same bytes is no change, and a file that is
// deleted is no change until it comes back different.
//
// Events are debounced on the project clock (several arrive per save); a folder that cannot be
// watched (absent for now) is retried on the clock too.
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { type FSWatcher, readFileSync, readlinkSync, realpathSync, watch } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Clock, TimerHandle } from '../../bgp/index.js';

/** Editors and the kubelet touch several entries per save: wait for them to settle. */
export const DEFAULT_DEBOUNCE_MS = 300;
/** How often a folder that could not be watched is tried again. */
export const DEFAULT_RETRY_MS = 2000;

export interface ConfigWatcherOptions {
  /** The files whose content matters: the config file, the password files it names. */
  paths: readonly string[];
  clock: Clock;
  debounceMs?: number;
  retryMs?: number;
}

export interface ConfigWatcherEvents {
  /** Some watched content differs from what was last read: the paths, as given. */
  change: [paths: string[]];
  /** A file system event arrived and a check is due after the debounce (for tests and debug logs). */
  noticed: [folder: string, entry: string | null];
  /** A folder could not be watched (yet); retried every retryMs. */
  unwatchable: [folder: string, reason: string];
}

export class ConfigWatcher extends EventEmitter<ConfigWatcherEvents> {
  private paths: string[];
  /** SHA-256 of each path's content as last read; absent while unreadable. */
  private readonly digests = new Map<string, string>();
  private readonly watchers = new Map<string, FSWatcher>();
  private debounce: TimerHandle | undefined;
  private retry: TimerHandle | undefined;
  private closed = false;
  private started = false;
  private readonly debounceMs: number;
  private readonly retryMs: number;

  constructor(private readonly options: ConfigWatcherOptions) {
    super();
    this.paths = unique(options.paths);
    this.debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
    this.retryMs = options.retryMs ?? DEFAULT_RETRY_MS;
  }

  /**
   * Reads every path's current content as the baseline without watching yet: taken before the
   * files are loaded, it lets changed() tell a change made during the load and the start.
   */
  baseline(): void {
    for (const path of this.paths) this.remember(path);
  }

  /** Starts watching; a path without a baseline is read now. */
  start(): void {
    this.started = true;
    for (const path of this.paths) if (!this.digests.has(path)) this.remember(path);
    this.arm();
  }

  /** After a reload the password files may be others: watch these from now on (from start()). */
  setPaths(paths: readonly string[]): void {
    this.paths = unique(paths);
    for (const path of [...this.digests.keys()]) if (!this.paths.includes(path)) this.digests.delete(path);
    for (const path of this.paths) if (!this.digests.has(path)) this.remember(path);
    if (this.started) this.arm();
  }

  /** The paths whose content differs from the last read, now remembered as read. */
  changed(): string[] {
    return this.paths.filter((path) => this.remember(path));
  }

  /** The folders watched now (for tests and status). */
  get folders(): string[] {
    return [...this.watchers.keys()].sort();
  }

  close(): void {
    this.closed = true;
    this.debounce?.cancel();
    this.retry?.cancel();
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }

  /** Compares every path's content with the last read now, without waiting for an event. */
  check(): void {
    if (this.closed) return;
    this.debounce = undefined;
    const changed = this.changed();
    this.arm();
    if (changed.length > 0) this.emit('change', changed);
  }

  /** Reads a path; true if it is readable and its content differs from the last read. */
  private remember(path: string): boolean {
    let digest: string;
    try {
      digest = createHash('sha256').update(readFileSync(path)).digest('hex');
    } catch {
      // Deleted or swapped out for the moment: no change until something readable is back.
      return false;
    }
    const before = this.digests.get(path);
    this.digests.set(path, digest);
    return before !== undefined && before !== digest;
  }

  /** Watches the folders the paths live in and lead to; drops folders no longer wanted. */
  private arm(): void {
    if (this.closed) return;
    const wanted = new Set<string>();
    for (const path of this.paths) for (const folder of foldersOf(path)) wanted.add(folder);
    for (const [folder, w] of this.watchers) {
      if (!wanted.has(folder)) {
        w.close();
        this.watchers.delete(folder);
      }
    }
    let missing = false;
    for (const folder of wanted) {
      if (this.watchers.has(folder)) continue;
      try {
        const w = watch(folder, { persistent: false }, (_event, entry) => this.onEvent(folder, entry));
        // A watched folder that is deleted (the kubelet's old ..2024_* one) ends its watcher.
        w.on('error', () => this.drop(folder, w));
        this.watchers.set(folder, w);
      } catch (err) {
        missing = true;
        this.emit('unwatchable', folder, (err as NodeJS.ErrnoException).code ?? (err as Error).message);
      }
    }
    if (missing && !this.retry) {
      this.retry = this.options.clock.after(this.retryMs, () => {
        this.retry = undefined;
        this.check();
      });
    }
  }

  private drop(folder: string, w: FSWatcher): void {
    w.close();
    if (this.watchers.get(folder) === w) this.watchers.delete(folder);
    this.schedule();
  }

  private onEvent(folder: string, entry: string | Buffer | null): void {
    if (this.closed) return;
    this.emit('noticed', folder, entry === null ? null : String(entry));
    this.schedule();
  }

  private schedule(): void {
    if (this.closed) return;
    this.debounce?.cancel();
    this.debounce = this.options.clock.after(this.debounceMs, () => this.check());
  }
}

/** Most links followed from one path; past that it is a loop. */
const MAX_LINKS = 16;

/**
 * The folders a path's content depends on: its own, that of each link it goes through (a
 * ConfigMap's config.yaml -> ..data/config.yaml, or a link to that), and the one it ends in.
 */
function foldersOf(path: string): string[] {
  const folders: string[] = [];
  let at = resolve(path);
  for (let i = 0; i < MAX_LINKS; i++) {
    // Each folder by its real path: a folder reached through a link (..data/) is the one it leads to now.
    folders.push(realFolder(dirname(at)));
    let target: string;
    try {
      target = readlinkSync(at);
    } catch {
      break;
    }
    at = resolve(dirname(at), target);
  }
  try {
    folders.push(dirname(realpathSync(path)));
  } catch {
    // A dangling link or a missing file: the folders above see it come back.
  }
  return folders;
}

function realFolder(folder: string): string {
  try {
    return realpathSync(folder);
  } catch {
    return folder;
  }
}

function unique(paths: readonly string[]): string[] {
  return [...new Set(paths)];
}
