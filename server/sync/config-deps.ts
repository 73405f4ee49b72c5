// The reconciler's dependencies as the configuration makes them: one function for the server (main.ts) and the
// command line (cli/context.ts), so a sync from a shell uses the same source, policy, variables and render limits.
import type { ClusterClient } from '../cluster/types.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/open.ts';
import type { Logger } from '../log.ts';
import { consoleSourceConfig, createSource } from '../sources/index.ts';
import type { Source } from '../sources/types.ts';
import type { ReconcilerDeps } from './reconciler.ts';
import type { SourcePolicy, SourceSpec } from './settings.ts';

/** What a reconcile needs, and what the console's settings need to change its source. */
export interface ConfiguredDeps {
  deps: ReconcilerDeps;
  /** The configured source as settings (what resetting a source changed on the console returns to). */
  sourceSpec: SourceSpec;
  /** Builds a source from console settings. */
  makeSource: (spec: SourceSpec) => Source;
  /** Which sources the console may choose. */
  sourcePolicy: SourcePolicy;
}

export function configuredDeps(
  config: Config,
  opened: { db: Db; cluster: ClusterClient; log: Logger },
): ConfiguredDeps {
  return {
    deps: {
      db: opened.db,
      cluster: opened.cluster,
      source: createSource(config.source, config),
      sourcePath: config.source.path,
      log: opened.log,
      policy: config.policy,
      vars: config.vars,
      render: config.render,
    },
    sourceSpec: config.source,
    makeSource: (spec) => createSource(consoleSourceConfig(config, spec), config),
    sourcePolicy: { requireSignature: config.requireSignature, edit: config.consoleSourceEdit },
  };
}
