// Every browser un75 supports has queueMicrotask.
export default (callback) => queueMicrotask(callback);
