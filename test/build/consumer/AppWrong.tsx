// Mistakes the bindings must catch: each line after a marked comment fails to type-check.
import 'un75-meeting/jsx';
import { Un75Meeting } from 'un75-meeting/react';

export function Wrong() {
  return (
    <>
      {/* @error a room is a string */}
      <un75-meeting room={42} />
      {/* @error the floor volume is a number */}
      <un75-meeting floor-volume="loud" />
      {/* @error the joined detail has no such field */}
      <un75-meeting onun75-joined={(event) => event.detail.nope} />
      {/* @error no such element */}
      <un75-meting room="x" />
      {/* @error the wrapper's event detail is typed too */}
      <Un75Meeting onUn75Joined={(event) => event.detail.nope} />
    </>
  );
}
