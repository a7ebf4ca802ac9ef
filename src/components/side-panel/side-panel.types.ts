import type { ChatEntry } from '../../core/chat.js';
import type { Participant } from '../../core/types.js';
import type { Role, WaitingPerson } from '../../protocol/signaling.js';

/** The side panel's tabs, in order. */
export const PANEL_TABS = ['people', 'chat', 'transcript'] as const;
export type PanelTab = (typeof PANEL_TABS)[number];

export interface Un75PanelTabDetail {
  tab: PanelTab;
}

/**
 * What the panel uses of a `Meeting`: the facilitation API of design §3.1. Hosts' actions resolve
 * when sent; the server answers non-hosts `forbidden` (an `error` event) and nothing changes.
 */
export interface Facilitation {
  readonly participants: Participant[];
  readonly hands: Participant[];
  readonly waiting: WaitingPerson[];
  readonly locked: boolean;
  readonly role: Role;
  readonly chatMessages: readonly ChatEntry[];
  readonly unreadChat: number;
  markChatRead(): void;
  sendChat(text: string): Promise<ChatEntry>;
  removeParticipant(id: string): Promise<void>;
  requestMute(id: string): Promise<void>;
  toggleLock(on?: boolean): Promise<boolean>;
  admit(id: string): Promise<void>;
  deny(id: string): Promise<void>;
  lowerHand(id: string): Promise<void>;
  setRole(id: string, role: Role): Promise<void>;
}
