import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { AppEvent } from '../../src-main/api/contract'
import type { AppService } from '../../src-main/services/app-service'
import { useAppService } from '../helpers/app-service'
import { damagePayload, withCrcTrailers } from '../helpers/crc-sources'
import { oracle } from '../helpers/fixtures'
import { useTempDirs } from '../helpers/temp-dir'

const tempDir = useTempDirs()
const newService = useAppService(tempDir)

/** Plans destination rank 1 of full_to_mp2x4 (it reads rank 0's file only in part) and runs it to the end. */
async function convert(s: AppService, src: string, verifyCrc: boolean): Promise<AppEvent> {
  const reply = await s.handle('plan.create', {
    source: { folder: src },
    destination: { folder: join(tempDir(), 'out'), strategy: oracle('full_to_mp2x4', 'dst_strategy.ckpt') },
    options: { format: 'ckpt', ranks: [1], ...(verifyCrc ? { verifyCrc: true } : {}) }
  })
  if (!reply.ok) throw new Error(reply.error.message)
  const { planId } = reply.result as { planId: string }
  const ended = new Promise<AppEvent>((resolve) =>
    s.onEvent((e) => {
      if (e.type === 'job.finished' || e.type === 'job.failed') resolve(e)
    })
  )
  const started = await s.handle('job.start', { planId })
  if (!started.ok) throw new Error(started.error.message)
  return ended
}

describe("the planner's 'Check source CRCs' (--verify-crc)", () => {
  it('checks the CRC of a source the run reads only in part, and refuses a damaged one', async () => {
    const src = await withCrcTrailers('full_to_mp2x4', tempDir())
    damagePayload(join(src, 'rank_0', 'checkpoint_0.ckpt'))
    const s = newService()
    // Without the option the damage lies outside what rank 1 reads: nothing checks that file's trailer.
    expect((await convert(s, src, false)).type).toBe('job.finished')
    const checked = await convert(s, src, true)
    expect(checked.type).toBe('job.failed')
    expect((checked as { message: string }).message).toContain(
      `${join(src, 'rank_0', 'checkpoint_0.ckpt')} (rank 0) fails its CRC-32 check`
    )
  })

  it('is refused by main when it is not a boolean', async () => {
    const reply = await newService().handle('plan.create', {
      source: { folder: oracle('full_to_mp2x4', 'src') },
      destination: { folder: join(tempDir(), 'out') },
      options: { format: 'ckpt', verifyCrc: 'yes' }
    })
    expect(reply.ok).toBe(false)
  })
})
