// The `arp` section, from a file and from kube-vip's variables: defaults, values, every refusal
// (its code, path and sentence), its conflict with bgp mode, and its place in a reload's diff.
import { strict as assert } from 'node:assert';
import { DEFAULT_REFRESH_INTERVAL_MS } from '../../../src/arp/announcer.js';
import { ARP_DEFAULTS, configFromEnv, diffConfig, formatErrors, kubeVipWarning, parseConfig, resolveConfig, type ConfigError, type DaemonConfig } from '../../../src/config/index.js';
import { fakeHost, MINIMAL, valid } from './helpers.js';

/** The smallest ARP-mode file; tests append the arp section. */
const ARP = 'mode: arp\nvipInterface: eth0\nrouterId: 198.51.100.7\nvips: [192.0.2.10]\n';

/** The one error at `path`, whole: code, path, message and line. */
function errorOf(text: string, path: string): ConfigError {
  const result = parseConfig(text, fakeHost());
  if (result.ok) throw new Error('expected errors, got a valid config');
  const matching = result.error.filter((e) => e.path === path);
  if (matching.length !== 1) throw new Error(`expected one error at ${path}, got:\n${formatErrors(result.error).join('\n')}`);
  return matching[0]!;
}

describe('config file: the arp section', () => {
  it('fills in the defaults in bgp mode, where nothing reads them', () => {
    assert.deepEqual(valid(MINIMAL).arp, { prefixLength: { ipv4: 32, ipv6: 128 }, refreshIntervalMs: 30_000, leaderElection: true });
  });

  it('fills in the same defaults in arp mode without the section', () => {
    assert.deepEqual(valid(ARP).arp, { prefixLength: { ipv4: 32, ipv6: 128 }, refreshIntervalMs: 30_000, leaderElection: true });
  });

  it('refreshes as often as the announcer does by default', () => {
    assert.equal(ARP_DEFAULTS.refreshIntervalMs, DEFAULT_REFRESH_INTERVAL_MS);
  });

  it('hands out a fresh copy of the defaults each time', () => {
    const first = valid(ARP);
    first.arp.prefixLength.ipv4 = 24;
    assert.equal(valid(ARP).arp.prefixLength.ipv4, 32);
    assert.equal(ARP_DEFAULTS.prefixLength.ipv4, 32);
  });

  it('reads every key', () => {
    const config = valid(`${ARP}arp:\n  prefixLength: { ipv4: 24, ipv6: 64 }\n  refreshInterval: 10\n  leaderElection: false\n`);
    assert.deepEqual(config.arp, { prefixLength: { ipv4: 24, ipv6: 64 }, refreshIntervalMs: 10_000, leaderElection: false });
  });

  it('keeps the host length of the family not written', () => {
    assert.deepEqual(valid(`${ARP}arp: { prefixLength: { ipv4: 24 } }\n`).arp.prefixLength, { ipv4: 24, ipv6: 128 });
    assert.deepEqual(valid(`${ARP}arp: { prefixLength: { ipv6: 64 } }\n`).arp.prefixLength, { ipv4: 32, ipv6: 64 });
  });

  it('takes the edges of each range, and lengths written as strings of digits', () => {
    assert.deepEqual(valid(`${ARP}arp: { prefixLength: { ipv4: 1, ipv6: 1 } }\n`).arp.prefixLength, { ipv4: 1, ipv6: 1 });
    assert.deepEqual(valid(`${ARP}arp: { prefixLength: { ipv4: "32", ipv6: "128" } }\n`).arp.prefixLength, { ipv4: 32, ipv6: 128 });
  });

  it('takes a refresh interval of 0 (none after the takeover burst), fractions to the millisecond, and an hour', () => {
    const ms = (value: string) => valid(`${ARP}arp: { refreshInterval: ${value} }\n`).arp.refreshIntervalMs;
    assert.deepEqual([ms('0'), ms('0.5'), ms('2.25'), ms('"45"'), ms('3600')], [0, 500, 2250, 45_000, 3_600_000]);
  });
});

describe('config file errors: the arp section', () => {
  it('refuses the section in bgp mode, naming the key and the mode it belongs to', () => {
    const error = errorOf(`${MINIMAL}arp: { leaderElection: false }\n`, 'arp');
    assert.deepEqual([error.code, error.line], ['CONFIG_CONFLICT', 6]);
    assert.equal(error.message, 'applies to mode: arp only, but mode is bgp (remove the arp section, or set mode: arp)');
  });

  it('refuses it in bgp mode written out too', () => {
    assert.equal(errorOf(`mode: bgp\n${MINIMAL}arp: {}\n`, 'arp').code, 'CONFIG_CONFLICT');
  });

  it('blames the mode, not the section, when the mode itself is wrong', () => {
    const result = parseConfig(`${ARP.replace('mode: arp', 'mode: l2')}arp: { leaderElection: false }\n`, fakeHost());
    assert.ok(!result.ok);
    assert.equal(result.error[0]?.path, 'mode');
    assert.ok(!result.error.some((e) => e.path.startsWith('arp')), formatErrors(result.error).join('\n'));
  });

  it('still checks the section when the mode is wrong', () => {
    const result = parseConfig(`${ARP.replace('mode: arp', 'mode: l2')}arp: { leaderElection: 1 }\n`, fakeHost());
    assert.ok(!result.ok);
    assert.deepEqual(result.error.filter((e) => e.path === 'mode' || e.path.startsWith('arp')).map((e) => e.path), ['mode', 'arp.leaderElection']);
  });

  const cases: Array<[string, string, string, string]> = [
    ['arp: [24]', 'arp', 'CONFIG_WRONG_TYPE', 'expected a mapping of keys (prefixLength, refreshInterval, leaderElection), got a list'],
    ['arp: { refresh: 5 }', 'arp.refresh', 'CONFIG_UNKNOWN_KEY', 'unknown key "refresh" in arp'],
    ['arp: { prefixlength: { ipv4: 24 } }', 'arp.prefixlength', 'CONFIG_UNKNOWN_KEY', 'unknown key "prefixlength" in arp (did you mean "prefixLength"?)'],
    ['arp: { prefixLength: 24 }', 'arp.prefixLength', 'CONFIG_WRONG_TYPE', 'expected a mapping of keys (ipv4, ipv6), got 24'],
    ['arp: { prefixLength: { IPv4: 24 } }', 'arp.prefixLength.IPv4', 'CONFIG_UNKNOWN_KEY', 'unknown key "IPv4" in arp.prefixLength (did you mean "ipv4"?)'],
    ['arp: { prefixLength: { ipv4: 0 } }', 'arp.prefixLength.ipv4', 'CONFIG_INVALID_VALUE', 'expected an IPv4 prefix length 1..32, got 0'],
    ['arp: { prefixLength: { ipv4: 33 } }', 'arp.prefixLength.ipv4', 'CONFIG_INVALID_VALUE', 'expected an IPv4 prefix length 1..32, got 33'],
    ['arp: { prefixLength: { ipv4: "/24" } }', 'arp.prefixLength.ipv4', 'CONFIG_INVALID_VALUE', 'expected an IPv4 prefix length 1..32, got "/24"'],
    ['arp: { prefixLength: { ipv4: 24.5 } }', 'arp.prefixLength.ipv4', 'CONFIG_INVALID_VALUE', 'expected an IPv4 prefix length 1..32, got 24.5'],
    ['arp: { prefixLength: { ipv6: 129 } }', 'arp.prefixLength.ipv6', 'CONFIG_INVALID_VALUE', 'expected an IPv6 prefix length 1..128, got 129'],
    ['arp: { prefixLength: { ipv6: 0 } }', 'arp.prefixLength.ipv6', 'CONFIG_INVALID_VALUE', 'expected an IPv6 prefix length 1..128, got 0'],
    ['arp: { refreshInterval: 0.2 }', 'arp.refreshInterval', 'CONFIG_INVALID_VALUE', 'expected seconds between two gratuitous ARP / NA rounds, 0 (none after the takeover burst) or 0.5..3600, got 0.2'],
    ['arp: { refreshInterval: 3601 }', 'arp.refreshInterval', 'CONFIG_INVALID_VALUE', 'expected seconds between two gratuitous ARP / NA rounds, 0 (none after the takeover burst) or 0.5..3600, got 3601'],
    ['arp: { refreshInterval: -1 }', 'arp.refreshInterval', 'CONFIG_INVALID_VALUE', 'expected seconds between two gratuitous ARP / NA rounds, 0 (none after the takeover burst) or 0.5..3600, got -1'],
    ['arp: { refreshInterval: 30s }', 'arp.refreshInterval', 'CONFIG_INVALID_VALUE', 'expected seconds between two gratuitous ARP / NA rounds, 0 (none after the takeover burst) or 0.5..3600, got "30s"'],
    ['arp: { refreshInterval: true }', 'arp.refreshInterval', 'CONFIG_INVALID_VALUE', 'expected seconds between two gratuitous ARP / NA rounds, 0 (none after the takeover burst) or 0.5..3600, got true'],
    ['arp: { leaderElection: "yes" }', 'arp.leaderElection', 'CONFIG_WRONG_TYPE', 'expected true or false, got "yes"'],
  ];
  for (const [line, path, code, message] of cases) {
    it(`${line}: ${code} at ${path}`, () => {
      const error = errorOf(`${ARP}${line}\n`, path);
      assert.deepEqual({ code: error.code, path: error.path, message: error.message, line: error.line }, { code, path, message, line: 5 });
    });
  }

  it('reports every problem of the section at once', () => {
    const result = parseConfig(`${ARP}arp: { prefixLength: { ipv4: 0, ipv6: 200 }, refreshInterval: 0.1, leaderElection: no }\n`, fakeHost());
    assert.ok(!result.ok);
    assert.deepEqual(result.error.map((e) => e.path), ['arp.prefixLength.ipv4', 'arp.prefixLength.ipv6', 'arp.refreshInterval', 'arp.leaderElection']);
  });
});

/** A kube-vip DaemonSet's env block in ARP mode, with documentation addresses. */
const KUBE_VIP_ARP: Record<string, string> = {
  vip_arp: 'true',
  port: '6443',
  vip_interface: 'eth0',
  cp_enable: 'true',
  cp_namespace: 'kube-system',
  svc_enable: 'true',
  vip_leaderelection: 'true',
  vip_leaseduration: '5',
  vip_renewdeadline: '3',
  vip_retryperiod: '1',
  address: '192.0.2.10',
  bgp_routerid: '198.51.100.7',
};

function fromEnv(env: Record<string, string>): DaemonConfig {
  const result = configFromEnv(fakeHost({ env }));
  if (!result.ok) throw new Error(`expected a valid config, got:\n${formatErrors(result.error).join('\n')}`);
  return result.value;
}

function envErrors(env: Record<string, string>): ConfigError[] {
  const result = configFromEnv(fakeHost({ env }));
  if (result.ok) throw new Error('expected errors');
  return result.error;
}

function envNotes(env: Record<string, string>): string[] {
  const result = resolveConfig({ host: fakeHost({ env }) });
  if (!result.ok) throw new Error(formatErrors(result.error).join('\n'));
  return result.value.notes;
}

/** The start-up warning kube-vip.ts's table gives for one variable. */
function kubeVipSays(env: Record<string, string>, name: string): string[] {
  const result = resolveConfig({ host: fakeHost({ env }) });
  if (!result.ok) throw new Error(formatErrors(result.error).join('\n'));
  return result.value.kubeVip.filter((a) => a.name === name).map(kubeVipWarning).filter((w) => w !== undefined);
}

describe('kube-vip environment: ARP mode', () => {
  it('runs a kube-vip ARP manifest in arp mode with the defaults', () => {
    const config = fromEnv(KUBE_VIP_ARP);
    assert.equal(config.mode, 'arp');
    assert.equal(config.vips.interface, 'eth0');
    assert.deepEqual(config.arp, { prefixLength: { ipv4: 32, ipv6: 128 }, refreshIntervalMs: 30_000, leaderElection: true });
  });

  it('reads vip_subnet, vip_arpRate and vip_leaderelection into the arp section', () => {
    const config = fromEnv({ ...KUBE_VIP_ARP, vip_subnet: '24,64', vip_arpRate: '3000', vip_leaderelection: 'false' });
    assert.deepEqual(config.arp, { prefixLength: { ipv4: 24, ipv6: 64 }, refreshIntervalMs: 3000, leaderElection: false });
  });

  it('reads vip_subnet as kube-vip does: IPv4 first, IPv6 second', () => {
    const lengths = (vip_subnet: string) => fromEnv({ ...KUBE_VIP_ARP, vip_subnet }).arp.prefixLength;
    assert.deepEqual(lengths('32,128'), { ipv4: 32, ipv6: 128 });
    assert.deepEqual(lengths('24,128'), { ipv4: 24, ipv6: 128 });
    assert.deepEqual(lengths('32,64'), { ipv4: 32, ipv6: 64 });
  });

  it('gives a single vip_subnet value to the family it fits: up to 32 IPv4, above IPv6', () => {
    const lengths = (vip_subnet: string) => fromEnv({ ...KUBE_VIP_ARP, vip_subnet }).arp.prefixLength;
    assert.deepEqual(lengths('32'), { ipv4: 32, ipv6: 128 });
    assert.deepEqual(lengths('24'), { ipv4: 24, ipv6: 128 });
    assert.deepEqual(lengths('64'), { ipv4: 32, ipv6: 64 });
    assert.deepEqual(lengths('128'), { ipv4: 32, ipv6: 128 });
  });

  it('is lenient where kube-vip is strict: spaces, and a leading "/"', () => {
    assert.deepEqual(fromEnv({ ...KUBE_VIP_ARP, vip_subnet: ' /24 , 64 ' }).arp.prefixLength, { ipv4: 24, ipv6: 64 });
  });

  it('takes vip_leaderelection as Go\'s strconv.ParseBool reads it', () => {
    for (const [text, value] of [['0', false], ['f', false], ['FALSE', false], ['1', true], ['T', true], ['True', true]] as const) {
      assert.equal(fromEnv({ ...KUBE_VIP_ARP, vip_leaderelection: text }).arp.leaderElection, value, text);
    }
  });

  it('treats vip_subnet, vip_arpRate and vip_leaderelection set to "" as unset', () => {
    assert.deepEqual(fromEnv({ ...KUBE_VIP_ARP, vip_subnet: '', vip_arpRate: '', vip_leaderelection: '' }).arp, ARP_DEFAULTS);
  });

  it('raises a vip_arpRate under 500 ms to 3000 ms, as kube-vip does, and says so', () => {
    for (const rate of ['499', '0', '-5', '+100']) assert.equal(fromEnv({ ...KUBE_VIP_ARP, vip_arpRate: rate }).arp.refreshIntervalMs, 3000, rate);
    assert.equal(fromEnv({ ...KUBE_VIP_ARP, vip_arpRate: '500' }).arp.refreshIntervalMs, 500);
    assert.deepEqual(kubeVipSays({ ...KUBE_VIP_ARP, vip_arpRate: '250' }, 'vip_arpRate'), ['kube-vip\'s vip_arpRate is used differently: under 500 ms: a round every 3000 ms instead, as kube-vip does']);
  });

  it('keeps a vip_arpRate that is not a multiple of a second', () => {
    assert.equal(fromEnv({ ...KUBE_VIP_ARP, vip_arpRate: '3001' }).arp.refreshIntervalMs, 3001);
  });

  it('notes an unset vip_leaderelection, where kube-vip would not elect', () => {
    const { vip_leaderelection: _, ...env } = KUBE_VIP_ARP;
    assert.equal(fromEnv(env).arp.leaderElection, true);
    assert.deepEqual(envNotes(env), [
      "vip_leaderelection is not set: kube-vip would then run without leader election, every node holding the VIPs; vip-speaker elects one node (set vip_leaderelection=false for kube-vip's behaviour)",
    ]);
    assert.deepEqual(envNotes(KUBE_VIP_ARP), []);
  });

  it('ignores vip_cidr in ARP mode, as kube-vip does (it set the prefix announced over BGP), and says so', () => {
    const config = fromEnv({ ...KUBE_VIP_ARP, vip_cidr: '24' });
    assert.deepEqual(config.arp.prefixLength, { ipv4: 32, ipv6: 128 });
    assert.deepEqual(kubeVipSays({ ...KUBE_VIP_ARP, vip_cidr: '24' }, 'vip_cidr'), [
      'kube-vip\'s vip_cidr is not used: ARP mode: ignored, as kube-vip ignores it there (it only set the prefix announced over BGP); vip_subnet sets the prefix length on the interface',
    ]);
  });

  it('reads the ARP variables only in arp mode: bgp mode keeps the defaults', () => {
    const bgp = { bgp_enable: 'true', bgp_as: '65010', bgp_routerid: '198.51.100.7', bgp_peers: '192.0.2.1:65001::false', svc_enable: 'true' };
    const config = fromEnv({ ...bgp, vip_leaderelection: 'false', vip_arpRate: '1000' });
    assert.equal(config.mode, 'bgp');
    assert.deepEqual(config.arp, ARP_DEFAULTS);
  });

  it('still refuses a bad vip_leaderelection or vip_arpRate in bgp mode, where kube-vip stops on them too', () => {
    const bgp = { bgp_enable: 'true', bgp_as: '65010', bgp_routerid: '198.51.100.7', bgp_peers: '192.0.2.1:65001::false', svc_enable: 'true' };
    assert.deepEqual(envErrors({ ...bgp, vip_leaderelection: 'maybe', vip_arpRate: '3s' }).map((e) => [e.code, e.path]), [
      ['CONFIG_INVALID_VALUE', 'vip_leaderelection'],
      ['CONFIG_INVALID_VALUE', 'vip_arpRate'],
    ]);
  });

  it('still takes only host lengths for vip_subnet in bgp mode', () => {
    const bgp = { bgp_enable: 'true', bgp_as: '65010', bgp_routerid: '198.51.100.7', bgp_peers: '192.0.2.1:65001::false', svc_enable: 'true' };
    assert.deepEqual(envErrors({ ...bgp, vip_subnet: '24' }).map((e) => [e.code, e.path]), [['CONFIG_UNSUPPORTED', 'vip_subnet']]);
  });
});

describe('kube-vip environment errors: ARP mode', () => {
  const cases: Array<[Record<string, string>, string, string, string]> = [
    [{ vip_subnet: '33,64' }, 'vip_subnet', 'CONFIG_INVALID_VALUE', 'expected an IPv4 prefix length 1..32, got 33'],
    [{ vip_subnet: '24,129' }, 'vip_subnet', 'CONFIG_INVALID_VALUE', 'expected an IPv6 prefix length 1..128, got 129'],
    [{ vip_subnet: '0' }, 'vip_subnet', 'CONFIG_INVALID_VALUE', 'expected an IPv4 prefix length 1..32, got 0'],
    [{ vip_subnet: '200' }, 'vip_subnet', 'CONFIG_INVALID_VALUE', 'expected an IPv6 prefix length 1..128, got 200'],
    [{ vip_subnet: '24,64,96' }, 'vip_subnet', 'CONFIG_INVALID_VALUE', 'expected one prefix length ("24") or two, IPv4\'s then IPv6\'s ("24,64"), got "24,64,96"'],
    [{ vip_subnet: '255.255.255.0' }, 'vip_subnet', 'CONFIG_INVALID_VALUE', 'expected one prefix length ("24") or two, IPv4\'s then IPv6\'s ("24,64"), got "255.255.255.0"'],
    [{ vip_subnet: '24,' }, 'vip_subnet', 'CONFIG_INVALID_VALUE', 'expected one prefix length ("24") or two, IPv4\'s then IPv6\'s ("24,64"), got "24,"'],
    [{ vip_subnet: 'auto' }, 'vip_subnet', 'CONFIG_UNSUPPORTED', '"auto" (kube-vip finds each Service\'s subnet on the interface) is not supported: write the prefix lengths, e.g. "24" or "24,64", got "auto"'],
    [{ vip_arpRate: 'fast' }, 'vip_arpRate', 'CONFIG_INVALID_VALUE', 'expected whole milliseconds as kube-vip\'s strconv.ParseInt reads them (e.g. 3000), got "fast"'],
    [{ vip_arpRate: '1.5' }, 'vip_arpRate', 'CONFIG_INVALID_VALUE', 'expected whole milliseconds as kube-vip\'s strconv.ParseInt reads them (e.g. 3000), got "1.5"'],
    [{ vip_arpRate: '2147483648' }, 'vip_arpRate', 'CONFIG_INVALID_VALUE', 'expected whole milliseconds as kube-vip\'s strconv.ParseInt reads them (e.g. 3000), got "2147483648"'],
    [{ vip_arpRate: '3600001' }, 'vip_arpRate', 'CONFIG_INVALID_VALUE', 'expected at most 3600000 ms (an hour) between two rounds, got "3600001"'],
    [{ vip_leaderelection: 'yes' }, 'vip_leaderelection', 'CONFIG_INVALID_VALUE', 'expected a boolean as Go\'s strconv.ParseBool reads it (true, false, 1, 0, t, f, TRUE, FALSE, ...), got "yes"'],
  ];
  for (const [vars, path, code, message] of cases) {
    it(`${JSON.stringify(vars)}: ${code} at ${path}`, () => {
      const errors = envErrors({ ...KUBE_VIP_ARP, ...vars });
      assert.deepEqual(errors.map((e) => ({ code: e.code, path: e.path, message: e.message })), [{ code, path, message }]);
    });
  }
});

describe('diffConfig: the arp section', () => {
  it('reports a change of any arp key as "arp", without re-peering', () => {
    const before = valid(ARP);
    for (const section of ['{ prefixLength: { ipv4: 24 } }', '{ prefixLength: { ipv6: 64 } }', '{ refreshInterval: 5 }', '{ refreshInterval: 0 }', '{ leaderElection: false }']) {
      const d = diffConfig(before, valid(`${ARP}arp: ${section}\n`));
      assert.deepEqual(d.otherChanges, ['arp'], section);
      assert.equal(d.nodeChanged, false);
      assert.equal(d.unchanged, false);
    }
  });

  it('sees the defaults written out as no change', () => {
    const d = diffConfig(valid(ARP), valid(`${ARP}arp: { prefixLength: { ipv4: 32, ipv6: 128 }, refreshInterval: 30, leaderElection: true }\n`));
    assert.equal(d.unchanged, true);
  });
});
