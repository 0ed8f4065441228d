// The second, independent decoder: Wireshark's BGP dissector, through tshark. What the speaker
// sent on each connection is written as one TCP stream from port 179 into a pcap file (no
// packet is sent anywhere: the addresses are documentation ranges, inside the file only), and
// tshark must find the same number of BGP messages and flag none as malformed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PCAP_MAGIC = 0xa1b2c3d4;
const PCAP_VERSION_MAJOR = 2;
const PCAP_VERSION_MINOR = 4;
const SNAPLEN = 0xffff;
/** LINKTYPE_RAW: each packet starts with its IP header. */
const LINKTYPE_RAW = 101;
const IPV4_HEADER = 20;
const TCP_HEADER = 20;
const MAX_SEGMENT = 1400;
const TCP_SYN = 0x02;
const TCP_ACK = 0x10;
const TCP_PSH_ACK = 0x18;
const IPPROTO_TCP = 6;
const DEFAULT_TTL = 64;
const BGP_PORT = 179;
const FIRST_CLIENT_PORT = 40000;
const SPEAKER = [192, 0, 2, 1];
const PEER = [192, 0, 2, 2];
/** Bounds tshark on a large capture. */
const TSHARK_TIMEOUT_MS = 120_000;

export function tsharkAvailable(): boolean {
  return spawnSync('tshark', ['-v'], { stdio: 'ignore' }).status === 0;
}

/** A pcap with one TCP stream per entry, each carrying that stream's octets from port 179. */
export function pcapOf(streams: Uint8Array[]): Buffer {
  const parts: Buffer[] = [];
  const global = Buffer.alloc(24);
  global.writeUInt32LE(PCAP_MAGIC, 0);
  global.writeUInt16LE(PCAP_VERSION_MAJOR, 4);
  global.writeUInt16LE(PCAP_VERSION_MINOR, 6);
  global.writeUInt32LE(SNAPLEN, 16);
  global.writeUInt32LE(LINKTYPE_RAW, 20);
  parts.push(global);
  let second = 0;
  streams.forEach((stream, i) => {
    const port = FIRST_CLIENT_PORT + (i % 20000);
    const isn = 1000;
    const packet = (flags: number, seq: number, payload: Uint8Array) => {
      const ip = Buffer.alloc(IPV4_HEADER + TCP_HEADER + payload.length);
      ip[0] = 0x45;
      ip.writeUInt16BE(ip.length, 2);
      ip[8] = DEFAULT_TTL;
      ip[9] = IPPROTO_TCP;
      ip.set(SPEAKER, 12);
      ip.set(PEER, 16);
      ip.writeUInt16BE(ipChecksum(ip.subarray(0, IPV4_HEADER)), 10);
      const tcp = ip.subarray(IPV4_HEADER);
      tcp.writeUInt16BE(BGP_PORT, 0);
      tcp.writeUInt16BE(port, 2);
      tcp.writeUInt32BE(seq >>> 0, 4);
      tcp.writeUInt32BE(1, 8);
      tcp[12] = (TCP_HEADER / 4) << 4;
      tcp[13] = flags;
      tcp.writeUInt16BE(0xffff, 14);
      tcp.set(payload, TCP_HEADER);
      const record = Buffer.alloc(16);
      record.writeUInt32LE(second++, 0);
      record.writeUInt32LE(ip.length, 8);
      record.writeUInt32LE(ip.length, 12);
      parts.push(record, ip);
    };
    packet(TCP_SYN | TCP_ACK, isn, new Uint8Array(0));
    for (let at = 0; at < stream.length; at += MAX_SEGMENT) packet(TCP_PSH_ACK, isn + 1 + at, stream.subarray(at, at + MAX_SEGMENT));
  });
  return Buffer.concat(parts);
}

function ipChecksum(header: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < header.length; i += 2) sum += (header[i]! << 8) | header[i + 1]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export interface TsharkVerdict {
  /** BGP messages tshark dissected, over all streams. */
  messages: number;
  /** Frames tshark marked malformed or with an error-level expert note, with its words. */
  problems: string[];
}

/** Runs tshark over the streams; throws if tshark itself fails. */
export function tsharkCheck(streams: Uint8Array[]): TsharkVerdict {
  const dir = mkdtempSync(join(tmpdir(), 'vip-speaker-tshark-'));
  try {
    const file = join(dir, 'speaker.pcap');
    writeFileSync(file, pcapOf(streams));
    const common = ['-n', '-r', file, '-d', `tcp.port==${BGP_PORT},bgp`, '-o', 'tcp.desegment_tcp_streams:TRUE'];
    const types = spawnSync('tshark', [...common, '-Y', 'bgp', '-T', 'fields', '-e', 'bgp.type'], { encoding: 'utf8', timeout: TSHARK_TIMEOUT_MS, maxBuffer: 1 << 28 });
    if (types.status !== 0) throw new Error(`tshark failed: ${types.stderr}`);
    const messages = types.stdout.split('\n').filter((l) => l.trim() !== '').reduce((n, l) => n + l.split(',').length, 0);
    const bad = spawnSync('tshark', [...common, '-Y', '_ws.malformed || _ws.expert.severity >= "Warning"', '-T', 'fields', '-e', 'frame.number', '-e', '_ws.expert.message'], {
      encoding: 'utf8',
      timeout: TSHARK_TIMEOUT_MS,
      maxBuffer: 1 << 28,
    });
    if (bad.status !== 0) throw new Error(`tshark failed: ${bad.stderr}`);
    return { messages, problems: bad.stdout.split('\n').filter((l) => l.trim() !== '') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
