// Outgoing BGP connections. The socket is made through libc so that the MD5 key, TTL, minimum
// TTL, interface and source address are all in place before the SYN leaves; then Node takes the
// fd and does the connect itself (libuv's uv_tcp_connect accepts an already-open fd), so
// completion, errors and back-pressure are ordinary net.Socket behaviour.
import { Socket, type SocketConstructorOpts } from 'node:net';
import { type Clock, systemClock } from '../clock.js';
import { TransportError, connectErrorCode } from './errors.js';
import { AddressFamily, SocketType, libc } from './libc.js';
import { bindToDevice, setMd5Password, setMinTtl, setTtl } from './options.js';
import { encodeSockaddr, endpoint, parseAddress, type IpAddress } from './sockaddr.js';
import { checkRange } from './ttl.js';

export interface ConnectOptions {
  /** The peer's IP literal (IPv6 may carry a zone: `fe80::1%eth0`). Names are not resolved. */
  host: string;
  /** Usually 179 (RFC 4271 §8.2.1). */
  port: number;
  /** Source address; must be configured on this host. */
  localAddress?: string;
  /** Source port; 0 or unset lets the kernel choose. */
  localPort?: number;
  /** SO_BINDTODEVICE: an interface or VRF device to send through. */
  interface?: string;
  /** RFC 2385 TCP MD5 signature password (at most 80 bytes). */
  md5Password?: string;
  /** TTL / hop limit to send with; see ttlFor(). Unset keeps the system default. */
  ttl?: number;
  /** Lowest TTL accepted from the peer (RFC 5082 GTSM); see gtsmOptions(). */
  minTtl?: number;
  /** Give up after this long without a SYN-ACK. Default 30 s (the kernel alone waits ~2 min). */
  timeoutMs?: number;
  /** Abandons the attempt (for example when the session is deconfigured). */
  signal?: AbortSignal;
  /** Times the attempt out (default: the system's timers). */
  clock?: Clock;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;

/**
 * Opens a TCP connection to a BGP peer. Resolves with a connected net.Socket that the session
 * driver owns from then on (data, back-pressure, close). Rejects with a TransportError whose
 * `code` says why: BGP_TRANSPORT_CONNECT_TIMEOUT, BGP_TRANSPORT_ECONNREFUSED,
 * BGP_TRANSPORT_BIND_FAILED, BGP_TRANSPORT_MD5_UNSUPPORTED, BGP_TRANSPORT_NO_SUCH_INTERFACE...
 */
export async function connect(options: ConnectOptions): Promise<Socket> {
  const peer = endpoint(options.host, options.port);
  const context = `connecting to ${peer}`;
  checkRange(`${context}: port`, options.port, 1, 65535);
  if (options.localPort !== undefined) checkRange(`${context}: local port`, options.localPort, 0, 65535);
  const timeoutMs = options.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  checkRange(`${context}: timeoutMs`, timeoutMs, 1, 2 ** 31 - 1);
  if (options.signal?.aborted) throw aborted(context);

  const sys = libc();
  const remote = parseAddress(options.host, 'peer address', sys.ifNameToIndex);
  const fd = openSocket(remote.family, context);
  let socket: Socket;
  try {
    prepare(fd, remote, options, context);
    // manualStart (an undocumented option Node has kept since 0.x for child_process stdio):
    // do not start reading before the connect; Node starts reading once connected. A read
    // started on an unconnected socket could see a hang-up and end the stream at once.
    socket = new Socket({ fd, manualStart: true } as SocketConstructorOpts);
  } catch (error) {
    sys.close(fd);
    throw error;
  }
  return await waitForConnect(socket, options, timeoutMs, context);
}

function openSocket(family: AddressFamily, context: string): number {
  const result = libc().socket(family, SocketType.Stream | SocketType.NonBlock | SocketType.CloseOnExec);
  if (!result.ok) {
    throw new TransportError('BGP_TRANSPORT_SOCKET_FAILED', `${context}: socket() failed: ${result.errno}`, { errno: result.errno });
  }
  return result.value;
}

/** Every option before the SYN: the SYN itself must be signed and carry the right TTL. */
function prepare(fd: number, remote: IpAddress, options: ConnectOptions, context: string): void {
  if (options.interface !== undefined) bindToDevice(fd, options.interface, context);
  if (options.md5Password !== undefined) setMd5Password(fd, remote, options.md5Password, context);
  if (options.ttl !== undefined) setTtl(fd, options.ttl, context);
  if (options.minTtl !== undefined) setMinTtl(fd, options.minTtl, context);
  if (options.localAddress !== undefined || options.localPort !== undefined) bindLocal(fd, remote.family, options, context);
}

function bindLocal(fd: number, family: AddressFamily, options: ConnectOptions, context: string): void {
  const sys = libc();
  const localText = options.localAddress ?? (family === AddressFamily.Inet ? '0.0.0.0' : '::');
  const local = parseAddress(localText, 'local address', sys.ifNameToIndex);
  if (local.family !== family) {
    throw new TransportError(
      'BGP_TRANSPORT_BIND_FAILED',
      `${context}: local address ${localText} and the peer are of different address families`,
    );
  }
  const result = sys.bind(fd, encodeSockaddr(local, options.localPort ?? 0, family));
  if (result.ok) return;
  const { errno } = result;
  const hint =
    errno === 'EADDRNOTAVAIL' ? ' (that address is not configured on this host)' : errno === 'EADDRINUSE' ? ' (that port is taken)' : '';
  const where = endpoint(localText, options.localPort ?? 0);
  throw new TransportError('BGP_TRANSPORT_BIND_FAILED', `${context}: cannot bind to ${where}: ${errno}${hint}`, { errno });
}

function waitForConnect(socket: Socket, options: ConnectOptions, timeoutMs: number, context: string): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    const settle = (error?: TransportError) => {
      timer.cancel();
      socket.off('connect', onConnect);
      socket.off('error', onError);
      options.signal?.removeEventListener('abort', onAbort);
      if (!error) return resolve(socket);
      socket.destroy();
      reject(error);
    };
    const onConnect = () => settle();
    const onError = (error: NodeJS.ErrnoException) => settle(connectFailed(error, options, context));
    const onAbort = () => settle(aborted(context));
    const timer = (options.clock ?? systemClock).after(timeoutMs, () => settle(timedOut(options, timeoutMs, context)));
    socket.once('connect', onConnect);
    socket.once('error', onError);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    // Node connects the fd it was given; the host is an IP literal, so no lookup happens.
    try {
      socket.connect({ host: options.host, port: options.port });
    } catch (error) {
      settle(connectFailed(error as NodeJS.ErrnoException, options, context));
    }
  });
}

function connectFailed(error: NodeJS.ErrnoException, options: ConnectOptions, context: string): TransportError {
  const errno = error.code;
  const code = connectErrorCode(errno);
  const why =
    code === 'BGP_TRANSPORT_ECONNREFUSED'
      ? 'connection refused: nothing listens on that port, or the peer refused us'
      : code === 'BGP_TRANSPORT_EHOSTUNREACH' || code === 'BGP_TRANSPORT_ENETUNREACH'
        ? 'no route to the peer'
        : error.message;
  const from = options.localAddress !== undefined ? ` from ${options.localAddress}` : '';
  return new TransportError(code, `${context}${from}: ${why} (${errno ?? 'unknown error'})`, { errno, cause: error });
}

function timedOut(options: ConnectOptions, timeoutMs: number, context: string): TransportError {
  const md5 =
    options.md5Password !== undefined
      ? '. An MD5 password is set for this peer (RFC 2385): a wrong or missing password on either side shows exactly ' +
        'this way, because the kernel silently drops segments whose signature does not verify; check the password on ' +
        'both ends (the receiving kernel counts the drops as TCPMD5Failure, TCPMD5NotFound or TCPMD5Unexpected in nstat)'
      : ': the peer is down, something drops our SYNs or its answers, or the peer requires a TCP MD5 ' +
        'password (RFC 2385) that we do not send';
  const gtsm =
    options.minTtl !== undefined && options.minTtl > 0
      ? `. A minimum TTL of ${options.minTtl} is also set (GTSM, RFC 5082): answers from too far away are dropped the same way`
      : '';
  return new TransportError('BGP_TRANSPORT_CONNECT_TIMEOUT', `${context}: no answer within ${timeoutMs} ms${md5}${gtsm}`);
}

function aborted(context: string): TransportError {
  return new TransportError('BGP_TRANSPORT_ABORTED', `${context}: abandoned before the connection completed`);
}
