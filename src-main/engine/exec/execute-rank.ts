import { join } from 'node:path'
import { ShardscopeError } from '../errors'
import { openCheckpointBytes, type CheckpointOpenOptions } from '../formats/checkpoint-file'
import { CkptWriter, dimsForShape } from '../formats/ckpt/ckpt-writer'
import { dtypeByName } from '../formats/dtypes'
import { SafetensorsWriter } from '../formats/safetensors/safetensors-writer'
import { elementCount } from '../formats/tensor-entry'
import { AtomicFileSink, type ByteSink } from '../io/byte-sink'
import { loadBoxReader, type BoxReader } from '../io/box-read'
import type { ByteSource } from '../io/byte-source'
import { outputHashAlgorithms, type HashAlgorithm, type OutputHashes } from '../io/output-hashes'
import type { ParamPlan, PlanOptions, RankPlan } from '../plan/plan-types'
import {
  allocateBuffers,
  assembleParam,
  newWriteBehind,
  type AssemblyBuffers,
  type TensorCopier
} from './assemble-param'
import type { Kernels } from './kernels'
import { requireUnchanged, withCrcCheck, type CrcCheckedSource } from './source-checks'

export interface RankJob {
  plan: RankPlan
  destinationFolder: string
  options: PlanOptions
  open?: CheckpointOpenOptions
  /** fsync each output before renaming it (survives power loss, costs a disk flush per file). */
  durable?: boolean
  /** The run's id: names the temporary file, so two runs never share one. */
  runId?: string
  /** Digests of the output to compute while writing it; the fast hash by default (`outputHashAlgorithms`). */
  hashes?: HashAlgorithm[]
  /**
   * Leave the finished output under its temporary name (`tempPathFor(output, runId)`, so `runId` is needed): the
   * caller renames it once its manifest lists it.
   */
  publishLater?: boolean
}

export interface RankResult {
  rank: number
  output: string
  size: number
  hashes: OutputHashes
  /** Sources whose CRC-32 was checked while this output was made. */
  crcVerified: string[]
}

export interface RankExecution {
  kernels: Kernels
  /** Output bytes and parameters done so far for this rank. */
  onProgress(bytesDone: number, paramsDone: number): void
  /** Checked between slabs; true stops the rank, deleting its partial output. */
  cancelled(): boolean
  createSink?(path: string): Promise<ByteSink>
  buffers?: AssemblyBuffers
  /** Native reads from plain local files (loadBoxReader by default); null reads everything through JavaScript. */
  boxReader?: BoxReader | null
}

/**
 * Writes one destination rank's file exactly as its plan says: sources checked to be the planned files and
 * opened once, tensors assembled slab by slab, output written to `<name>.shardscope-<run>.tmp` and renamed only
 * when complete — and only if every source is still the planned file and every CRC the plan asks for is
 * intact. Any failure or cancellation deletes the temporary file, so nothing half-written or unchecked ever
 * carries the final name.
 */
export async function executeRank(job: RankJob, execution: RankExecution): Promise<RankResult> {
  const path = join(job.destinationFolder, job.plan.output)
  const rank = job.plan.rank
  if (job.publishLater && !job.runId)
    throw new Error('publishLater needs the run id that names the temporary file')
  const sources: ByteSource[] = []
  const crcChecks: { path: string; check: CrcCheckedSource }[] = []
  let sink: ByteSink | undefined
  const writeBehind = newWriteBehind()
  try {
    for (const source of job.plan.sources) {
      await requireUnchanged(source, rank)
      const bytes = await openCheckpointBytes(source.path, job.open)
      sources.push(bytes)
      await requireUnchanged(source, rank)
      if (source.crc === 'during-run' || source.crc === 'requested') {
        const check = await withCrcCheck(bytes, source, rank)
        sources[sources.length - 1] = check.source
        crcChecks.push({ path: source.path, check })
      }
    }
    sink = await (
      execution.createSink ??
      ((p) =>
        AtomicFileSink.create(p, {
          durable: job.durable === true,
          hashes: job.hashes ?? outputHashAlgorithms(false),
          publishLater: job.publishLater === true,
          ...(job.runId ? { tag: job.runId } : {})
        }))
    )(path)
    const buffers = execution.buffers ?? allocateBuffers()
    const native = execution.boxReader === undefined ? loadBoxReader() : execution.boxReader
    const boxReader = native && !('error' in native) ? native : undefined
    let bytesDone = 0
    let paramsDone = 0
    const output = sink
    const copierFor = (copy: TensorCopier['copy']): TensorCopier | undefined =>
      boxReader && output.copyFrom && process.env.SHARDSCOPE_KERNEL_COPY !== 'off'
        ? { usable: () => output.copiesInKernel !== false, copy }
        : undefined
    const context = (write: (bytes: Uint8Array) => Promise<void>, copier?: TensorCopier) => ({
      sources,
      kernels: execution.kernels,
      buffers,
      ...(boxReader ? { boxReader } : {}),
      ...(copier ? { copier } : {}),
      writeBehind,
      write,
      checkpoint: () => {
        if (execution.cancelled())
          throw new ShardscopeError('CANCELLED', `Cancelled while writing ${path}.`, {
            file: path,
            rank
          })
      },
      progress: (bytes: number) => {
        bytesDone += bytes
        execution.onProgress(bytesDone, paramsDone)
      }
    })
    const done = () => execution.onProgress(bytesDone, ++paramsDone)
    // Called once every byte the rank needs has been read, before the output gets its final name.
    const beforeCommit = async () => {
      await writeBehind.last
      for (const source of job.plan.sources) await requireUnchanged(source, rank)
      for (const { check } of crcChecks) await check.verify()
    }
    let result
    if (job.options.format === 'safetensors') {
      const writer = await SafetensorsWriter.create(sink, job.plan.params.map(tensorSpec))
      const byName = new Map(job.plan.params.map((p) => [p.name, p]))
      for (const [i, name] of writer.order.entries()) {
        await assembleParam(
          byName.get(name)!,
          context(
            (bytes) => writer.writeTensorData(bytes),
            copierFor((source, runs) => writer.copyTensorData(source, runs))
          ),
          byName.get(writer.order[i + 1] ?? '')
        )
        done()
      }
      await beforeCommit()
      result = await writer.finish()
    } else {
      const writer = new CkptWriter(sink, { crc: job.options.crc })
      for (const [i, param] of job.plan.params.entries()) {
        const spec = tensorSpec(param)
        // Begun with its first bytes: until then the previous tensor's last slab may still be being written.
        let begun = false
        const begin = async () => {
          if (begun) return
          begun = true
          await writer.beginTensor(
            param.name,
            param.outDtype,
            dimsForShape(param.shape, param.outDtype),
            spec.byteLength
          )
        }
        await assembleParam(
          param,
          context(
            async (bytes) => (await begin(), writer.writeData(bytes)),
            copierFor(async (source, runs) => (await begin(), writer.copyData(source, runs)))
          ),
          job.plan.params[i + 1]
        )
        if (!begun) {
          await writeBehind.last
          await begin()
        }
        done()
      }
      await beforeCommit()
      result = await writer.finish()
    }
    sink = undefined
    return {
      rank,
      output: job.plan.output,
      size: result.size,
      hashes: result.hashes,
      crcVerified: crcChecks.map((c) => c.path)
    }
  } finally {
    // No write may still use the output (or a slab) when it is closed.
    await writeBehind.last.catch(() => undefined)
    if (sink) await sink.abort()
    await Promise.all(sources.map((s) => s.close().catch(() => undefined)))
  }
}

function tensorSpec(param: ParamPlan) {
  return {
    name: param.name,
    dtype: param.outDtype,
    shape: param.shape,
    byteLength: elementCount(param.shape) * dtypeByName(param.outDtype)!.bytes
  }
}
