// Firefox exposes promise-based `browser`; Chrome's `chrome` returns promises too in MV3.
export const ext = globalThis.browser ?? globalThis.chrome;
