// Collects the ARP lab's measurements of a run into integration/arp/results.json (not kept in git): the first
// result of a run replaces the file, the others join it, one entry per test.
import { fileURLToPath } from 'node:url';
import { resultsFile } from '../support/results.js';
import type { LeaseTimings } from './topology.js';

const FILE = fileURLToPath(new URL('../../../integration/arp/results.json', import.meta.url));

export interface ArpMeasurement {
  /** The scenario: what happened, lease timings, family. */
  test: string;
  family: 'IPv4' | 'IPv6';
  /** Lease timings in seconds; `defaults` when the config had no timing keys. */
  settings: LeaseTimings & { defaults: boolean };
  /** The client's longest time without an answer, ms. */
  gapMs?: number;
  /** Who answered before and after that gap. */
  answeredBefore?: string;
  answeredAfter?: string;
  /** From the fault (signal, kill) until another node held the VIP, ms. */
  handoverMs?: number;
  /** kill -9 with the link up: how long the dead node's VIP stayed on its eth0, and how long beside the new holder's, ms. */
  staleWindowMs?: number;
  twoHoldersMs?: number;
  newHolder?: string;
  /** Address samples taken during the test, and how many saw two live holders. */
  samples: number;
  overlaps: number;
}

/** Records one measurement of this run. */
export const recordArpResult = resultsFile<ArpMeasurement>(FILE);
