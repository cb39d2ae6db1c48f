import type { AppEvent } from '../../api/contract'
import type { ClusterService } from '../cluster/cluster-service'
import { ClusterRunService } from '../cluster-run/cluster-run-service'
import { describeFolder } from '../describe-folder'
import { describeStrategy } from '../describe-strategy'
import { describeRankTable } from '../inspect'
import { JobRunner } from '../job-runner'
import { listDirectory } from '../list-directory'
import { openPath } from '../open-path'
import { matchPairs } from '../pair-match'
import { PlanStore } from '../plan-store'
import { VerifyRunner } from '../verify-runner'
import type { HostConfig, HostedRequest, HostHandlers } from './host-protocol'

/** The work an engine process does, on the engine, for requests main has validated. */
export function hostHandlers(
  config: HostConfig,
  emit: (event: AppEvent) => void
): HostHandlers<HostedRequest> {
  const plans = new PlanStore(config.planMemoryMb)
  const jobs = new JobRunner(emit)
  const verifications = new VerifyRunner(emit)
  // SSH and the cluster modules load on the first cluster request, not in every engine process.
  let cluster: Promise<ClusterService> | undefined
  const clusterService = () =>
    (cluster ??= import('../cluster/cluster-service').then((m) => new m.ClusterService(emit)))
  const clusterRuns = new ClusterRunService()
  return {
    'path.open': ({ path }) => openPath(path),
    'path.list': ({ path }) => listDirectory(path),
    'strategy.describe': ({ path, folder }) => describeStrategy(path, folder),
    'folder.describe': ({ path, strategy }) => describeFolder(path, strategy),
    'rankTable.describe': async ({ path }) => ({ path, ...(await describeRankTable(path)) }),
    'plan.create': (request) => plans.create(request),
    'plan.param': async ({ planId, rank, param }) => plans.param(planId, rank, param),
    'pair.match': ({ strategies, folders }) => matchPairs(strategies, folders),
    'job.start': async ({ planId, jobs: threads, fsync, sha256 }) => {
      const open = plans.openOptions(planId)
      return {
        jobId: jobs.start(plans.get(planId), threads, {
          ...(fsync ? { durable: true } : {}),
          ...(sha256 ? { sha256: true } : {}),
          ...(open ? { open } : {})
        })
      }
    },
    'job.cancel': async ({ jobId }) => ({ cancelled: jobs.cancel(jobId) }),
    'folder.verify': ({ path }) => verifications.start(path),
    'verify.cancel': async ({ verifyId }) => ({ cancelled: verifications.cancel(verifyId) }),
    'cluster.describe': async (request) => (await clusterService()).describe(request),
    'cluster.probe': async (request) => (await clusterService()).probe(request),
    'cluster.push': async (request) => (await clusterService()).push(request),
    'cluster.cancel': async ({ pushId }) => ({ cancelled: (await clusterService()).cancel(pushId) }),
    'cluster.trustHost': async ({ profile, server, fingerprint, jump }) =>
      (await clusterService()).trustHost(profile, server, fingerprint, jump),
    'clusterRun.launch': (request) => clusterRuns.launch(request),
    'clusterRun.progress': ({ runId }) => clusterRuns.progress(runId),
    'clusterRun.cancel': ({ runId }) => clusterRuns.cancel(runId)
  }
}
