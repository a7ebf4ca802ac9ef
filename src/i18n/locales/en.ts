import type { PreJoinStrings } from '../types.js';

/** What the pre-join screen says; the rest is in ./call/en.ts, loaded with the call. */
export const en: PreJoinStrings = {
  $code: 'en',
  $dir: 'ltr',
  joinTitle: 'Ready to join?',
  yourName: 'Your name',
  namePlaceholder: 'How others will see you',
  camera: 'Camera',
  microphone: 'Microphone',
  noDevice: 'None found',
  join: 'Join',
  joining: 'Joining…',
  roomLabel: (room) => `Room ${room}`,
  speechToServer: 'Your voice goes to the server for captions.',
  micLevel: 'Microphone level',
  noCamera: 'No camera available: you joined with audio only.',
  noMicrophone: 'No microphone available: you can listen but not speak.',
  noMedia: 'No camera or microphone available: you can watch and listen.',
  roomFull: 'This room is full.',
  connectionLost: 'The connection to the server was lost.',
  missingRoom: 'No room given: set the room attribute.',
};
