// Who else may touch the files the configuration comes from. A config file or password file
// that users other than its owner can write is refused: any of them could point the sessions
// elsewhere or change the password. A password file that others can read is only warned about
// (load.ts), since a Secret volume's default mode (0644) is exactly that.
import type { HostAccess } from './types.js';

export const PERMISSION_BITS = 0o7777;
/** Group and others may write: anyone of them could change the peers or the password. */
export const WRITABLE_BY_OTHERS = 0o022;
/** Others may read: a password file so is readable by every user of the node. */
export const READABLE_BY_OTHERS = 0o004;

/** The error for a config or password file that others can write; undefined when it is safe or unknown. */
export function insecureFile(path: string, what: string, host: HostAccess): string | undefined {
  const mode = host.fileMode?.(path);
  if (mode === undefined || (mode & WRITABLE_BY_OTHERS) === 0) return undefined;
  return `${what} ${path} is writable by users other than its owner (mode ${mode.toString(8).padStart(4, '0')}): refused, as anyone of them could change it; chmod go-w ${path}`;
}
