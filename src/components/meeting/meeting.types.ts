import type { ConnectionState } from '../../core/session.js';
import type { Channel } from '../../core/interpretation.js';
import type { Participant } from '../../core/types.js';
import type { Caption } from '../../core/captions.types.js';

export type { ConnectionState, Participant };

export interface Un75JoinedDetail {
  selfId: string;
}
export interface Un75LeftDetail {
  /** `left` (by choice), `removed` (element taken off the page), or an error code such as `room-full`. */
  reason: string;
}
export interface Un75ParticipantDetail {
  participant: Participant;
}
export interface Un75ParticipantLeftDetail {
  participant: Participant;
  reason: string;
}
export interface Un75ConnectionStateDetail {
  state: ConnectionState;
}
export interface Un75ErrorDetail {
  /** A signaling error code (docs/protocol.md) or `no-camera`, `no-microphone`, `no-media`, `screen-share-failed`, `unreachable`. */
  code: string;
  message: string;
}
export interface Un75CaptionDetail {
  caption: Caption;
}

export interface Un75ChannelChangeDetail {
  /** The language this person wants to understand. */
  listenLanguage: string;
  /** The interpretation channel they hear now, or null: the floor at full volume (and captions). */
  channel: Channel | null;
}
