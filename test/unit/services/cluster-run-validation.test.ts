import { describe, expect, it } from 'vitest'
import { validateRequest } from '../../../src-main/services/request-validation'

const plan = { source: { folder: '/src' }, destination: { folder: '/dst' }, options: { format: 'ckpt' } }
const base = { request: plan, launcher: 'mpirun', workers: 2, outDir: '/launch', start: true }
const launch = (extra: Record<string, unknown>) => () =>
  validateRequest('clusterRun.launch', { ...base, ...extra })

describe('"Run on the cluster" requests are validated in main', () => {
  it('accepts each launcher with its settings and keeps only known fields', () => {
    expect(validateRequest('clusterRun.launch', base).params).toEqual(base)
    const k8s = {
      ...base,
      launcher: 'k8s',
      start: false,
      k8s: { image: 'registry.example/shardscope:1.0', claim: 'ckpt-store', mountPath: '/data', cpu: '4' }
    }
    expect(validateRequest('clusterRun.launch', k8s).params).toEqual(k8s)
    const slurm = { ...base, launcher: 'slurm', slurm: { partition: 'cpu', time: '2:00:00', cpusPerTask: 4 } }
    expect(validateRequest('clusterRun.launch', slurm).params).toEqual(slurm)
    expect(
      validateRequest('clusterRun.launch', { ...base, hosts: [{ host: '10.0.0.1', slots: 2 }] }).params
    ).toMatchObject({ hosts: [{ host: '10.0.0.1', slots: 2 }] })
  })

  it.each([
    [
      'an unknown launcher',
      { launcher: 'ssh-loop' },
      'params.launcher must be one of "mpirun", "slurm", "k8s"'
    ],
    ['no workers', { workers: 0 }, 'params.workers must be an integer from 1 to 65536'],
    ['a relative launch folder', { outDir: 'launch' }, 'params.outDir must be an absolute path'],
    [
      'a host with shell in it',
      { hosts: [{ host: 'a;rm -rf ~', slots: 1 }] },
      'params.hosts[0].host must be a host name or address'
    ],
    [
      'a partition with spaces',
      { slurm: { partition: 'cpu --wrap' } },
      'params.slurm.partition must be a Slurm partition name'
    ],
    [
      'an image with a command in it',
      { k8s: { image: 'busybox; sh', mountPath: '/data' } },
      'params.k8s.image must be a container image reference'
    ],
    [
      'a memory that is no quantity',
      { k8s: { image: 'x', mountPath: '/d', memory: 'lots' } },
      'params.k8s.memory must be a Kubernetes quantity'
    ],
    ['unknown fields', { script: 'echo hi' }, 'params.script must be absent (unknown field)'],
    [
      'a plan request with a relative source',
      { request: { ...plan, source: { folder: 'src' } } },
      'params.request.source.folder must be an absolute path'
    ]
  ])('refuses %s', (_what, extra, message) => {
    expect(launch(extra)).toThrow(message)
  })

  it('checks the run id of progress and cancel', () => {
    expect(() => validateRequest('clusterRun.progress', { runId: 'x'.repeat(65) })).toThrow('params.runId')
    expect(() => validateRequest('clusterRun.cancel', {})).toThrow('params.runId')
  })
})
