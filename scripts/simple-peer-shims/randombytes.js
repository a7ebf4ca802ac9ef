// simple-peer calls randombytes(n).toString('hex') for its ids and channel names.
export default function randombytes(size) {
  const bytes = crypto.getRandomValues(new Uint8Array(size));
  bytes.toString = () => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return bytes;
}
