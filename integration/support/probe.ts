// Client side of the labs' TCP service: one request, the answer or the error.
import { type Lab } from './lab.js';

/** Connects from a lab namespace with bash's /dev/tcp (no extra process tree), returns the answer or undefined. */
export async function request(lab: Lab, fromNs: string, address: string, port: number, timeoutSeconds = 2): Promise<string | undefined> {
  try {
    const { stdout } = await lab.exec(fromNs, 'timeout', [String(timeoutSeconds), 'bash', '-c', `exec 3<>/dev/tcp/${address}/${port} && cat <&3`], { timeoutMs: (timeoutSeconds + 2) * 1000 });
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}
