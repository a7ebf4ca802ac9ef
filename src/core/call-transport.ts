import type { LinkState } from './types.js';

/**
 * What a session hears from the transport that carries its call's media, whichever it is (design
 * §4, §4.1; conventions 15): the peer-to-peer mesh (mesh.ts) or the media server (sfu.ts).
 */
export interface CallTransportEvents {
  /** The media path to a member changed state. */
  'link-state': CustomEvent<{ id: string; state: LinkState }>;
  /** Media from a member can flow (their link is up). */
  'link-open': CustomEvent<{ id: string }>;
  /** A member's track arrived, in the stream that holds all of that member's camera and microphone. */
  track: CustomEvent<{ from: string; track: MediaStreamTrack; stream: MediaStream }>;
}

/**
 * The media side of a call as the session drives it. The mesh implements more (data channels,
 * view hints, renegotiation budgets) that the session reaches directly while only the mesh has it;
 * the next step (mesh → SFU move) makes the session hold one of these and nothing else.
 */
export interface CallTransport extends EventTarget {
  /** Replaces the camera track on everything that sends it, without renegotiating (null: camera off). */
  setVideoTrack(track: MediaStreamTrack | null): void;
  /** Statistics of the connection that carries `memberId`'s media. */
  linkStats(memberId: string): Promise<RTCStatsReport | undefined>;
  destroy(): void;
}
