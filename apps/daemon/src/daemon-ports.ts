import type { StateFiles } from '@gov/api/node';
import { createDockerClient, createPodClient, type DockerClient } from '@gov/docker';
import { createSnapshotSource } from '@gov/meminfo';
import { createFileModelStore, openNeuralAdvisor, type NeuralAdvisor } from '@gov/neural';
import type { Advisor, GovConfig, SnapshotSource } from '@gov/policies';
import { createDryRunExecutor, createFileReclaimLock, createReclaimer } from '@gov/reclaimer';
import { rememberListings, type DaemonContainers, type ListedContainers } from './container-listing.js';
import type { DaemonOptions, DaemonReclaimer } from './daemon.js';
import { rememberPodListings, type ListedPods } from './pod-listing.js';

/** The real ports govd runs the Governor on, or the ones a test passed in. */
export interface DaemonPorts {
  source: SnapshotSource;
  reclaimer: DaemonReclaimer;
  /** The container port, remembering its last listing for `GET /api/containers`. */
  containers: ListedContainers;
  /** The pods of this node (a Kubernetes node's kubelet cgroup tree), remembering the last listing for `GET /api/pods`. */
  pods: ListedPods;
  advisor: Advisor | null;
  /** The learned advisor when it is the one running (its status and reset are on the API). */
  neural: NeuralAdvisor | null;
  /** Closes what govd opened: the /proc files kept open, the host helper (once it is gone), the Docker event stream. */
  close(): Promise<void>;
}

/** The Docker client, made at its first use: a daemon that never lists nor pauses never builds one. */
function lazyDockerPort(make: () => DockerClient): DaemonContainers & { close(): void } {
  let client: DockerClient | null = null;
  const docker = () => (client ??= make());
  return {
    pauseIdle: (options) => docker().pauseIdle(options),
    listContainers: () => docker().listContainers(),
    pause: (nameOrId, options) => docker().pause(nameOrId, options),
    unpause: (nameOrId) => docker().unpause(nameOrId),
    close: () => client?.close(),
  };
}

/** Opens the neural advisor on its model in the state directory; `null` when it cannot be opened (logged). */
async function openAdvisor(options: DaemonOptions, learning: GovConfig['governor']['learning'], files: StateFiles, fs: NonNullable<DaemonOptions['fs']>): Promise<NeuralAdvisor | null> {
  const { logger } = options;
  try {
    const opened = await openNeuralAdvisor({
      store: createFileModelStore({ path: files.model, fs }),
      minSamples: learning.min_samples,
      mayRaise: learning.may_raise,
      onError: (error) => logger.warn({ err: error }, `advisor: ${error.message}`),
    });
    if (opened.loaded.status === 'set-aside') logger.warn({ setAsideTo: opened.loaded.setAsideTo }, `advisor model set aside: ${opened.loaded.problem}`);
    return opened.advisor;
  } catch (error) {
    logger.warn({ err: error }, `running without the advisor: ${(error as Error).message}`);
    return null;
  }
}

/** Builds the snapshot source, reclaimer, container port and advisor govd runs with. */
export async function createDaemonPorts(options: DaemonOptions, config: GovConfig, files: StateFiles, fs: NonNullable<DaemonOptions['fs']>): Promise<DaemonPorts> {
  // The Governor's reclaims wait their turn; the API's refuse (409) while another runs. The lock
  // file is shared with `gov reclaim`, so a reclaim from the CLI and one from govd never overlap.
  const lock = createFileReclaimLock({ path: files.reclaimLock });
  const reclaimer = options.reclaimer ?? createReclaimer(options.dryRun ? { executor: createDryRunExecutor(), whenBusy: 'wait', lock } : { whenBusy: 'wait', lock });
  const dockerHost = options.env['DOCKER_HOST'];
  const ownDocker = options.containers ? null : lazyDockerPort(() => createDockerClient({ stateDir: files.dir, idleCpuPercent: config.docker.idle_cpu_percent, reclaimer, ...(dockerHost ? { dockerHost } : {}) }));
  const now = options.now ?? (() => new Date());
  const containers = rememberListings(options.containers ?? (ownDocker as DaemonContainers), now);
  const pods = rememberPodListings(options.pods ?? createPodClient({ reclaimer, podLogsDir: config.kubernetes.pod_logs_dir, idleCpuPercent: config.kubernetes.idle_cpu_percent }), now);
  const neural = options.advisor === undefined && config.governor.learning.enabled ? await openAdvisor(options, config.governor.learning, files, fs) : null;
  // Detects the environment once and keeps the /proc files open between ticks.
  const ownSource = options.source ? null : createSnapshotSource(options.environment ? { environment: options.environment } : {});
  return {
    source: options.source ?? (ownSource as SnapshotSource),
    reclaimer,
    containers,
    pods,
    advisor: options.advisor === undefined ? neural : options.advisor,
    neural,
    close: async () => {
      ownDocker?.close();
      await ownSource?.close();
    },
  };
}
