// Passwords never leave the config: not in errors, not in the redacted copy, not in a peer's description.
import { strict as assert } from 'node:assert';
import { configFromEnv, describePeer, formatErrors, parseConfig, redactConfig } from '../../../src/config/index.js';
import { fakeHost, MINIMAL, valid } from './helpers.js';

const SECRET = 'Zq7-s3cr3t';

function allErrorText(text: string, env: Record<string, string> = {}): string {
  const result = parseConfig(text, fakeHost({ env, files: { '/etc/long': SECRET.repeat(10) } }));
  assert.ok(!result.ok, 'expected errors');
  return formatErrors(result.error).join('\n') + JSON.stringify(result.error);
}

describe('secrets', () => {
  it('are replaced by <redacted> in the redacted copy, whatever their source', () => {
    const host = fakeHost({ env: { TOR: SECRET }, files: { '/run/tor': `${SECRET}\n` } });
    const config = valid(`${MINIMAL}  - 192.0.2.2:65001:${SECRET}:false\n  - { address: 192.0.2.3, asn: 65001, passwordFile: /run/tor }\n  - { address: 192.0.2.4, asn: 65001, passwordEnv: TOR }\n  - { address: 192.0.2.5, asn: 65001, password: ${SECRET} }\n`, host);
    const redacted = redactConfig(config);
    assert.doesNotMatch(JSON.stringify(redacted), new RegExp(SECRET));
    assert.deepEqual(redacted.peers.map((p) => p.password), [undefined, '<redacted>', '<redacted>', '<redacted>', '<redacted>']);
    assert.deepEqual(redacted.peers.map((p) => p.passwordSource), [undefined, 'literal', 'file', 'env', 'literal']);
  });

  it('stay in the config itself, which the redacted copy leaves untouched', () => {
    const config = valid(`${MINIMAL}  - { address: 192.0.2.5, asn: 65001, password: ${SECRET} }\n`);
    redactConfig(config);
    assert.equal(config.peers[1]!.password, SECRET);
  });

  it('are not in a peer\'s description', () => {
    const config = valid(`${MINIMAL}  - { address: 192.0.2.5, asn: 65001, password: ${SECRET}, ttl: 3 }\n`);
    assert.equal(describePeer(config.peers[1]!), '192.0.2.5 AS 65001 port 179, TCP MD5 (literal), multihop TTL 3');
  });

  it('are not in the errors of an ambiguous peer string', () => {
    assert.doesNotMatch(allErrorText(`${MINIMAL}  - 192.0.2.2:65001:${SECRET}:x:false\n`), /Zq7|s3cr3t/);
  });

  it('are not in the errors of a peer string whose later fields are wrong', () => {
    for (const tail of ['maybe', 'true:99999', 'true:179:bad', 'true:179::x;y', 'a:b:c:d:e']) {
      assert.doesNotMatch(allErrorText(`${MINIMAL}  - 192.0.2.2:65001:${SECRET}:${tail}\n`), /Zq7|s3cr3t/, tail);
    }
  });

  it('are not in the errors of a peer string whose AS is wrong', () => {
    assert.doesNotMatch(allErrorText(`${MINIMAL}  - 192.0.2.2:0:${SECRET}:true\n`), /Zq7|s3cr3t/);
  });

  it('are not in a type error about a password', () => {
    assert.doesNotMatch(allErrorText(`${MINIMAL}  - { address: 192.0.2.2, asn: 65001, password: [${SECRET}] }\n`), /Zq7|s3cr3t/);
  });

  it('are not in the error about a password too long', () => {
    assert.doesNotMatch(allErrorText(`${MINIMAL}  - { address: 192.0.2.2, asn: 65001, passwordFile: /etc/long }\n`), /Zq7|s3cr3t/);
  });

  it('are not in the errors about other keys of the same peer', () => {
    assert.doesNotMatch(allErrorText(`${MINIMAL}  - { address: 192.0.2.2, asn: 0, password: ${SECRET}, pasword: x, port: 0 }\n`), /Zq7|s3cr3t/);
  });

  it('are not in YAML syntax errors', () => {
    assert.doesNotMatch(allErrorText(`${MINIMAL}  - { address: 192.0.2.2, asn: 65001, password: "${SECRET}\n`), /Zq7|s3cr3t/);
  });

  it('are not in the errors of bgp_peers or bgp_peerpass', () => {
    const cases: Record<string, string>[] = [
      { bgp_peers: `192.0.2.1:65001:${SECRET}:nope` },
      { bgp_peers: `192.0.2.1:65001:${SECRET.slice(0, 4)},${SECRET.slice(4)}:false` },
      { bgp_peers: '192.0.2.1:65001', bgp_peeraddress: '192.0.2.2', bgp_peerpass: SECRET.repeat(10) },
    ];
    for (const env of cases) {
      const result = configFromEnv(fakeHost({ env: { bgp_enable: 'true', bgp_routerid: '198.51.100.7', svc_enable: 'true', ...env } }));
      assert.ok(!result.ok);
      assert.doesNotMatch(formatErrors(result.error).join('\n'), /Zq7|s3cr3t|-s3c|r3t/, JSON.stringify(Object.keys(env)));
    }
  });
});
