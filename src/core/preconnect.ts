// A signaling socket opened ahead of a join, once the visitor shows a clear intent to join (the name
// field focused, the pointer on Join), so that the click on Join does not wait for the connection
// (one round trip on loopback, two or three with TLS on the Internet). The join that follows takes
// it over; unused, it is closed after WARM_MS, before the server's own timeout for sockets that have
// not joined (10 s by default), and opened again at the visitor's next intent, MAX_PRECONNECTS
// times a page at most: a screen left open, or a pointer going to and fro, must not keep opening
// sockets that count against the visitor's address (a venue's many visitors share one). At most one
// open per page. See docs/architecture.md ("Joining"); the browser's WebRTC engine is set up ahead by
// `warmUpWebRtc` (./mesh.ts), which is call-engine code.

import { parseAsrLanguages } from '../protocol/asr.js';

/** How long an unused socket is kept open. */
export const WARM_MS = 5_000;
/** Sockets a page opens ahead at most, over its life; past them Join opens its own. */
export const MAX_PRECONNECTS = 3;

let warm: { url: string; socket: WebSocket; timer: ReturnType<typeof setTimeout> } | undefined;
let opened = 0;
/** What a server said it recognises in its `hello` on a socket opened ahead, by signaling URL. */
const heard = new Map<string, readonly string[]>();
const listeners = new Set<() => void>();

/**
 * The languages the server at `url` recognises (`--asr`), as its `hello` said on a socket opened
 * ahead; undefined until one has been opened, or when the server recognises none.
 */
export function serverAsrLanguages(url: string): readonly string[] | undefined {
  return heard.get(url);
}

/** Calls `listener` whenever a server's `hello` arrives; returns the unsubscribe. */
export function onServerHello(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Where a meeting signals when it is not told: `/signal` on the page's own server. */
export function defaultSignalingUrl(): string {
  const { protocol, host } = globalThis.location;
  return `${protocol === 'https:' ? 'wss' : 'ws'}://${host}/signal`;
}

/**
 * Opens a socket to `url` for a join to come, unless one is already open or opening, or the page
 * has opened MAX_PRECONNECTS already.
 */
export function preconnect(url: string): void {
  if (warm?.url === url && warm.socket.readyState <= WebSocket.OPEN) return;
  if (opened >= MAX_PRECONNECTS) return;
  discard();
  let socket: WebSocket;
  try {
    socket = new WebSocket(url);
  } catch {
    return; // a bad URL is for the join to report
  }
  opened++;
  warm = { url, socket, timer: setTimeout(discard, WARM_MS) };
  socket.onmessage = (event) => {
    let languages: string[] | undefined;
    try {
      const msg: unknown = JSON.parse(String(event.data));
      if ((msg as { type?: unknown } | null)?.type === 'hello') languages = parseAsrLanguages((msg as { asr?: unknown }).asr);
    } catch {
      return; // the join reports what is wrong with the server
    }
    if (!languages) return;
    heard.set(url, languages);
    for (const listener of listeners) listener();
  };
  // Closed by the server (or the network) before a join took it: nothing to take any more.
  socket.onclose = () => {
    if (warm?.socket !== socket) return;
    clearTimeout(warm.timer);
    warm = undefined;
  };
}

/** The socket `preconnect(url)` opened, if it is still opening or open; it is the caller's from now. */
export function takePreconnected(url: string): WebSocket | undefined {
  if (!warm || warm.url !== url || warm.socket.readyState > WebSocket.OPEN) return undefined;
  const { socket, timer } = warm;
  clearTimeout(timer);
  warm = undefined;
  socket.onclose = null;
  socket.onmessage = null;
  return socket;
}

function discard(): void {
  if (!warm) return;
  const { socket, timer } = warm;
  clearTimeout(timer);
  warm = undefined;
  socket.onclose = null;
  socket.close();
}
