import type { PlanSummary } from '../../../src-main/api/contract'
import { plural } from '../../app/format'

/** What the Run view says before any conversion was started, and what its button does. */
export interface RunEmptyState {
  sentence: string
  action: 'start' | 'planner'
  label: string
}

/** A launch of the current plan on the cluster, as far as the Run view's sentence needs it. */
export interface ClusterLaunchNote {
  destination: string
  started: boolean
}

/**
 * "Plan one first" is only true when there is no plan: with one ready the view says so and offers to start it,
 * and with one that cannot run (errors) it says why and sends the user back to fix them. A plan handed to the
 * cluster is not "not started": the sentence points at the cluster run instead, and offers no second, local run
 * of the same destination.
 */
export function runEmptyState(
  plan: PlanSummary | undefined,
  planning: boolean,
  cluster?: ClusterLaunchNote
): RunEmptyState {
  if (planning)
    return {
      sentence: 'No conversion has been started yet; a plan is being made in the planner.',
      action: 'planner',
      label: 'Go to the planner'
    }
  if (!plan)
    return {
      sentence:
        'No conversion has been started yet. Plan one first; its preview shows everything it will do.',
      action: 'planner',
      label: 'Go to the planner'
    }
  const outputs = plural(plan.ranks.length, 'output')
  if (cluster && cluster.destination === plan.destination.folder)
    return {
      sentence: cluster.started
        ? `Nothing converts in this window: this plan (${outputs} into ${plan.destination.folder}) was launched on the cluster, and its workers' progress is below.`
        : `Nothing converts in this window: the launch files for this plan (${outputs} into ${plan.destination.folder}) are written below, to be started where the cluster's launcher runs.`,
      action: 'planner',
      label: 'Back to the planner'
    }
  const errors = plan.problems.filter((p) => p.severity === 'error').length
  if (errors > 0)
    return {
      sentence: `No conversion has been started yet. The current plan (${outputs} into ${plan.destination.folder}) has ${plural(errors, 'problem')} to fix before it can run.`,
      action: 'planner',
      label: 'Show the problems'
    }
  return {
    sentence: `No conversion has been started yet. A plan is ready: ${outputs} into ${plan.destination.folder}.`,
    action: 'start',
    label: 'Start conversion'
  }
}
