import { define } from '../define.js';
import { Un75Meeting } from './meeting.js';
import type {
  Un75CaptionDetail,
  Un75ChannelChangeDetail,
  Un75ConnectionStateDetail,
  Un75ErrorDetail,
  Un75JoinedDetail,
  Un75LeftDetail,
  Un75ParticipantDetail,
  Un75ParticipantLeftDetail,
} from './meeting.types.js';

export { Un75Meeting };
define('un75-meeting', Un75Meeting);

declare global {
  interface HTMLElementTagNameMap {
    'un75-meeting': Un75Meeting;
  }
  interface GlobalEventHandlersEventMap {
    'un75-joined': CustomEvent<Un75JoinedDetail>;
    'un75-left': CustomEvent<Un75LeftDetail>;
    'un75-participant-joined': CustomEvent<Un75ParticipantDetail>;
    'un75-participant-left': CustomEvent<Un75ParticipantLeftDetail>;
    'un75-connection-state': CustomEvent<Un75ConnectionStateDetail>;
    'un75-error': CustomEvent<Un75ErrorDetail>;
    'un75-caption': CustomEvent<Un75CaptionDetail>;
    'un75-channel-change': CustomEvent<Un75ChannelChangeDetail>;
  }
}
