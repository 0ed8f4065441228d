// The TTL filter programs, run by a small classic BPF interpreter over hand-made IP headers:
// what the kernel would keep and drop, without a kernel.
import { strict as assert } from 'node:assert';
import { BPF_ACCEPT, BPF_DROP, BpfOp, SKF_NET_OFF, dropAllFilter, singleHopFilter, ttlFilterProgram, type BpfInstruction } from '../../../bgp/bfd/filter.js';

/** Runs a program whose loads are all network-relative (SKF_NET_OFF) over an IP header. */
function run(program: BpfInstruction[], header: Uint8Array): number {
  let a = 0;
  const at = (k: number) => {
    const off = (k | 0) - SKF_NET_OFF;
    assert.ok(off >= 0 && off < header.length, `load outside the header at ${off}`);
    return off;
  };
  for (let pc = 0; pc < program.length; ) {
    const i = program[pc]!;
    switch (i.code) {
      case BpfOp.LD_B_ABS:
        a = header[at(i.k)]!;
        break;
      case BpfOp.LD_W_ABS:
        a = new DataView(header.buffer, header.byteOffset).getUint32(at(i.k));
        break;
      case BpfOp.ALU_RSH_K:
        a = a >>> i.k;
        break;
      case BpfOp.JMP_JEQ_K:
        pc += 1 + (a === i.k ? i.jt : i.jf);
        continue;
      case BpfOp.JMP_JGE_K:
        pc += 1 + (a >= i.k ? i.jt : i.jf);
        continue;
      case BpfOp.RET_K:
        return i.k;
      default:
        assert.fail(`opcode ${i.code} is not one the filters use`);
    }
    pc++;
  }
  assert.fail('the program ran off its end');
}

function ipv4(ttl: number, source: number[]): Uint8Array {
  const h = new Uint8Array(20);
  h[0] = 0x45;
  h[8] = ttl;
  h[9] = 17;
  h.set(source, 12);
  return h;
}

function ipv6(hopLimit: number, source: number[]): Uint8Array {
  const h = new Uint8Array(40);
  h[0] = 0x60;
  h[6] = 17;
  h[7] = hopLimit;
  h.set(source, 8);
  return h;
}

const v6 = (last: number) => [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, last];
const keeps = (p: BpfInstruction[], h: Uint8Array) => run(p, h) === BPF_ACCEPT;

describe('BFD TTL filters', () => {
  describe('single hop (RFC 5881 §5)', () => {
    it('keeps IPv4 with TTL 255', () => assert.ok(keeps(singleHopFilter('ipv4'), ipv4(255, [192, 0, 2, 1]))));
    it('drops IPv4 with TTL 254: one router away', () => assert.ok(!keeps(singleHopFilter('ipv4'), ipv4(254, [192, 0, 2, 1]))));
    it('drops IPv4 with TTL 1', () => assert.ok(!keeps(singleHopFilter('ipv4'), ipv4(1, [192, 0, 2, 1]))));
    it('keeps IPv6 with Hop Limit 255', () => assert.ok(keeps(singleHopFilter('ipv6'), ipv6(255, v6(1)))));
    it('drops IPv6 with Hop Limit 254', () => assert.ok(!keeps(singleHopFilter('ipv6'), ipv6(254, v6(1)))));
    it('drops an IPv6 packet on an IPv4 socket', () => assert.equal(run(singleHopFilter('ipv4'), ipv6(255, v6(1))), BPF_DROP));
    it('reads the IPv4 TTL, not the IPv6 Hop Limit position', () => {
      const h = ipv4(255, [192, 0, 2, 1]);
      h[7] = 0; // where IPv6 keeps its hop limit
      assert.ok(keeps(singleHopFilter('ipv4'), h));
    });
  });

  describe('multihop (RFC 5883 §5)', () => {
    const program4 = ttlFilterProgram({ family: 'ipv4', peers: [{ address: Uint8Array.of(198, 51, 100, 1), minTtl: 254 }, { address: Uint8Array.of(203, 0, 113, 9), minTtl: 200 }] });
    it('keeps a peer at its minimum TTL', () => assert.ok(keeps(program4, ipv4(254, [198, 51, 100, 1]))));
    it('drops a peer under its minimum TTL', () => assert.ok(!keeps(program4, ipv4(253, [198, 51, 100, 1]))));
    it('applies each peer its own minimum', () => assert.ok(keeps(program4, ipv4(200, [203, 0, 113, 9]))));
    it('drops a source that is no peer', () => assert.ok(!keeps(program4, ipv4(255, [198, 51, 100, 2]))));
    it('with no peers, drops everything', () => assert.ok(!keeps(ttlFilterProgram({ family: 'ipv4', peers: [] }), ipv4(255, [198, 51, 100, 1]))));
    const program6 = ttlFilterProgram({ family: 'ipv6', peers: [{ address: Uint8Array.from(v6(1)), minTtl: 250 }] });
    it('matches all 128 bits of an IPv6 source', () => assert.deepEqual([keeps(program6, ipv6(250, v6(1))), keeps(program6, ipv6(255, v6(2)))], [true, false]));
    it('drops an IPv6 peer under its minimum', () => assert.ok(!keeps(program6, ipv6(249, v6(1)))));
    it('a default minimum covers sources that are no peer', () => assert.ok(keeps(ttlFilterProgram({ family: 'ipv4', peers: [], defaultMinTtl: 100 }), ipv4(100, [192, 0, 2, 7]))));
    it('stays within cBPF\'s one-octet jumps with many peers', () => {
      const peers = Array.from({ length: 200 }, (_, i) => ({ address: Uint8Array.from(v6(i)), minTtl: 255 - (i % 10) }));
      const p = ttlFilterProgram({ family: 'ipv6', peers });
      assert.deepEqual([keeps(p, ipv6(255 - (150 % 10), v6(150))), keeps(p, ipv6(254, v6(0)))], [true, false]);
    });
  });

  it('the send sockets drop everything', () => assert.equal(run(dropAllFilter(), ipv4(255, [192, 0, 2, 1])), BPF_DROP));
});
