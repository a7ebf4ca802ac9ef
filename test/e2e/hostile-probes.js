// Page-side probes for the hostile-peer tests, injected before any page script runs (plain
// JavaScript: it runs in the browser as written).
(() => {
  // Event-loop lag: a 10 ms timer that notes how late it fires. A page frozen by a flood fires late.
  // `worst`: the five latest firings, with when they fired (ms since the epoch).
  const lag = { max: 0, longest: 0, worst: [] };
  let expected = performance.now() + 10;
  setInterval(() => {
    const now = performance.now();
    const late = now - expected;
    lag.max = Math.max(lag.max, late);
    if (lag.worst.length < 5 || late > lag.worst[4].late) {
      lag.worst.push({ late: Math.round(late), at: Date.now() });
      lag.worst.sort((x, y) => y.late - x.late);
      lag.worst.length = Math.min(lag.worst.length, 5);
    }
    expected = now + 10;
  }, 10);
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) lag.longest = Math.max(lag.longest, entry.duration);
    }).observe({ type: 'longtask', buffered: false });
  } catch {
    // no long-task timing in this browser
  }
  window.__lag = lag;
  window.__resetLag = () => {
    lag.max = 0;
    lag.longest = 0;
    lag.worst = [];
  };

  // Every RTCPeerConnection the page makes, to count transceivers and measure descriptions.
  const pcs = [];
  const NativePC = window.RTCPeerConnection;
  window.RTCPeerConnection = function (...args) {
    const pc = new NativePC(...args);
    pcs.push(pc);
    return pc;
  };
  window.RTCPeerConnection.prototype = NativePC.prototype;
  Object.setPrototypeOf(window.RTCPeerConnection, NativePC);
  /** Peer connections made since the page loaded, closed ones included. */
  window.__pcCount = () => pcs.length;
  window.__pcSizes = () =>
    pcs
      .filter((pc) => pc.connectionState !== 'closed')
      .map((pc) => ({ transceivers: pc.getTransceivers().length, sdpBytes: pc.localDescription?.sdp.length ?? 0 }));

  // The signaling socket, and the link ids (sid) of the signals each peer sends us: an attacker
  // page uses them to send raw signals of its own through the real server.
  const NativeWS = window.WebSocket;
  window.__sids = {};
  // How each signaling socket closed (code), and the largest frame the page sent on one (characters).
  window.__wsCloses = [];
  window.__wsLargest = 0;
  window.__wsMade = 0;
  window.WebSocket = function (...args) {
    const ws = new NativeWS(...args);
    window.__ws = ws;
    window.__wsMade++;
    ws.addEventListener('close', (e) => window.__wsCloses.push(e.code));
    const send = ws.send;
    ws.send = function (data) {
      if (typeof data === 'string') window.__wsLargest = Math.max(window.__wsLargest, data.length);
      return send.call(this, data);
    };
    ws.addEventListener('message', (e) => {
      try {
        const m = JSON.parse(e.data);
        if (m.type === 'signal') window.__sids[m.from] = m.sid;
      } catch {
        // not ours to judge
      }
    });
    return ws;
  };
  window.WebSocket.prototype = NativeWS.prototype;
  Object.assign(window.WebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
})();
