// simple-peer turns binary data-channel messages into a Buffer; un75 sends JSON text, and a
// Uint8Array is all a browser caller needs for the rare binary message.
export const Buffer = { from: (data) => new Uint8Array(data) };
