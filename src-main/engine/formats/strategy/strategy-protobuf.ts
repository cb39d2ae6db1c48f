import { ShardscopeError } from '../../errors'
import { checkStrategyLimits, STRATEGY_LIMITS, tooManyEntries } from '../../model/strategy-limits'
import { readVarint, WIRE_I32, WIRE_I64, WIRE_LEN, WIRE_VARINT } from '../protobuf-wire'
import {
  resolveStages,
  withoutDuplicateLayouts,
  storedName,
  type OperatorStrategy,
  type ParamLayout,
  type StrategySet,
  type TensorMapEntry
} from '../../model/strategy-set'
import { mindspore } from './generated/node-strategy'

const pb = mindspore.straspb

type Int64 = number | { toNumber(): number }

function toNumber(value: Int64): number {
  return typeof value === 'number' ? value : value.toNumber()
}

/**
 * Decodes a `ParallelStrategyMap` leniently: fields missing in older files read as 0, exactly as MindSpore's
 * Python side treats them.
 */
export function decodeStrategyProtobuf(bytes: Uint8Array, file: string): StrategySet {
  // Counted on the wire first: decoding builds objects per entry, far more than the bytes they came from.
  if (entriesExceed(bytes, STRATEGY_LIMITS.entries)) throw tooManyEntries(file)
  let message: InstanceType<typeof pb.ParallelStrategyMap>
  try {
    message = pb.ParallelStrategyMap.decode(bytes)
  } catch (err) {
    throw new ShardscopeError(
      'CORRUPT',
      `${file} is not a readable strategy file: its protobuf content is damaged (${(err as Error).message}).`,
      { file }
    )
  }
  const operators: OperatorStrategy[] = message.parallelStrategyItem.map((item) => ({
    nodeName: item.nodeName ?? '',
    stage: item.parallelStrategys?.stage ?? 0,
    strategies: (item.parallelStrategys?.parallelStrategy ?? []).map((s) => [...(s.dim ?? [])])
  }))
  const rawNames = message.parallelLayoutItem.map((item) => item.paramName ?? '')
  const { merged, entries } = resolveStages(rawNames, operators)
  const layouts = message.parallelLayoutItem.map((item, i): ParamLayout => {
    const l = item.parallelLayouts ?? {}
    const maps = (l.tensorMap ?? []).map((m) => [...(m.dim ?? [])])
    // More than one TensorMap means one per tensor dimension (2.6+ multi-axis form); an empty trailing one only
    // marks a 1-D tensor in that form.
    const nested = maps.length > 1
    const tensorMap: TensorMapEntry[] = nested
      ? maps.filter((m) => m.length > 0).map((axes) => (axes.length === 1 ? axes[0]! : axes))
      : (maps[0] ?? [])
    return {
      name: entries[i]!.name,
      stage: entries[i]!.stage,
      devMatrix: [...(l.devMatrix?.[0]?.dim ?? [])],
      tensorMap,
      tensorMapForm: nested ? 'nested' : 'flat',
      paramSplitShape: (l.paramSplitShape?.[0]?.dim ?? []).map(toNumber),
      indicesOffset: (l.indicesOffset?.[0]?.dim ?? []).map(toNumber),
      field: l.field ?? 0,
      optShardStep: l.optWeightShardStep ?? 0,
      optShardSize: l.optWeightShardSize ?? 0
    }
  })
  if (
    message.parallelLayoutItem.length === 0 &&
    message.parallelStrategyItem.length === 0 &&
    bytes.length > 2
  ) {
    throw new ShardscopeError(
      'CORRUPT',
      `${file} is not a strategy file: it holds no operator or parameter layouts.`,
      {
        file
      }
    )
  }
  const set: StrategySet = {
    sources: [file],
    format: 'protobuf',
    currentStage: message.currentStage ?? 0,
    merged,
    operators,
    layouts
  }
  checkStrategyLimits(set, file)
  set.layouts = withoutDuplicateLayouts(layouts, file)
  return set
}

/**
 * Whether the message has more than `limit` top-level length-delimited fields (operator and layout items).
 * Damaged wire data ends the count; the decoder then says what is wrong.
 */
function entriesExceed(bytes: Uint8Array, limit: number): boolean {
  let entries = 0
  for (let pos = 0; pos < bytes.length;) {
    const key = readVarint(bytes, pos)
    if (!key || !Number.isSafeInteger(key.value)) return false
    const wireType = key.value % 8
    if (wireType === WIRE_I64 || wireType === WIRE_I32) {
      pos = key.next + (wireType === WIRE_I64 ? 8 : 4)
      continue
    }
    const value = readVarint(bytes, key.next)
    if (!value || !Number.isSafeInteger(value.value) || (wireType !== WIRE_VARINT && wireType !== WIRE_LEN))
      return false
    pos = wireType === WIRE_LEN ? value.next + value.value : value.next
    if (wireType === WIRE_LEN && ++entries > limit) return true
  }
  return false
}

/** Encodes as MindSpore does: every required field present, repeated scalars unpacked, field-number order. */
export function encodeStrategyProtobuf(set: StrategySet): Uint8Array {
  const message = {
    currentStage: set.currentStage,
    parallelStrategyItem: set.operators.map((op) => ({
      nodeName: op.nodeName,
      parallelStrategys: { stage: op.stage, parallelStrategy: op.strategies.map((dim) => ({ dim })) }
    })),
    parallelLayoutItem: set.layouts.map((layout) => ({
      paramName: storedName(layout, set.merged),
      parallelLayouts: {
        devMatrix: [{ dim: layout.devMatrix }],
        tensorMap: encodeTensorMap(layout),
        paramSplitShape: [{ dim: layout.paramSplitShape }],
        indicesOffset: [{ dim: layout.indicesOffset }],
        field: layout.field,
        optWeightShardStep: layout.optShardStep,
        optWeightShardSize: layout.optShardSize
      }
    }))
  }
  return pb.ParallelStrategyMap.encode(message).finish()
}

function encodeTensorMap(layout: ParamLayout): { dim: number[] }[] {
  const multiAxis = layout.tensorMap.some((entry) => Array.isArray(entry))
  if (layout.tensorMapForm === 'flat' && !multiAxis) return [{ dim: layout.tensorMap as number[] }]
  const perDimension = layout.tensorMap.map((entry) => ({ dim: Array.isArray(entry) ? entry : [entry] }))
  // A 1-D tensor in the nested form gets an empty second TensorMap so readers can tell the forms apart.
  if (perDimension.length === 1) perDimension.push({ dim: [] })
  return perDimension
}
