/**
 * Tolerant readers of `npu-smi info -l`, `npu-smi info -m` and `npu-smi info -t usages -i <npu> -c <chip>` as the
 * Ascend 910, 910B and 310P drivers print them (layouts in test/fixtures/npu-smi/README.md). Unknown lines are
 * skipped, never fatal: driver releases add fields.
 */

export interface NpuCard {
  npuId: number
  productName?: string
  chipCount?: number
}

/** One row of `info -m`: the chip behind a logic id (the `device_id` a rank table and ASCEND_RT_VISIBLE_DEVICES use). */
export interface NpuChip {
  npuId: number
  chipId: number
  /** Absent for an MCU row, which no rank can run on. */
  logicId?: number
  name: string
}

export interface NpuUsage {
  /** On-chip memory the ranks use: HBM on 910/910B; DDR on chips without HBM (310P). */
  memoryKind: 'HBM' | 'DDR'
  capacityMiB: number
  usagePercent?: number
}

/** `Key   : value` lines, keys with their units as printed (`HBM Capacity(MB)`). */
function keyValues(text: string): [string, string][] {
  const pairs: [string, string][] = []
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([^:]+?)\s*:\s*(.*?)\s*$/.exec(line)
    if (match) pairs.push([match[1]!, match[2]!])
  }
  return pairs
}

function wholeNumber(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d+$/.test(text.trim())) return undefined
  const value = Number(text)
  return Number.isSafeInteger(value) ? value : undefined
}

export function parseNpuList(text: string): NpuCard[] {
  const cards: NpuCard[] = []
  let current: NpuCard | undefined
  for (const [key, value] of keyValues(text)) {
    if (key === 'NPU ID') {
      const npuId = wholeNumber(value)
      current = npuId === undefined ? undefined : { npuId }
      if (current) cards.push(current)
    } else if (current && key === 'Product Name' && value !== '' && value !== 'NA')
      current.productName = value
    else if (current && key === 'Chip Count') {
      const count = wholeNumber(value)
      if (count !== undefined) current.chipCount = count
    }
  }
  return cards
}

/** Rows of `NPU ID  Chip ID  Chip Logic ID  Chip Name`, columns separated by runs of spaces. */
export function parseNpuMapping(text: string): NpuChip[] {
  const chips: NpuChip[] = []
  for (const line of text.split(/\r?\n/)) {
    const cells = line.trim().split(/\s{2,}|\t+/)
    if (cells.length < 4) continue
    const [npu, chip, logic, ...name] = cells
    const npuId = wholeNumber(npu)
    const chipId = wholeNumber(chip)
    if (npuId === undefined || chipId === undefined) continue
    const row: NpuChip = { npuId, chipId, name: name.join(' ') }
    const logicId = wholeNumber(logic)
    if (logicId !== undefined) row.logicId = logicId
    chips.push(row)
  }
  return chips
}

/** One chip's `-t usages` block. HBM wins when both are printed with a capacity (910 prints DDR and HBM). */
export function parseNpuUsage(text: string): NpuUsage | undefined {
  const fields = new Map(keyValues(text))
  const pick = (kind: 'HBM' | 'DDR' | ''): NpuUsage | undefined => {
    const prefix = kind === '' ? 'Memory' : kind
    const capacityMiB = wholeNumber(fields.get(`${prefix} Capacity(MB)`))
    if (capacityMiB === undefined || capacityMiB === 0) return undefined
    const usage: NpuUsage = { memoryKind: kind === 'HBM' ? 'HBM' : 'DDR', capacityMiB }
    const percent = wholeNumber(fields.get(`${prefix} Usage Rate(%)`))
    if (percent !== undefined) usage.usagePercent = Math.min(100, percent)
    return usage
  }
  return pick('HBM') ?? pick('DDR') ?? pick('')
}
