// A React 19 app using the elements directly (typed by un75-meeting/jsx) and through the
// @lit/react wrappers (un75-meeting/react).
import 'un75-meeting/jsx';
import { Un75Meeting, Un75LanguagePicker } from 'un75-meeting/react';

export function App() {
  return (
    <>
      <un75-meeting
        id="m"
        room="council"
        listen-language="fr"
        floor-volume={0.3}
        mic-off
        onun75-joined={(event) => console.log(event.detail.selfId)}
        onun75-error={(event) => console.log(event.detail.code)}
      />
      <un75-captions for="m" lines={2} bilingual />
      <un75-language-picker for="m" no-spoken />
      <Un75Meeting room="assembly" listenLanguage="ar" onUn75Joined={(event) => console.log(event.detail.selfId)} />
      <Un75LanguagePicker onUn75LanguageChange={(event) => console.log(event.detail.listenLanguage)} />
    </>
  );
}
