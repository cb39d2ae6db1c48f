import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createFastHasher } from '../../src-main/engine/io/fast-hash'

/**
 * A converted output folder as `shardscope transform` leaves it (rank_N/checkpoint_N.<ext> and
 * shardscope-manifest.json), with random bytes of chosen sizes, so push tests control file sizes.
 */
export function makeConvertedFolder(
  dir: string,
  sizes: number[],
  options: { manifestVersion?: 1 | 2; strategy?: string; ext?: string } = {}
): { folder: string; sha256: string[]; xxh3: string[] } {
  const folder = join(dir, 'converted')
  const outputs: Record<string, unknown> = {}
  const sha256: string[] = []
  const xxh3: string[] = []
  sizes.forEach((size, rank) => {
    const relative = `rank_${rank}/checkpoint_${rank}.${options.ext ?? 'ckpt'}`
    mkdirSync(join(folder, `rank_${rank}`), { recursive: true })
    const bytes = randomBytes(size)
    writeFileSync(join(folder, relative), bytes)
    const digest = createHash('sha256').update(bytes).digest('hex')
    sha256.push(digest)
    const fast = createFastHasher().update(bytes).digestHex()
    xxh3.push(fast)
    const base = { rank, size, planHash: 'test', sources: [], completedAt: new Date().toISOString() }
    // Version 2 entries carry only the fast hash, as the converter records by default; the push computes
    // SHA-256 itself and records it.
    outputs[relative] =
      options.manifestVersion === 2 ? { ...base, hashes: { xxh3_128: fast } } : { ...base, sha256: digest }
  })
  const strategies = options.strategy ? { destination: { paths: [options.strategy], sha256: 'x' } } : {}
  writeFileSync(
    join(folder, 'shardscope-manifest.json'),
    JSON.stringify(
      {
        format: 'shardscope-manifest',
        version: options.manifestVersion ?? 1,
        sourceFolder: '/src',
        strategies,
        options: {},
        outputs,
        updatedAt: new Date().toISOString()
      },
      null,
      2
    )
  )
  return { folder, sha256, xxh3 }
}

/** An HCCL v1.0 rank table placing `perNode` ranks on each node, server ids as the nodes are named. */
export function rankTableFor(dir: string, nodes: number, perNode: number): string {
  const table = {
    version: '1.0',
    server_count: String(nodes),
    server_list: Array.from({ length: nodes }, (_, n) => ({
      server_id: `node-${n}`,
      device: Array.from({ length: perNode }, (_, d) => ({
        device_id: String(d),
        device_ip: `192.168.${n}.${d + 1}`,
        rank_id: String(n * perNode + d)
      }))
    })),
    status: 'completed'
  }
  const path = join(dir, 'rank_table.json')
  writeFileSync(path, JSON.stringify(table, null, 2))
  return path
}
