// What every decode must give, whatever arrived: a message (an UPDATE perhaps with RFC 7606
// problems) or the NOTIFICATION the session must send. Shared by the codec fuzz targets and the
// session fuzzer; a failed check throws, which the fuzzer reports as a crash.
import { strict as assert } from 'node:assert';
import { MessageType, type CodecContext, type Decoded, type NotificationError, type Result } from '../../bgp/index.js';

export const CONTEXTS: readonly CodecContext[] = [
  { fourOctetAs: false, extendedMessage: false },
  { fourOctetAs: true, extendedMessage: false },
  { fourOctetAs: true, extendedMessage: true },
  { fourOctetAs: false, extendedMessage: true },
];

const ERROR_NAME = /^BGP_ERR_[A-Z0-9_]+$/;
const MESSAGE_TYPES = new Set<number>([MessageType.Open, MessageType.Update, MessageType.Notification, MessageType.Keepalive, MessageType.RouteRefresh]);
/** RFC 4271 §4.5 codes 1..6 and RFC 7313's ROUTE-REFRESH message error, 7. */
const MAX_ERROR_CODE = 7;
const MAX_OCTET = 0xff;

export function assertDecodeResult(r: Result<Decoded, NotificationError>): void {
  if (r.ok) {
    const d = r.value;
    assert.ok(MESSAGE_TYPES.has(d.message.type), `decoded a message of type ${d.message.type}`);
    for (const p of d.problems) {
      assert.ok(p.action === 'treat-as-withdraw' || p.action === 'attribute-discard', `problem action ${p.action}`);
      assert.match(p.name, ERROR_NAME);
      assert.ok(Number.isInteger(p.subcode) && p.subcode >= 0 && p.subcode <= MAX_OCTET, `problem subcode ${p.subcode}`);
      assert.ok(p.message.length > 0, 'a problem without a message');
    }
    assert.equal(d.treatAsWithdraw, d.problems.some((p) => p.action === 'treat-as-withdraw'));
    if (d.problems.length > 0) assert.equal(d.message.type, MessageType.Update, 'problems on a message that is not an UPDATE');
  } else {
    assertNotification(r.error);
  }
}

export function assertNotification(e: NotificationError): void {
  assert.equal(e.kind, 'notification');
  assert.ok(Number.isInteger(e.code) && e.code >= 1 && e.code <= MAX_ERROR_CODE, `NOTIFICATION code ${e.code}`);
  assert.ok(Number.isInteger(e.subcode) && e.subcode >= 0 && e.subcode <= MAX_OCTET, `NOTIFICATION subcode ${e.subcode}`);
  assert.match(e.name, ERROR_NAME);
  assert.ok(e.data instanceof Uint8Array, 'NOTIFICATION data is not bytes');
  assert.ok(typeof e.message === 'string' && e.message.length > 0, 'NOTIFICATION without a message');
}
