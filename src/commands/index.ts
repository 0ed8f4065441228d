// The CLI's commands: run (the daemon), validate, status (from the admin endpoint), decode.
export { runCommand, type RunOptions } from './run.js';
export { validateCommand } from './validate.js';
export { statusCommand, formatStatus, formatUptime } from './status.js';
export { decodeCommand, loadCapture, type DecodeOptions } from './decode.js';
