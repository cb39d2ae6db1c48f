import { formatBytes } from '../../app/format'
import { stageColor } from '../../viz/palette'
import { plural } from '../../app/format'
import type { StageSummary } from './pipeline-model'
import { stageInk } from '../../viz/stage-ink'

/** Beyond this many devices per stage the header's rank range says it all; a wall of chips would bury the chart. */
const MAX_RANK_CHIPS = 16

interface StageBlocksProps {
  stages: StageSummary[]
  bytesKnown: boolean
  selectedRank?: number
  onSelectRank(rank: number): void
}

/** One block per pipeline stage: its global ranks and what each of them holds. */
export function StageBlocks({ stages, bytesKnown, selectedRank, onSelectRank }: StageBlocksProps) {
  return (
    <div className="stage-blocks">
      {stages.map((stage) => (
        <section
          key={stage.stage}
          className="stage-block"
          data-testid="stage-block"
          data-stage={stage.stage}
          data-params={stage.params}
          data-bytes={bytesKnown ? stage.bytesPerRank : undefined}
          style={{ borderTopColor: stageInk(stage.stage) }}
        >
          <header>
            <span
              className="stage-name"
              style={{ background: stageColor(stage.stage), color: stageInk(stage.stage) }}
            >
              Stage {stage.stage}
            </span>
            <span className="muted">{rankRange(stage.ranks)}</span>
          </header>
          <StageRanks stage={stage} selectedRank={selectedRank} onSelectRank={onSelectRank} />
          <dl className="stage-facts">
            <dt>Parameters</dt>
            <dd>
              <strong>{stage.params.toLocaleString('en-US')}</strong>{' '}
              {stage.optimizerStates > 0 && (
                <span className="muted">
                  ({plural(stage.weights, 'weight')}, {plural(stage.optimizerStates, 'optimizer state')})
                </span>
              )}
            </dd>
            <dt>Per rank</dt>
            <dd>
              {bytesKnown ? (
                <>
                  <strong>{formatBytes(stage.bytesPerRank)}</strong>
                  {stage.unsized > 0 && (
                    <span className="muted"> + {plural(stage.unsized, 'parameter')} of unknown size</span>
                  )}
                </>
              ) : (
                <span className="muted">bytes unknown</span>
              )}
            </dd>
            {stage.shared > 0 && (
              <>
                <dt>Shared</dt>
                <dd>{plural(stage.shared, 'parameter')} also in other stages</dd>
              </>
            )}
            {stage.fileTensors && (
              <>
                <dt>In files</dt>
                <dd>
                  {stage.fileTensors[0] === stage.fileTensors[1]
                    ? `${plural(stage.fileTensors[0], 'tensor')} per rank file`
                    : `${stage.fileTensors[0]}–${stage.fileTensors[1]} tensors per rank file`}
                </dd>
              </>
            )}
          </dl>
        </section>
      ))}
    </div>
  )
}

function StageRanks({
  stage,
  selectedRank,
  onSelectRank
}: {
  stage: StageSummary
  selectedRank?: number
  onSelectRank(rank: number): void
}) {
  if (stage.ranks.length === 0) return <div className="muted">Devices per stage unknown.</div>
  if (stage.ranks.length > MAX_RANK_CHIPS) {
    if (stage.missingRanks.length === 0) return null
    return (
      <div className="stage-missing">
        No file for rank {stage.missingRanks.slice(0, 8).join(', ')}
        {stage.missingRanks.length > 8 ? ` and ${stage.missingRanks.length - 8} more` : ''}
      </div>
    )
  }
  return (
    <div className="stage-ranks" role="group" aria-label={`Ranks of stage ${stage.stage}`}>
      {stage.ranks.map((rank) => {
        const missing = stage.missingRanks.includes(rank)
        return (
          <button
            type="button"
            key={rank}
            className={`rank-chip${missing ? ' missing' : ''}${rank === selectedRank ? ' selected' : ''}`}
            data-testid="stage-rank"
            data-rank={rank}
            data-missing={missing || undefined}
            aria-pressed={rank === selectedRank}
            title={missing ? `Rank ${rank} has no file in the checkpoint folder` : `Select rank ${rank}`}
            onClick={() => onSelectRank(rank)}
          >
            {rank}
          </button>
        )
      })}
    </div>
  )
}

function rankRange(ranks: number[]): string {
  if (ranks.length === 0) return ''
  if (ranks.length === 1) return `rank ${ranks[0]}`
  return `ranks ${ranks[0]}–${ranks[ranks.length - 1]}`
}
