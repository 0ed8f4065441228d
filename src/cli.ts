#!/usr/bin/env node
// Entry point of the `vip-speaker` command (package.json "bin").
import { main } from './main.js';

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`vip-speaker: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
