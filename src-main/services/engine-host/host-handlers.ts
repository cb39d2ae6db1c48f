import type { AppEvent } from '../../api/contract'
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
    'job.start': async ({ planId, jobs: threads, fsync }) => {
      const open = plans.openOptions(planId)
      return {
        jobId: jobs.start(plans.get(planId), threads, {
          ...(fsync ? { durable: true } : {}),
          ...(open ? { open } : {})
        })
      }
    },
    'job.cancel': async ({ jobId }) => ({ cancelled: jobs.cancel(jobId) }),
    'folder.verify': ({ path }) => verifications.start(path),
    'verify.cancel': async ({ verifyId }) => ({ cancelled: verifications.cancel(verifyId) }),
    'clusterRun.launch': (request) => clusterRuns.launch(request),
    'clusterRun.progress': ({ runId }) => clusterRuns.progress(runId),
    'clusterRun.cancel': ({ runId }) => clusterRuns.cancel(runId)
  }
}
