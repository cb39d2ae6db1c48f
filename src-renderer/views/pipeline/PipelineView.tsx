import { useMemo, useRef } from 'react'
import { useAppStore } from '../../store/app-store'
import { useShownSelection, ViewFrame } from '../../viz/ViewFrame'
import { baseName } from '../../app/format'
import { stageInk } from '../../viz/stage-ink'
import { OpenFirst } from '../../viz/OpenFirst'
import { buildPipelineModel, pipelineSentence } from './pipeline-model'
import { RankBytesPanel } from './RankBytesPanel'
import { SharedParams } from './SharedParams'
import { StageBlocks } from './StageBlocks'
import './pipeline.css'

/** Pipeline stages of the active strategy: which ranks run each stage, what they hold, what stages share. */
export function PipelineView() {
  const strategy = useAppStore((s) => s.strategy)
  // Files per rank come only from the folder paired with this strategy.
  const folder = useAppStore((s) =>
    s.strategyFolder !== undefined && s.strategyFolder === s.folder?.path ? s.folder : undefined
  )
  const chosenRank = useAppStore((s) => s.selectedRank)
  const selectedRank = useShownSelection(chosenRank)
  const selectRank = useAppStore((s) => s.selectRank)
  const svgRef = useRef<SVGSVGElement>(null)
  const model = useMemo(
    () => (strategy ? buildPipelineModel(strategy, folder) : undefined),
    [strategy, folder]
  )

  if (!strategy || !model) {
    return (
      <ViewFrame title="Pipeline stages" testId="view-pipeline">
        <OpenFirst>
          No strategy is open yet. Open a strategy file, or the sample workspace, to see its pipeline stages.
        </OpenFirst>
      </ViewFrame>
    )
  }

  const toggleRank = (rank: number) => selectRank(rank === chosenRank ? undefined : rank)
  return (
    <ViewFrame
      title="Pipeline stages"
      subtitle={<span data-testid="pipeline-summary">{pipelineSentence(model)}</span>}
      drawing={{
        svgRef,
        title: `Pipeline stages · ${baseName(strategy.path)}`,
        subtitle: `${pipelineSentence(model)} · ${model.bytesKnown ? 'bytes' : 'parameters'} per rank`,
        fileName: `pipeline-stages-${baseName(strategy.path)}-${model.bytesKnown ? 'bytes' : 'parameters'}-per-rank`,
        legend: model.stages.slice(0, 8).map((s) => ({ color: stageInk(s.stage), label: `stage ${s.stage}` }))
      }}
      testId="view-pipeline"
    >
      {model.stageDevices <= 0 && strategy.problems.length > 0 && (
        <ul className="problems">
          {strategy.problems.map((p) => (
            <li key={p} className="error">
              {p}
            </li>
          ))}
        </ul>
      )}
      <StageBlocks
        stages={model.stages}
        bytesKnown={model.bytesKnown}
        selectedRank={selectedRank}
        onSelectRank={toggleRank}
      />
      <RankBytesPanel
        model={model}
        folderLoaded={folder !== undefined}
        selectedRank={selectedRank}
        onSelectRank={toggleRank}
        svgRef={svgRef}
      />
      <SharedParams shared={model.shared} stageCount={model.stageCount} />
    </ViewFrame>
  )
}
