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
