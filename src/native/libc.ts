// The service's one way into libc (rtnetlink for VIP addresses, AF_PACKET for ARP mode): koffi
// loaded on first use, so that importing a module never needs the native addon, and the
// network-namespace dance that makes a socket inside another namespace. (bgp/ keeps its own
// loader: the library must not import the service.)
import { closeSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants as osConstants } from 'node:os';

export type NativeFn = (...args: unknown[]) => number;

export interface LibcHandle {
  /** A libc function by its C prototype. */
  fn(prototype: string): NativeFn;
  errno(): number;
}

/** socket(2) type and flag (linux/net.h, fcntl.h), the same on x86-64 and arm64. */
export const SOCK_RAW = 3;
export const SOCK_CLOEXEC = 0o2000000;

const errnoNames = new Map<number, string>(Object.entries(osConstants.errno).map(([name, value]) => [value, name]));

/** `ENODEV` for 19 on Linux; `errno 4242` for a number this platform does not name. */
export function errnoName(errno: number): string {
  return errnoNames.get(Math.abs(errno)) ?? `errno ${Math.abs(errno)}`;
}

/** CLONE_NEWNET (linux/sched.h): setns(2) into a network namespace. */
const CLONE_NEWNET = 0x40000000;

let handle: LibcHandle | undefined;

/** Loads libc; throws an Error saying why it cannot (not Linux, koffi or libc missing). */
export function openLibc(): LibcHandle {
  if (handle) return handle;
  if (process.platform !== 'linux') throw new Error(`this needs Linux and this is ${process.platform}`);
  const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
  let lib;
  try {
    lib = koffi.load('libc.so.6');
  } catch {
    lib = koffi.load(null); // musl and others: the symbols the process already links
  }
  handle = { fn: (prototype) => lib.func(prototype) as unknown as NativeFn, errno: () => koffi.errno() };
  return handle;
}

export type NamespaceFailure = { stage: 'open'; path: string; errno: string | undefined } | { stage: 'enter'; path: string; errno: number };

/**
 * Runs `make` (which opens a socket) inside network namespace `netns` (a name under /run/netns
 * or a path) and returns to our own: a socket stays in the namespace it was made in.
 */
export function inNetworkNamespace<T>(
  c: { setns: NativeFn; errno(): number },
  netns: string,
  make: () => T,
  errnoName: (errno: number) => string,
): { ok: true; value: T } | { ok: false; failure: NamespaceFailure } {
  const path = netns.startsWith('/') ? netns : `/run/netns/${netns}`;
  let target: number;
  try {
    target = openSync(path, 'r');
  } catch (error) {
    return { ok: false, failure: { stage: 'open', path, errno: (error as NodeJS.ErrnoException).code } };
  }
  const home = openSync('/proc/thread-self/ns/net', 'r');
  try {
    if (c.setns(target, CLONE_NEWNET) !== 0) return { ok: false, failure: { stage: 'enter', path, errno: c.errno() } };
    const value = make();
    if (c.setns(home, CLONE_NEWNET) !== 0) {
      // The main thread would stay in the wrong namespace: nothing after this could be trusted.
      throw new Error(`vip-speaker cannot return to its own network namespace after entering ${netns} (${errnoName(c.errno())})`);
    }
    return { ok: true, value };
  } finally {
    closeSync(home);
    closeSync(target);
  }
}
