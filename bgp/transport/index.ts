// The BGP TCP transport: sockets with what Node's `net` cannot set.
//
// How the parts fit: `libc.ts` binds the few libc calls needed (socket, setsockopt, bind,
// listen) through koffi, loaded on first use; `sockaddr.ts` encodes sockaddr_in/in6 and struct
// tcp_md5sig (linux/tcp.h); `options.ts` sets the RFC 2385 MD5 key, TTL and minimum TTL
// (RFC 5082 GTSM) and SO_BINDTODEVICE on an fd; `ttl.ts` is the pure policy of which TTL a peer
// gets. `connect.ts` and `listen.ts` make the socket through libc, set everything before the
// first SYN, then hand the fd to Node, so that sessions see ordinary net.Socket objects and
// own them (reading, writing, back-pressure, closing).
export { connect, DEFAULT_CONNECT_TIMEOUT_MS, type ConnectOptions } from './connect.js';
export { listen, Listener, type ListenOptions, type ListenerEvents } from './listen.js';
export { getSocketOption, setMinTtl, setTtl, type SocketOrFd } from './options.js';
export { gtsmOptions, ttlFor, MAX_TTL, type PeerTtlSettings, type TtlPolicy } from './ttl.js';
export { SocketOption, type SocketOptionId } from './libc.js';
export { TransportError, type TransportErrorCode } from './errors.js';
export { peerKey, TCP_MD5SIG_MAXKEYLEN } from './sockaddr.js';
