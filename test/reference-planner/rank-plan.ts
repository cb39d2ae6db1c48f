import { ckptFileSize, dimsForShape } from '../../src-main/engine/formats/ckpt/ckpt-writer'
import { dtypeByName } from '../../src-main/engine/formats/dtypes'
import { planSafetensorsLayout } from '../../src-main/engine/formats/safetensors/safetensors-writer'
import { elementCount } from '../../src-main/engine/formats/tensor-entry'
import { boxVolume } from '../../src-main/engine/layout/box'
import { READ_BUFFER_BYTES, SLAB_BYTES } from '../../src-main/engine/exec/limits'
import { contiguousRuns } from './byte-runs'
import { outputDtype } from '../../src-main/engine/plan/output-dtype'
import type { CatalogParam } from './param-catalog'
import type { CrcCheck, ParamPlan, PlanOptions, RankPlan, SourceFileRef, TensorRead } from './plan-types'
import type { IndexedRank } from './source-index'
import type { DestinationSelection } from './source-selection'

/** The data plan of one destination rank: its source files, and per parameter the regions read and where they land. */
export function rankPlan(
  selection: DestinationSelection,
  catalog: CatalogParam[],
  indexed: Map<number, IndexedRank>,
  options: PlanOptions,
  verifyCrc = false
): RankPlan {
  const byName = new Map(catalog.map((p) => [p.name, p]))
  const sources: SourceFileRef[] = selection.sourceRanks.map((rank) => {
    const file = indexed.get(rank)!
    return {
      rank,
      path: file.path,
      ...(file.realPath ? { realPath: file.realPath } : {}),
      size: file.size,
      format: file.format,
      identity: file.identity,
      crc: 'none'
    }
  })
  const sourceIndex = new Map(selection.sourceRanks.map((rank, i) => [rank, i]))
  const params: ParamPlan[] = selection.params.map((p) => {
    const param = byName.get(p.name)!
    const read = (rank: number, from: number[], to: number[], extent: number[]): TensorRead => {
      const entry = indexed.get(rank)!.tensors.get(p.name)!
      const runs = contiguousRuns(entry.shape, extent, dtypeByName(entry.dtype)!.bytes)
      return {
        source: sourceIndex.get(rank)!,
        shape: entry.shape,
        chunks: entry.chunks,
        from,
        to,
        extent,
        runCount: runs.runCount,
        runBytes: runs.runBytes
      }
    }
    const outDtype = outputDtype(param.dtype, options.dtype)
    if (p.action === 'copy') {
      const entry = indexed.get(p.rank)!.tensors.get(p.name)!
      const zeros = entry.shape.map(() => 0)
      return {
        name: p.name,
        action: 'copy',
        copyReason: p.reason,
        dtype: entry.dtype,
        outDtype: outputDtype(entry.dtype, options.dtype),
        shape: [...entry.shape],
        fullShape: [...entry.shape],
        offset: zeros,
        reads: [read(p.rank, zeros, zeros, [...entry.shape])]
      }
    }
    const origin = p.destinationBox.offset
    return {
      name: p.name,
      action: 'reshard',
      dtype: param.dtype,
      outDtype,
      shape: [...p.destinationBox.extent],
      fullShape: [...param.fullShape],
      offset: [...origin],
      reads: p.pieces.map((piece) =>
        read(
          piece.rank,
          piece.part.offset.map((o, i) => o - piece.sourceBox.offset[i]!),
          piece.part.offset.map((o, i) => o - origin[i]!),
          [...piece.part.extent]
        )
      )
    }
  })
  sources.forEach((source, i) => (source.crc = crcCheck(indexed.get(source.rank)!, i, params, verifyCrc)))
  const output = `rank_${selection.rank}/${options.prefix}${selection.rank}.${options.format}`
  return {
    rank: selection.rank,
    stage: selection.stage,
    local: selection.local,
    output,
    sourceRanks: selection.sourceRanks,
    sources,
    params,
    totals: {
      bytesRead: params.reduce(
        (sum, p) =>
          sum +
          p.reads.reduce(
            (s, r) => s + boxVolume({ offset: r.from, extent: r.extent }) * dtypeByName(p.dtype)!.bytes,
            0
          ),
        0
      ),
      bytesWritten: outputSize(params, options),
      filesOpened: sources.length,
      peakBuffer: peakBuffer(params)
    }
  }
}

/**
 * A file's CRC is checked whenever the rank reads all of its tensors anyway (the check then costs only the
 * record headers), and otherwise only on request, since it means reading what the rank does not need.
 */
function crcCheck(file: IndexedRank, source: number, params: ParamPlan[], requested: boolean): CrcCheck {
  if (!file.hasCrc) return 'none'
  const whole = new Set<number>()
  for (const param of params)
    for (const read of param.reads)
      if (read.source === source && read.extent.every((n, i) => n === read.shape[i]))
        whole.add(read.chunks[0]?.offset ?? -1)
  const readWhole = [...file.tensors.values()].every(
    (t) => elementCount(t.shape) === 0 || whole.has(t.chunks[0]?.offset ?? -1)
  )
  return readWhole ? 'during-run' : requested ? 'requested' : 'not-checked'
}

function outputSize(params: ParamPlan[], options: PlanOptions): number {
  const tensors = params.map((p) => ({
    name: p.name,
    dtype: p.outDtype,
    shape: p.shape,
    dims: dimsForShape(p.shape, p.outDtype),
    byteLength: elementCount(p.shape) * dtypeByName(p.outDtype)!.bytes
  }))
  return options.format === 'safetensors'
    ? planSafetensorsLayout(tensors).fileSize
    : ckptFileSize(tensors, { crc: options.crc })
}

/** Two slabs of the largest tensor (one filling while one is written), their cast copies, and the read buffer. */
function peakBuffer(params: ParamPlan[]): number {
  let largest = 0
  for (const p of params) {
    const inBytes = dtypeByName(p.dtype)!.bytes
    const outBytes = dtypeByName(p.outDtype)!.bytes
    const slab = Math.min(
      elementCount(p.shape) * inBytes,
      Math.floor((SLAB_BYTES * inBytes) / Math.max(inBytes, outBytes))
    )
    const cast = p.outDtype === p.dtype ? 0 : (slab / inBytes) * outBytes
    largest = Math.max(largest, 2 * (slab + cast))
  }
  return largest + (params.length > 0 ? READ_BUFFER_BYTES : 0)
}
