// kube-vip's peer string, read the way kube-vip's ParseBGPPeerConfig reads it
// (pkg/kubevip/config_bgp.go), so that a bgp_peers value moves over unchanged:
//
//   address:AS[:password[:multihop[:port[:mpbgp[:bfd]]]]]
//
// - peers are separated by ','; empty entries are skipped;
// - an IPv6 address is written in brackets: [2001:db8::1]:65000::false;
// - password may be empty (no TCP MD5); multihop is Go's ParseBool, empty means false;
// - port is Go's ParseUint(16), empty or absent means 179;
// - mpbgp is `key=value;key=value` with keys mpbgp_nexthop, mpbgp_ipv4, mpbgp_ipv6;
// - bfd is `enable;rx;tx;multiplier` (at least four parts; empty numbers mean 300;300;3).
//
// Where vip-speaker is stricter than kube-vip it says so in the message: a password holding
// ':' or ',' cannot be written in this form at all, so fields that fail to parse after a
// non-empty password are reported as ambiguous, never guessed at; and no message ever shows
// the password.
import { isIPv4, isIPv6 } from 'node:net';
import { fail, ok, type Result } from '../result.js';
import { goParseBool, goParseUint, type Problem } from './values.js';

export interface PeerStringFields {
  /** As written, brackets removed. */
  address: string;
  asn: number;
  /** '' for none. */
  password: string;
  multihop: boolean;
  port: number;
  mpbgp?: { nexthop?: string; ipv4?: string; ipv6?: string };
  bfd?: { enabled: boolean; rx: number; tx: number; multiplier: number };
}

export interface PeerStringProblem extends Problem {
  /** The address field was the problem (the caller may know why: a ',' in the previous password). */
  badAddress?: boolean;
}

export const PEER_STRING_FORMAT = 'address:AS:password:multihop:port:mpbgp:bfd';
export const DEFAULT_PORT = 179;
export const BFD_DEFAULTS = { rx: 300, tx: 300, multiplier: 3 } as const;
const MPBGP_KEYS = { mpbgp_nexthop: 'nexthop', mpbgp_ipv4: 'ipv4', mpbgp_ipv6: 'ipv6' } as const;

/** bgp_peers split on ',' as kube-vip does; each entry keeps its position for error paths. */
export function splitPeerList(text: string): { index: number; text: string }[] {
  return text
    .split(',')
    .map((entry, index) => ({ index, text: entry.trim() }))
    .filter((entry) => entry.text !== '');
}

/** The peer string with everything from the password on replaced, for messages. */
export function redactPeerString(text: string): string {
  const { fields, problem } = splitHead(text);
  // A bracket that does not close, or text after "]": where the password starts is unknown,
  // so everything after the first ':' is hidden (found by the peer-string fuzz target).
  if (problem) return text.includes(':') ? `${text.split(':')[0]}:<redacted>` : text;
  if (fields.length < 3 || fields[2] === '') return text;
  return `${fields.slice(0, 2).join(':')}:<redacted>`;
}

export function parsePeerString(text: string): Result<PeerStringFields, PeerStringProblem> {
  if (text.startsWith('unnumbered:')) {
    const iface = text.split(':')[1] ?? '';
    return unsupported(`"unnumbered:${iface}" is a BGP unnumbered peer (kube-vip's unnumbered:INTERFACE form), which vip-speaker does not support yet: give the neighbour's address`);
  }
  const bracketed = text.startsWith('[');
  const { head, fields, problem } = splitHead(text);
  if (problem) return invalid(problem, bracketed);
  const address = bracketed ? head.slice(1, -1) : fields[0]!;
  if (fields.length < 2) return invalid(`${JSON.stringify(bracketed ? head : address)} has no AS: expected at least address:AS (${PEER_STRING_FORMAT})`);
  if (!isIPv4(address) && !isIPv6(address)) {
    const v6 = bracketed ? undefined : unbracketedIpv6(fields);
    const hint = v6 ? `: IPv6 peer addresses go in brackets, as in [${v6}]:AS` : '';
    return invalid(`address field: ${JSON.stringify(address)} is not an IP address${hint}`, true);
  }
  const asText = fields[1]!;
  const asn = goParseUint(asText, 32);
  if (asn === undefined) return invalid(`AS field: expected an AS number 1..4294967295, got ${JSON.stringify(asText)}${slashHint(asText)}`);

  const password = fields[2] ?? '';
  // After a non-empty password, a field that does not parse may be a piece of the password.
  const later = (what: string, value: string, got = JSON.stringify(value)) =>
    password === ''
      ? invalid(`${what}, got ${got}${slashHint(value)}`)
      : fail<PeerStringProblem>({
          code: 'CONFIG_AMBIGUOUS',
          message:
            `${JSON.stringify(redactPeerString(text))} is ambiguous: the fields after the password do not parse (${what}); ` +
            `a password containing ':' needs the object form (address, asn, password)`,
        });

  if (fields.length > 7) {
    // mpbgp_ipv6=2001:db8::1 is cut at its first ':' by kube-vip too: the string form cannot hold it.
    const v6 = /mpbgp_ipv6=/.test(fields[5] ?? '') ? ': an IPv6 next hop cannot be written in a peer string; use mpbgp_ipv6 or the object form' : '';
    return later(`expected at most 7 fields (${PEER_STRING_FORMAT})${v6}`, '', `${fields.length}`);
  }
  const multihopText = fields[3] ?? '';
  const multihop = multihopText === '' ? false : goParseBool(multihopText);
  if (multihop === undefined) return later('multihop field: expected true or false', multihopText);
  const portText = fields[4] ?? '';
  const port = portText === '' ? DEFAULT_PORT : goParseUint(portText, 16);
  if (port === undefined) return later('port field: expected a TCP port 1..65535', portText);

  const peer: PeerStringFields = { address, asn, password, multihop, port };
  const mpbgpText = fields[5] ?? '';
  if (mpbgpText !== '') {
    const mpbgp: NonNullable<PeerStringFields['mpbgp']> = {};
    for (const option of mpbgpText.split(';')) {
      const [key = '', value, ...rest] = option.split('=');
      if (value === undefined || rest.length > 0) return later('MP-BGP field: expected key=value options separated by ";"', option);
      if (!(key in MPBGP_KEYS)) return later(`MP-BGP field: expected the options ${Object.keys(MPBGP_KEYS).join(', ')}`, key);
      mpbgp[MPBGP_KEYS[key as keyof typeof MPBGP_KEYS]] = value;
    }
    peer.mpbgp = mpbgp;
  }
  const bfdText = fields[6] ?? '';
  if (bfdText !== '') {
    const parts = bfdText.split(';');
    const enabled = goParseBool(parts[0] ?? '');
    if (parts.length < 4 || enabled === undefined) return later('BFD field: expected enable;rx;tx;multiplier, as true;300;300;3', bfdText);
    const number = (part: string, fallback: number) => (part === '' ? fallback : goParseUint(part, 32));
    const rx = number(parts[1]!, BFD_DEFAULTS.rx);
    const tx = number(parts[2]!, BFD_DEFAULTS.tx);
    const multiplier = number(parts[3]!, BFD_DEFAULTS.multiplier);
    if (rx === undefined || tx === undefined || multiplier === undefined) {
      return later('BFD field: expected unsigned numbers for rx, tx and multiplier', bfdText);
    }
    peer.bfd = { enabled, rx, tx, multiplier };
  }
  return ok(peer);
}

/** `[v6]` and the ':'-separated fields after it; or the fields of the whole string. */
function splitHead(text: string): { head: string; fields: string[]; problem?: string } {
  if (!text.startsWith('[')) return { head: '', fields: text.split(':') };
  const end = text.indexOf(']');
  if (end < 0) return { head: '', fields: [], problem: `no closing "]" after the IPv6 address in ${JSON.stringify(text.split(':')[0] + ':…')}` };
  const head = text.slice(0, end + 1);
  const rest = text.slice(end + 1);
  if (rest !== '' && !rest.startsWith(':')) return { head, fields: [], problem: `expected ":" right after ${JSON.stringify(head)}` };
  // kube-vip splits what follows "]" on ':' and ignores the empty first field.
  return { head, fields: [head, ...rest.split(':').slice(1)] };
}

/** Older kube-vip releases put the MP-BGP options after a '/'; say where they go now. */
function slashHint(value: string): string {
  return /\/\w+=/.test(value) ? ` (MP-BGP options no longer follow a "/": they are the sixth field, as in ${'address:AS::false::mpbgp_nexthop=fixed'})` : '';
}

/** The longest run of leading fields that reads as an IPv6 address, when one does. */
function unbracketedIpv6(fields: string[]): string | undefined {
  for (let n = Math.min(fields.length, 9); n >= 3; n--) {
    const candidate = fields.slice(0, n).join(':');
    if (isIPv6(candidate)) return candidate;
  }
  return undefined;
}

function invalid(message: string, badAddress = false): { ok: false; error: PeerStringProblem } {
  return fail(badAddress ? { code: 'CONFIG_INVALID_VALUE', message, badAddress } : { code: 'CONFIG_INVALID_VALUE', message });
}

function unsupported(message: string): { ok: false; error: PeerStringProblem } {
  return fail({ code: 'CONFIG_UNSUPPORTED', message });
}
