import type { Translation } from '../types.js';

const plural = (n: number, one: string, few: string, many: string) => {
  const rule = new Intl.PluralRules('ru').select(n);
  return rule === 'one' ? one : rule === 'few' ? few : many;
};

export const ru: Translation = {
  $code: 'ru',
  $dir: 'ltr',
  $name: 'Русский',
  joinTitle: 'Готовы присоединиться?',
  yourName: 'Ваше имя',
  namePlaceholder: 'Как вас увидят другие',
  camera: 'Камера',
  microphone: 'Микрофон',
  noDevice: 'Не найдено',
  join: 'Присоединиться',
  joining: 'Подключение…',
  roomLabel: (room) => `Комната ${room}`,
  controls: 'Управление звонком',
  shareScreen: 'Показать экран',
  handRaised: 'Рука поднята',
  raiseHand: 'Поднять руку',
  leave: 'Выйти',
  participants: (n) => `${n} ${plural(n, 'участник', 'участника', 'участников')}`,
  you: (name) => `${name} (вы)`,
  micMuted: 'Микрофон выключен',
  speaking: 'Говорит',
  screen: (name) => `Экран: ${name}`,
  waitingForOthers: 'Ожидание других участников',
  connecting: 'Подключение…',
  reconnecting: 'Переподключение…',
  left: 'Вы вышли из диалога.',
  rejoin: 'Присоединиться снова',
  noCamera: 'Камера недоступна: вы участвуете только со звуком.',
  noMicrophone: 'Микрофон недоступен: вы можете слушать, но не говорить.',
  noMedia: 'Камера и микрофон недоступны: вы можете смотреть и слушать.',
  roomFull: 'Комната заполнена.',
  connectionLost: 'Соединение с сервером потеряно.',
  peerUnreachable: (name) => `Не удалось подключиться к участнику ${name}.`,
  missingRoom: 'Комната не указана: задайте атрибут room.',
};
