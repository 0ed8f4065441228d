// `vip-speaker run`: validates the configuration before touching anything, then runs the
// daemon until SIGTERM/SIGINT. SIGHUP, or a change of the config file or of a password file it
// names (config/watch.ts: however the file is replaced), reloads it: an invalid file is refused
// with its errors and the running state is kept.
import { systemClock } from '../../bgp/index.js';
import { ConfigWatcher, ReloadRefused, formatErrors, kubeVipWarning, resolveConfig, type DaemonConfig } from '../config/index.js';
import { Daemon } from '../daemon.js';
import { placementOf } from '../modes/index.js';
import { createLogger } from '../log.js';
import { LARGE_CHANGE, collectGarbageSoon, keepYoungGenerationSmall } from '../memory.js';
import { InterfacePlacer, createVipPlacer } from '../vip/index.js';

export interface RunOptions {
  configPath?: string;
  /** On SIGTERM/SIGINT keep routes and VIPs for a graceful restart instead of withdrawing. */
  keepRoutesOnStop: boolean;
  watchConfig: boolean;
}

export async function runCommand(options: RunOptions): Promise<number> {
  keepYoungGenerationSmall();
  // The watch's baseline is read before the load, so that a change made during the load or the
  // start shows as one once the daemon has started (a ConfigMap updated during a slow start).
  const watcher = options.watchConfig && options.configPath !== undefined ? new ConfigWatcher({ paths: [options.configPath], clock: systemClock }) : undefined;
  watcher?.baseline();
  const loaded = resolveConfig(options.configPath !== undefined ? { configPath: options.configPath } : {});
  if (!loaded.ok) {
    for (const line of formatErrors(loaded.error)) process.stderr.write(`vip-speaker: ${line}\n`);
    process.stderr.write(`vip-speaker: ${loaded.error.length} error(s) in the configuration; nothing was changed\n`);
    return 2;
  }
  const { config, notes, source } = loaded.value;
  const watchedPaths = (c: DaemonConfig) => [
    ...(source.kind === 'file' ? [source.path] : []),
    ...c.peers.flatMap((p) => (p.passwordFile !== undefined ? [p.passwordFile] : [])),
  ];
  // The password files' baseline: right after the load that read them.
  watcher?.setPaths(watchedPaths(config));
  const log = createLogger({ level: config.log.level, format: config.log.format });
  for (const note of notes) log.info({ note }, 'configuration note');
  for (const warning of loaded.value.warnings) log.warn({ warning }, 'configuration warning');
  // One line per kube-vip variable that does not do here what it did in kube-vip (kube-vip.ts).
  for (const account of loaded.value.kubeVip) {
    const warning = kubeVipWarning(account);
    if (warning !== undefined) log.warn({ variable: account.name }, warning);
  }
  log.info({ source: source.kind === 'file' ? source.path : 'environment (kube-vip variables)' }, 'configuration loaded');

  // Each mode says how a VIP goes on the interface: ARP mode as an address with the segment's
  // prefix length, BGP mode as an address or a local route per VIP (src/vip/index.ts); and
  // whether a Service's VIPs may go on another interface (vip_servicesinterface, serviceInterface).
  const { placement, prefixLength, servicesElsewhere } = placementOf(config);
  const addresses = new InterfacePlacer({
    defaultInterface: config.vips.interface,
    manager: (iface) => createVipPlacer({ interface: iface, placement, ...(prefixLength ? { prefixLength } : {}) }),
    // Leftovers of a killed run are looked for on every interface only where VIPs can be elsewhere.
    ...(servicesElsewhere ? {} : { interfaceNames: () => [] }),
  });
  const daemon = new Daemon(config, { log, addresses });
  // A signal during start-up (a pod deleted at once) stops the daemon once start() has settled,
  // so that nothing start() sets up afterwards is left running, and the exit is clean.
  let signalled: NodeJS.Signals | undefined;
  let exitNow: ((signal: NodeJS.Signals) => void) | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (exitNow) return exitNow(signal);
    signalled ??= signal;
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
  try {
    await daemon.start();
  } catch (err) {
    log.error({ error: (err as Error).message }, 'cannot start');
    await daemon.stop();
    return 1;
  }

  let reloading = Promise.resolve();
  const reload = (why: string) => {
    reloading = reloading.then(async () => {
      const next = resolveConfig(options.configPath !== undefined ? { configPath: options.configPath } : {});
      if (!next.ok) {
        log.error({ trigger: why, errors: formatErrors(next.error) }, 'configuration reload refused: the file is invalid; the running configuration is kept');
        return;
      }
      for (const warning of next.value.warnings) log.warn({ warning }, 'configuration warning');
      watcher?.setPaths(watchedPaths(next.value.config));
      // A reload of a large file leaves a file's worth of garbage: give it back soon (memory.ts).
      if (next.value.config.vips.static.length >= LARGE_CHANGE) collectGarbageSoon();
      try {
        const changes = await daemon.reload(next.value.config);
        log.info({ trigger: why, changes }, changes.length ? 'configuration reloaded' : 'configuration reloaded: nothing changed');
      } catch (err) {
        if (err instanceof ReloadRefused) log.error({ trigger: why, error: err.message }, 'configuration reload refused');
        else log.error({ trigger: why, error: (err as Error).message }, 'configuration reload failed');
      }
    });
  };
  process.on('SIGHUP', () => reload('SIGHUP'));
  if (watcher) {
    watcher.on('change', (paths) => reload(`file changed: ${paths.join(', ')}`));
    watcher.on('unwatchable', (folder, reason) => log.warn({ folder, reason }, 'cannot watch a configuration folder yet; trying again'));
    watcher.start();
    // Compared with the baseline once, now: a file changed since it was loaded would otherwise
    // wait for the next change (and a file of 100,000 VIPs is not parsed again for nothing).
    const changed = watcher.changed();
    if (changed.length > 0) reload(`changed during the start: ${changed.join(', ')}`);
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        log.warn({ signal }, 'second signal: exiting now');
        process.exit(1);
      }
      stopping = true;
      watcher?.close();
      log.info({ signal, keepRoutes: options.keepRoutesOnStop }, 'stopping');
      void daemon.stop({ keepRoutes: options.keepRoutesOnStop, message: `vip-speaker stopped (${signal})` }).then(() => resolve(0));
    };
    exitNow = stop;
    if (signalled) stop(signalled);
  });
}
