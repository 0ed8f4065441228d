// What every configuration parse must give: a config whose values hold the promises of
// src/config/types.ts, or errors with a stable code and a message, none of which shows a
// secret. The fake host hands out secrets that carry a marker, so a leak is easy to see.
import { strict as assert } from 'node:assert';
import { isIPv4, isIPv6 } from 'node:net';
import type { Result } from '../../bgp/index.js';
import { parseCommunity } from '../../src/communities.js';
import { describePeer, formatErrors, redactConfig, type ConfigError, type DaemonConfig, type HostAccess } from '../../src/config/index.js';

/** Every secret the fake host hands out contains this; no message may. */
export const SECRET_MARKER = 'FUZZSECRET';
export const SECRET_VARIABLE = 'FZ_PASSWORD';

const CONFIG_CODES = new Set([
  'CONFIG_SYNTAX', 'CONFIG_UNKNOWN_KEY', 'CONFIG_WRONG_TYPE', 'CONFIG_INVALID_VALUE', 'CONFIG_MISSING',
  'CONFIG_CONFLICT', 'CONFIG_DUPLICATE', 'CONFIG_AMBIGUOUS', 'CONFIG_UNREADABLE', 'CONFIG_UNSUPPORTED',
]);
const MAX_ASN = 0xffffffff;
const MAX_PORT = 0xffff;
const MIN_HOLD_TIME = 3;
const MAX_HOLD_TIME = 0xffff;
const HOST_PREFIX = /^(.+)\/(32|128)$/;

/**
 * A host with one interface of each kind, a secret in SECRET_VARIABLE, and files: a path with
 * "missing" in it does not exist, one with "empty" is empty, any other holds a secret.
 */
export function fuzzHost(env: Record<string, string> = {}): HostAccess {
  return {
    env: { [SECRET_VARIABLE]: `${SECRET_MARKER}-env`, ...env },
    readFile: (path) => {
      if (path.includes('missing')) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
      return path.includes('empty') ? '' : `${SECRET_MARKER}-file\n`;
    },
    listInterfaces: () => ({
      lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }, { address: '::1', family: 'IPv6', internal: true }],
      eth0: [{ address: 'fe80::1', family: 'IPv6', internal: false }, { address: '198.51.100.7', family: 'IPv4', internal: false }],
      eth1: [{ address: '2001:db8:1::7', family: 'IPv6', internal: false }],
    }),
  };
}

export function assertConfigResult(r: Result<DaemonConfig, ConfigError[]>): void {
  if (!r.ok) {
    assert.ok(r.error.length > 0, 'a failure without errors');
    for (const e of r.error) {
      assert.ok(CONFIG_CODES.has(e.code), `error code ${e.code}`);
      assert.ok(typeof e.path === 'string', 'error path is not a string');
      assert.ok(typeof e.message === 'string' && e.message.length > 0, 'error without a message');
    }
    const shown = formatErrors(r.error).join('\n');
    assert.ok(!shown.includes(SECRET_MARKER), `an error message shows a secret: ${shown}`);
    return;
  }
  const c = r.value;
  assert.ok(c.mode === 'bgp' || c.mode === 'arp', `mode ${c.mode}`);
  assert.ok(isIPv4(c.node.routerId), `router id ${c.node.routerId}`);
  assert.ok(Number.isInteger(c.node.asn) && c.node.asn >= 0 && c.node.asn <= MAX_ASN, `asn ${c.node.asn}`);
  assertTimers(c.timers.holdTime, c.timers.keepaliveTime, 'node');
  for (const peer of c.peers) {
    assert.ok(isIPv4(peer.address) || isIPv6(peer.address), `peer address ${peer.address}`);
    assert.ok(Number.isInteger(peer.asn) && peer.asn >= 1 && peer.asn <= MAX_ASN, `peer asn ${peer.asn}`);
    assert.ok(Number.isInteger(peer.port) && peer.port >= 1 && peer.port <= MAX_PORT, `peer port ${peer.port}`);
    if (peer.holdTime !== undefined) assertTimers(peer.holdTime, peer.keepaliveTime ?? -1, `peer ${peer.address}`);
    assert.ok(peer.password === undefined || peer.password.length > 0, 'an empty password was kept');
    assert.ok(!describePeer(peer).includes(SECRET_MARKER), 'describePeer shows a secret');
  }
  for (const community of [...c.peers.flatMap((p) => p.communities), ...c.vips.static.flatMap((v) => v.communities)]) {
    assert.equal(typeof parseCommunity(community), 'number', `community ${JSON.stringify(community)} was accepted but does not parse`);
  }
  for (const vip of c.vips.static) {
    const m = HOST_PREFIX.exec(vip.address);
    assert.ok(m && (m[2] === '32' ? isIPv4(m[1]!) : isIPv6(m[1]!)), `static VIP ${vip.address}`);
  }
  assert.ok(Number.isInteger(c.admin.port) && c.admin.port >= 0 && c.admin.port <= MAX_PORT, `admin port ${c.admin.port}`);
  assert.ok(!JSON.stringify(redactConfig(c)).includes(SECRET_MARKER), 'redactConfig keeps a secret');
}

/** RFC 4271 §4.2 and §10: hold time 0 or 3..65535, keepalive at most a third of it. */
function assertTimers(hold: number, keepalive: number, who: string): void {
  assert.ok(hold === 0 || (Number.isInteger(hold) && hold >= MIN_HOLD_TIME && hold <= MAX_HOLD_TIME), `${who}: hold time ${hold}`);
  assert.ok(Number.isInteger(keepalive) && keepalive >= 0 && keepalive <= Math.floor(hold / 3), `${who}: keepalive ${keepalive} with hold time ${hold}`);
}
