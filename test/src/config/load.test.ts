// Which source configures the daemon, and the few VIP_SPEAKER_* overrides.
import { strict as assert } from 'node:assert';
import { formatErrors, kubeVipWarning, resolveConfig } from '../../../src/config/index.js';
import { fakeHost, MINIMAL } from './helpers.js';

const KUBE_VIP = { bgp_enable: 'true', bgp_as: '65020', bgp_routerid: '198.51.100.8', bgp_peers: '192.0.2.9:65001', svc_enable: 'true' };

describe('resolveConfig', () => {
  it('reads the file when one is given, and names the kube-vip variables it ignores', () => {
    const result = resolveConfig({ configPath: '/etc/vip-speaker.yaml', host: fakeHost({ env: KUBE_VIP, files: { '/etc/vip-speaker.yaml': MINIMAL } }) });
    assert.ok(result.ok);
    assert.equal(result.value.config.node.asn, 65010);
    assert.deepEqual(result.value.source, { kind: 'file', path: '/etc/vip-speaker.yaml' });
    assert.deepEqual(result.value.notes, ["the config file /etc/vip-speaker.yaml is the whole configuration: ignoring kube-vip's bgp_enable, bgp_as, bgp_routerid, bgp_peers, svc_enable"]);
  });

  it('takes the file path from VIP_SPEAKER_CONFIG', () => {
    const result = resolveConfig({ host: fakeHost({ env: { VIP_SPEAKER_CONFIG: '/etc/v.yaml' }, files: { '/etc/v.yaml': MINIMAL } }) });
    assert.ok(result.ok);
    assert.deepEqual(result.value.source, { kind: 'file', path: '/etc/v.yaml' });
  });

  it('reads kube-vip\'s variables when there is no file', () => {
    const result = resolveConfig({ host: fakeHost({ env: KUBE_VIP }) });
    assert.ok(result.ok);
    assert.deepEqual([result.value.source, result.value.config.node.asn], [{ kind: 'env' }, 65020]);
  });

  it('applies VIP_SPEAKER_LOG_LEVEL and VIP_SPEAKER_LOG_FORMAT to either source', () => {
    const env = { ...KUBE_VIP, VIP_SPEAKER_LOG_LEVEL: 'debug', VIP_SPEAKER_LOG_FORMAT: 'pretty' };
    const fromEnv = resolveConfig({ host: fakeHost({ env }) });
    const fromFile = resolveConfig({ configPath: '/f', host: fakeHost({ env, files: { '/f': MINIMAL } }) });
    for (const result of [fromEnv, fromFile]) {
      assert.ok(result.ok);
      assert.deepEqual(result.value.config.log, { level: 'debug', format: 'pretty' });
    }
  });

  it('refuses a wrong VIP_SPEAKER_LOG_LEVEL by name', () => {
    const result = resolveConfig({ host: fakeHost({ env: { ...KUBE_VIP, VIP_SPEAKER_LOG_LEVEL: 'loud' } }) });
    assert.ok(!result.ok);
    assert.deepEqual(formatErrors(result.error), ['VIP_SPEAKER_LOG_LEVEL: expected one of "debug", "info", "warn", "error", got "loud"']);
  });

  it('runs BFD from the peer string: no "parsed but not run" note any more', () => {
    const result = resolveConfig({ host: fakeHost({ env: { ...KUBE_VIP, bgp_peers: '192.0.2.9:65001::false:::true;300;300;3' } }) });
    assert.ok(result.ok);
    assert.deepEqual([result.value.notes, result.value.config.peers[0]!.bfd], [[], { enabled: true, rx: 300, tx: 300, multiplier: 3 }]);
  });

  it('warns about an address that kube-vip would ignore too', () => {
    const result = resolveConfig({ host: fakeHost({ env: { ...KUBE_VIP, address: '192.0.2.10' } }) });
    assert.ok(result.ok);
    assert.deepEqual(result.value.kubeVip.map(kubeVipWarning).filter((w) => w !== undefined), ["kube-vip's address is not used: cp_enable is not true: ignored, as kube-vip does"]);
  });
});

describe('resolveConfig: a password that reads as another field of the peer string', () => {
  const warningsOf = (peers: string) => {
    const result = resolveConfig({ configPath: '/c.yaml', host: fakeHost({ files: { '/c.yaml': `asn: 65010\nrouterId: 198.51.100.7\nvips: [192.0.2.10]\npeers:\n${peers}` } }) });
    assert.ok(result.ok, result.ok ? '' : formatErrors(result.error).join('\n'));
    return result.value.warnings;
  };

  it('warns when the password field holds a multihop flag (a ":" missing), naming the field and not the password', () => {
    const [w] = warningsOf('  - 192.0.2.1:65000:false\n');
    assert.match(w!, /^peer 192\.0\.2\.1: its TCP MD5 password reads as a multihop flag \(true\/false\)\. If a ":" is missing from the peer string .*"192\.0\.2\.1:65000::false" for no password/);
  });

  it('warns when it holds a port or an AS number, for IPv6 peers too', () => {
    assert.match(warningsOf('  - 192.0.2.1:65000:179\n')[0]!, /reads as a port or an AS number/);
    const [w] = warningsOf('  - "[2001:db8::1]:65000:4200000001"\n');
    assert.match(w!, /^peer 2001:db8::1: .*reads as an AS number.*"\[2001:db8::1\]:65000::false"/);
    assert.ok(!w!.includes('4200000001'), 'the password itself is not shown');
  });

  it('says nothing of a real password, or of a password from a file or a variable', () => {
    assert.deepEqual(warningsOf('  - 192.0.2.1:65000:s3cret:false\n'), []);
    assert.deepEqual(warningsOf('  - 192.0.2.1:65000::false\n'), []);
  });

  it('warns in env mode too, for bgp_peers', () => {
    const result = resolveConfig({ host: fakeHost({ env: { ...KUBE_VIP, bgp_peers: '192.0.2.9:65001:true' } }) });
    assert.ok(result.ok);
    assert.match(result.value.warnings[0]!, /^peer 192\.0\.2\.9: its TCP MD5 password reads as a multihop flag/);
  });
});

describe('resolveConfig: the graceful-restart variables with a file', () => {
  it('names them as ignored: the file\'s gracefulRestart applies', () => {
    const result = resolveConfig({ configPath: '/c.yaml', host: fakeHost({ env: { VIP_SPEAKER_GRACEFUL_RESTART: 'true' }, files: { '/c.yaml': MINIMAL } }) });
    assert.ok(result.ok);
    assert.deepEqual(result.value.notes, ["ignoring VIP_SPEAKER_GRACEFUL_RESTART: the config file's gracefulRestart section applies"]);
  });
});
