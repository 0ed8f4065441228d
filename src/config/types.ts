// The validated, resolved configuration the daemon runs from. Every value here has been
// checked and every default filled in: the daemon never re-validates, it maps PeerSpec onto
// the BGP library's PeerConfig and SpeakerOptions.
export type Mode = 'bgp' | 'arp';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'json' | 'pretty';
export type VipPlacement = 'auto' | 'addresses' | 'routes';

export interface DaemonConfig {
  mode: Mode;
  node: NodeIdentity;
  /** Where to accept peers' connections; null: no listener, we connect out (as kube-vip). */
  listen: { address: string; port: number } | null;
  /** Session timers in seconds, for every peer that does not set its own. */
  timers: Timers;
  /** RFC 4724; restartTime is 12 bits (0..4095 s). */
  gracefulRestart: { enabled: boolean; restartTime: number };
  peers: PeerSpec[];
  /**
   * The interface the VIPs are bound to ('lo' in BGP mode), the VIPs announced always, and how
   * a VIP is made local (src/vip/index.ts): addresses, IPv4 local routes, or 'auto' (addresses up
   * to 1,000 IPv4 VIPs, local routes beyond). ARP mode always places addresses.
   */
  vips: { interface: string; static: StaticVip[]; placement: VipPlacement };
  /** Status, health and metrics endpoint; `healthPort`: a second listener, on every address, for GET /healthz only (kube-vip's health_check_port). */
  admin: { address: string; port: number; healthPort?: number };
  log: { level: LogLevel; format: LogFormat };
  kubernetes: KubernetesSettings;
  /** ARP mode's settings; filled with their defaults in bgp mode too, where nothing reads them. */
  arp: ArpSettings;
}

export interface ArpSettings {
  /** The prefix length a VIP is put on vipInterface with (kube-vip's vip_subnet); the VIP itself stays one address. */
  prefixLength: { ipv4: number; ipv6: number };
  /** Time between two gratuitous ARP / unsolicited NA rounds while a VIP is held; 0: none after the takeover burst. */
  refreshIntervalMs: number;
  /** Hold the VIPs only while holding a Lease (kube-vip's vip_leaderelection); false: this node holds them alone. */
  leaderElection: boolean;
}

export interface NodeIdentity {
  asn: number;
  /** The BGP Identifier as a dotted quad (RFC 6286). */
  routerId: string;
  /** config: written as routerId; interface: the first IPv4 address of routerInterface; auto: of the first non-loopback interface. */
  routerIdSource: 'config' | 'interface' | 'auto';
  /** The interface the router id came from, when it came from one. */
  routerInterface?: string;
}

export interface Timers {
  /** 0, or 3..65535 (RFC 4271 §4.2). */
  holdTime: number;
  /** At most a third of holdTime (RFC 4271 §10); 0 when holdTime is 0. */
  keepaliveTime: number;
  connectRetryTime: number;
}

export type NextHopMode = 'fixed' | 'auto_sourceip' | 'auto_sourceif';

export interface PeerSpec {
  /** Canonical text (RFC 5952 for IPv6): the key peers are matched by across reloads. */
  address: string;
  asn: number;
  /** 179 unless set. kube-vip parsed a port but long ignored it; vip-speaker honours it. */
  port: number;
  /** RFC 2385 TCP MD5 key, resolved from the file, a file or a variable; never logged (see redactConfig). */
  password?: string;
  passwordSource?: 'literal' | 'file' | 'env' | 'annotation';
  /** The file the password was read from (passwordFile): watched, and read again on every reload. */
  passwordFile?: string;
  /** eBGP multihop: send with `ttl` rather than 1. */
  multihop: boolean;
  /** The TTL to send with when multihop (50 unless set, as kube-vip). */
  ttl?: number;
  /** GTSM (RFC 5082) with the peer this many hops away; excludes multihop. */
  gtsmHops?: number;
  sourceAddress?: string;
  sourceInterface?: string;
  /** Set only when the peer overrides the node's timers; both are then filled. */
  holdTime?: number;
  keepaliveTime?: number;
  /** Attached to every route sent to this peer: "65000:100" or a well-known name. */
  communities: string[];
  /** "global:local1:local2" (RFC 8092). */
  largeCommunities: string[];
  /** kube-vip's MP-BGP next-hop options: the next hop for the other family's routes. */
  mpbgp?: { nexthop: NextHopMode; ipv4?: string; ipv6?: string };
  /**
   * BFD (kube-vip's BFD field, the peer's `bfd` key, or the node's `bfd` default): rx and tx in
   * milliseconds, the detection multiplier 1..255. Run when enabled.
   */
  bfd?: BfdSpec;
  /** Never connect out; wait for the peer. */
  passive: boolean;
}

export interface BfdSpec {
  enabled: boolean;
  /** Required Min RX Interval, ms. */
  rx: number;
  /** Desired Min TX Interval once Up, ms. */
  tx: number;
  /** Detect Mult. */
  multiplier: number;
}

export interface StaticVip {
  /** Canonical host prefix: 'a.b.c.d/32' or '2001:db8::1/128'. */
  address: string;
  communities: string[];
  largeCommunities: string[];
}

export interface KubernetesSettings {
  /** Whether the daemon talks to the API server at all: true when controlPlane or services is. */
  enabled: boolean;
  /** kube-vip's cp_enable: announce the control-plane VIP. */
  controlPlane: boolean;
  /** kube-vip's svc_enable: announce LoadBalancer Service VIPs. */
  services: boolean;
  /** Path to a kubeconfig; in-cluster credentials when absent. */
  kubeconfig?: string;
  /** The API server port behind the control-plane VIP (kube-vip's `port`, 6443). */
  apiServerPort: number;
  // The keys below are present only when set to something other than kube-vip's default
  // (KUBERNETES_DEFAULTS); `kubernetesDefaults()` gives them all filled in.
  /** This node's name in the API (kube-vip's vip_nodename); absent: NODE_NAME, then the hostname. */
  nodeName?: string;
  /** Namespace of vip-speaker's own objects, such as leases (kube-vip's cp_namespace); absent: kube-system. */
  namespace?: string;
  /** The spec.loadBalancerClass served (kube-vip's lb_class_name); '' serves only Services without a class. */
  loadBalancerClass?: string;
  /** Skip Services that name no class (kube-vip's lb_class_only); absent: false. */
  loadBalancerClassOnly?: boolean;
  /** kube-vip's lb_class_legacy_handling: a Service without a class is served; absent: true. */
  loadBalancerClassLegacyHandling?: boolean;
  /** Per-node BGP settings from node annotations under this prefix (kube-vip's `annotation`); absent: not read. */
  nodeAnnotationPrefix?: string;
  /**
   * One Lease per Service (kube-vip's svc_election): its holder writes that Service's status, and
   * in BGP mode is the only node that announces the Service's VIPs, as in kube-vip; absent: false.
   */
  servicesElection?: boolean;
  /**
   * BGP mode (kube-vip's vip_leaderelection there): the static and control-plane VIPs are
   * announced only by the holder of the Lease plndr-cp-lock, as kube-vip does, instead of by every
   * node (ECMP); absent: false. ARP mode has arp.leaderElection.
   */
  leaderElection?: boolean;
  /** Seconds between two probes of the local API server's /livez for the control-plane VIP; absent: 1. */
  controlPlaneCheckInterval?: number;
  /** Probe this URL (http or https, GET, 200 is healthy) instead of the local API server's /livez (kube-vip's control_plane_health_check_address). */
  controlPlaneCheckUrl?: string;
  /** Seconds to wait for a probe's answer; absent: 1, at most controlPlaneCheckInterval. */
  controlPlaneCheckTimeout?: number;
  /** Failures in a row that withdraw the control-plane VIP; absent: 3. */
  controlPlaneCheckFailureThreshold?: number;
  /** PEM file of the CA that checks an https controlPlaneCheckUrl; absent: the cluster's CA. */
  controlPlaneCheckCaFile?: string;
  /** The API server's URL, replacing the kubeconfig's; also where the control-plane Lease is written (kube-vip's kubernetes_addr). */
  apiServerAddress?: string;
  /**
   * The Leases go in the pod's own namespace (its service account's), `namespace` only where that
   * cannot be read, as kube-vip places them; env mode sets it. Absent: false, `namespace` always.
   */
  namespaceFromPod?: boolean;
  /** The control-plane Lease, "[namespace/]name" (kube-vip's vip_leasename); absent: plndr-cp-lock in `namespace`. */
  controlPlaneLease?: string;
  /** The services Lease, "[namespace/]name" (kube-vip's svc_leasename); absent: plndr-svcs-lock in `namespace`. */
  servicesLease?: string;
  /** Serve only the Services of this namespace (kube-vip's svc_namespace); absent: every namespace. */
  servicesNamespace?: string;
  /** Write each Service's status.loadBalancer and kube-vip.io/vipHost; false: kube-vip's disable_service_updates. Absent: true. */
  writeServiceStatus?: boolean;
  /**
   * The interface Service VIPs go on, instead of vipInterface (kube-vip's vip_servicesinterface);
   * a Service's kube-vip.io/serviceInterface names its own. In BGP mode the annotation is read only
   * when this is set (kube-vip's bgp_attach_ip_to_interface).
   */
  servicesInterface?: string;
  /** Label this node kube-vip.io/has-ip=<VIP> while it holds the control-plane VIP (kube-vip's enable_node_labeling). */
  labelNode?: boolean;
  /** Honour node.kubernetes.io/exclude-from-external-load-balancers on this node: no Service VIP; absent: true. */
  withdrawWhenExcluded?: boolean;
  /** Announce no Service VIP while this node is cordoned (spec.unschedulable); absent: false. */
  withdrawWhenCordoned?: boolean;
  /** Leader election timings in seconds (kube-vip's vip_leaseduration, vip_renewdeadline, vip_retryperiod); absent: 5, 3, 1. */
  leaseDuration?: number;
  renewDeadline?: number;
  retryPeriod?: number;
  /** The API client's limits (config/kube-client.ts), the keys given only; absent: kube-vip's QPS 100, burst 250, and 4 connections. */
  client?: Partial<KubeClientSettings>;
}

/** `kubernetes.client`: requests per second (client-go's QPS), the burst, and requests in flight (one keep-alive connection each). */
export interface KubeClientSettings {
  qps: number;
  burst: number;
  maxConnections: number;
}

/** The Kubernetes keys whose absence means kube-vip's default, with that default filled in. */
export interface KubernetesDefaulted {
  namespace: string;
  loadBalancerClass: string;
  loadBalancerClassOnly: boolean;
  loadBalancerClassLegacyHandling: boolean;
}

/** Stable names for each kind of problem; the message says the rest. */
export type ConfigErrorCode =
  | 'CONFIG_SYNTAX'
  | 'CONFIG_UNKNOWN_KEY'
  | 'CONFIG_WRONG_TYPE'
  | 'CONFIG_INVALID_VALUE'
  | 'CONFIG_MISSING'
  | 'CONFIG_CONFLICT'
  | 'CONFIG_DUPLICATE'
  | 'CONFIG_AMBIGUOUS'
  | 'CONFIG_UNREADABLE'
  | 'CONFIG_UNSUPPORTED'
  /** A config or password file that users other than its owner can write. */
  | 'CONFIG_INSECURE';

export interface ConfigError {
  code: ConfigErrorCode;
  /** Where: a key path in the file (`peers[1].asn`) or an environment variable (`bgp_peers[1]`); '' for the whole input. */
  path: string;
  /** What was expected and what arrived; never a password. */
  message: string;
  /** The config file, when the error is in one. */
  file?: string;
  /** 1-based position in the file, when known. */
  line?: number;
  column?: number;
}

/** What the daemon needs from the host, injected so that parsing is pure in tests. */
export interface HostAccess {
  /** Environment variables (passwordEnv, VIP_SPEAKER_* and kube-vip's variables). */
  env: Readonly<Record<string, string | undefined>>;
  /** Reads a file as UTF-8 text; throws a Node error (with `code`) when it cannot. */
  readFile: (path: string) => string;
  /** Addresses per interface, in the shape of os.networkInterfaces(). */
  listInterfaces: () => InterfaceTable;
  /** A file's permission bits (following symlinks), or undefined when unknown; absent: not checked. */
  fileMode?: (path: string) => number | undefined;
  /**
   * `validate` only: a password file that does not exist or a password variable that is not set
   * is handed here (where and why) instead of being an error, and the peer is checked on without
   * its password. The secret may exist only where the daemon runs (a Secret volume); `run` never
   * sets this, so there a missing secret stops the start. Absent: an error.
   */
  deferMissingSecret?: (problem: ConfigError) => void;
}

export type InterfaceTable = Readonly<Record<string, ReadonlyArray<{ address: string; family: string | number; internal: boolean }> | undefined>>;
