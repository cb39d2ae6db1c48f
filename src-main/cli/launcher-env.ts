import { checkWorkerCount } from '../engine/cluster/worker-assignment'
import { ShardscopeError } from '../engine/errors'

/** Who said which worker this process is: the `--worker` flag, or the launcher that started it. */
export type WorkerSource = 'flag' | 'openmpi' | 'slurm' | 'k8s'

export interface WorkerSlot {
  index: number
  count: number
  source: WorkerSource
  /** The variables (or flag) it was read from, as `NAME=value` words. */
  evidence: string[]
}

const LAUNCHER_NAMES: Record<WorkerSource, string> = {
  flag: '--worker',
  openmpi: 'OpenMPI',
  slurm: 'Slurm',
  k8s: 'Kubernetes Indexed Job'
}

/**
 * Which worker of how many this process is: `--worker i/n`, or else the environment of a launcher that started
 * it — OpenMPI's mpirun (`OMPI_COMM_WORLD_RANK`/`_SIZE`; checked first, since mpirun inside a Slurm allocation
 * inherits the allocation's variables), Slurm's srun (`SLURM_PROCID`/`SLURM_NTASKS`, in a job step only: a batch
 * script itself is not a task), a Kubernetes Indexed Job (`JOB_COMPLETION_INDEX`, the count from `--workers`).
 * Undefined when this is an ordinary single run.
 */
export function workerSlot(
  flag: string | undefined,
  workers: number | undefined,
  env: Record<string, string | undefined>
): WorkerSlot | undefined {
  if (workers !== undefined) checkWorkerCount(workers)
  let slot: WorkerSlot | undefined
  if (flag !== undefined) {
    const match = /^(\d+)\/(\d+)$/.exec(flag.trim())
    if (!match)
      throw new ShardscopeError('BAD_INPUT', `--worker must be <index>/<count>, e.g. 0/4, got "${flag}".`)
    slot = make(Number(match[1]), Number(match[2]), 'flag', [`--worker ${flag.trim()}`])
  } else if (env.OMPI_COMM_WORLD_RANK !== undefined && env.OMPI_COMM_WORLD_SIZE !== undefined) {
    slot = fromVariables(env, 'OMPI_COMM_WORLD_RANK', 'OMPI_COMM_WORLD_SIZE', 'openmpi')
  } else if (
    env.SLURM_PROCID !== undefined &&
    env.SLURM_NTASKS !== undefined &&
    env.SLURM_STEP_ID !== undefined &&
    env.SLURM_STEP_ID !== 'batch'
  ) {
    slot = fromVariables(env, 'SLURM_PROCID', 'SLURM_NTASKS', 'slurm')
  } else if (env.JOB_COMPLETION_INDEX !== undefined) {
    if (workers === undefined)
      throw new ShardscopeError(
        'BAD_INPUT',
        `This process runs as a Kubernetes Indexed Job pod (JOB_COMPLETION_INDEX=${env.JOB_COMPLETION_INDEX}), but the pod cannot know how many workers there are: add --workers <completions>.`
      )
    const index = integer('JOB_COMPLETION_INDEX', env.JOB_COMPLETION_INDEX)
    slot = make(index, workers, 'k8s', [`JOB_COMPLETION_INDEX=${index}`, `--workers ${workers}`])
  }
  if (!slot) {
    if (workers !== undefined)
      throw new ShardscopeError(
        'BAD_INPUT',
        `--workers ${workers} makes this one worker of a distributed run, but which one is not known: give --worker <index>/${workers}, or start it with mpirun, srun or a Kubernetes Indexed Job.`
      )
    return undefined
  }
  if (workers !== undefined && workers !== slot.count)
    throw new ShardscopeError(
      'BAD_INPUT',
      `--workers ${workers} disagrees with ${slot.evidence.join(', ')} (${slot.count} workers); they must be the same run.`
    )
  return slot
}

/** The first line a worker prints: which worker it is and who said so. */
export function describeSlot(slot: WorkerSlot): string {
  if (slot.source === 'flag') return `worker ${slot.index}/${slot.count} (given by --worker)`
  return `worker ${slot.index}/${slot.count} (detected ${LAUNCHER_NAMES[slot.source]}: ${slot.evidence.join(', ')})`
}

function fromVariables(
  env: Record<string, string | undefined>,
  rankName: string,
  sizeName: string,
  source: WorkerSource
): WorkerSlot {
  const index = integer(rankName, env[rankName]!)
  const count = integer(sizeName, env[sizeName]!)
  return make(index, count, source, [`${rankName}=${index}`, `${sizeName}=${count}`])
}

function make(index: number, count: number, source: WorkerSource, evidence: string[]): WorkerSlot {
  checkWorkerCount(count, source === 'flag' ? 'The worker count of --worker' : 'The worker count')
  if (index >= count)
    throw new ShardscopeError(
      'BAD_INPUT',
      `${evidence.join(', ')}: worker index ${index} is not below the worker count ${count} (workers are numbered from 0).`
    )
  return { index, count, source, evidence }
}

function integer(name: string, value: string): number {
  const n = Number(value)
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n))
    throw new ShardscopeError('BAD_INPUT', `${name} must be a whole number, got "${value}".`)
  return n
}
