// A node's own "local API server" for the election lab: HTTPS on 127.0.0.1:6443 of the node's
// namespace, with a certificate that names `kubernetes` as kubeadm's does, answering /livez itself
// and passing every other request on to the fake API server in the tor namespace. vip-speaker
// reaches it as it reaches a real control-plane node's API server: /livez for the control-plane
// VIP's health, and the Lease plndr-cp-lock through https://127.0.0.1:6443 (never through the VIP).
//   ip netns exec NS node dist/integration/bgp-election/front.js CERT KEY UPSTREAM_URL
import { LivezServer } from '../../test/support/livez.js';

/** kubeadm's API server port, which vip-speaker's `port` defaults to. */
const API_SERVER_PORT = 6443;

const [cert, key, upstream] = process.argv.slice(2);
if (!cert || !key || !upstream) {
  process.stderr.write('usage: front.js CERT KEY UPSTREAM_URL\n');
  process.exit(2);
}
const server = new LivezServer({ cert, key }, upstream);
server.listen(API_SERVER_PORT).then(
  () => process.stdout.write('listening\n'),
  (err: Error) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  },
);
