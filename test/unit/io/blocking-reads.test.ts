import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BlockingReads, isNetworkFileSystem, readModeFor } from '../../../src-main/engine/io/blocking-reads'
import { LocalFileSource } from '../../../src-main/engine/io/local-file'
import { useTempDirs } from '../../helpers/temp-dir'

const tempDir = useTempDirs()
const ofType = (type: number) => async () => ({ type })

describe('the read mode follows the file system', () => {
  it('overlaps reads on network file systems', async () => {
    expect(await readModeFor('/x', ofType(0x6969))).toBe('overlapped') // NFS
    expect(await readModeFor('/x', ofType(0xfe534d42))).toBe('overlapped') // SMB2
    // The same CIFS magic as a signed 32-bit word, as some platforms report f_type.
    expect(await readModeFor('/x', ofType(0xff534d42 | 0))).toBe('overlapped')
    expect(isNetworkFileSystem(0x0bd00bd0)).toBe(true) // Lustre
  })

  it('blocks on local ones, and overlaps when the kind cannot be found', async () => {
    expect(await readModeFor('/x', ofType(0xef53))).toBe('blocking') // ext4
    expect(await readModeFor('/x', ofType(0x01021994))).toBe('blocking') // tmpfs
    const failing = async () => {
      throw Object.assign(new Error('nope'), { code: 'ENOSYS' })
    }
    expect(await readModeFor('/x', failing)).toBe('overlapped')
  })
})

describe('blocking reads', () => {
  it('read what the async reads read, and word truncation the same way', async () => {
    const path = join(tempDir(), 'f.bin')
    writeFileSync(
      path,
      Uint8Array.from({ length: 1000 }, (_, i) => i % 251)
    )
    const file = await LocalFileSource.open(path)
    const blocking = new BlockingReads(file)
    try {
      const a = new Uint8Array(300)
      const b = new Uint8Array(300)
      await file.readInto(a, 0, 300, 650)
      await blocking.readInto(b, 0, 300, 650)
      expect(b).toEqual(a)
      const overlapped = await file.readInto(a, 0, 300, 800).catch((e: Error) => e.message)
      expect(await blocking.readInto(b, 0, 300, 800).catch((e: Error) => e.message)).toBe(overlapped)
    } finally {
      await blocking.close()
    }
  })
})
