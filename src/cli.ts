#!/usr/bin/env node
// Entry point of the `vip-speaker` command (package.json "bin").
import { main } from './main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // A finished daemon may still hold handles (sockets closing); the exit code is decided.
    if (process.argv[2] === 'run') process.exit(code);
  },
  (err: Error) => {
    process.stderr.write(`vip-speaker: ${err.message}\n`);
    process.exitCode = 1;
  },
);
