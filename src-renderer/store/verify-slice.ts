import type { StateCreator } from 'zustand'
import type { AppEvent, FolderVerification, VerifiedOutputRow } from '../../src-main/api/contract'
import { client } from '../api/client'
import type { AppState } from './app-store'

export interface VerificationView {
  verifyId?: string
  folder: string
  total: number
  checked: VerifiedOutputRow[]
  result?: FolderVerification
  failure?: string
}

export interface VerifySlice {
  verification?: VerificationView
  /** Re-hashes a converted folder against its manifest and shows each file's result in the Run view. */
  verifyFolder(folder: string): Promise<void>
  cancelVerify(): Promise<void>
  handleVerifyEvent(event: AppEvent): void
}

export const createVerifySlice: StateCreator<AppState, [], [], VerifySlice> = (set, get) => ({
  async verifyFolder(folder) {
    set({ verification: { folder, total: 0, checked: [] } })
    get().setView('run')
    try {
      const { verifyId, total } = await client.request('folder.verify', { path: folder })
      const current = get().verification
      // Results that raced ahead of this answer are kept.
      if (current?.folder === folder && !current.verifyId)
        set({ verification: { ...current, verifyId, total } })
    } catch (err) {
      set({ verification: { folder, total: 0, checked: [], failure: (err as Error).message } })
    }
  },
  async cancelVerify() {
    const id = get().verification?.verifyId
    if (id) await client.request('verify.cancel', { verifyId: id })
  },
  handleVerifyEvent(event) {
    const current = get().verification
    if (!current) return
    if (event.type === 'verify.checked' && event.verifyId === current.verifyId)
      set({ verification: { ...current, checked: [...current.checked, event.output] } })
    else if (event.type === 'verify.finished' && event.result.verifyId === current.verifyId)
      set({ verification: { ...current, result: event.result } })
    else if (event.type === 'verify.failed' && event.verifyId === current.verifyId)
      set({ verification: { ...current, failure: event.message } })
  }
})
