import { createContext } from '@lit/context';
import type { Meeting } from '../core/meeting.js';

/**
 * The headless meeting of a <un75-meeting>, provided to the elements inside it (grid, controls,
 * captions, picker, booth); they read its session, captions and interpretation from it.
 */
export const meetingContext = createContext<Meeting | undefined>(Symbol('un75-meeting'));
