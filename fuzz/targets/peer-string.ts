// Fuzz target: kube-vip's peer string (address:AS:password:multihop:port:mpbgp:bfd) and the
// comma-separated bgp_peers list. Any text parses to fields or to one problem, never a throw;
// the redacted form never shows the password, and neither does a problem's message.
import { strict as assert } from 'node:assert';
import { isIPv4, isIPv6 } from 'node:net';
import { parsePeerString, redactPeerString, splitPeerList } from '../../src/config/index.js';

export const name = 'peer-string';

const PROBLEM_CODES = new Set(['CONFIG_INVALID_VALUE', 'CONFIG_AMBIGUOUS', 'CONFIG_UNSUPPORTED']);
const MAX_ASN = 0xffffffff;
const MAX_PORT = 0xffff;
/** Shorter passwords are too likely to appear elsewhere in the string by chance. */
const MIN_CHECKED_PASSWORD = 4;

export function fuzz(data: Uint8Array): void {
  const text = Buffer.from(data).toString('utf8');
  for (const entry of splitPeerList(text)) {
    assert.equal(entry.text, entry.text.trim(), 'a list entry kept its spaces');
    assert.ok(entry.text !== '' && !entry.text.includes(','), `list entry ${JSON.stringify(entry.text)}`);
    check(entry.text);
  }
  check(text);
}

function check(text: string): void {
  const r = parsePeerString(text);
  const redacted = redactPeerString(text);
  if (r.ok) {
    const p = r.value;
    assert.ok(isIPv4(p.address) || isIPv6(p.address), `address ${p.address}`);
    assert.ok(Number.isInteger(p.asn) && p.asn >= 0 && p.asn <= MAX_ASN, `asn ${p.asn}`);
    assert.ok(Number.isInteger(p.port) && p.port >= 0 && p.port <= MAX_PORT, `port ${p.port}`);
    if (p.password.length >= MIN_CHECKED_PASSWORD && !withoutPassword(text, p.password).includes(p.password)) {
      assert.ok(!redacted.includes(p.password), `redactPeerString shows the password: ${redacted}`);
    }
    return;
  }
  assert.ok(PROBLEM_CODES.has(r.error.code), `problem code ${r.error.code}`);
  assert.ok(r.error.message.length > 0, 'a problem without a message');
  // The password is the third field; only look when it can be told apart from the rest.
  const fields = text.startsWith('[') ? text.slice(text.indexOf(']') + 1).split(':').slice(1) : text.split(':').slice(1);
  const password = fields[1] ?? '';
  if (password.length >= MIN_CHECKED_PASSWORD && !withoutPassword(text, password).includes(password)) {
    assert.ok(!r.error.message.includes(password), `a problem's message shows the password: ${r.error.message}`);
  }
}

/** The text with the password's first occurrence removed, to see if it occurs elsewhere too. */
function withoutPassword(text: string, password: string): string {
  const at = text.indexOf(password);
  return at < 0 ? text : text.slice(0, at) + '\u0000' + text.slice(at + password.length);
}
