// Feeds routes to gobgpd through its gRPC API (AddPathStream, GoBGP 3's api/gobgp.proto), run
// inside the speaker namespace where the API listens on 127.0.0.1. Started before the clock, it
// waits for commands on stdin, one a line: `add ipv4|ipv6 COUNT OFFSET` streams those bench VIPs
// in requests of PATHS_PER_REQUEST paths, waits for gobgpd's answer and prints `done`.
// gRPC by hand over node:http2 (length-prefixed protobuf), since the gobgp 3.10 CLI's
// `mrt inject` exits without closing its stream and loses the last routes it sent.
import { type ClientHttp2Session, connect } from 'node:http2';
import { createInterface } from 'node:readline';
import { benchVips, type VipFamily } from './vips.js';

const API = 'http://127.0.0.1:50051';
const METHOD = '/apipb.GobgpApi/AddPathStream';
const TYPE = (name: string) => `type.googleapis.com/apipb.${name}`;
const PATHS_PER_REQUEST = 1000;
const API_WAIT_MS = 15_000;
const API_POLL_MS = 10;
const NEXT_HOP = { ipv4: '192.0.2.2', ipv6: '2001:db8:1::2' } as const;
/** Family.Afi values. */
const AFI = { ipv4: 1, ipv6: 2 } as const;
const SAFI_UNICAST = 1;

// Protocol Buffers wire format: a key is (field number << 3 | wire type).
const VARINT = 0;
const LENGTH_DELIMITED = 2;

function varint(value: number): number[] {
  const out: number[] = [];
  while (value > 0x7f) {
    out.push((value & 0x7f) | 0x80);
    value = Math.floor(value / 128);
  }
  out.push(value);
  return out;
}

const uintField = (field: number, value: number) => (value === 0 ? Buffer.alloc(0) : Buffer.from([...varint((field << 3) | VARINT), ...varint(value)]));
const bytesField = (field: number, bytes: Buffer) => Buffer.concat([Buffer.from([...varint((field << 3) | LENGTH_DELIMITED), ...varint(bytes.length)]), bytes]);
const stringField = (field: number, text: string) => bytesField(field, Buffer.from(text));
/** google.protobuf.Any: type_url 1, value 2. */
const any = (type: string, value: Buffer) => Buffer.concat([stringField(1, TYPE(type)), bytesField(2, value)]);

function family(f: VipFamily): Buffer {
  return Buffer.concat([uintField(1, AFI[f]), uintField(2, SAFI_UNICAST)]);
}

/** apipb.Path for one host route: NLRI, ORIGIN IGP, an empty AS_PATH, and the next hop. */
export function path(address: string, f: VipFamily): Buffer {
  const prefix = Buffer.concat([uintField(1, f === 'ipv4' ? 32 : 128), stringField(2, address)]);
  const nlri = any('IPAddressPrefix', prefix);
  const attributes = [any('OriginAttribute', Buffer.alloc(0)), any('AsPathAttribute', Buffer.alloc(0))];
  if (f === 'ipv4') attributes.push(any('NextHopAttribute', stringField(1, NEXT_HOP.ipv4)));
  else attributes.push(any('MpReachNLRIAttribute', Buffer.concat([bytesField(1, family(f)), stringField(2, NEXT_HOP.ipv6), bytesField(3, nlri)])));
  return Buffer.concat([bytesField(1, nlri), ...attributes.map((a) => bytesField(2, a)), bytesField(9, family(f))]);
}

/** gRPC's framing: not compressed, 4-octet big-endian length, the message. */
function frame(message: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(message.length, 1);
  return Buffer.concat([header, message]);
}

let session: ClientHttp2Session | undefined;

async function openSession(): Promise<ClientHttp2Session> {
  if (session && !session.closed && !session.destroyed) return session;
  const fresh = connect(API);
  fresh.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    fresh.once('connect', () => resolve());
    fresh.once('error', reject);
  });
  fresh.once('close', () => {
    if (session === fresh) session = undefined;
  });
  return (session = fresh);
}

async function addPaths(paths: Buffer[]): Promise<void> {
  const stream = (await openSession()).request({ ':method': 'POST', ':path': METHOD, 'content-type': 'application/grpc', te: 'trailers' });
  const status = new Promise<string>((resolve, reject) => {
    stream.on('trailers', (t) => resolve(String(t['grpc-status'] ?? '')));
    stream.on('response', (h) => h['grpc-status'] !== undefined && resolve(String(h['grpc-status'])));
    stream.on('error', reject);
    stream.on('close', () => reject(new Error('the AddPathStream call closed without a status')));
    stream.on('data', () => undefined);
  });
  for (let i = 0; i < paths.length; i += PATHS_PER_REQUEST) {
    // AddPathStreamRequest: table_type GLOBAL (0, left out), paths 3.
    const request = Buffer.concat(paths.slice(i, i + PATHS_PER_REQUEST).map((p) => bytesField(3, p)));
    if (!stream.write(frame(request))) await new Promise((r) => stream.once('drain', r));
  }
  stream.end();
  const code = await status;
  if (code !== '0') throw new Error(`gobgpd answered AddPathStream with grpc-status ${code}`);
}

/** Adds the paths, trying again while gobgpd is starting (no API yet, or no BGP server yet). */
async function addWhenUp(paths: Buffer[]): Promise<void> {
  const deadline = Date.now() + API_WAIT_MS;
  for (;;) {
    try {
      return await addPaths(paths);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      session?.destroy();
      session = undefined;
      await new Promise((r) => setTimeout(r, API_POLL_MS));
    }
  }
}

const lines = createInterface({ input: process.stdin });
console.log('ready');
for await (const line of lines) {
  const [command, f, count, offset] = line.trim().split(/\s+/);
  if (command !== 'add' || (f !== 'ipv4' && f !== 'ipv6')) {
    console.log(`error unknown command ${JSON.stringify(line)}`);
    continue;
  }
  try {
    const { addresses } = benchVips(f, Number(count), Number(offset ?? 0));
    await addWhenUp(addresses.map((a) => path(a, f)));
    console.log('done');
  } catch (error) {
    console.log(`error ${(error as Error).message}`);
  }
}
session?.close();
