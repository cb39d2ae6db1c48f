import { ShardscopeError } from '../errors'

/** The conversion every worker runs, as `shardscope transform` options (absolute paths: workers run elsewhere). */
export interface TransformSpec {
  src: string
  dst: string
  srcStrategy?: string
  dstStrategy?: string
  prefix?: string
  format?: 'ckpt' | 'safetensors'
  dtype?: string
  exclude?: string
  crc?: boolean
  verifyCrc?: boolean
  fsync?: boolean
  /** Record SHA-256 besides XXH3-128 (`--sha256`). */
  sha256?: boolean
  /** Threads per worker (destination ranks written at once). */
  jobs?: number
  /** `@<key file>` only: a key written into a script or a manifest would be a key given away. */
  decKey?: string
  decMode?: string
  /** The rank table or hostfile workers find their server in (rank-table assignment). */
  layout?: { kind: 'rank-table' | 'hostfile'; path: string }
  cluster?: string
}

/** The distributed runs a launcher can start, and what each needs. */
export type LauncherKind = 'mpirun' | 'slurm' | 'k8s'

const isAbsolute = (path: string) => path.startsWith('/')

/**
 * `transform …` arguments of one worker; the worker learns which it is from its launcher, and `--workers` makes
 * every worker check that the launcher started as many as the assignment was made for.
 */
export function workerArguments(spec: TransformSpec, workers: number): string[] {
  for (const [flag, path] of [
    ['--src', spec.src],
    ['--dst', spec.dst],
    ['--src-strategy', spec.srcStrategy],
    ['--dst-strategy', spec.dstStrategy],
    [`--${spec.layout?.kind}`, spec.layout?.path],
    ['--cluster', spec.cluster]
  ] as const)
    if (path !== undefined && !isAbsolute(path))
      throw new ShardscopeError(
        'BAD_INPUT',
        `${flag} must be an absolute path for workers on other machines, got "${path}".`
      )
  if (spec.decKey !== undefined && !spec.decKey.startsWith('@'))
    throw new ShardscopeError(
      'BAD_INPUT',
      '--dec-key must name a key file (@/path/to/key) for a distributed run: a key in hex would be written into the launch script for anyone to read.'
    )
  const args = ['transform', '--src', spec.src, '--dst', spec.dst]
  const add = (flag: string, value: string | number | undefined) => {
    if (value !== undefined) args.push(flag, String(value))
  }
  add('--src-strategy', spec.srcStrategy)
  add('--dst-strategy', spec.dstStrategy)
  add('--prefix', spec.prefix)
  if (spec.format && spec.format !== 'ckpt') add('--format', spec.format)
  add('--dtype', spec.dtype)
  add('--exclude', spec.exclude)
  if (spec.crc) args.push('--crc')
  if (spec.verifyCrc) args.push('--verify-crc')
  if (spec.fsync) args.push('--fsync')
  if (spec.sha256) args.push('--sha256')
  add('--jobs', spec.jobs)
  add('--dec-key', spec.decKey)
  add('--dec-mode', spec.decMode)
  if (spec.layout) add(`--${spec.layout.kind}`, spec.layout.path)
  add('--cluster', spec.cluster)
  add('--workers', workers)
  return args
}
