/**
 * The executor's memory budget per destination rank. A tensor is assembled in slabs of at most SLAB_BYTES,
 * source bytes arrive through a read buffer of READ_BUFFER_BYTES, so peak memory is set here, not by the size
 * of any checkpoint or tensor.
 */
export const SLAB_BYTES = 32 * 1024 * 1024
export const READ_BUFFER_BYTES = 16 * 1024 * 1024
