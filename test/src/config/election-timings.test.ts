// kube-vip's lease timings: vip_leaseduration, vip_renewdeadline, vip_retryperiod (and the file's
// kubernetes.leaseDuration, renewDeadline, retryPeriod), checked as client-go checks them.
import { strict as assert } from 'node:assert';
import { configFromEnv, formatErrors, parseConfig } from '../../../src/config/index.js';

const host = (env: Record<string, string> = {}) => ({ env, readFile: () => '', listInterfaces: () => ({}) });
const FILE = ['asn: 65100', 'routerId: 192.0.2.2', 'peers: ["192.0.2.1:65000::false"]', 'vips: [203.0.113.1]'].join('\n');

describe('leader election timings', () => {
  it('reads them from the file', () => {
    const r = parseConfig(`${FILE}\nkubernetes: { leaseDuration: 15, renewDeadline: 10, retryPeriod: 2 }\n`, host());
    assert.ok(r.ok, r.ok ? '' : formatErrors(r.error).join('\n'));
    assert.deepEqual([r.value.kubernetes.leaseDuration, r.value.kubernetes.renewDeadline, r.value.kubernetes.retryPeriod], [15, 10, 2]);
  });

  it('refuses a renew deadline as long as the lease, naming the key', () => {
    const r = parseConfig(`${FILE}\nkubernetes: { leaseDuration: 3, renewDeadline: 3 }\n`, host());
    assert.ok(!r.ok);
    assert.match(formatErrors(r.error).join('\n'), /kubernetes\.leaseDuration: must be longer than renewDeadline/);
  });

  it('refuses a retry period too close to the renew deadline', () => {
    const r = parseConfig(`${FILE}\nkubernetes: { renewDeadline: 2, retryPeriod: 2 }\n`, host());
    assert.ok(!r.ok);
    assert.match(formatErrors(r.error).join('\n'), /kubernetes\.renewDeadline: must be longer than 1\.2 x retryPeriod/);
  });

  it('takes kube-vip\'s variables', () => {
    const r = configFromEnv(host({ bgp_enable: 'true', cp_enable: 'true', address: '192.0.2.10', bgp_routerid: '192.0.2.2', bgp_peers: '192.0.2.1:65000::false', vip_leaseduration: '15', vip_renewdeadline: '10', vip_retryperiod: '2' }));
    assert.ok(r.ok, r.ok ? '' : formatErrors(r.error).join('\n'));
    assert.deepEqual([r.value.kubernetes.leaseDuration, r.value.kubernetes.renewDeadline, r.value.kubernetes.retryPeriod], [15, 10, 2]);
  });

  it('names the variable when a value is not whole seconds', () => {
    const r = configFromEnv(host({ bgp_enable: 'true', cp_enable: 'true', address: '192.0.2.10', bgp_routerid: '192.0.2.2', bgp_peers: '192.0.2.1:65000::false', vip_leaseduration: '5s' }));
    assert.ok(!r.ok);
    assert.match(formatErrors(r.error).join('\n'), /vip_leaseduration: expected whole seconds/);
  });
});
