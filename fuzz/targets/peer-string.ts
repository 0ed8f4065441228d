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
  if (r.ok) {
    const p = r.value;
    assert.ok(isIPv4(p.address) || isIPv6(p.address), `address ${p.address}`);
    assert.ok(Number.isInteger(p.asn) && p.asn >= 0 && p.asn <= MAX_ASN, `asn ${p.asn}`);
    assert.ok(Number.isInteger(p.port) && p.port >= 0 && p.port <= MAX_PORT, `port ${p.port}`);
  } else {
    assert.ok(PROBLEM_CODES.has(r.error.code), `problem code ${r.error.code}`);
    assert.ok(r.error.message.length > 0, 'a problem without a message');
  }
  // The password is the third field, opaque to the parser: put a marker in its place and see
  // that neither a problem's message nor the redacted form shows it. (The password itself may
  // be a word the messages use, such as "false".)
  const marked = withMarkedPassword(text);
  if (marked === undefined) return;
  const m = parsePeerString(marked);
  if (!m.ok) assert.ok(!m.error.message.includes(MARKER), `a problem's message shows the password: ${m.error.message}`);
  assert.ok(!redactPeerString(marked).includes(MARKER), `redactPeerString shows the password: ${redactPeerString(marked)}`);
}

const MARKER = 'Pw-MARKER-7f3a';

/** The text with a non-empty third field (the password) replaced by MARKER; undefined if it has none. */
function withMarkedPassword(text: string): string | undefined {
  const bracket = text.startsWith('[') ? text.indexOf(']') : -1;
  if (text.startsWith('[') && bracket < 0) return undefined;
  const head = bracket >= 0 ? text.slice(0, bracket + 1) : '';
  const fields = (bracket >= 0 ? text.slice(bracket + 1) : text).split(':');
  // Without brackets: address, AS, password; with them: '', AS, password after the "]".
  const at = 2;
  if (fields.length <= at || fields[at] === '') return undefined;
  fields[at] = MARKER;
  return head + fields.join(':');
}
