// The kernel filter that enforces the TTL rules of RFC 5881 §5 and RFC 5883 §5 on the BFD
// sockets, as a classic BPF program (SO_ATTACH_FILTER). Why a filter: the check needs each
// packet's received TTL, which arrives as IP_RECVTTL / IPV6_RECVHOPLIMIT ancillary data that
// Node's `dgram` never hands over, and reading the socket ourselves through FFI would need an
// event loop of our own. A socket filter sees the IP header of every datagram before it is
// queued (loads at SKF_NET_OFF are relative to the network header), so a packet with the wrong
// TTL is dropped by the kernel and never reaches the process at all.
//
// This file only builds the program (pure, unit-tested with an interpreter); udp.ts attaches it.
import { BFD_TTL } from './constants.js';

/** struct sock_filter (linux/filter.h). */
export interface BpfInstruction {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

/** Instruction classes, sizes, modes and operations of linux/bpf_common.h. */
export const BpfOp = {
  LD_W_ABS: 0x00 | 0x00 | 0x20,
  LD_B_ABS: 0x00 | 0x10 | 0x20,
  ALU_RSH_K: 0x04 | 0x70 | 0x00,
  JMP_JEQ_K: 0x05 | 0x10 | 0x00,
  JMP_JGE_K: 0x05 | 0x30 | 0x00,
  RET_K: 0x06 | 0x00,
} as const;

/** linux/filter.h: loads from here on are relative to the network (IP) header. */
export const SKF_NET_OFF = -0x100000;
/** Returned to keep the whole datagram (the kernel keeps min(this, length) octets). */
export const BPF_ACCEPT = 0xffffffff;
export const BPF_DROP = 0;
/** cBPF jump offsets are one octet. */
const MAX_JUMP = 0xff;

/** Where the fields live in each IP header (RFC 791 §3.1, RFC 8200 §3). */
const IPV4 = { version: 4, ttl: 8, source: 12, sourceWords: 1 } as const;
const IPV6 = { version: 6, ttl: 7, source: 8, sourceWords: 4 } as const;
const VERSION_SHIFT = 4;

/** One peer of a multihop socket: packets from `address` need a TTL of at least `minTtl`. */
export interface PeerTtlRule {
  /** 4 (IPv4) or 16 (IPv6) octets, in network order. */
  address: Uint8Array;
  minTtl: number;
}

export interface TtlFilterPolicy {
  family: 'ipv4' | 'ipv6';
  /** Per-peer minimum TTLs, checked first. */
  peers: readonly PeerTtlRule[];
  /** Packets from any other source need at least this TTL; undefined drops them. */
  defaultMinTtl?: number;
}

type Target = string;
interface Pending {
  code: number;
  k: number;
  jt?: Target;
  jf?: Target;
}

/** A tiny assembler: instructions with named jump targets, resolved to cBPF's relative offsets. */
class Program {
  private readonly items: Pending[] = [];
  private readonly labels = new Map<Target, number>();

  label(name: Target): void {
    this.labels.set(name, this.items.length);
  }
  op(code: number, k: number, jt?: Target, jf?: Target): void {
    this.items.push({ code, k: k >>> 0, ...(jt !== undefined ? { jt } : {}), ...(jf !== undefined ? { jf } : {}) });
  }
  build(): BpfInstruction[] {
    return this.items.map((item, at) => ({ code: item.code, k: item.k, jt: this.offset(item.jt, at), jf: this.offset(item.jf, at) }));
  }
  private offset(target: Target | undefined, at: number): number {
    if (target === undefined) return 0;
    const to = this.labels.get(target);
    if (to === undefined) throw new Error(`BPF label ${target} is not defined`);
    const distance = to - at - 1;
    if (distance < 0 || distance > MAX_JUMP) throw new Error(`BPF jump to ${target} spans ${distance} instructions; cBPF allows 0 to ${MAX_JUMP}`);
    return distance;
  }
}

const net = (offset: number) => SKF_NET_OFF + offset;

/**
 * The filter for one BFD receive socket: the IP version must be the socket's; then the source's
 * own minimum TTL if it has one, else `defaultMinTtl`, else drop. TTL ≥ 255 is RFC 5881's
 * "equal to 255" for single hop.
 */
export function ttlFilterProgram(policy: TtlFilterPolicy): BpfInstruction[] {
  const ip = policy.family === 'ipv4' ? IPV4 : IPV6;
  const p = new Program();
  p.op(BpfOp.LD_B_ABS, net(0));
  p.op(BpfOp.ALU_RSH_K, VERSION_SHIFT);
  // Every branch returns close by: cBPF jumps reach only 255 instructions ahead.
  p.op(BpfOp.JMP_JEQ_K, ip.version, 'version-ok');
  p.op(BpfOp.RET_K, BPF_DROP);
  p.label('version-ok');
  policy.peers.forEach((peer, i) => {
    const next = `peer-${i + 1}`;
    for (let word = 0; word < ip.sourceWords; word++) {
      p.op(BpfOp.LD_W_ABS, net(ip.source + 4 * word));
      p.op(BpfOp.JMP_JEQ_K, readWord(peer.address, word), undefined, next);
    }
    ttlCheck(p, ip.ttl, peer.minTtl, `ttl-${i}`);
    p.label(next);
  });
  if (policy.defaultMinTtl !== undefined) ttlCheck(p, ip.ttl, policy.defaultMinTtl, 'ttl-default');
  else p.op(BpfOp.RET_K, BPF_DROP);
  return p.build();
}

/** Accept when the TTL is at least `minTtl`, drop otherwise; both branches return. */
function ttlCheck(p: Program, ttlOffset: number, minTtl: number, name: string): void {
  p.op(BpfOp.LD_B_ABS, net(ttlOffset));
  p.op(BpfOp.JMP_JGE_K, minTtl, `${name}-accept`, `${name}-drop`);
  p.label(`${name}-accept`);
  p.op(BpfOp.RET_K, BPF_ACCEPT);
  p.label(`${name}-drop`);
  p.op(BpfOp.RET_K, BPF_DROP);
}

function readWord(address: Uint8Array, word: number): number {
  return new DataView(address.buffer, address.byteOffset + 4 * word, 4).getUint32(0);
}

/** RFC 5881 §5: a single-hop socket accepts TTL / Hop Limit 255 and nothing else. */
export function singleHopFilter(family: 'ipv4' | 'ipv6'): BpfInstruction[] {
  return ttlFilterProgram({ family, peers: [], defaultMinTtl: BFD_TTL });
}

/** A socket that only sends (a session's source port) keeps nothing that arrives on it. */
export function dropAllFilter(): BpfInstruction[] {
  return [{ code: BpfOp.RET_K, jt: 0, jf: 0, k: BPF_DROP }];
}
