// A signaling socket opened ahead of a join, while the pre-join screen shows, so that the click on
// Join does not wait for the connection (one round trip on loopback, two or three with TLS on the
// Internet). The join that follows takes it over; unused, it is closed after WARM_MS, before the
// server's own timeout for sockets that have not joined (10 s by default), and opened again at the
// visitor's next sign of intent. At most one per page. See docs/architecture.md ("Joining"); the
// browser's WebRTC engine is set up ahead by `warmUpWebRtc` (./mesh.ts), which is call-engine code.

/** How long an unused socket is kept open. */
export const WARM_MS = 5_000;

let warm: { url: string; socket: WebSocket; timer: ReturnType<typeof setTimeout> } | undefined;

/** Where a meeting signals when it is not told: `/signal` on the page's own server. */
export function defaultSignalingUrl(): string {
  const { protocol, host } = globalThis.location;
  return `${protocol === 'https:' ? 'wss' : 'ws'}://${host}/signal`;
}

/** Opens a socket to `url` for a join to come, unless one is already open or opening. */
export function preconnect(url: string): void {
  if (warm?.url === url && warm.socket.readyState <= WebSocket.OPEN) return;
  discard();
  let socket: WebSocket;
  try {
    socket = new WebSocket(url);
  } catch {
    return; // a bad URL is for the join to report
  }
  warm = { url, socket, timer: setTimeout(discard, WARM_MS) };
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
