import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { writeArtefacts } from '../../../src-main/services/cluster-run/launch-run'

const artefact = { files: [{ name: 'mpirun.sh', content: 'exit 0\n', executable: true }], howTo: '' }
const made: string[] = []
afterEach(() => made.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })))

function sourceFolder(): { root: string; src: string } {
  const root = mkdtempSync(join(tmpdir(), 'sscr-launch-'))
  made.push(root)
  const src = join(root, 'src')
  mkdirSync(join(src, 'rank_0'), { recursive: true })
  return { root, src }
}

describe('the launch files', () => {
  it('are never written into the source the workers read, nor through a link into it', async () => {
    const { root, src } = sourceFolder()
    symlinkSync(src, join(root, 'alias'))
    for (const dir of [src, join(src, 'launch'), join(src, 'rank_0'), join(root, 'alias', 'launch')]) {
      await expect(writeArtefacts(dir, artefact, src)).rejects.toMatchObject({
        code: 'BAD_INPUT',
        message: `The launch folder ${dir} is, or lies inside, the source ${src}: Shardscope never writes where it reads; choose another folder for the launch files.`
      })
    }
    expect(readdirSync(src)).toEqual(['rank_0'])
    expect(readdirSync(join(src, 'rank_0'))).toEqual([])
  })

  it('are written beside it', async () => {
    const { root, src } = sourceFolder()
    const written = await writeArtefacts(join(root, 'launch'), artefact, src)
    expect(written).toEqual([join(root, 'launch', 'mpirun.sh')])
    expect(existsSync(written[0]!)).toBe(true)
  })
})
