// Layer-2 announcement errors: values with a stable `code` to match and alert on, the errno name
// when the kernel said no, and a message naming the interface (and namespace) and the VIP, so that
// an operator can act on one log line.

/** Stable names for every error the announcer reports. */
export type ArpErrorCode =
  /** Not a single unicast IPv4 or IPv6 address a node may hold (see src/vip/address.ts). */
  | 'ARP_ERR_INVALID_ADDRESS'
  /** An option is out of range: a burst of 0 frames, a negative interval, an invalid interface name. */
  | 'ARP_ERR_INVALID_OPTION'
  /** The interface does not exist (ENODEV) in the namespace the announcer works in. */
  | 'ARP_ERR_NO_SUCH_INTERFACE'
  /** The network namespace named in the options does not exist. */
  | 'ARP_ERR_NO_SUCH_NETNS'
  /** The interface has no Ethernet link layer (lo, WireGuard, a tun): ARP and NDP do not apply. */
  | 'ARP_ERR_NOT_ETHERNET'
  /** The interface is administratively down (ENETDOWN): nothing can be sent on it. */
  | 'ARP_ERR_INTERFACE_DOWN'
  /** The process lacks CAP_NET_RAW (AF_PACKET) or CAP_SYS_ADMIN (to enter a namespace): EPERM. */
  | 'ARP_ERR_PERMISSION'
  /** Raw sockets cannot be had at all: not Linux, or koffi or libc missing. */
  | 'ARP_ERR_UNAVAILABLE'
  /** sendto(2) failed or sent part of a frame; `errno` says why. */
  | 'ARP_ERR_SEND_FAILED'
  /** The announcer was closed before the burst was over. */
  | 'ARP_ERR_CLOSED';

export interface ArpErrorDetails {
  readonly interface: string;
  readonly netns?: string;
  readonly vip?: string;
  readonly errno?: string;
  readonly cause?: unknown;
}

export class ArpError extends Error {
  override readonly name = 'ArpError';
  readonly interface: string;
  readonly netns: string | undefined;
  readonly vip: string | undefined;
  readonly errno: string | undefined;

  constructor(
    readonly code: ArpErrorCode,
    message: string,
    details: ArpErrorDetails,
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.interface = details.interface;
    this.netns = details.netns;
    this.vip = details.vip;
    this.errno = details.errno;
  }
}

/** A failure below the announcer, before a VIP is known: what it is, and the kernel's errno. */
export interface LinkFailure {
  readonly code: ArpErrorCode;
  /** What failed, in a few words: "socket(AF_PACKET) failed", "SIOCGIFHWADDR says 772". */
  readonly detail: string;
  readonly errno?: string;
}

const hints: Partial<Record<ArpErrorCode, string>> = {
  ARP_ERR_PERMISSION: 'vip-speaker needs CAP_NET_RAW to send ARP and NDP frames (and CAP_SYS_ADMIN to enter a namespace)',
  ARP_ERR_NO_SUCH_INTERFACE: 'no such interface',
  ARP_ERR_NO_SUCH_NETNS: 'no such network namespace',
  ARP_ERR_NOT_ETHERNET: 'not an Ethernet interface, so ARP and neighbour discovery do not apply',
  ARP_ERR_INTERFACE_DOWN: 'the interface is down',
  ARP_ERR_UNAVAILABLE: 'raw packet sockets are not available',
  ARP_ERR_SEND_FAILED: 'the kernel refused the frame',
};

export interface FailureContext {
  readonly interface: string;
  readonly netns?: string;
  /** The VIP being announced; absent when the socket is opened ahead of any announcement. */
  readonly vip?: string;
}

/**
 * "cannot announce 192.0.2.50 on eth0: vip-speaker needs CAP_NET_RAW ... (socket(AF_PACKET)
 * failed: EPERM)"; without a VIP, "cannot send on eth0: ...".
 */
export function failureError(failure: LinkFailure, context: FailureContext): ArpError {
  const where = `${context.interface}${context.netns === undefined ? '' : ` in network namespace ${context.netns}`}`;
  const what = context.vip === undefined ? `cannot send on ${where}` : `cannot announce ${context.vip} on ${where}`;
  const hint = hints[failure.code];
  const said = failure.errno === undefined ? failure.detail : `${failure.detail}: ${failure.errno}`;
  return new ArpError(failure.code, `${what}: ${hint === undefined ? said : `${hint} (${said})`}`, {
    interface: context.interface,
    netns: context.netns,
    vip: context.vip,
    errno: failure.errno,
  });
}
