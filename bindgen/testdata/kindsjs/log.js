// The root import log of the world test:kinds/kinds for jco.
export const logs = [];
export default function log(msg) { logs.push(msg); }
