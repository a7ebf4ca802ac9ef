import { createContext } from '@lit/context';
import type { MeetingSession } from '../core/session.js';

/** The meeting's current session, provided by <un75-meeting> to the elements inside it. */
export const sessionContext = createContext<MeetingSession | undefined>(Symbol('un75-session'));
