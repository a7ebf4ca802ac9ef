import type { PreJoinStrings } from '../types.js';

/** What the pre-join screen says; the rest is in ./call/es.ts, loaded with the call. */
export const es: PreJoinStrings = {
  $code: 'es',
  $dir: 'ltr',
  joinTitle: '¿Listo para unirte?',
  yourName: 'Tu nombre',
  namePlaceholder: 'Cómo te verán los demás',
  camera: 'Cámara',
  microphone: 'Micrófono',
  noDevice: 'No se encontró ninguno',
  join: 'Unirse',
  joining: 'Conectando…',
  roomLabel: (room) => `Sala ${room}`,
  speechToServer: 'Su voz se envía al servidor para los subtítulos.',
  micLevel: 'Nivel del micrófono',
  noCamera: 'No hay cámara disponible: participas solo con audio.',
  noMicrophone: 'No hay micrófono disponible: puedes escuchar pero no hablar.',
  noMedia: 'No hay cámara ni micrófono disponibles: puedes ver y escuchar.',
  roomFull: 'Esta sala está llena.',
  connectionLost: 'Se perdió la conexión con el servidor.',
  missingRoom: 'No se indicó la sala: define el atributo room.',
};
