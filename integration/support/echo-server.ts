// A tiny TCP service for the labs: answers every connection with "hello from NAME via ADDRESS"
// and closes. Listens on every address of its namespace (so on the VIPs on lo too).
//   node dist/integration/support/echo-server.js NAME PORT
import { createServer } from 'node:net';

const [name = 'node', port = '8080'] = process.argv.slice(2);
createServer((socket) => {
  const local = (socket.localAddress ?? '').replace(/^::ffff:/, '');
  socket.end(`hello from ${name} via ${local}\n`);
}).listen(Number(port), '::', () => process.stdout.write('listening\n'));
