// Test vectors from independent implementations: sessions captured from FRR, BIRD, GoBGP and
// ExaBGP by integration/captures/capture.sh. Every message must decode cleanly and encode back
// to the very same bytes.
import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  AttrType,
  CapabilityCode,
  MessageType,
  decodeMessage,
  encodeMessage,
  endOfRibFamily,
  findAttribute,
  openCapabilities,
  reachablePrefixes,
  type BgpMessage,
  type CodecContext,
  type UpdateMessage,
} from '../../../bgp/index.js';

interface Capture {
  router: string;
  version: string;
  scenario: string;
  description: string;
  context: CodecContext;
  messages: string[];
}

const dir = join(process.cwd(), 'test', 'fixtures', 'captures');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
const captures: Array<Capture & { file: string }> = files.map((file) => ({ file, ...(JSON.parse(readFileSync(join(dir, file), 'utf8')) as Capture) }));

function decodeAll(c: Capture): BgpMessage[] {
  return c.messages.map((hex, i) => {
    const r = decodeMessage(Buffer.from(hex, 'hex'), c.context);
    if (!r.ok) assert.fail(`message #${i} did not decode: ${r.error.name}: ${r.error.message}`);
    assert.deepEqual(r.value.problems, [], `message #${i} decoded with problems`);
    return r.value.message;
  });
}

describe('captured sessions from real routers', () => {
  it('cover FRR, BIRD, GoBGP and ExaBGP, each with 4-octet, 2-octet and IPv6-session captures', () => {
    for (const router of ['frr', 'bird', 'gobgp', 'exabgp']) {
      const scenarios = captures.filter((c) => c.router === router).map((c) => c.scenario);
      for (const s of ['ipv4-session-4octet', 'ipv4-session-2octet', 'ipv6-session']) assert.ok(scenarios.includes(s), `${router} lacks ${s}`);
    }
  });

  for (const c of captures) {
    describe(`${c.file} (${c.router} ${c.version})`, () => {
      it('decodes every message without a problem and encodes each back to the same bytes', () => {
        const messages = decodeAll(c);
        messages.forEach((m, i) => {
          const again = encodeMessage(m, c.context).toString('hex');
          assert.equal(again, c.messages[i], `message #${i} (${MessageType[m.type]}) did not re-encode byte for byte`);
        });
      });

      it('opens with an OPEN advertising graceful restart and announces routes', () => {
        const messages = decodeAll(c);
        const open = messages[0];
        assert.equal(open?.type, MessageType.Open);
        const caps = openCapabilities(open as Extract<BgpMessage, { type: MessageType.Open }>);
        assert.ok(caps.some((x) => x.code === CapabilityCode.GracefulRestart), 'no graceful restart capability');
        const updates = messages.filter((m): m is UpdateMessage => m.type === MessageType.Update);
        assert.ok(updates.flatMap(reachablePrefixes).length > 0, 'no routes announced');
        assert.ok(updates.some((u) => endOfRibFamily(u)), 'no End-of-RIB');
      });

      if (c.scenario === 'ipv4-refresh-shutdown') {
        it('carries a ROUTE-REFRESH (but GoBGP\'s, which sends none) and ends with a NOTIFICATION', () => {
          const messages = decodeAll(c);
          // GoBGP's soft reset in only re-applies its import policy: it never asks for a refresh.
          if (c.router !== 'gobgp') assert.ok(messages.some((m) => m.type === MessageType.RouteRefresh), 'no ROUTE-REFRESH');
          assert.equal(messages[messages.length - 1]?.type, MessageType.Notification);
        });
      }

      if (c.scenario === 'ipv4-session-2octet') {
        it('carries a 4-octet AS as AS_TRANS with AS4_PATH towards a 2-octet peer (RFC 6793)', () => {
          const updates = decodeAll(c).filter((m): m is UpdateMessage => m.type === MessageType.Update && reachablePrefixes(m).length > 0);
          for (const u of updates) {
            const path = findAttribute(u.attributes, AttrType.AsPath);
            assert.ok(path, 'no AS_PATH');
            if (path.segments.some((s) => s.asns.includes(23456))) assert.ok(findAttribute(u.attributes, AttrType.As4Path), 'AS_TRANS without AS4_PATH');
          }
        });
      }
    });
  }
});
