// kube-vip's peer string. The first block re-expresses the cases of kube-vip's own tests
// (pkg/kubevip/config_bgp_test.go, pkg/bgp/peers_config_test.go) with documentation addresses;
// the rest covers where vip-speaker says more than kube-vip (ambiguity, hints, secrets).
import { strict as assert } from 'node:assert';
import { parsePeerString, redactPeerString, splitPeerList, type PeerStringFields } from '../../../src/config/index.js';

function parsed(text: string): PeerStringFields {
  const result = parsePeerString(text);
  if (!result.ok) throw new Error(`expected ${text} to parse, got: ${result.error.message}`);
  return result.value;
}

function problem(text: string): { code: string; message: string } {
  const result = parsePeerString(text);
  if (result.ok) throw new Error(`expected ${text} to be refused`);
  return result.error;
}

describe('kube-vip peer strings, as kube-vip parses them', () => {
  it('reads two IPv4 peers with the default port', () => {
    const peers = splitPeerList('192.0.2.1:65000::false,192.0.2.2:65000::false').map((e) => parsed(e.text));
    assert.deepEqual(peers, [
      { address: '192.0.2.1', asn: 65000, password: '', multihop: false, port: 179 },
      { address: '192.0.2.2', asn: 65000, password: '', multihop: false, port: 179 },
    ]);
  });

  it('reads a port after multihop', () => {
    const peers = splitPeerList('192.0.2.1:65000::false:180,192.0.2.2:65000::false:190').map((e) => parsed(e.text).port);
    assert.deepEqual(peers, [180, 190]);
  });

  it('reads a bracketed IPv6 peer with MP-BGP options in the sixth field', () => {
    assert.deepEqual(parsed('[2001:db8:1111:2222:c7d9:7235:6bf7:5d52]:65501::false::mpbgp_nexthop=auto_sourceif'), {
      address: '2001:db8:1111:2222:c7d9:7235:6bf7:5d52', asn: 65501, password: '', multihop: false, port: 179,
      mpbgp: { nexthop: 'auto_sourceif' },
    });
  });

  it('reads BFD in the seventh field with no MP-BGP options', () => {
    const peer = parsed('[2001:db8::2]:65501::false:::true;300;300;3');
    assert.equal(peer.mpbgp, undefined);
    assert.deepEqual(peer.bfd, { enabled: true, rx: 300, tx: 300, multiplier: 3 });
  });

  it('reads MP-BGP options and BFD together', () => {
    const peer = parsed('[2001:db8::2]:65501::false::mpbgp_nexthop=auto_sourceif:true;300;300;3');
    assert.deepEqual(peer.mpbgp, { nexthop: 'auto_sourceif' });
    assert.deepEqual(peer.bfd, { enabled: true, rx: 300, tx: 300, multiplier: 3 });
  });

  it('reads a bracketed IPv6 peer with a password and multihop', () => {
    assert.deepEqual(parsed('[2001:db8:100:64::2]:65000:secret:true'), {
      address: '2001:db8:100:64::2', asn: 65000, password: 'secret', multihop: true, port: 179,
    });
  });

  it('reads a bracketed IPv6 peer with an empty password', () => {
    assert.deepEqual(parsed('[2001:db8:100:64::2]:65000::false'), { address: '2001:db8:100:64::2', asn: 65000, password: '', multihop: false, port: 179 });
  });

  it('reads an IPv4 peer with password, multihop and port', () => {
    assert.deepEqual(parsed('192.0.2.10:65001:secret:true:180'), { address: '192.0.2.10', asn: 65001, password: 'secret', multihop: true, port: 180 });
  });

  it('reads a bracketed IPv6 peer with password and port', () => {
    assert.deepEqual(parsed('[2001:db8::10]:65002:secret:false:181'), { address: '2001:db8::10', asn: 65002, password: 'secret', multihop: false, port: 181 });
  });

  it('refuses an unnumbered peer, which vip-speaker does not support yet', () => {
    const p = problem('unnumbered:eth1:65003:secret:true:182');
    assert.equal(p.code, 'CONFIG_UNSUPPORTED');
    assert.match(p.message, /"unnumbered:eth1" is a BGP unnumbered peer/);
    assert.doesNotMatch(p.message, /secret/);
  });

  it('refuses a string of separators only', () => {
    assert.match(problem(':::::::').message, /address field: "" is not an IP address/);
  });

  it('refuses MP-BGP options after a "/" (older kube-vip), with a hint where they go now', () => {
    const p = problem('192.0.2.4:65000/mpbgp_nexthop');
    assert.match(p.message, /AS field: expected an AS number 1\.\.4294967295, got "65000\/mpbgp_nexthop"/);
    const q = problem('192.0.2.4:65000::false/mpbgp_nexthop=fixed');
    assert.match(q.message, /multihop field: expected true or false, got "false\/mpbgp_nexthop=fixed" \(MP-BGP options no longer follow a "\/": they are the sixth field/);
  });

  it('refuses an unsupported parameter glued to the AS', () => {
    assert.match(problem('192.0.2.4:65000;unknown=value').message, /AS field: expected an AS number/);
  });

  it('refuses an IPv6 address without its closing bracket', () => {
    assert.match(problem('[2001:db8:100:64::2:65000').message, /no closing "\]" after the IPv6 address/);
  });
});

describe('kube-vip peer strings: the details of Go parsing', () => {
  it('reads multihop with every spelling of Go strconv.ParseBool', () => {
    for (const yes of ['1', 't', 'T', 'TRUE', 'true', 'True']) assert.equal(parsed(`192.0.2.1:65000::${yes}`).multihop, true, yes);
    for (const no of ['0', 'f', 'F', 'FALSE', 'false', 'False', '']) assert.equal(parsed(`192.0.2.1:65000::${no}`).multihop, false, no);
  });

  it('refuses other spellings of a boolean, naming the field and the value', () => {
    assert.equal(problem('192.0.2.1:65000::yes').message, 'multihop field: expected true or false, got "yes"');
  });

  it('reads the AS as Go strconv.ParseUint does: leading zeros allowed, no sign', () => {
    assert.equal(parsed('192.0.2.1:065000').asn, 65000);
    assert.match(problem('192.0.2.1:+65000').message, /AS field/);
    assert.match(problem('192.0.2.1:4294967296').message, /AS field: expected an AS number 1\.\.4294967295, got "4294967296"/);
  });

  it('reads an empty port as 179', () => {
    assert.equal(parsed('192.0.2.1:65000::false:').port, 179);
  });

  it('refuses a port beyond 16 bits', () => {
    assert.equal(problem('192.0.2.1:65000::false:65536').message, 'port field: expected a TCP port 1..65535, got "65536"');
  });

  it('fills empty BFD numbers with kube-vip\'s defaults', () => {
    assert.deepEqual(parsed('192.0.2.1:65000::false:::true;;;').bfd, { enabled: true, rx: 300, tx: 300, multiplier: 3 });
    assert.deepEqual(parsed('192.0.2.1:65000::false:::false;50;100;5').bfd, { enabled: false, rx: 50, tx: 100, multiplier: 5 });
  });

  it('refuses BFD with fewer than four parts', () => {
    assert.match(problem('192.0.2.1:65000::false:::true;300').message, /BFD field: expected enable;rx;tx;multiplier/);
  });

  it('refuses an MP-BGP option without a value or with an unknown name', () => {
    assert.match(problem('192.0.2.1:65000::false::mpbgp_nexthop').message, /MP-BGP field: expected key=value options/);
    assert.match(problem('192.0.2.1:65000::false::unknown=value').message, /MP-BGP field: expected the options mpbgp_nexthop, mpbgp_ipv4, mpbgp_ipv6, got "unknown"/);
  });

  it('reads the MP-BGP options that fit between colons', () => {
    assert.deepEqual(parsed('192.0.2.1:65000::false::mpbgp_nexthop=fixed;mpbgp_ipv4=198.51.100.1').mpbgp, { nexthop: 'fixed', ipv4: '198.51.100.1' });
  });

  it('says that an IPv6 next hop cannot be written in a peer string', () => {
    assert.match(problem('192.0.2.1:65000::false::mpbgp_nexthop=fixed;mpbgp_ipv6=2001:db8::1').message, /an IPv6 next hop cannot be written in a peer string/);
  });

  it('refuses more than seven fields when there is no password', () => {
    assert.match(problem('192.0.2.1:65000::false:179:::x').message, /expected at most 7 fields \(address:AS:password:multihop:port:mpbgp:bfd\), got 8/);
  });

  it('needs at least an address and an AS', () => {
    assert.match(problem('192.0.2.1').message, /"192\.0\.2\.1" has no AS: expected at least address:AS/);
  });

  it('refuses text between the closing bracket and the first ":"', () => {
    assert.match(problem('[2001:db8::1]x:65000').message, /expected ":" right after "\[2001:db8::1\]"/);
  });

  it('says that an unbracketed IPv6 address needs brackets', () => {
    assert.match(problem('2001:db8::1:65000::false').message, /IPv6 peer addresses go in brackets, as in \[2001:db8::1\]:AS/);
  });
});

describe('kube-vip peer strings: passwords', () => {
  it('calls a string ambiguous when the fields after a password do not parse, and shows no password', () => {
    const p = problem('192.0.2.1:65000:pass:word:false');
    assert.equal(p.code, 'CONFIG_AMBIGUOUS');
    assert.equal(
      p.message,
      '"192.0.2.1:65000:<redacted>" is ambiguous: the fields after the password do not parse (multihop field: expected true or false); ' +
        "a password containing ':' needs the object form (address, asn, password)",
    );
    assert.doesNotMatch(p.message, /\bpass\b|\bword\b/);
  });

  it('calls too many fields after a password ambiguous too', () => {
    const p = problem('192.0.2.1:65000:a:b:c:d:e:f:false');
    assert.equal(p.code, 'CONFIG_AMBIGUOUS');
    assert.doesNotMatch(p.message, /"a"|:b:|\bf\b/);
  });

  it('keeps an empty password as none', () => {
    assert.equal(parsed('192.0.2.1:65000:').password, '');
  });

  it('redacts everything from the password on', () => {
    assert.equal(redactPeerString('192.0.2.1:65000:hunter2:true:179'), '192.0.2.1:65000:<redacted>');
    assert.equal(redactPeerString('[2001:db8::1]:65000:hunter2:true'), '[2001:db8::1]:65000:<redacted>');
    assert.equal(redactPeerString('192.0.2.1:65000::true'), '192.0.2.1:65000::true');
  });

  it('hides everything after the first ":" of a malformed bracketed string, where the password cannot be told apart (found by fuzzing)', () => {
    assert.equal(redactPeerString('[2001:db8::1]x:65000:hunter2:true'), '[2001:<redacted>');
    assert.equal(redactPeerString('[2001:db8::1:65000:hunter2'), '[2001:<redacted>');
  });
});

describe('bgp_peers lists', () => {
  it('splits on "," and skips empty entries, keeping each entry\'s position', () => {
    assert.deepEqual(splitPeerList('192.0.2.1:65000,, 192.0.2.2:65000 ,'), [
      { index: 0, text: '192.0.2.1:65000' },
      { index: 2, text: '192.0.2.2:65000' },
    ]);
  });
});
