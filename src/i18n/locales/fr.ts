import type { PreJoinStrings } from '../types.js';

/** What the pre-join screen says; the rest is in ./call/fr.ts, loaded with the call. */
export const fr: PreJoinStrings = {
  $code: 'fr',
  $dir: 'ltr',
  joinTitle: 'Prêt à rejoindre ?',
  yourName: 'Votre nom',
  namePlaceholder: 'Le nom que les autres verront',
  camera: 'Caméra',
  microphone: 'Micro',
  noDevice: 'Aucun trouvé',
  join: 'Rejoindre',
  joining: 'Connexion…',
  roomLabel: (room) => `Salle ${room}`,
  speechToServer: 'Votre voix est envoyée au serveur pour les sous-titres.',
  micLevel: 'Niveau du micro',
  noCamera: 'Aucune caméra disponible : vous participez en audio seulement.',
  noMicrophone: 'Aucun micro disponible : vous pouvez écouter mais pas parler.',
  noMedia: 'Ni caméra ni micro disponibles : vous pouvez regarder et écouter.',
  roomFull: 'Cette salle est complète.',
  connectionLost: 'La connexion au serveur a été perdue.',
  missingRoom: 'Aucune salle indiquée : renseignez l’attribut room.',
};
