import type { RefObject } from 'react'
import { formatBytes } from '../../app/format'
import type { PipelineModel, RankEntry } from './pipeline-model'
import { RankBarChart, type RankBar } from '../../viz/RankBarChart'
import { stageInk } from '../../viz/stage-ink'
import { useElementWidth } from '../../viz/use-element-width'

/** With more stages the palette repeats, and the labelled bands behind the bars name the stages instead. */
const LEGEND_STAGES = 6

interface RankBytesPanelProps {
  model: PipelineModel
  folderLoaded: boolean
  selectedRank?: number
  onSelectRank(rank: number): void
  svgRef: RefObject<SVGSVGElement | null>
}

/** The bytes each rank holds by the strategy, with its file on disk beside it; parameter counts without shapes. */
export function RankBytesPanel({
  model,
  folderLoaded,
  selectedRank,
  onSelectRank,
  svgRef
}: RankBytesPanelProps) {
  const [measure, width] = useElementWidth()
  const bars = model.ranks.map((entry) => toBar(entry, model.bytesKnown))
  const selected = model.ranks.find((r) => r.rank === selectedRank)
  return (
    <div className="panel rank-bytes">
      <div className="rank-bytes-head">
        <h2>{model.bytesKnown ? 'Bytes per rank' : 'Parameters per rank'}</h2>
        <div className="legend">
          {model.stages.length <= LEGEND_STAGES &&
            model.stages.map((s) => (
              <span key={s.stage}>
                <span className="swatch" style={{ background: stageInk(s.stage) }} />
                stage {s.stage}
              </span>
            ))}
          {model.bytesKnown && folderLoaded && (
            <span>
              <span className="marker-swatch" /> file on disk
            </span>
          )}
        </div>
      </div>
      {!model.bytesKnown && (
        <div className="pipeline-note" data-testid="bytes-unknown">
          {folderLoaded
            ? 'Bytes per rank are unknown: the checkpoint folder holds none of these parameters, so their shapes are unknown (see the Checkpoint folder view).'
            : 'Bytes per rank are unknown: a strategy records layouts, not shapes. Pair it with its checkpoint folder in Open to see sizes.'}
        </div>
      )}
      <div className="chart-scroll" ref={measure}>
        {width > 0 && (
          <RankBarChart
            bars={bars}
            unit={model.bytesKnown ? 'bytes' : 'count'}
            valueLabel={model.bytesKnown ? 'Bytes per rank' : 'Parameters per rank'}
            width={width}
            height={260}
            barTestId="rank-bar"
            markerTestId="rank-file-mark"
            selectedRank={selectedRank}
            onSelect={onSelectRank}
            svgRef={svgRef}
            ariaLabel="Bytes per rank, coloured by pipeline stage"
          />
        )}
      </div>
      <div className="selected-rank" data-testid="selected-rank">
        {selected
          ? describeRank(selected, model.bytesKnown)
          : 'Click a bar or a rank to select it; the device matrix and tensor layout views follow.'}
      </div>
    </div>
  )
}

function toBar(entry: RankEntry, bytesKnown: boolean): RankBar {
  return {
    rank: entry.rank,
    stage: entry.stage,
    value: bytesKnown ? entry.bytes : entry.params,
    ...(bytesKnown && entry.file ? { marker: entry.file.size } : {}),
    alert: entry.missing,
    title: describeRank(entry, bytesKnown)
  }
}

function describeRank(entry: RankEntry, bytesKnown: boolean): string {
  const parts = [
    `Rank ${entry.rank}`,
    `stage ${entry.stage}`,
    `${entry.params.toLocaleString('en-US')} parameters`
  ]
  parts.push(bytesKnown ? `${formatBytes(entry.bytes)} by the strategy` : 'bytes unknown')
  if (entry.file)
    parts.push(`file ${entry.file.name}: ${formatBytes(entry.file.size)}, ${entry.file.tensors} tensors`)
  else if (entry.missing) parts.push('no file in the checkpoint folder')
  return parts.join(' · ')
}
