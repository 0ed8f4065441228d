import { strict as assert } from 'node:assert';
import { connectErrorCode, errnoName } from '../../../bgp/transport/errors.js';
import { TransportError } from '../../../bgp/transport/index.js';

describe('transport errors', () => {
  it('names errno values as the C library does, and says so when it cannot', () => {
    assert.equal(errnoName(19), 'ENODEV');
    assert.equal(errnoName(4242), 'errno 4242');
  });

  it('maps connect errno names to stable codes', () => {
    assert.equal(connectErrorCode('ECONNREFUSED'), 'BGP_TRANSPORT_ECONNREFUSED');
    assert.equal(connectErrorCode('EHOSTUNREACH'), 'BGP_TRANSPORT_EHOSTUNREACH');
    assert.equal(connectErrorCode('ETIMEDOUT'), 'BGP_TRANSPORT_CONNECT_FAILED');
    assert.equal(connectErrorCode(undefined), 'BGP_TRANSPORT_CONNECT_FAILED');
  });

  it('is an Error with a stable code, the errno name and the cause', () => {
    const cause = new Error('underlying');
    const error = new TransportError('BGP_TRANSPORT_BIND_FAILED', 'cannot bind', { errno: 'EADDRINUSE', cause });
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'TransportError');
    assert.equal(error.code, 'BGP_TRANSPORT_BIND_FAILED');
    assert.equal(error.errno, 'EADDRINUSE');
    assert.equal(error.cause, cause);
  });
});
