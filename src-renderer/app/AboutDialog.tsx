import { useAppStore } from '../store/app-store'
import { Modal } from '../viz/Modal'

export function AboutDialog() {
  const open = useAppStore((s) => s.aboutOpen)
  const setOpen = useAppStore((s) => s.setAboutOpen)
  const info = useAppStore((s) => s.info)
  if (!open) return null
  return (
    <Modal title="About Shardscope" onClose={() => setOpen(false)} testId="about-dialog">
      <p>
        <strong>Shardscope</strong> <span data-testid="about-version">{info?.version ?? ''}</span>
      </p>
      <p className="muted">
        See, plan, run and verify MindSpore distributed-checkpoint conversions.{' '}
        {info?.shell === 'electron' ? 'Desktop app.' : 'Browser mode: served by this machine on 127.0.0.1.'}
      </p>
    </Modal>
  )
}
