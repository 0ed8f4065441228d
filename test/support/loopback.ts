// Reaching a scripted peer on loopback whatever address the config gives it: the speaker's
// transport replaced, for daemon tests (the scripted peer has no MD5 key; MD5 and the real
// transport are proven in bgp/transport's tests).
import { type Socket, connect } from 'node:net';
import type { PeerConfig } from '../../bgp/index.js';

/** A speakerOptions.connector that connects every peer to 127.0.0.1:`port`. */
export function loopbackConnector(port: number): (peer: PeerConfig) => () => Promise<Socket> {
  return () => () =>
    new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port }, () => resolve(socket));
      socket.once('error', reject);
    });
}
