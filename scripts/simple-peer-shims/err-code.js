// simple-peer tags its errors with a `code`. A browser's DOMException has a read-only `code`
// getter, hence an own property rather than an assignment; the err-code package does the same
// with more generality than simple-peer needs.
export default function errCode(err, code) {
  try {
    Object.defineProperty(err, 'code', { value: code, enumerable: true, configurable: true });
    return err;
  } catch {
    const copy = new Error(err.message);
    copy.code = code;
    return copy;
  }
}
