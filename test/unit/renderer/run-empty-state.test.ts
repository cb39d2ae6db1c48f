import { describe, expect, it } from 'vitest'
import type { PlanSummary } from '../../../src-main/api/contract'
import { runEmptyState } from '../../../src-renderer/views/run/run-empty-state'

function plan(outputs: number, problems: PlanSummary['problems'] = []): PlanSummary {
  const side = { folder: '/data/out', stageCount: 1, stageDevices: outputs, rankCount: outputs }
  return {
    planId: 'p1',
    source: { ...side, folder: '/data/src' },
    destination: side,
    ranks: Array.from({ length: outputs }, (_, rank) => ({ rank }) as PlanSummary['ranks'][number]),
    flows: [],
    problems,
    params: []
  }
}

describe('the Run view before any conversion', () => {
  it('asks for a plan only when there is none', () => {
    expect(runEmptyState(undefined, false)).toMatchObject({ action: 'planner' })
    expect(runEmptyState(undefined, false).sentence).toContain('Plan one first')
  })

  it('offers to start a plan that is ready, naming its outputs and folder', () => {
    const state = runEmptyState(plan(1), false)
    expect(state).toMatchObject({ action: 'start', label: 'Start conversion' })
    expect(state.sentence).toBe(
      'No conversion has been started yet. A plan is ready: 1 output into /data/out.'
    )
    expect(runEmptyState(plan(4), false).sentence).toContain('4 outputs')
    expect(state.sentence).not.toContain('Plan one first')
  })

  it('sends a plan with errors back to the planner, counting them', () => {
    const state = runEmptyState(
      plan(2, [{ severity: 'error', message: 'x' } as PlanSummary['problems'][number]]),
      false
    )
    expect(state).toMatchObject({ action: 'planner', label: 'Show the problems' })
    expect(state.sentence).toContain('has 1 problem to fix')
  })

  it('says a plan is being made while planning', () => {
    expect(runEmptyState(undefined, true).sentence).toContain('a plan is being made')
  })

  it('points at a cluster launch of this plan instead of offering a second, local run', () => {
    const started = runEmptyState(plan(4), false, { destination: '/data/out', started: true })
    expect(started).toMatchObject({ action: 'planner', label: 'Back to the planner' })
    expect(started.sentence).toContain('launched on the cluster')
    expect(started.sentence).not.toContain('No conversion has been started')
    const written = runEmptyState(plan(4), false, { destination: '/data/out', started: false })
    expect(written.sentence).toContain('launch files for this plan (4 outputs into /data/out)')
    // A launch of another destination says nothing about the plan now in the planner.
    expect(runEmptyState(plan(4), false, { destination: '/elsewhere', started: true }).action).toBe('start')
  })
})
