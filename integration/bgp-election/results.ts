// Collects the election lab's measurements of a run into integration/bgp-election/results.json
// (not kept in git): the first result of a run replaces the file, the others join it.
import { fileURLToPath } from 'node:url';
import { resultsFile } from '../support/results.js';

const FILE = fileURLToPath(new URL('../../../integration/bgp-election/results.json', import.meta.url));

export interface ElectionMeasurement {
  /** What happened: the setting, the fault. */
  test: string;
  vip: string;
  /** The nodes FRR held a path from, before the fault (always one: active/standby). */
  pathsBefore: string[];
  /** The most paths FRR held for the VIP at any sample while both nodes ran. */
  mostPathsSeen: number;
  /** The leader, and the node that took over. */
  leader: string;
  successor: string;
  /** From the fault (signal sent) until FRR held the successor's path, ms. */
  takeoverMs: number;
  /** From the fault until the leader's path left FRR, ms. */
  withdrawnMs: number;
  /** How long FRR held no path for the VIP, ms. */
  noPathMs: number;
  samples: number;
}

/** Records one measurement, under its `test` name. */
export const recordElectionResult = resultsFile<ElectionMeasurement>(FILE);
