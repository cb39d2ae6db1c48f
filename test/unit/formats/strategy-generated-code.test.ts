import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'

const ROOT = join(__dirname, '../../..')
const GENERATED = join(ROOT, 'src-main/engine/formats/strategy/generated')

it('the committed static protobuf code is what `npm run proto` generates from node_strategy.proto', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'shardscope-proto-'))
  try {
    execFileSync(process.execPath, [join(ROOT, 'scripts/gen-proto.mjs'), scratch], {
      cwd: ROOT,
      stdio: 'pipe'
    })
    for (const name of ['node-strategy.js', 'node-strategy.d.ts']) {
      expect(readFileSync(join(scratch, name), 'utf8')).toBe(readFileSync(join(GENERATED, name), 'utf8'))
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
})
