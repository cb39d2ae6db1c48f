import { describe, expect, it } from 'vitest'
import { describeSlot, workerSlot } from '../../../src-main/cli/launcher-env'

describe('which worker a process is', () => {
  it('reads --worker i/n, and says so first', () => {
    const slot = workerSlot('2/4', undefined, {})!
    expect(slot).toMatchObject({ index: 2, count: 4, source: 'flag' })
    expect(describeSlot(slot)).toBe('worker 2/4 (given by --worker)')
  })

  it('detects mpirun, srun and a Kubernetes Indexed Job from their environment', () => {
    const mpi = workerSlot(undefined, undefined, { OMPI_COMM_WORLD_RANK: '1', OMPI_COMM_WORLD_SIZE: '4' })!
    expect(describeSlot(mpi)).toBe(
      'worker 1/4 (detected OpenMPI: OMPI_COMM_WORLD_RANK=1, OMPI_COMM_WORLD_SIZE=4)'
    )
    const slurm = workerSlot(undefined, undefined, {
      SLURM_PROCID: '3',
      SLURM_NTASKS: '8',
      SLURM_STEP_ID: '0'
    })!
    expect(describeSlot(slurm)).toBe('worker 3/8 (detected Slurm: SLURM_PROCID=3, SLURM_NTASKS=8)')
    const k8s = workerSlot(undefined, 6, { JOB_COMPLETION_INDEX: '5' })!
    expect(describeSlot(k8s)).toBe(
      'worker 5/6 (detected Kubernetes Indexed Job: JOB_COMPLETION_INDEX=5, --workers 6)'
    )
  })

  it('is no worker in a Slurm batch script itself (no job step), nor without any launcher', () => {
    // sbatch sets SLURM_PROCID=0 and SLURM_NTASKS for the batch script; only srun's tasks have a step id.
    expect(workerSlot(undefined, undefined, { SLURM_PROCID: '0', SLURM_NTASKS: '2' })).toBeUndefined()
    expect(
      workerSlot(undefined, undefined, { SLURM_PROCID: '0', SLURM_NTASKS: '2', SLURM_STEP_ID: 'batch' })
    ).toBeUndefined()
    expect(workerSlot(undefined, undefined, { PATH: '/bin' })).toBeUndefined()
  })

  it('prefers mpirun inside a Slurm allocation, whose variables every mpirun process inherits', () => {
    const slot = workerSlot(undefined, undefined, {
      SLURM_PROCID: '0',
      SLURM_NTASKS: '1',
      SLURM_STEP_ID: '0',
      OMPI_COMM_WORLD_RANK: '3',
      OMPI_COMM_WORLD_SIZE: '4'
    })!
    expect(slot).toMatchObject({ index: 3, count: 4, source: 'openmpi' })
  })

  it('refuses what cannot be one worker of a run, in words', () => {
    expect(() => workerSlot('4/4', undefined, {})).toThrow(/worker index 4 is not below the worker count 4/)
    expect(() => workerSlot('1-4', undefined, {})).toThrow(/--worker must be <index>\/<count>/)
    expect(() => workerSlot(undefined, undefined, { JOB_COMPLETION_INDEX: '2' })).toThrow(
      /Kubernetes Indexed Job pod \(JOB_COMPLETION_INDEX=2\).*add --workers <completions>/
    )
    expect(() => workerSlot(undefined, 3, {})).toThrow(/give --worker <index>\/3, or start it with mpirun/)
    expect(() => workerSlot(undefined, 3, { OMPI_COMM_WORLD_RANK: '0', OMPI_COMM_WORLD_SIZE: '4' })).toThrow(
      /--workers 3 disagrees with OMPI_COMM_WORLD_RANK=0, OMPI_COMM_WORLD_SIZE=4/
    )
    expect(() =>
      workerSlot(undefined, undefined, { OMPI_COMM_WORLD_RANK: 'x', OMPI_COMM_WORLD_SIZE: '4' })
    ).toThrow(/OMPI_COMM_WORLD_RANK must be a whole number/)
    expect(() => workerSlot('0/0', undefined, {})).toThrow(/from 1 to 65536/)
  })
})
