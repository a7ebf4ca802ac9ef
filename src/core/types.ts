import type { PeerInfo } from '../protocol/signaling.js';

export type LinkState = 'new' | 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'closed';

/** A person in the meeting, as the public API shows it (design §3.1). */
export interface Participant extends PeerInfo {
  /** State of the peer-to-peer link to them; `connected` for oneself. */
  connectionState: LinkState;
  /** True for the local participant. */
  isSelf: boolean;
}

/** A JSON message sent to peers over the data channels. `type` says which module handles it. */
export interface PeerMessage {
  type: string;
  [key: string]: unknown;
}

export interface PeerMessageDetail {
  from: string;
  message: PeerMessage;
}

/**
 * What feature modules (captions, interpretation, chat) need from a meeting session: who is there,
 * and a way to exchange data-channel messages with them. The session implements it; tests can use
 * any object that does.
 *
 * Events: `peer-message` (CustomEvent<PeerMessageDetail>), `participant-joined`,
 * `participant-left`, `participant-updated` (CustomEvent<{ participant: Participant }>),
 * `peer-connected` (CustomEvent<{ id: string }>: a data channel to `id` just opened, or in a room
 * on the media server, where messages go through the server, `id` is in the room; send it what a
 * newcomer must know).
 */
export interface PeerMessaging extends EventTarget {
  readonly selfId: string | undefined;
  participant(id: string): Participant | undefined;
  /** Sends to every connected peer, or to one. Returns how many peers it was sent to. */
  sendToPeers(message: PeerMessage, to?: string): number;
}
