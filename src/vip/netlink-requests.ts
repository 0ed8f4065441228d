// What the address table and the local-route table share over one rtnetlink socket: the link
// lookup by name, reading the replies to one request, and the errors for what the kernel said.
import { VipError, errnoName, refusalError } from './errors.js';
import { NetlinkMessageType, decodeAck, decodeLink, encodeLinkByName, splitMessages, type KernelLink, type NetlinkAck, type NetlinkMessage } from './netlink-messages.js';
import type { NetlinkSocket } from './netlink-socket.js';

/** The interface by name; VIP_ERR_NO_SUCH_INTERFACE when absent. */
export function lookUpLink(socket: NetlinkSocket, seq: number, interfaceName: string, netns: string | undefined): KernelLink {
  socket.send(encodeLinkByName(seq, interfaceName));
  for (const message of replies(socket, seq, interfaceName)) {
    if (message.type === NetlinkMessageType.NewLink) {
      const link = decodeLink(message);
      if (link) return link;
      throw malformed(interfaceName, 'RTM_NEWLINK');
    }
    const ack = errorOf(message, interfaceName);
    if (ack.errno === 0) continue;
    if (errnoName(ack.errno) === 'ENODEV') {
      throw new VipError('VIP_ERR_NO_SUCH_INTERFACE', `no interface named ${interfaceName}${netns ? ` in network namespace ${netns}` : ''} (ENODEV)`, {
        interface: interfaceName,
        errno: 'ENODEV',
        kernelMessage: ack.kernelMessage,
      });
    }
    throw refusalError({ errno: errnoName(ack.errno), kernelMessage: ack.kernelMessage }, { operation: 'list', interface: interfaceName });
  }
  throw malformed(interfaceName, 'RTM_GETLINK reply');
}

/** The messages answering `seq`, datagram by datagram, until the caller stops or an ACK/DONE ends them. */
/** The replies to request `seq`; with `inPlace`, each message is good only until the next is taken. */
export function* replies(socket: NetlinkSocket, seq: number, interfaceName: string, inPlace = false): Generator<NetlinkMessage> {
  for (;;) {
    const datagram = socket.receive(false, inPlace)!;
    const messages = splitMessages(datagram);
    if (!messages) throw malformed(interfaceName, 'datagram');
    for (const message of messages) {
      if (message.seq !== seq || message.type === NetlinkMessageType.Noop) continue; // a stale reply to an earlier request
      yield message;
      if (message.type === NetlinkMessageType.Error || message.type === NetlinkMessageType.Done) return;
    }
  }
}

export function errorOf(message: NetlinkMessage, interfaceName: string): NetlinkAck {
  if (message.type !== NetlinkMessageType.Error && message.type !== NetlinkMessageType.Done) throw malformed(interfaceName, `message type ${message.type}`);
  const ack = decodeAck(message);
  if (!ack) throw malformed(interfaceName, 'NLMSG_ERROR');
  return ack;
}

export function malformed(interfaceName: string, what: string): VipError {
  return new VipError('VIP_ERR_NETLINK_FAILED', `netlink I/O for ${interfaceName} failed: unexpected or malformed ${what} from the kernel`, { interface: interfaceName });
}
