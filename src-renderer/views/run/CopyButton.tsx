import { useState } from 'react'

/** Copies text to the clipboard and says so for a moment. */
export function CopyButton({ text, label, children }: { text: string; label: string; children: string }) {
  const [copied, setCopied] = useState<'yes' | 'no'>()
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text)
      setCopied('yes')
    } catch {
      setCopied('no')
    }
    setTimeout(() => setCopied(undefined), 1500)
  }
  return (
    <button type="button" className="copy" aria-label={label} onClick={() => void copy()}>
      {copied === 'yes' ? 'Copied' : copied === 'no' ? 'Copy failed' : children}
    </button>
  )
}
