// kubernetes.client: the API client's QPS, burst and connections, kube-vip's defaults when absent.
import { strict as assert } from 'node:assert';
import { KUBE_CLIENT_DEFAULTS, diffConfig, formatErrors, kubeClientSettings, parseConfig } from '../../../src/config/index.js';

const host = { env: {}, readFile: () => '', listInterfaces: () => ({}) };
const FILE = ['asn: 65100', 'routerId: 192.0.2.2', 'peers: ["192.0.2.1:65000::false"]', 'vips: [203.0.113.1]'].join('\n');
const parse = (client: string) => parseConfig(`${FILE}\nkubernetes: { client: ${client} }\n`, host);

describe('kubernetes.client', () => {
  it('takes kube-vip\'s QPS 100 and burst 250, and 4 connections, when absent', () => {
    const r = parseConfig(FILE, host);
    assert.ok(r.ok);
    assert.equal(r.value.kubernetes.client, undefined, 'nothing stored for the defaults');
    assert.deepEqual(kubeClientSettings(r.value.kubernetes), { qps: 100, burst: 250, maxConnections: 4 });
    assert.deepEqual(KUBE_CLIENT_DEFAULTS, { qps: 100, burst: 250, maxConnections: 4 });
  });

  it('reads the keys given, a fractional QPS included, and fills in the others', () => {
    const r = parse('{ qps: 2.5, maxConnections: 8 }');
    assert.ok(r.ok, r.ok ? '' : formatErrors(r.error).join('\n'));
    assert.deepEqual(r.value.kubernetes.client, { qps: 2.5, maxConnections: 8 });
    assert.deepEqual(kubeClientSettings(r.value.kubernetes), { qps: 2.5, burst: 250, maxConnections: 8 });
  });

  it('refuses a QPS of 0, a fractional burst and no connections, naming each key', () => {
    const r = parse('{ qps: 0, burst: 1.5, maxConnections: 0 }');
    assert.ok(!r.ok);
    const text = formatErrors(r.error).join('\n');
    assert.match(text, /kubernetes\.client\.qps: expected requests per second, more than 0 .*got 0/);
    assert.match(text, /kubernetes\.client\.burst: expected .*1\.\.100000, got 1\.5/);
    assert.match(text, /kubernetes\.client\.maxConnections: expected .*1\.\.256, got 0/);
  });

  it('names an unknown key with the one likely meant', () => {
    const r = parse('{ QPS: 5 }');
    assert.ok(!r.ok);
    assert.match(formatErrors(r.error).join('\n'), /kubernetes\.client\.QPS: unknown key "QPS".*did you mean "qps"/);
  });

  it('is a kubernetes change, which a reload refuses (the client is made at start)', () => {
    const a = parse('{ qps: 5 }');
    const b = parse('{ qps: 10 }');
    assert.ok(a.ok && b.ok);
    assert.deepEqual(diffConfig(a.value, b.value).otherChanges, ['kubernetes']);
  });
});
