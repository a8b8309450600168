// lru-cache preallocates its arrays for `max` entries when the cache is made
// (tens of milliseconds of start-up for the 50,000-entry caches here). Sized
// by `maxSize` with every entry counting 1, the bound is the same and the
// storage grows with use.

/** LRUCache options for at most `entries` entries, allocated as they come. */
export const atMost = (entries: number) => ({ maxSize: entries, sizeCalculation: () => 1 }) as const;
