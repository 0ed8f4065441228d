// The soak sampler's readings: /metrics lines and the process's TCP sockets.
import { strict as assert } from 'node:assert';
import { resourcesFrom, tcpSockets, valueOf } from '../../../integration/soak/sampler.js';

describe('soak: the sampler\'s readings', () => {
  it('reads the live resources by type and a plain value from /metrics', () => {
    const metrics = [
      '# HELP vip_speaker_nodejs_active_resources Number of active resources',
      'vip_speaker_nodejs_active_resources{type="Timeout"} 7',
      'vip_speaker_nodejs_active_resources{type="TCPServerWrap"} 1',
      'vip_speaker_nodejs_active_resources_total 12',
      'vip_speaker_nodejs_heap_size_used_bytes 50097304',
    ].join('\n');
    assert.deepEqual(resourcesFrom(metrics, 'vip_speaker_nodejs_active_resources'), { Timeout: 7, TCPServerWrap: 1 });
    assert.equal(valueOf(metrics, 'vip_speaker_nodejs_heap_size_used_bytes'), 50097304);
    assert.equal(valueOf(metrics, 'vip_speaker_missing'), undefined);
  });

  it('counts only the process\'s own sockets, LISTEN apart from the rest', () => {
    const header = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';
    const tcp = [
      header,
      '   0: 0100007F:24F5 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1001 1 0 100 0 0 10 0',
      '   1: 0200000A:B3A2 0100000A:00B3 01 00000000:00000000 00:00000000 00000000     0        0 1002 1 0 20 4 30 10 -1',
      '   2: 0200000A:B3A4 0100000A:00B3 01 00000000:00000000 00:00000000 00000000     0        0 9999 1 0 20 4 30 10 -1',
    ].join('\n');
    const tcp6 = [header, '   0: 00000000000000000000000000000000:00B3 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1003 1'].join('\n');
    assert.deepEqual(tcpSockets(['socket:[1001]', 'socket:[1002]', 'socket:[1003]', 'pipe:[55]', '/dev/null'], [tcp, tcp6]), { listening: 2, connections: 1 });
  });
});
