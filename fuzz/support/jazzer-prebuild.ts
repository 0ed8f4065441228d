// Jazzer.js 4.0.0 ships its native part (libFuzzer and the coverage bridge) prebuilt, and the
// Linux x64 build was linked on a newer system than Debian 12: it asks for glibc 2.38 (for
// __isoc23_strtol and __isoc23_strtoul, C23's strtol and strtoul, which also read "0b"
// prefixes) and libstdc++'s GLIBCXX_3.4.32 (for std::ios_base_library_init, a symbol GCC 13
// only references to pin that version, never calls). Debian 12 has glibc 2.36 and GCC 12's
// libstdc++, so loading fails with "version `GLIBC_2.38' not found". The addon cannot be built
// here either: its build downloads a patched LLVM from a host this machine cannot reach.
//
// So, when and only when the addon does not load, this rewrites its ELF version needs in
// place: the two C23 functions become plain strtol/strtoul@GLIBC_2.2.5 (libFuzzer parses its
// flags in base 10, where the two agree) and the GLIBCXX_3.4.32 need becomes GLIBCXX_3.4.30
// (the symbol has no relocation, so nothing is looked up). Only the one known file is touched,
// recognised by its SHA-256; the original is kept beside it as .orig.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** SHA-256 of prebuilds/fuzzer-linux-x64.node in @jazzer.js/fuzzer 4.0.0, as published. */
const KNOWN_PREBUILD_SHA256 = '59ffc0d22ea37c5edcf3d8b9b76b1d964940461a9337d0b14068e378e7703ac9';
const C23_PREFIX = '__isoc23_';
const C23_FUNCTIONS = new Set(['__isoc23_strtol', '__isoc23_strtoul']);
const VERSION_REPLACEMENTS: Record<string, string> = { 'GLIBC_2.38': 'GLIBC_2.2.5', 'GLIBCXX_3.4.32': 'GLIBCXX_3.4.30' };

// ELF64 little-endian layout (System V gABI; GNU symbol versioning).
const SHT_DYNSYM = 11;
const SHT_GNU_VERNEED = 0x6ffffffe;
const E_SHOFF = 0x28;
const E_SHENTSIZE = 0x3a;
const E_SHNUM = 0x3c;
const SH_TYPE = 4;
const SH_OFFSET = 0x18;
const SH_SIZE = 0x20;
const SH_LINK = 0x28;
const SYM_SIZE = 24;

export interface PrebuildState {
  path: string;
  /** What was done: nothing needed, or the patch. */
  action: 'loads' | 'patched';
}

/** The addon Jazzer.js will load on this machine. */
export function prebuildPath(): string {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('@jazzer.js/fuzzer/package.json');
  return join(dirname(pkg), 'prebuilds', `fuzzer-${process.platform}-${process.arch}.node`);
}

/** Whether a fresh node process can load the addon; the loader's message when not. */
export function loads(path: string): { ok: boolean; message: string } {
  const r = spawnSync(process.execPath, ['-e', 'require(process.argv[1])', path], { encoding: 'utf8' });
  const message = (r.stderr ?? '').split('\n').find((l) => l.startsWith('Error:')) ?? r.stderr ?? '';
  return { ok: r.status === 0, message };
}

/** Makes the Jazzer.js addon loadable, or throws saying exactly why it cannot. */
export function ensurePrebuildLoads(): PrebuildState {
  const path = prebuildPath();
  if (!existsSync(path)) throw new Error(`Jazzer.js has no prebuilt addon for ${process.platform}-${process.arch} (${path})`);
  const before = loads(path);
  if (before.ok) return { path, action: 'loads' };
  const original = readFileSync(path);
  const sha = createHash('sha256').update(original).digest('hex');
  if (sha !== KNOWN_PREBUILD_SHA256) {
    throw new Error(`the Jazzer.js addon does not load (${before.message}) and is not the 4.0.0 build this project knows how to adapt (sha256 ${sha})`);
  }
  copyFileSync(path, `${path}.orig`);
  writeFileSync(path, patchVersionNeeds(original));
  const after = loads(path);
  if (!after.ok) {
    copyFileSync(`${path}.orig`, path);
    throw new Error(`the Jazzer.js addon does not load even after adapting its version needs: ${after.message}`);
  }
  return { path, action: 'patched' };
}

interface Section {
  type: number;
  offset: number;
  size: number;
  link: number;
}

/** The ELF rewrite described at the top of this file; returns a new buffer. */
export function patchVersionNeeds(elf: Buffer): Buffer {
  const b = Buffer.from(elf);
  const shoff = Number(b.readBigUInt64LE(E_SHOFF));
  const shentsize = b.readUInt16LE(E_SHENTSIZE);
  const shnum = b.readUInt16LE(E_SHNUM);
  const sections: Section[] = [];
  for (let i = 0; i < shnum; i++) {
    const at = shoff + i * shentsize;
    sections.push({ type: b.readUInt32LE(at + SH_TYPE), offset: Number(b.readBigUInt64LE(at + SH_OFFSET)), size: Number(b.readBigUInt64LE(at + SH_SIZE)), link: b.readUInt32LE(at + SH_LINK) });
  }
  const dynsym = sections.find((s) => s.type === SHT_DYNSYM);
  const verneed = sections.find((s) => s.type === SHT_GNU_VERNEED);
  if (!dynsym || !verneed) throw new Error('the addon has no dynamic symbols or version needs');
  const strtab = sections[dynsym.link]!.offset;
  const text = (offset: number) => b.toString('latin1', strtab + offset, b.indexOf(0, strtab + offset));

  // Elf64_Verneed {vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32};
  // Elf64_Vernaux {vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32}.
  const aux: { at: number; name: string; nameOffset: number }[] = [];
  for (let at = verneed.offset; ; ) {
    const count = b.readUInt16LE(at + 2);
    let a = at + b.readUInt32LE(at + 8);
    for (let i = 0; i < count; i++) {
      aux.push({ at: a, name: text(b.readUInt32LE(a + 8)), nameOffset: b.readUInt32LE(a + 8) });
      a += b.readUInt32LE(a + 12);
    }
    const next = b.readUInt32LE(at + 12);
    if (next === 0) break;
    at += next;
  }
  for (const entry of aux) {
    const replacement = VERSION_REPLACEMENTS[entry.name];
    if (replacement === undefined) continue;
    const target = aux.find((x) => x.name === replacement);
    if (!target) throw new Error(`the addon needs ${entry.name} but names no ${replacement} to use instead`);
    b.writeUInt32LE(elfHash(replacement), entry.at);
    b.writeUInt32LE(target.nameOffset, entry.at + 8);
  }
  // The C23 names end in the plain ones: point each symbol's name past the prefix.
  for (let at = dynsym.offset; at < dynsym.offset + dynsym.size; at += SYM_SIZE) {
    const nameOffset = b.readUInt32LE(at);
    if (C23_FUNCTIONS.has(text(nameOffset))) b.writeUInt32LE(nameOffset + C23_PREFIX.length, at);
  }
  return b;
}

/** The System V ABI's ELF hash, which vna_hash holds. */
function elfHash(name: string): number {
  let h = 0;
  for (const c of Buffer.from(name, 'latin1')) {
    h = ((h << 4) + c) >>> 0;
    const g = h & 0xf0000000;
    if (g !== 0) h ^= g >>> 24;
    h &= ~g >>> 0;
  }
  return h >>> 0;
}
