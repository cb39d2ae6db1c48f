import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { k8sJobArtefact, type K8sLaunch } from '../../../src-main/engine/cluster/k8s-job'
import { mpirunArtefact, slurmArtefact } from '../../../src-main/engine/cluster/launch-artefacts'
import type { WorkerAssignment } from '../../../src-main/engine/cluster/worker-assignment'
import { workerArguments, type TransformSpec } from '../../../src-main/engine/cluster/worker-command'

const spec: TransformSpec = {
  src: '/shared/ckpt/step 100',
  dst: '/shared/out',
  srcStrategy: '/shared/ckpt/src_strategy.ckpt',
  dstStrategy: "/shared/ckpt/it's dst.ckpt",
  jobs: 4
}
const balanced: WorkerAssignment = {
  basis: 'balanced',
  count: 4,
  shares: [0, 1, 2, 3].map((index) => ({ index, ranks: [index, index + 4] }))
}
const perServer: WorkerAssignment = {
  basis: 'rank-table',
  count: 2,
  layout: '/shared/rank_table.json',
  shares: [
    { index: 0, ranks: [0, 1, 2, 3], server: 'node-0' },
    { index: 1, ranks: [4, 5, 6, 7], server: 'node-1' }
  ]
}
const shardscope = ['/usr/bin/node', '/opt/shardscope/bin/shardscope.cjs']

/** What a POSIX shell makes of the script's command line: the words each worker really gets. */
function wordsOf(script: string, program: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'sscr-words-'))
  try {
    const printer = join(dir, program)
    writeFileSync(printer, '#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done\n', { mode: 0o755 })
    const path = join(dir, 'script.sh')
    writeFileSync(path, script)
    const result = spawnSync('sh', [path], { encoding: 'utf8', env: { PATH: `${dir}:/usr/bin:/bin` } })
    expect(result.status, result.stderr).toBe(0)
    return result.stdout.trimEnd().split('\n')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

describe('mpirun artefact', () => {
  it('starts n workers whose command survives the shell word for word, on this machine without hosts', () => {
    const artefact = mpirunArtefact({ spec, assignment: balanced, shardscope })
    const script = artefact.files.find((f) => f.name === 'mpirun.sh')!
    expect(script.executable).toBe(true)
    expect(script.content).toMatch(/# {3}worker 2: destination ranks 2, 6/)
    const words = wordsOf(script.content, 'mpirun')
    expect(words.slice(0, 4)).toEqual(['-np', '4', '--oversubscribe', '--tag-output'])
    expect(words.slice(4)).toEqual([...shardscope, ...workerArguments(spec, 4)])
    expect(words).toContain("/shared/ckpt/it's dst.ckpt")
    expect(words.slice(-2)).toEqual(['--workers', '4'])
  })

  it('places one worker per server of a rank table, from a hostfile next to the script', () => {
    const artefact = mpirunArtefact({
      spec: { ...spec, layout: { kind: 'rank-table', path: '/shared/rank_table.json' } },
      assignment: perServer,
      shardscope,
      hosts: [
        { host: '10.0.0.1', slots: 1 },
        { host: '10.0.0.2', slots: 1 }
      ],
      rshAgent: 'ssh -i /keys/id -o BatchMode=yes',
      allowRunAsRoot: true
    })
    expect(artefact.files.find((f) => f.name === 'hostfile')!.content).toMatch(
      /^10\.0\.0\.1 slots=1\n10\.0\.0\.2 slots=1\n$/m
    )
    const words = wordsOf(artefact.files[0]!.content, 'mpirun')
    expect(words.slice(0, 10)).toEqual([
      '--allow-run-as-root',
      '-np',
      '2',
      '--hostfile',
      expect.stringMatching(/\/hostfile$/),
      '--map-by',
      'ppr:1:node',
      '--tag-output',
      '--mca',
      'plm_rsh_agent'
    ])
    expect(words[10]).toBe('ssh -i /keys/id -o BatchMode=yes')
    expect(words).toContain('--rank-table')
  })

  it('gives every worker the checks and digests the planner asked for', () => {
    const args = workerArguments({ ...spec, crc: true, verifyCrc: true, fsync: true, sha256: true }, 2)
    for (const flag of ['--crc', '--verify-crc', '--fsync', '--sha256']) expect(args).toContain(flag)
    expect(workerArguments(spec, 2)).not.toContain('--sha256')
  })

  it('refuses too few slots, relative paths and a key in hex', () => {
    expect(() =>
      mpirunArtefact({ spec, assignment: balanced, shardscope, hosts: [{ host: 'a', slots: 3 }] })
    ).toThrow(/3 slots for 4 workers/)
    expect(() => workerArguments({ ...spec, dst: 'out' }, 2)).toThrow(/--dst must be an absolute path/)
    expect(() => workerArguments({ ...spec, decKey: '00'.repeat(16) }, 2)).toThrow(/must name a key file/)
    expect(workerArguments({ ...spec, decKey: '@/keys/k' }, 2)).toContain('@/keys/k')
  })
})

describe('sbatch script', () => {
  it('asks for one task per worker, srun starts them and one failure does not stop the others', () => {
    const { files, start } = slurmArtefact({
      spec,
      assignment: balanced,
      shardscope,
      cpusPerTask: 4,
      partition: 'cpu'
    })
    const text = files[0]!.content
    expect(text.startsWith('#!/bin/bash\n')).toBe(true)
    expect(text).toMatch(/^#SBATCH --ntasks=4$/m)
    expect(text).toMatch(/^#SBATCH --cpus-per-task=4$/m)
    expect(text).toMatch(/^#SBATCH --partition=cpu$/m)
    expect(text).not.toMatch(/--nodes=/)
    expect(start).toEqual(['sbatch', '--parsable', 'shardscope.sbatch'])
    const words = wordsOf(text, 'srun')
    expect(words).toEqual(['--kill-on-bad-exit=0', ...shardscope, ...workerArguments(spec, 4)])
  })

  it('puts one task on each server of a rank table, naming the nodes when it can', () => {
    const named = slurmArtefact({ spec, assignment: perServer, shardscope, nodelist: ['node-0', 'node-1'] })
    expect(named.files[0]!.content).toMatch(
      /#SBATCH --nodes=2\n#SBATCH --ntasks-per-node=1\n#SBATCH --nodelist=node-0,node-1/
    )
    const unnamed = slurmArtefact({ spec, assignment: perServer, shardscope })
    expect(unnamed.files[0]!.content).toMatch(/must be the job's nodes: add --nodelist/)
    expect(() =>
      slurmArtefact({ spec, assignment: balanced, shardscope, extraArgs: ['--x\nrm -rf /'] })
    ).toThrow(/cannot span lines/)
  })
})

describe('Kubernetes Indexed Job', () => {
  const launch: K8sLaunch = {
    spec,
    assignment: balanced,
    shardscope: ['shardscope'],
    image: 'registry.example/shardscope:0.1',
    volume: { claim: 'checkpoints' },
    mountPath: '/shared',
    cpu: '4',
    memory: '16Gi'
  }

  // The fields the Job API reference (batch/v1) documents for an Indexed Job, checked one by one.
  it('is a batch/v1 Job with completionMode Indexed, completions = parallelism = workers', () => {
    const job = JSON.parse(k8sJobArtefact(launch).files[0]!.content)
    expect(job.apiVersion).toBe('batch/v1')
    expect(job.kind).toBe('Job')
    expect(job.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
    expect(job.spec.completionMode).toBe('Indexed')
    expect(job.spec.completions).toBe(4)
    expect(job.spec.parallelism).toBe(4)
    // backoffLimitPerIndex may only be set with completionMode Indexed and restartPolicy Never.
    expect(job.spec.backoffLimitPerIndex).toBeGreaterThan(0)
    expect(job.spec.template.spec.restartPolicy).toBe('Never')
    expect(Object.keys(job.spec).sort()).toEqual(
      ['backoffLimitPerIndex', 'completionMode', 'completions', 'parallelism', 'template'].sort()
    )
  })

  it('runs transform with the worker count in one CPU-only container, the storage volume mounted', () => {
    const pod = JSON.parse(k8sJobArtefact(launch).files[0]!.content).spec.template.spec
    expect(pod.containers).toHaveLength(1)
    const container = pod.containers[0]
    expect(container.image).toBe('registry.example/shardscope:0.1')
    expect(container.command).toEqual(['shardscope', ...workerArguments(spec, 4)])
    expect(container.command.slice(-2)).toEqual(['--workers', '4'])
    for (const side of ['requests', 'limits'])
      expect(Object.keys(container.resources[side]).sort()).toEqual(['cpu', 'memory'])
    expect(container.resources.limits.cpu).toBe('4')
    expect(JSON.stringify(container.resources)).not.toMatch(/ascend|npu|gpu/i)
    expect(container.volumeMounts).toEqual([{ name: 'checkpoints', mountPath: '/shared' }])
    expect(pod.volumes).toEqual([
      { name: 'checkpoints', persistentVolumeClaim: { claimName: 'checkpoints' } }
    ])
    const hostPath = JSON.parse(
      k8sJobArtefact({ ...launch, volume: { hostPath: '/mnt/lustre' } }).files[0]!.content
    ).spec.template.spec.volumes[0]
    expect(hostPath).toEqual({ name: 'checkpoints', hostPath: { path: '/mnt/lustre', type: 'Directory' } })
  })

  it('refuses what the pods could not run: paths off the volume, a rank table, bad names and quantities', () => {
    expect(() => k8sJobArtefact({ ...launch, mountPath: '/data' })).toThrow(
      /--src \/shared\/ckpt\/step 100 is not under/
    )
    expect(() => k8sJobArtefact({ ...launch, assignment: perServer })).toThrow(/cannot put pod i on server i/)
    expect(() => k8sJobArtefact({ ...launch, name: 'Convert_Job' })).toThrow(/DNS label/)
    expect(() => k8sJobArtefact({ ...launch, cpu: 'lots' })).toThrow(/--cpu must be a Kubernetes quantity/)
    expect(() => k8sJobArtefact({ ...launch, volume: { claim: 'Bad Claim' } })).toThrow(
      /not a PersistentVolumeClaim/
    )
  })
})
