// The service's one way into libc (koffi): sockets made inside a network namespace, errno names.
export { SOCK_CLOEXEC, SOCK_RAW, errnoName, inNetworkNamespace, openLibc, type LibcHandle, type NamespaceFailure, type NativeFn } from './libc.js';
