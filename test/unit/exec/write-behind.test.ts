import { describe, expect, it } from 'vitest'
import {
  allocateBuffers,
  assembleParam,
  newWriteBehind,
  type AssemblyContext
} from '../../../src-main/engine/exec/assemble-param'
import { jsKernels } from '../../../src-main/engine/exec/kernels-select'
import { MemorySource } from '../../../src-main/engine/io/byte-source'
import type { ParamPlan } from '../../../src-main/engine/plan/plan-types'

/** Tensors of `lengths` bytes stored back to back in one source, each copied whole. */
function tensors(lengths: number[]): { params: ParamPlan[]; payload: Uint8Array } {
  const payload = new Uint8Array(lengths.reduce((a, b) => a + b, 0))
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 31 + (i >> 8)) & 0xff
  let offset = 0
  const params = lengths.map((length, i) => {
    const param: ParamPlan = {
      name: `t${i}`,
      action: 'reshard',
      dtype: 'UInt8',
      outDtype: 'UInt8',
      shape: [length],
      fullShape: [length],
      offset: [0],
      reads: [
        {
          source: 0,
          shape: [length],
          chunks: [{ offset, length }],
          from: [0],
          to: [0],
          extent: [length],
          runCount: 1,
          runBytes: length
        }
      ]
    }
    offset += length
    return param
  })
  return { params, payload }
}

describe('write-behind across tensors', () => {
  it('reads the next tensor while the last slab of the previous one is still being written, without touching it', async () => {
    const { params, payload } = tensors([3000, 5000, 1000, 4000])
    const events: string[] = []
    const memory = new MemorySource('memory', payload)
    const source = {
      name: memory.name,
      size: memory.size,
      readInto: async (target: Uint8Array, offset: number, length: number, position: number) => {
        events.push(`read ${position}`)
        await memory.readInto(target, offset, length, position)
      },
      close: async () => undefined
    }
    const written: Buffer[] = []
    // A slow write that takes its bytes only when it completes, as the kernel may: a slab reused too early shows.
    const write = (bytes: Uint8Array) =>
      new Promise<void>((resolve) =>
        setTimeout(() => {
          written.push(Buffer.from(bytes))
          events.push('written')
          resolve()
        }, 20)
      )
    const writeBehind = newWriteBehind()
    const context: AssemblyContext = {
      sources: [source],
      kernels: jsKernels,
      buffers: allocateBuffers(),
      write,
      checkpoint: () => undefined,
      progress: () => undefined,
      writeBehind
    }
    for (const [i, param] of params.entries()) await assembleParam(param, context, params[i + 1])
    await writeBehind.last
    expect(Buffer.compare(Buffer.concat(written), Buffer.from(payload))).toBe(0)
    // Each tensor after the first was read before the write of the one before it ended.
    expect(events).toEqual([
      'read 0',
      'read 3000',
      'written',
      'read 8000',
      'written',
      'read 9000',
      'written',
      'written'
    ])
  })

  it('without it, a tensor returns only once its bytes are written', async () => {
    const { params, payload } = tensors([3000, 5000])
    const events: string[] = []
    const write = (bytes: Uint8Array) =>
      new Promise<void>((resolve) =>
        setTimeout(() => {
          events.push(`written ${bytes.length}`)
          resolve()
        }, 5)
      )
    const context: AssemblyContext = {
      sources: [new MemorySource('memory', payload)],
      kernels: jsKernels,
      buffers: allocateBuffers(),
      write,
      checkpoint: () => undefined,
      progress: () => undefined
    }
    await assembleParam(params[0]!, context, params[1])
    expect(events).toEqual(['written 3000'])
  })

  it('a failed write surfaces in the next tensor, after which nothing is left writing', async () => {
    const { params, payload } = tensors([3000, 5000])
    let inFlight = 0
    const writeBehind = newWriteBehind()
    const context: AssemblyContext = {
      sources: [new MemorySource('memory', payload)],
      kernels: jsKernels,
      buffers: allocateBuffers(),
      write: async () => {
        inFlight++
        await new Promise((resolve) => setTimeout(resolve, 5))
        inFlight--
        throw new Error('disk full')
      },
      checkpoint: () => undefined,
      progress: () => undefined,
      writeBehind
    }
    await assembleParam(params[0]!, context, params[1])
    await expect(assembleParam(params[1]!, context)).rejects.toThrow('disk full')
    expect(inFlight).toBe(0)
  })
})
