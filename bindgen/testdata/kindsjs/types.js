// The resource test:kinds/types.counter for jco, as the Go tests serve it.
export class Counter {
  constructor(start) { this.n = start; this.nm = 'host' + start; }
  add(n) { this.n += n; return this.n; }
  get() { return this.n; }
  name() { return this.nm; }
  static merge(a, b) { return new Counter(a.get() + b.get()); }
}
