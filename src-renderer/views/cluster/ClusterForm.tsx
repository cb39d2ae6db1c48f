import { useAppStore } from '../../store/app-store'
import type { ClusterDraft } from '../../store/cluster-slice'

const FIELDS: { key: keyof ClusterDraft; label: string; placeholder: string }[] = [
  { key: 'layout', label: 'Rank table or hostfile', placeholder: '/path/rank_table.json' },
  { key: 'profile', label: 'Cluster profile', placeholder: '/path/shardscope-cluster.json' },
  { key: 'output', label: 'Converted output folder', placeholder: '/path/checkpoint-converted' },
  { key: 'remoteRoot', label: 'Remote root (optional)', placeholder: 'from the profile' },
  { key: 'name', label: 'Name (optional)', placeholder: 'the output folder name' }
]

/** The paths a push is made of; changing one re-describes the cluster. */
export function ClusterForm() {
  const draft = useAppStore((s) => s.clusterDraft)
  const setDraft = useAppStore((s) => s.setClusterDraft)
  const describe = useAppStore((s) => s.describeCluster)
  return (
    <form
      className="panel cluster-form"
      onSubmit={(event) => {
        event.preventDefault()
        void describe()
      }}
    >
      {FIELDS.map((field) => (
        <label key={field.key}>
          <span>{field.label}</span>
          <input
            type="text"
            aria-label={field.label}
            value={draft[field.key] ?? ''}
            placeholder={field.placeholder}
            onChange={(e) => setDraft({ [field.key]: e.target.value || undefined })}
            onBlur={() => void describe()}
          />
        </label>
      ))}
      <button type="submit">Show</button>
    </form>
  )
}
