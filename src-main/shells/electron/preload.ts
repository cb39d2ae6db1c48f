import { contextBridge } from 'electron'

// The renderer sees only this object; the typed request API joins it when the app views land.
contextBridge.exposeInMainWorld('shardscope', { shell: 'electron' })
