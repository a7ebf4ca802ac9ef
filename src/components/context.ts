import { createContext } from '@lit/context';
import type { CaptionService } from '../core/captions.js';
import type { Interpretation } from '../core/interpretation.js';
import type { MeetingSession } from '../core/session.js';

/** The meeting's current session, provided by <un75-meeting> to the elements inside it. */
export const sessionContext = createContext<MeetingSession | undefined>(Symbol('un75-session'));

/** The meeting's caption service, provided by <un75-meeting> to <un75-captions> and <un75-language-picker>. */
export const captionsContext = createContext<CaptionService | undefined>(Symbol('un75-captions'));

/** The meeting's interpretation channels, provided by <un75-meeting> to the picker, grid and booth. */
export const interpretationContext = createContext<Interpretation | undefined>(Symbol('un75-interpretation'));
