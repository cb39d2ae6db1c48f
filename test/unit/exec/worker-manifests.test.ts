import { describe, expect, it } from 'vitest'
import type { WorkerAssignment } from '../../../src-main/engine/cluster/worker-assignment'
import type { Manifest } from '../../../src-main/engine/exec/manifest'
import { mergeWorkerManifests } from '../../../src-main/engine/exec/worker-manifests'
import { isBookkeeping, parseWorkerFile, workerFileName } from '../../../src-main/engine/exec/worker-files'

const assignment: WorkerAssignment = {
  basis: 'balanced',
  count: 2,
  shares: [
    { index: 0, ranks: [0, 2] },
    { index: 1, ranks: [1, 3] }
  ]
}
const conversion = { recipe: 'r1', sourceFiles: { '0': { file: 'checkpoint_0.ckpt', size: 10, mtimeMs: 1 } } }

function workerManifest(
  index: number,
  ranks: number[],
  changes: Partial<Manifest> = {}
): { name: string; manifest: Manifest } {
  const outputs: Manifest['outputs'] = {}
  for (const rank of ranks)
    outputs[`rank_${rank}/checkpoint_${rank}.ckpt`] = {
      rank,
      size: 100,
      hashes: { sha256: 'ab'.repeat(32) },
      planHash: 'p',
      sources: [],
      completedAt: '2026-01-01T00:00:00Z'
    }
  return {
    name: workerFileName('manifest', index, 2),
    manifest: {
      format: 'shardscope-manifest',
      version: 2,
      conversion,
      sourceFolder: '/src',
      destinationRanks: 4,
      strategies: {},
      options: {},
      outputs,
      share: { index, count: 2, ranks: assignment.shares[index]!.ranks, assignment },
      run: { id: `run${index}`, state: 'complete', startedAt: '', host: 'h', pid: 1, requested: [] },
      updatedAt: '',
      ...changes
    }
  }
}

const merge = (found: { name: string; manifest?: Manifest }[], nodeOnly = false, single = false) =>
  mergeWorkerManifests('/out', found, { nodeOnly, single })

describe('merging worker manifests', () => {
  it('merges complete shares into one manifest with every rank once and no problem', () => {
    const { manifest, check } = merge([workerManifest(0, [0, 2]), workerManifest(1, [1, 3])])
    expect(
      Object.values(manifest.outputs)
        .map((o) => o.rank)
        .sort()
    ).toEqual([0, 1, 2, 3])
    expect(manifest.share).toBeUndefined()
    expect(check.problems).toEqual([])
    expect(check.present.map((p) => p.index)).toEqual([0, 1])
    expect(manifest.run?.state).toBe('complete')
  })

  it('names a missing rank and the worker to re-run', () => {
    const { check, manifest } = merge([
      workerManifest(0, [0, 2]),
      workerManifest(1, [1], {
        run: { id: 'x', state: 'cancelled', startedAt: '', host: 'h', pid: 1, requested: [] }
      })
    ])
    expect(check.problems).toEqual([
      "Destination rank 3 of worker 1/2's share is missing (its last run was cancelled); re-run worker 1/2 with the same command: it resumes."
    ])
    expect(manifest.run?.state).toBe('cancelled')
  })

  it('names a rank present twice, and one listed outside its share', () => {
    const { check } = merge([workerManifest(0, [0, 2, 1]), workerManifest(1, [1, 3])])
    expect(check.problems).toContain(
      "Destination rank 1 is present twice: in worker 0/2's share and in worker 1/2's (rank_1/checkpoint_1.ckpt)."
    )
    expect(check.problems).toContain(
      "shardscope-manifest.worker-0-of-2.json lists destination rank 1, which is not in worker 0/2's share (ranks 0, 2)."
    )
  })

  it('fails a folder missing a share, unless it is one node’s own destination', () => {
    const strict = merge([workerManifest(1, [1, 3])])
    expect(strict.check.absent).toEqual([{ index: 0, ranks: [0, 2] }])
    expect(strict.check.problems[0]).toMatch(
      /The share of worker 0\/2 \(destination ranks 0, 2\) is not in this folder.*--node/
    )
    expect(merge([workerManifest(1, [1, 3])], true).check.problems).toEqual([])
  })

  it('refuses shares of different conversions, worker counts or dealings, and a single run beside them', () => {
    const other = workerManifest(1, [1, 3], { conversion: { recipe: 'r2', sourceFiles: {} } })
    expect(merge([workerManifest(0, [0, 2]), other]).check.problems).toEqual([
      'shardscope-manifest.worker-1-of-2.json and shardscope-manifest.worker-0-of-2.json are shares of different conversions; one folder holds one conversion.'
    ])
    const redealt = workerManifest(1, [1, 3])
    redealt.manifest.share!.assignment = {
      ...assignment,
      shares: [
        { index: 0, ranks: [0] },
        { index: 1, ranks: [1, 2, 3] }
      ]
    }
    expect(merge([workerManifest(0, [0, 2]), redealt]).check.problems.join(' ')).toMatch(
      /deal the destination ranks differently/
    )
    expect(
      merge([workerManifest(0, [0, 2]), workerManifest(1, [1, 3])], false, true).check.problems[0]
    ).toMatch(/both a single run's shardscope-manifest.json and worker manifests/)
  })

  it('finds an assignment that leaves a rank to nobody', () => {
    const a = workerManifest(0, [0, 2])
    const b = workerManifest(1, [1])
    const partial = {
      ...assignment,
      shares: [
        { index: 0, ranks: [0, 2] },
        { index: 1, ranks: [1] }
      ]
    }
    a.manifest.share!.assignment = partial
    b.manifest.share = { index: 1, count: 2, ranks: [1], assignment: partial }
    expect(merge([a, b]).check.problems).toEqual([
      "The workers' assignment leaves destination rank 3 to nobody."
    ])
  })
})

describe('worker file names', () => {
  it('names each worker’s manifest, lock and progress file and reads them back; nothing else is one', () => {
    expect(workerFileName('manifest', 3, 8)).toBe('shardscope-manifest.worker-3-of-8.json')
    expect(workerFileName('lock', 3, 8)).toBe('.shardscope-lock.worker-3-of-8')
    expect(workerFileName('progress', 3, 8)).toBe('.shardscope-progress.worker-3-of-8.json')
    for (const kind of ['manifest', 'lock', 'progress'] as const)
      expect(parseWorkerFile(workerFileName(kind, 3, 8))).toEqual({ kind, index: 3, count: 8 })
    expect(parseWorkerFile('.shardscope-lock.worker-3-of-8.json')).toBeUndefined()
    expect(parseWorkerFile('shardscope-manifest.worker-3-of-8')).toBeUndefined()
    expect(parseWorkerFile('shardscope-manifest.json')).toBeUndefined()
    expect(isBookkeeping('.shardscope.lock')).toBe(true)
    expect(isBookkeeping('.shardscope-lock.setup')).toBe(true)
    expect(isBookkeeping('notes.txt')).toBe(false)
  })
})
