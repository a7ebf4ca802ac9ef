import type { PreJoinStrings } from '../types.js';

/** What the pre-join screen says; the rest is in ./call/ar.ts, loaded with the call. */
export const ar: PreJoinStrings = {
  $code: 'ar',
  $dir: 'rtl',
  joinTitle: 'هل أنت مستعد للانضمام؟',
  yourName: 'اسمك',
  namePlaceholder: 'الاسم الذي سيراه الآخرون',
  camera: 'الكاميرا',
  microphone: 'الميكروفون',
  noDevice: 'لم يُعثر على أي جهاز',
  join: 'انضمام',
  joining: 'جارٍ الانضمام…',
  roomLabel: (room) => `الغرفة ${room}`,
  speechToServer: 'يُرسَل صوتك إلى الخادم لإنشاء الترجمة النصية.',
  micLevel: 'مستوى الميكروفون',
  noCamera: 'لا توجد كاميرا متاحة: انضممت بالصوت فقط.',
  noMicrophone: 'لا يوجد ميكروفون متاح: يمكنك الاستماع دون التحدث.',
  noMedia: 'لا توجد كاميرا ولا ميكروفون: يمكنك المشاهدة والاستماع.',
  roomFull: 'هذه الغرفة ممتلئة.',
  connectionLost: 'انقطع الاتصال بالخادم.',
  missingRoom: 'لم تُحدَّد غرفة: اضبط السمة room.',
};
