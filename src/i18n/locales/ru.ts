import type { PreJoinStrings } from '../types.js';

/** What the pre-join screen says; the rest is in ./call/ru.ts, loaded with the call. */
export const ru: PreJoinStrings = {
  $code: 'ru',
  $dir: 'ltr',
  joinTitle: 'Готовы присоединиться?',
  yourName: 'Ваше имя',
  namePlaceholder: 'Как вас увидят другие',
  camera: 'Камера',
  microphone: 'Микрофон',
  noDevice: 'Не найдено',
  join: 'Присоединиться',
  joining: 'Подключение…',
  roomLabel: (room) => `Комната ${room}`,
  speechToServer: 'Ваш голос передаётся на сервер для субтитров.',
  micLevel: 'Уровень микрофона',
  noCamera: 'Камера недоступна: вы участвуете только со звуком.',
  noMicrophone: 'Микрофон недоступен: вы можете слушать, но не говорить.',
  noMedia: 'Камера и микрофон недоступны: вы можете смотреть и слушать.',
  roomFull: 'Комната заполнена.',
  connectionLost: 'Соединение с сервером потеряно.',
  missingRoom: 'Комната не указана: задайте атрибут room.',
};
