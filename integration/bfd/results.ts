// Collects the BFD labs' measurements of a run into integration/bfd/results.json (not kept in git): the first
// result of a run replaces the file, the others join it, one entry per measurement.
import { fileURLToPath } from 'node:url';
import { resultsFile } from '../support/results.js';

const FILE = fileURLToPath(new URL('../../../integration/bfd/results.json', import.meta.url));

export interface BfdMeasurement {
  /** What happened: the fault, BFD on or off, the family. */
  test: string;
  fault: 'SIGSTOP' | 'link cut' | 'SIGKILL and restart';
  bfd: boolean;
  family: 'IPv4' | 'IPv6';
  /** From the fault until FRR's zebra removed the VIP's route from the tor's kernel, ms; absent when it never did. */
  routeGoneMs?: number;
  /** Graceful restart: samples of FRR's table during the restart, and how many lacked the route. */
  samples?: number;
  missing?: number;
}

/** Records one measurement of this run. */
export const recordBfdResult = resultsFile<BfdMeasurement>(FILE);
