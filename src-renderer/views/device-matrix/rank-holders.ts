import { useMemo } from 'react'
import { rankToCoords } from '../../../src-main/engine/layout/device-matrix'
import { formatBytes, formatShape } from '../../app/format'
import { elementBytes } from '../../viz/layout/param-geometry'
import { describeRanks, describeSlice, describeTiedStages } from '../../viz/layout/describe-layout'
import type { StoredSlice } from '../../viz/layout/slice-groups'
import { colorIndexByKey } from '../../viz/layout/slice-colors'
import type { StageGeometry } from '../../viz/layout/use-param-geometry'
import { summarizeLayout } from './device-summary'

export interface RankHolders {
  colorIndex: Map<string, number>
  keyOf(rank: number): string | undefined
  describe(rank: number): string
  legend: { slice: StoredSlice; colorIndex: number; text: string }[]
  summary: string
}

/**
 * Who holds what, over every stage that holds the parameter: a tied parameter's copies in other stages count
 * as holders of the same slice.
 */
export function useRankHolders(stages: StageGeometry[]): RankHolders {
  return useMemo(() => {
    const drawn = stages.filter((s) => s.result.ok && s.groups)
    const holders = new Map<string, number[]>()
    /** Where each distinct slice was first met, to name it in the legend. */
    const firstMet = new Map<string, { slice: StoredSlice; stage: StageGeometry }>()
    for (const stage of drawn) {
      for (const slice of stage.groups!.stored) {
        holders.set(slice.key, [...(holders.get(slice.key) ?? []), ...slice.ranks])
        if (!firstMet.has(slice.key)) firstMet.set(slice.key, { slice, stage })
      }
    }
    const colorIndex = colorIndexByKey(holders.keys())
    const locate = (rank: number) => {
      for (const stage of drawn) {
        const local = rank - stage.groups!.rankBase
        const stored = stage.groups!.storedOfLocal[local]
        if (local >= 0 && stored) return { stage, local, stored }
      }
      return undefined
    }
    const main = drawn[0]
    const sliceText = (stage: StageGeometry, slice: StoredSlice) =>
      stage.result.ok ? describeSlice(slice.box, stage.result.shape, stage.result.shapeKnown) : ''

    const describe = (rank: number) => {
      const found = locate(rank)
      if (!found) return `Rank ${rank} does not hold this parameter.`
      const { stage, local, stored } = found
      const coords = rankToCoords(local, stage.row.devMatrix)
      const bytes = stage.row.bytesPerRank === undefined ? '' : `, ${formatBytes(stage.row.bytesPerRank)}`
      const shape =
        stage.result.ok && stage.result.shapeKnown ? ` ${formatShape(stage.row.sliceShape)}${bytes}` : ''
      const others = (holders.get(stored.key) ?? []).filter((r) => r !== rank)
      const same = others.length === 0 ? 'no other rank holds it' : `also held by ${describeRanks(others)}`
      return `Rank ${rank} (stage ${stage.row.stage}, local ${local}, coordinates (${coords.join(', ')})) holds ${sliceText(stage, stored)}${shape}; ${same}.`
    }

    const legend = [...holders.entries()].map(([key, ranks]) => {
      const { slice, stage } = firstMet.get(key)!
      return {
        slice,
        colorIndex: colorIndex.get(key)!,
        text: `${sliceText(stage, slice)} — ${describeRanks(ranks, 6)}`
      }
    })

    let summary = ''
    if (main?.result.ok) {
      summary = summarizeLayout(
        main.result.layout,
        main.groups!,
        main.result.geometry.repeatAxes,
        drawn.length > 1
      )
      const perRank =
        elementBytes(main.row) === undefined ? '' : `; ${formatBytes(main.row.bytesPerRank!)} per rank`
      const tied = drawn.length > 1 ? `; ${describeTiedStages(drawn.slice(1).map((s) => s.row.stage))}` : ''
      summary += `${perRank}${tied}.`
    }
    return {
      colorIndex,
      keyOf: (rank) => locate(rank)?.stored.key,
      describe,
      legend,
      summary
    }
  }, [stages])
}
