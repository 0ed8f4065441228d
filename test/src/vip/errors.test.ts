// Error classification from the kernel's real answers (fixtures.ts): each refusal gets a stable
// code, and a message that names the interface, the address, the errno and the kernel's sentence.
import { strict as assert } from 'node:assert';
import { errnoName, refusalError, type VipErrorCode, type VipOperation } from '../../../src/vip/errors.js';
import { decodeAck, splitMessages } from '../../../src/vip/netlink-messages.js';
import { acks, fromHex } from './fixtures.js';

function refusalOf(name: keyof typeof acks) {
  const ack = decodeAck(splitMessages(fromHex(acks[name]))![0]!)!;
  return { errno: errnoName(ack.errno), kernelMessage: ack.kernelMessage };
}

describe('VIP errors from real kernel refusals', () => {
  const cases: Array<{
    ack: keyof typeof acks;
    operation: VipOperation;
    address: string;
    family: 'inet' | 'inet6';
    code: VipErrorCode;
    message: string;
  }> = [
    {
      ack: 'addWithoutCapability',
      operation: 'add',
      address: '192.0.2.10/32',
      family: 'inet',
      code: 'VIP_ERR_PERMISSION',
      message: 'cannot add 192.0.2.10/32 to lo: vip-speaker needs CAP_NET_ADMIN (EPERM)',
    },
    {
      ack: 'deleteWithoutCapability',
      operation: 'remove',
      address: '192.0.2.7/32',
      family: 'inet',
      code: 'VIP_ERR_PERMISSION',
      message: 'cannot remove 192.0.2.7/32 from lo: vip-speaker needs CAP_NET_ADMIN (EPERM)',
    },
    {
      ack: 'addIpv4NoDevice',
      operation: 'add',
      address: '192.0.2.8/32',
      family: 'inet',
      code: 'VIP_ERR_NO_SUCH_INTERFACE',
      message: 'cannot add 192.0.2.8/32 to lo: no such interface (ENODEV: ipv4: Device not found)',
    },
    {
      ack: 'addIpv6NoDevice',
      operation: 'add',
      address: '2001:db8::8/128',
      family: 'inet6',
      code: 'VIP_ERR_NO_SUCH_INTERFACE',
      message: 'cannot add 2001:db8::8/128 to lo: no such interface (ENODEV: ipv6: Unable to find the interface)',
    },
    {
      ack: 'addIpv6Disabled',
      operation: 'add',
      address: '2001:db8::9/128',
      family: 'inet6',
      code: 'VIP_ERR_IPV6_DISABLED',
      message:
        'cannot add 2001:db8::9/128 to lo: IPv6 is disabled on this interface (sysctl net.ipv6.conf.<if>.disable_ipv6) or in the kernel (EACCES: ipv6: IPv6 is disabled on this device)',
    },
    {
      ack: 'addIpv4Exists',
      operation: 'add',
      address: '192.0.2.7/32',
      family: 'inet',
      code: 'VIP_ERR_ADDRESS_REFUSED',
      message: 'cannot add 192.0.2.7/32 to lo: the kernel refused it (EEXIST: ipv4: Address already assigned)',
    },
    {
      ack: 'deleteIpv6Absent',
      operation: 'remove',
      address: '2001:db8::99/128',
      family: 'inet6',
      code: 'VIP_ERR_ADDRESS_REFUSED',
      message: 'cannot remove 2001:db8::99/128 from lo: the kernel refused it (EADDRNOTAVAIL: ipv6: address not found)',
    },
  ];

  for (const c of cases) {
    it(`${c.ack} is ${c.code}`, () => {
      const error = refusalError(refusalOf(c.ack), { operation: c.operation, interface: 'lo', address: c.address, family: c.family });
      assert.equal(error.code, c.code);
      assert.equal(error.message, c.message);
      assert.equal(error.interface, 'lo');
      assert.equal(error.address, c.address);
      assert.equal(error.name, 'VipError');
      assert.ok(error instanceof Error);
    });
  }

  it('EACCES on IPv4 is a plain refusal, not a permission problem', () => {
    const error = refusalError({ errno: 'EACCES' }, { operation: 'add', interface: 'lo', address: '192.0.2.1/32', family: 'inet' });
    assert.equal(error.code, 'VIP_ERR_ADDRESS_REFUSED');
  });

  it('a kernel without IPv6 (EAFNOSUPPORT) is IPv6 disabled', () => {
    const error = refusalError({ errno: 'EAFNOSUPPORT' }, { operation: 'add', interface: 'lo', address: '2001:db8::1/128', family: 'inet6' });
    assert.equal(error.code, 'VIP_ERR_IPV6_DISABLED');
  });

  it('a refusal about the interface alone names the interface', () => {
    const error = refusalError(refusalOf('linkAbsent'), { operation: 'list', interface: 'vip0' });
    assert.equal(error.code, 'VIP_ERR_NO_SUCH_INTERFACE');
    assert.equal(error.message, 'cannot list the addresses of vip0: no such interface (ENODEV)');
  });

  it('names errnos by their Linux names', () => {
    assert.equal(errnoName(1), 'EPERM');
    assert.equal(errnoName(-19), 'ENODEV');
    assert.equal(errnoName(4242), 'errno 4242');
  });
});
