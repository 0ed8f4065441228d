// Peers: each item of `peers` is a kube-vip peer string or an object; both become the same
// PeerSpec through the same checks, so a rule is enforced once whichever form it came in.
import { TCP_MD5SIG_MAXKEYLEN } from '../../bgp/index.js';
import { childPath, shown } from './errors.js';
import { BFD_DEFAULTS, parsePeerString, redactPeerString } from './peer-string.js';
import { insecureFile } from './permissions.js';
import type { Mapping, Reader } from './reader.js';
import { timerPairProblem } from './timers.js';
import type { BfdSpec, HostAccess, NextHopMode, PeerSpec, Timers } from './types.js';
import {
  checkAsn,
  checkCommunity,
  checkHoldTime,
  checkInteger,
  checkIp,
  checkLargeCommunity,
  checkPort,
  unusablePeerAddress,
  type Checked,
} from './values.js';

export const PEER_KEYS = [
  'address', 'asn', 'port', 'password', 'passwordFile', 'passwordEnv', 'multihop', 'ttl', 'gtsmHops',
  'sourceAddress', 'sourceInterface', 'holdTime', 'keepaliveTime', 'communities', 'largeCommunities',
  'passive', 'mpbgp', 'bfd',
] as const;
export const MPBGP_KEYS = ['nexthop', 'ipv4', 'ipv6'] as const;
export const BFD_KEYS = ['enabled', 'rx', 'tx', 'multiplier'] as const;
/** The interval fields of BFD are 32-bit microseconds (RFC 5880 §4.1): whole milliseconds up to this. */
const MAX_BFD_INTERVAL_MS = Math.floor(0xffffffff / 1000);
const NEXT_HOP_MODES: readonly NextHopMode[] = ['fixed', 'auto_sourceip', 'auto_sourceif'];
/** kube-vip's eBGP multihop TTL (pkg/bgp: MultihopTtl 50). */
export const DEFAULT_MULTIHOP_TTL = 50;

/** Settings of the whole node that each peer inherits unless it sets its own. */
export interface PeerDefaults {
  timers: Timers;
  sourceAddress?: string;
  sourceInterface?: string;
  mpbgp?: MpbgpDraft;
  /** The node's `bfd` section: every peer runs BFD so unless it says otherwise. */
  bfd?: Partial<BfdSpec>;
}

/** One peer before the shared checks; `where` and `label` say how to name a field in errors. */
interface PeerDraft {
  path: string;
  where: (field: string) => string;
  label: (field: string) => string;
  values: Mapping;
  password?: { secret: string; source: 'literal' | 'file' | 'env'; field: string; file?: string };
  mpbgp?: Mapping;
  bfd?: Mapping;
}

const STRING_LABELS: Record<string, string> = { address: 'address', asn: 'AS', port: 'port', password: 'password', mpbgp: 'MP-BGP', bfd: 'BFD' };

/**
 * `fromCommaList`: the strings were cut from one bgp_peers value, so an entry that does not
 * start with an address may be the tail of the previous entry's password.
 */
export function readPeers(reader: Reader, value: unknown, path: string, defaults: PeerDefaults, host: HostAccess, fromCommaList = false): PeerSpec[] {
  const items = reader.list(value, path) ?? [];
  const peers: PeerSpec[] = [];
  const seen = new Map<string, string>();
  let previousPassword = false;
  items.forEach((item, i) => {
    const itemPath = childPath(path, i);
    const draft = typeof item === 'string' ? fromString(reader, item, itemPath, previousPassword) : fromObject(reader, item, itemPath, host);
    previousPassword = fromCommaList && typeof item === 'string' && draft?.password !== undefined;
    const peer = draft && resolvePeer(reader, draft, defaults);
    if (!peer) return;
    const first = seen.get(peer.address);
    if (first !== undefined) {
      reader.report('CONFIG_DUPLICATE', itemPath, `peer ${peer.address} is listed twice (also ${reader.name(first)})`);
      return;
    }
    seen.set(peer.address, itemPath);
    peers.push(peer);
  });
  return peers;
}

function fromString(reader: Reader, text: string, path: string, previousPassword: boolean): PeerDraft | undefined {
  const trimmed = text.trim();
  if (trimmed.includes(',')) {
    reader.report('CONFIG_AMBIGUOUS', path, `holds a ",": list one peer per item, and write a password containing "," in the object form (address, asn, password)`);
    return undefined;
  }
  const parsed = parsePeerString(trimmed);
  if (!parsed.ok) {
    if (parsed.error.badAddress && previousPassword) {
      const previous = reader.name(path.replace(/\[(\d+)\]$/, (_, n: string) => `[${Number(n) - 1}]`));
      reader.report('CONFIG_AMBIGUOUS', path, `does not start with a peer address; if the password of ${previous} contains ",", the peer string cannot express it: use the object form (address, asn, password) in a config file`);
    } else {
      reader.problem(path, parsed.error);
    }
    return undefined;
  }
  const { password, mpbgp, bfd, ...rest } = parsed.value;
  const draft: PeerDraft = {
    path,
    where: () => path,
    label: (field) => `${STRING_LABELS[field] ?? field} field of ${JSON.stringify(redactPeerString(trimmed))}: `,
    values: rest,
  };
  if (password !== '') draft.password = { secret: password, source: 'literal', field: 'password' };
  if (mpbgp) draft.mpbgp = mpbgp;
  if (bfd) draft.bfd = bfd;
  return draft;
}

function fromObject(reader: Reader, item: unknown, path: string, host: HostAccess): PeerDraft | undefined {
  if (Array.isArray(item)) {
    reader.report('CONFIG_WRONG_TYPE', path, `expected a peer string or a mapping, got a list (in YAML, a peer string that starts with "[" must be quoted: "[2001:db8::1]:65000::false")`);
    return undefined;
  }
  if (item === null || typeof item !== 'object') {
    reader.report('CONFIG_WRONG_TYPE', path, `expected a peer string or a mapping, got ${shown(item)}`);
    return undefined;
  }
  const values = reader.mapping(item, path, PEER_KEYS);
  if (!values) return undefined;
  const draft: PeerDraft = { path, where: (field) => childPath(path, field), label: () => '', values };
  const password = readPassword(reader, values, path, host);
  if (password) draft.password = password;
  const mpbgp = reader.mapping(values.mpbgp, childPath(path, 'mpbgp'), MPBGP_KEYS);
  if (mpbgp) draft.mpbgp = mpbgp;
  const bfd = reader.mapping(values.bfd, childPath(path, 'bfd'), BFD_KEYS);
  if (bfd) draft.bfd = bfd;
  return draft;
}

/** password, passwordFile or passwordEnv: at most one, resolved to the secret itself. */
function readPassword(reader: Reader, values: Mapping, path: string, host: HostAccess): PeerDraft['password'] {
  const given = (['password', 'passwordFile', 'passwordEnv'] as const).filter((k) => values[k] !== undefined);
  if (given.length > 1) {
    reader.report('CONFIG_CONFLICT', path, `set only one of ${given.join(', ')}: each gives the peer's password`);
    return undefined;
  }
  const [field] = given;
  if (field === undefined) return undefined;
  const fieldPath = childPath(path, field);
  if (field === 'password') {
    const text = reader.string(values.password, fieldPath, { secret: true });
    return text ? { secret: text, source: 'literal', field } : undefined;
  }
  if (field === 'passwordFile') {
    const file = reader.string(values.passwordFile, fieldPath, { nonEmpty: true });
    if (file === undefined) return undefined;
    const insecure = insecureFile(file, 'the password file', host);
    if (insecure) return void reader.report('CONFIG_INSECURE', fieldPath, insecure);
    let text: string;
    try {
      text = host.readFile(file).replace(/\r?\n$/, '');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && host.deferMissingSecret) {
        return void host.deferMissingSecret(reader.located('CONFIG_UNREADABLE', fieldPath, `${file} does not exist on this machine: \`run\` refuses to start until it does`));
      }
      reader.report('CONFIG_UNREADABLE', fieldPath, `cannot read ${file}: ${code ?? (err as Error).message}`);
      return undefined;
    }
    if (text === '') return void reader.report('CONFIG_INVALID_VALUE', fieldPath, `${file} is empty: a missing secret must not turn TCP MD5 off`);
    return { secret: text, source: 'file', field, file };
  }
  const name = reader.string(values.passwordEnv, fieldPath, { nonEmpty: true });
  if (name === undefined) return undefined;
  // Own keys only: passwordEnv "constructor" must not find Object on the prototype.
  const text = Object.hasOwn(host.env, name) ? host.env[name] : undefined;
  if (text === undefined) {
    if (host.deferMissingSecret) return void host.deferMissingSecret(reader.located('CONFIG_MISSING', fieldPath, `environment variable ${name} is not set here: \`run\` refuses to start until it is`));
    return void reader.report('CONFIG_MISSING', fieldPath, `environment variable ${name} is not set`);
  }
  if (text === '') return void reader.report('CONFIG_INVALID_VALUE', fieldPath, `environment variable ${name} is empty: a missing secret must not turn TCP MD5 off`);
  return { secret: text, source: 'env', field };
}

function resolvePeer(reader: Reader, draft: PeerDraft, defaults: PeerDefaults): PeerSpec | undefined {
  const errorsBefore = reader.errors.length;
  const v = draft.values;
  const at = <T>(field: string, value: unknown, check: (value: unknown) => Checked<T>): T | undefined => {
    if (value === undefined) return undefined;
    const result = check(value);
    if (result.ok) return result.value;
    reader.report(result.error.code, draft.where(field), draft.label(field) + result.error.message);
    return undefined;
  };
  const conflict = (field: string, message: string) => reader.report('CONFIG_CONFLICT', draft.where(field), message);

  if (v.address === undefined) reader.report('CONFIG_MISSING', draft.where('address'), "missing: the peer's IP address");
  if (v.asn === undefined) reader.report('CONFIG_MISSING', draft.where('asn'), "missing: the peer's AS number");
  const address = at('address', v.address, (value) => {
    const ip = checkIp(value);
    const unusable = ip.ok ? unusablePeerAddress(ip.value) : undefined;
    if (unusable === 'a link-local address') return { ok: false, error: { code: 'CONFIG_UNSUPPORTED', message: `${ip.ok ? ip.value : ''} is an IPv6 link-local address: unnumbered peers (reached through an interface) are not supported yet` } };
    return unusable ? { ok: false, error: { code: 'CONFIG_INVALID_VALUE', message: `${JSON.stringify(value)} is ${unusable} and cannot be a peer` } } : ip;
  });
  const asn = at('asn', v.asn, checkAsn);
  const port = at('port', v.port, checkPort) ?? 179;
  const passive = reader.boolean(v.passive, draft.where('passive')) ?? false;

  // TTL: plain eBGP sends 1; multihop sends `ttl` (50 unless set); GTSM sends 255 and checks on arrival.
  const multihopFlag = reader.boolean(v.multihop, draft.where('multihop'));
  const ttl = at('ttl', v.ttl, (value) => checkInteger(value, 1, 255, 'a TTL'));
  const gtsmHops = at('gtsmHops', v.gtsmHops, (value) => checkInteger(value, 1, 254, 'a GTSM hop count'));
  if (gtsmHops !== undefined && (multihopFlag === true || ttl !== undefined)) {
    conflict('gtsmHops', 'GTSM and multihop exclude each other: GTSM always sends TTL 255 and bounds the hops with the minimum TTL it accepts (RFC 5082)');
  }
  if (multihopFlag === false && ttl !== undefined) conflict('ttl', 'ttl is the eBGP multihop TTL; it needs multihop: true (or no multihop key)');
  const multihop = multihopFlag ?? ttl !== undefined;

  const sourceAddress = at('sourceAddress', v.sourceAddress, checkIp) ?? defaults.sourceAddress;
  const sourceInterface = at('sourceInterface', v.sourceInterface, checkInterfaceName) ?? defaults.sourceInterface;
  if (address !== undefined && sourceAddress !== undefined && address.includes(':') !== sourceAddress.includes(':')) {
    conflict('sourceAddress', `source address ${sourceAddress} and peer ${address} are of different IP families`);
  }

  const timers = peerTimers(reader, draft, defaults.timers);
  const communities = reader.checkedList(v.communities, draft.where('communities'), checkCommunity);
  const largeCommunities = reader.checkedList(v.largeCommunities, draft.where('largeCommunities'), checkLargeCommunity);

  if (draft.password && Buffer.byteLength(draft.password.secret, 'utf8') > TCP_MD5SIG_MAXKEYLEN) {
    reader.report('CONFIG_INVALID_VALUE', draft.where(draft.password.field),
      `${draft.label('password')}the password is ${Buffer.byteLength(draft.password.secret, 'utf8')} bytes; Linux accepts at most ${TCP_MD5SIG_MAXKEYLEN} (TCP_MD5SIG_MAXKEYLEN)`);
  }
  const mpbgp = peerMpbgp(reader, draft, defaults, sourceAddress, sourceInterface);
  const bfd = peerBfd(reader, draft, defaults.bfd);
  if (reader.errors.length > errorsBefore || address === undefined || asn === undefined) return undefined;

  const peer: PeerSpec = { address, asn, port, multihop, communities, largeCommunities, passive };
  if (draft.password) {
    peer.password = draft.password.secret;
    peer.passwordSource = draft.password.source;
    if (draft.password.file !== undefined) peer.passwordFile = draft.password.file;
  }
  if (multihop) peer.ttl = ttl ?? DEFAULT_MULTIHOP_TTL;
  if (gtsmHops !== undefined) peer.gtsmHops = gtsmHops;
  if (sourceAddress !== undefined) peer.sourceAddress = sourceAddress;
  if (sourceInterface !== undefined) peer.sourceInterface = sourceInterface;
  if (timers) Object.assign(peer, timers);
  if (mpbgp) peer.mpbgp = mpbgp;
  if (bfd) peer.bfd = bfd;
  return peer;
}

/** The peer's own timers, when it sets any: a hold time alone brings a keepalive of a third of it. */
function peerTimers(reader: Reader, draft: PeerDraft, node: Timers): { holdTime: number; keepaliveTime: number } | undefined {
  const v = draft.values;
  const hold = reader.check(v.holdTime, draft.where('holdTime'), checkHoldTime);
  const keepalive = reader.check(v.keepaliveTime, draft.where('keepaliveTime'), (value) => checkInteger(value, 0, 65535, 'a keepalive time in seconds'));
  if (hold === undefined && keepalive === undefined) return undefined;
  const holdTime = hold ?? node.holdTime;
  const keepaliveTime = keepalive ?? (hold !== undefined ? Math.floor(hold / 3) : node.keepaliveTime);
  const problem = timerPairProblem(holdTime, keepaliveTime);
  if (problem) reader.report('CONFIG_INVALID_VALUE', draft.where('keepaliveTime'), problem);
  return { holdTime, keepaliveTime };
}

export type MpbgpDraft = { nexthop?: NextHopMode; ipv4?: string; ipv6?: string };

/** MP-BGP options as written (object or peer-string form), each value checked on its own. */
export function checkMpbgp(reader: Reader, raw: Mapping, where: (key: string) => string, label = ''): MpbgpDraft {
  const out: MpbgpDraft = {};
  if (raw.nexthop !== undefined && raw.nexthop !== '') {
    const mode = NEXT_HOP_MODES.find((m) => m === raw.nexthop);
    if (mode) out.nexthop = mode;
    else reader.report('CONFIG_INVALID_VALUE', where('nexthop'), `${label}expected nexthop ${NEXT_HOP_MODES.map((m) => JSON.stringify(m)).join(', ')}, got ${JSON.stringify(raw.nexthop)}`);
  }
  for (const key of ['ipv4', 'ipv6'] as const) {
    const value = raw[key];
    if (value === undefined || value === '') continue;
    const ip = checkIp(value);
    if (ip.ok && ip.value.includes(':') === (key === 'ipv6')) out[key] = ip.value;
    else reader.report('CONFIG_INVALID_VALUE', where(key), `${label}expected an ${key === 'ipv6' ? 'IPv6' : 'IPv4'} address for ${key}, got ${JSON.stringify(value)}`);
  }
  return out;
}

/** The peer's MP-BGP options, each falling back to the node-wide one as kube-vip's SetMpbgpOptions does. */
function peerMpbgp(reader: Reader, draft: PeerDraft, defaults: PeerDefaults, sourceAddress?: string, sourceInterface?: string): PeerSpec['mpbgp'] {
  const label = draft.label('mpbgp');
  const where = (key: string) => (label === '' ? childPath(draft.where('mpbgp'), key) : draft.where('mpbgp'));
  const own = draft.mpbgp ? checkMpbgp(reader, draft.mpbgp, where, label) : {};
  const node = defaults.mpbgp ?? {};
  const nexthop = own.nexthop ?? node.nexthop;
  const ipv4 = own.ipv4 ?? node.ipv4;
  const ipv6 = own.ipv6 ?? node.ipv6;
  if (nexthop === undefined) {
    if (own.ipv4 !== undefined || own.ipv6 !== undefined) reader.report('CONFIG_MISSING', where('nexthop'), `${label}ipv4 and ipv6 are next hops for the "fixed" mode: set nexthop too`);
    return undefined;
  }
  const missing = (message: string) => reader.report('CONFIG_MISSING', where('nexthop'), label + message);
  if (nexthop === 'fixed' && ipv4 === undefined && ipv6 === undefined) missing('next hop "fixed" needs an ipv4 or an ipv6 address');
  if (nexthop === 'auto_sourceip' && sourceAddress === undefined) missing('next hop "auto_sourceip" needs a sourceAddress');
  if (nexthop === 'auto_sourceif' && sourceInterface === undefined) missing('next hop "auto_sourceif" needs a sourceInterface');
  const out: NonNullable<PeerSpec['mpbgp']> = { nexthop };
  if (ipv4 !== undefined) out.ipv4 = ipv4;
  if (ipv6 !== undefined) out.ipv6 = ipv6;
  return out;
}

/**
 * The peer's BFD: its own keys (the peer string's field gives all four), then the node's `bfd`
 * section, then kube-vip's 300 ms, 300 ms, × 3. Neither given: no BFD.
 */
function peerBfd(reader: Reader, draft: PeerDraft, node: Partial<BfdSpec> | undefined): PeerSpec['bfd'] {
  const raw = draft.bfd;
  if (!raw && !node) return undefined;
  const own = raw ? checkBfd(reader, raw, (key) => (draft.label('bfd') === '' ? childPath(draft.where('bfd'), key) : draft.where('bfd'))) : {};
  return {
    enabled: own.enabled ?? node?.enabled ?? false,
    rx: own.rx ?? node?.rx ?? BFD_DEFAULTS.rx,
    tx: own.tx ?? node?.tx ?? BFD_DEFAULTS.tx,
    multiplier: own.multiplier ?? node?.multiplier ?? BFD_DEFAULTS.multiplier,
  };
}

/** BFD settings as written (a peer's, or the node's section), each value checked on its own. */
export function checkBfd(reader: Reader, raw: Mapping, where: (key: string) => string): Partial<BfdSpec> {
  const interval = (value: unknown) => checkInteger(value, 1, MAX_BFD_INTERVAL_MS, 'an interval in milliseconds');
  const out: Partial<BfdSpec> = {};
  const enabled = reader.boolean(raw.enabled, where('enabled'));
  if (enabled !== undefined) out.enabled = enabled;
  const rx = reader.check(raw.rx, where('rx'), interval);
  if (rx !== undefined) out.rx = rx;
  const tx = reader.check(raw.tx, where('tx'), interval);
  if (tx !== undefined) out.tx = tx;
  // RFC 5880 §4.1: Detect Mult is one octet and never 0.
  const multiplier = reader.check(raw.multiplier, where('multiplier'), (value) => checkInteger(value, 1, 255, 'a detection multiplier'));
  if (multiplier !== undefined) out.multiplier = multiplier;
  return out;
}

/** Linux interface names: 1..15 octets (IFNAMSIZ), no '/' or white space. */
export function checkInterfaceName(value: unknown): Checked<string> {
  if (typeof value === 'string' && /^[^\s/]{1,15}$/.test(value)) return { ok: true, value };
  return { ok: false, error: { code: 'CONFIG_INVALID_VALUE', message: `expected an interface name (1 to 15 characters, no "/" or spaces), got ${JSON.stringify(value)}` } };
}
