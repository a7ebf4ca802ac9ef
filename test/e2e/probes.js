// Page-side probes for the end-to-end tests, injected before any page script runs. Plain
// JavaScript on purpose: it runs in the browser as written, without the test's TypeScript loader.
(() => {
  const meetings = () => [...document.querySelectorAll('un75-meeting')];
  const tiles = (i) => {
    const grid = meetings()[i]?.shadowRoot?.querySelector('un75-video-grid');
    return [...(grid?.shadowRoot?.querySelectorAll('un75-participant-tile') ?? [])];
  };
  // Counts frames actually presented by a video element, across source changes (which reset the
  // element's own counters).
  const countFrames = (video) => {
    if (!video || video.__frames !== undefined) return;
    video.__frames = 0;
    const tick = () => {
      video.__frames++;
      video.requestVideoFrameCallback(tick);
    };
    video.requestVideoFrameCallback(tick);
  };
  window.__un75 = {
    meetings,
    tiles,
    /** For each remote person's tile in meeting i: their name and how many video frames it has shown. */
    remoteVideo(i = 0) {
      return tiles(i)
        .filter((t) => t.participant && !t.participant.isSelf && !t.screen)
        .map((t) => {
          const video = t.shadowRoot?.querySelector('video');
          countFrames(video);
          return {
            name: t.participant.name,
            frames: video?.__frames ?? 0,
            width: video?.videoWidth ?? 0,
          };
        });
    },
    names(i = 0) {
      return (meetings()[i]?.participants ?? []).map((p) => p.name).sort();
    },
  };
  // Every un75 event any meeting fires, for assertions on the public event API.
  window.__events = [];
  for (const type of ['un75-joined', 'un75-left', 'un75-participant-joined', 'un75-participant-left', 'un75-error', 'un75-connection-state', 'un75-channel-change']) {
    document.addEventListener(type, (e) => window.__events.push({ type, detail: JSON.parse(JSON.stringify(e.detail)) }));
  }
})();
