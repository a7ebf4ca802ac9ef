// View hints end to end in one page: two headless meetings through the real signaling server
// (window.UN75_SIGNALING), real RTCPeerConnections, Chromium's fake camera. The receiver says how it
// shows the sender's camera; the sender's encoding for that link follows, and a hidden tile gets
// no more video until it is shown again.
import { expect } from '@open-wc/testing';
import { Meeting } from '../../src/core/index.js';
import { parseViewMessage, ViewMessageError } from '../../src/protocol/view.js';
import { planVideoSender, significantViewChange, ViewHints } from '../../src/core/view-hints.js';
import type { ViewMessage } from '../../src/protocol/view.js';
import { SIGNALING, uniqueRoom, until } from '../components/helpers.js';

/** Video frames decoded and bytes received from `from`, per the receiver's getStats. */
async function inbound(receiver: Meeting, from: string): Promise<{ frames: number; bytes: number }> {
  const report = await receiver.session!.linkStats(from);
  let frames = 0;
  let bytes = 0;
  report?.forEach((s: { type: string; kind?: string; framesDecoded?: number; bytesReceived?: number }) => {
    if (s.type === 'inbound-rtp' && s.kind === 'video') {
      frames += s.framesDecoded ?? 0;
      bytes += s.bytesReceived ?? 0;
    }
  });
  return { frames, bytes };
}

/** Polls an async check until it holds; fails with `what` after `timeout` ms. */
async function eventually(check: () => Promise<boolean>, what: string, timeout = 20000): Promise<void> {
  const start = performance.now();
  while (!(await check())) {
    if (performance.now() - start > timeout) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('view hints', function () {
  this.timeout(60000);
  const open: Meeting[] = [];
  afterEach(async () => {
    for (const m of open.splice(0)) await m.leave();
  });

  it('a small tile scales the sender down; a hidden tile stops its video; shown again it resumes', async () => {
    const room = uniqueRoom('hints');
    const ana = new Meeting({ signalingUrl: SIGNALING, room, name: 'Ana', cameraOff: false, spokenLanguage: 'en' });
    const bo = new Meeting({ signalingUrl: SIGNALING, room, name: 'Bo', cameraOff: true, spokenLanguage: 'en' });
    open.push(ana, bo);
    await ana.join();
    await bo.join();
    const anaId = ana.session!.selfId!;
    const boId = bo.session!.selfId!;
    await until(() => bo.participants.find((p) => p.id === anaId)?.connectionState === 'connected', 'the link', 20000);
    const encoding = () => ana.session!.videoEncodings().find((e) => e.to === boId);
    await until(() => (encoding()?.maxBitrate ?? 0) > 0, 'a cap on the link');
    // No hint yet: full size, the budget's share (one link: the most a sender ever uses).
    expect(encoding()).to.deep.include({ active: true, scaleResolutionDownBy: 1, maxBitrate: 1_500_000 });
    const track = ana.localStream!.getVideoTracks()[0]!.getSettings();

    // Bo shows Ana's camera in a tile a quarter of the camera's height.
    bo.setViewSize(anaId, { width: Math.round(track.width! / 4), height: Math.round(track.height! / 4) });
    await until(() => (encoding()?.scaleResolutionDownBy ?? 1) >= 4, 'the link scaled down to the tile');
    expect(encoding()!.maxBitrate).to.be.below(1_500_000);
    expect(encoding()!.active).to.equal(true);

    // Video flows to Bo at that size.
    await eventually(async () => (await inbound(bo, anaId)).frames > 10, 'frames at Bo');

    // Hidden: the sender pauses that link, and Bo's inbound video stops growing.
    bo.setViewSize(anaId, null);
    await until(() => encoding()?.active === false, 'the link paused');
    let before = await inbound(bo, anaId);
    // Frames already in flight may still arrive: wait until two readings a second apart agree.
    await eventually(async () => {
      await new Promise((r) => setTimeout(r, 1000));
      const now = await inbound(bo, anaId);
      const still = now.frames === before.frames && now.bytes - before.bytes < 2000;
      before = now;
      return still;
    }, "Bo's inbound video to stop");

    // Shown again: it resumes.
    bo.setViewSize(anaId, { width: track.width!, height: track.height! });
    await until(() => encoding()?.active === true && encoding()?.scaleResolutionDownBy === 1, 'the link resumed at full size');
    const paused = await inbound(bo, anaId);
    await eventually(async () => (await inbound(bo, anaId)).frames > paused.frames + 10, "Bo's inbound video to resume");
  });

  it('plans each sender from its hint: full share without one, scaled and capped, paused when hidden', () => {
    const track = { width: 1280, height: 720 };
    expect(planVideoSender({ track, hint: undefined, share: 800_000, screen: false })).to.deep.equal({
      active: true,
      maxBitrate: 800_000,
      scaleResolutionDownBy: 1,
      degradationPreference: 'balanced',
    });
    const small = planVideoSender({ track, hint: { width: 320, height: 180 }, share: 800_000, screen: false });
    expect(small.scaleResolutionDownBy).to.equal(4);
    expect(small.maxBitrate).to.be.below(800_000).and.at.least(60_000);
    // A tile larger than the camera: never scaled up, never above the share.
    expect(planVideoSender({ track, hint: { width: 3840, height: 2160 }, share: 800_000, screen: false })).to.deep.include({ scaleResolutionDownBy: 1, maxBitrate: 800_000 });
    expect(planVideoSender({ track, hint: null, share: 800_000, screen: true })).to.deep.include({ active: false, degradationPreference: 'maintain-resolution' });
  });

  it('tells a sender at once that a video it paused is shown again; other changes once the burst ends', async () => {
    const sent: ViewMessage[] = [];
    const hints = new ViewHints((_peer, message) => sent.push(message) > 0);
    const tick = () => new Promise((r) => setTimeout(r, 0));
    try {
      hints.set('p', null);
      await tick();
      expect(sent, 'a hide waits for the burst').to.have.length(0);
      await until(() => sent.length === 1, 'the hidden hint');
      expect(sent[0]).to.deep.equal({ type: 'view', w: 0, h: 0 });
      // Shown again (a tab back in front): sent in the next task, not after the debounce.
      hints.set('p', { width: 320, height: 180 });
      await tick();
      expect(sent.at(-1)).to.deep.equal({ type: 'view', w: 320, h: 180 });
      // A resize is debounced as before.
      hints.set('p', { width: 640, height: 360 });
      await tick();
      expect(sent).to.have.length(2);
      await until(() => sent.length === 3, 'the resize');
      expect(sent.at(-1)).to.deep.equal({ type: 'view', w: 640, h: 360 });
    } finally {
      hints.dispose();
    }
  });

  it('tells the sender only of meaningful changes, and refuses malformed hints', () => {
    expect(significantViewChange(undefined, null)).to.equal(true);
    expect(significantViewChange({ width: 400, height: 300 }, { width: 440, height: 320 })).to.equal(false);
    expect(significantViewChange({ width: 400, height: 300 }, { width: 520, height: 300 })).to.equal(true);
    expect(significantViewChange({ width: 400, height: 300 }, null)).to.equal(true);
    expect(significantViewChange(null, null)).to.equal(false);
    expect(parseViewMessage({ type: 'view', w: 320, h: 180 })).to.deep.equal({ type: 'view', w: 320, h: 180 });
    expect(parseViewMessage({ type: 'view', w: 0, h: 0, source: 'screen' })).to.deep.equal({ type: 'view', w: 0, h: 0, source: 'screen' });
    for (const bad of [{ w: -1, h: 5 }, { w: 1.5, h: 5 }, { w: 0, h: 5 }, { w: 1e9, h: 5 }, { w: '5', h: 5 }, { w: 5, h: 5, source: 'mic' }]) {
      expect(() => parseViewMessage({ type: 'view', ...bad })).to.throw(ViewMessageError);
    }
  });
});
