// Transport errors: Node-style Errors (they reject promises and travel through 'error' events)
// with a stable `code` to match on and alert on, the errno name when the kernel said no, and a
// sentence naming the peer and what to check.
import { constants as osConstants } from 'node:os';

/** Stable names for every error the transport reports. */
export type TransportErrorCode =
  /** koffi or libc cannot be loaded, or the platform is not Linux. */
  | 'BGP_TRANSPORT_UNAVAILABLE'
  /** An address is not an IP literal (the transport never resolves names). */
  | 'BGP_TRANSPORT_INVALID_ADDRESS'
  /** An option is out of range (a TTL of 0, an MD5 key longer than 80 bytes...). */
  | 'BGP_TRANSPORT_INVALID_OPTION'
  /** socket(2) failed, or a socket has no file descriptor to work on. */
  | 'BGP_TRANSPORT_SOCKET_FAILED'
  /** The kernel has no TCP MD5 signature support (CONFIG_TCP_MD5SIG unset: ENOPROTOOPT). */
  | 'BGP_TRANSPORT_MD5_UNSUPPORTED'
  /** Any other setsockopt(2)/getsockopt(2) failure. */
  | 'BGP_TRANSPORT_SOCKET_OPTION_FAILED'
  /** SO_BINDTODEVICE named an interface that does not exist (ENODEV). */
  | 'BGP_TRANSPORT_NO_SUCH_INTERFACE'
  | 'BGP_TRANSPORT_BIND_FAILED'
  | 'BGP_TRANSPORT_LISTEN_FAILED'
  /** No SYN-ACK within the time allowed; with MD5 set, often a password mismatch. */
  | 'BGP_TRANSPORT_CONNECT_TIMEOUT'
  | 'BGP_TRANSPORT_ECONNREFUSED'
  | 'BGP_TRANSPORT_EHOSTUNREACH'
  | 'BGP_TRANSPORT_ENETUNREACH'
  /** Any other connect failure; `errno` says which. */
  | 'BGP_TRANSPORT_CONNECT_FAILED'
  /** The caller's AbortSignal fired before the connection completed. */
  | 'BGP_TRANSPORT_ABORTED';

export class TransportError extends Error {
  override readonly name = 'TransportError';
  /** The errno name (`ENODEV`, `ECONNREFUSED`...) when the kernel refused; for logs and tests. */
  readonly errno: string | undefined;

  constructor(
    readonly code: TransportErrorCode,
    message: string,
    options: { errno?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.errno = options.errno;
  }
}

const errnoNames = new Map<number, string>(
  Object.entries(osConstants.errno).map(([name, value]) => [value, name]),
);

/** `ENODEV` for 19 on Linux; `errno 4242` for a number this platform does not name. */
export function errnoName(errno: number): string {
  return errnoNames.get(errno) ?? `errno ${errno}`;
}

/** The transport code for an errno seen while connecting (a libc or a libuv error name). */
export function connectErrorCode(errno: string | undefined): TransportErrorCode {
  switch (errno) {
    case 'ECONNREFUSED':
      return 'BGP_TRANSPORT_ECONNREFUSED';
    case 'EHOSTUNREACH':
      return 'BGP_TRANSPORT_EHOSTUNREACH';
    case 'ENETUNREACH':
      return 'BGP_TRANSPORT_ENETUNREACH';
    default:
      return 'BGP_TRANSPORT_CONNECT_FAILED';
  }
}
