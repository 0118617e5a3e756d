;; The callee of the composed-vs-linked test: exports the interface
;; wasmcm:test/store with a resource blob (a growable string), and
;; functions taking and giving strings, lists of strings and lists of
;; numbers. A blob's rep is the address of its {ptr, len} in memory.
(component
  ;; Memory, allocator and destructor first: the resource type's destructor
  ;; must exist before the module that uses resource.new is instantiated.
  (core module $Mem
    (memory (export "mem") 1)
    (global $heap (mut i32) (i32.const 1024))
    (global $drops (mut i32) (i32.const 0))
    ;; A bump allocator that grows memory as needed; a realloc copies.
    (func $realloc (export "realloc") (param $old i32) (param $osize i32) (param $align i32) (param $size i32) (result i32)
      (local $p i32) (local $end i32)
      (local.set $p (i32.and (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get $align))))
      (local.set $end (i32.add (local.get $p) (local.get $size)))
      (if (i32.gt_u (local.get $end) (i32.mul (memory.size) (i32.const 65536)))
        (then
          (if (i32.lt_s (memory.grow (i32.add (i32.shr_u (i32.sub (local.get $end) (i32.mul (memory.size) (i32.const 65536))) (i32.const 16)) (i32.const 1)))
                        (i32.const 0))
            (then unreachable))))
      (global.set $heap (local.get $end))
      (if (local.get $osize)
        (then (memory.copy (local.get $p) (local.get $old)
                (select (local.get $osize) (local.get $size) (i32.lt_u (local.get $osize) (local.get $size))))))
      (local.get $p))
    (func (export "dtor") (param i32)
      (global.set $drops (i32.add (global.get $drops) (i32.const 1))))
    (func (export "drops") (result i32) (global.get $drops)))
  (core instance $mem (instantiate $Mem))

  (type $blob (resource (rep i32) (dtor (func $mem "dtor"))))
  (core func $new (canon resource.new $blob))
  (core func $rep (canon resource.rep $blob))
  (core func $drop (canon resource.drop $blob))

  (core module $M
    (import "mem" "mem" (memory 1))
    (import "mem" "realloc" (func $realloc (param i32 i32 i32 i32) (result i32)))
    (import "res" "new" (func $new (param i32) (result i32)))
    (import "res" "rep" (func $rep (param i32) (result i32)))
    (import "res" "drop" (func $drop (param i32)))

    ;; [constructor]blob(init: string) -> own<blob>
    (func (export "ctor") (param $p i32) (param $l i32) (result i32)
      (local $b i32)
      (local.set $b (call $realloc (i32.const 0) (i32.const 0) (i32.const 4) (i32.const 8)))
      (i32.store (local.get $b) (local.get $p))
      (i32.store offset=4 (local.get $b) (local.get $l))
      (call $new (local.get $b)))

    ;; [method]blob.append(self: borrow<blob>, s: string): self is the rep.
    (func (export "append") (param $b i32) (param $p i32) (param $l i32)
      (local $old i32) (local $ol i32) (local $n i32)
      (local.set $old (i32.load (local.get $b)))
      (local.set $ol (i32.load offset=4 (local.get $b)))
      (local.set $n (call $realloc (i32.const 0) (i32.const 0) (i32.const 1) (i32.add (local.get $ol) (local.get $l))))
      (memory.copy (local.get $n) (local.get $old) (local.get $ol))
      (memory.copy (i32.add (local.get $n) (local.get $ol)) (local.get $p) (local.get $l))
      (i32.store (local.get $b) (local.get $n))
      (i32.store offset=4 (local.get $b) (i32.add (local.get $ol) (local.get $l))))

    ;; [method]blob.read(self: borrow<blob>) -> string: the rep is where
    ;; the string's {ptr, len} is.
    (func (export "read") (param $b i32) (result i32) (local.get $b))

    ;; [method]blob.len(self: borrow<blob>) -> u32
    (func (export "len") (param $b i32) (result i32) (i32.load offset=4 (local.get $b)))

    ;; consume(b: own<blob>) -> string: takes the blob's text and drops it
    ;; (its destructor runs); the text stays in memory (nothing is freed).
    (func (export "consume") (param $h i32) (result i32)
      (local $b i32)
      (local.set $b (call $rep (local.get $h)))
      (call $drop (local.get $h))
      (local.get $b))

    ;; concat(parts: list<string>, sep: string) -> string
    (func (export "concat") (param $pp i32) (param $pn i32) (param $sp i32) (param $sl i32) (result i32)
      (local $i i32) (local $tot i32) (local $out i32) (local $o i32) (local $e i32)
      (block $done
        (loop $sum
          (br_if $done (i32.ge_u (local.get $i) (local.get $pn)))
          (local.set $e (i32.add (local.get $pp) (i32.shl (local.get $i) (i32.const 3))))
          (local.set $tot (i32.add (local.get $tot) (i32.load offset=4 (local.get $e))))
          (if (local.get $i) (then (local.set $tot (i32.add (local.get $tot) (local.get $sl)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $sum)))
      (local.set $out (call $realloc (i32.const 0) (i32.const 0) (i32.const 1) (local.get $tot)))
      (local.set $o (local.get $out))
      (local.set $i (i32.const 0))
      (block $done
        (loop $cp
          (br_if $done (i32.ge_u (local.get $i) (local.get $pn)))
          (if (local.get $i)
            (then
              (memory.copy (local.get $o) (local.get $sp) (local.get $sl))
              (local.set $o (i32.add (local.get $o) (local.get $sl)))))
          (local.set $e (i32.add (local.get $pp) (i32.shl (local.get $i) (i32.const 3))))
          (memory.copy (local.get $o) (i32.load (local.get $e)) (i32.load offset=4 (local.get $e)))
          (local.set $o (i32.add (local.get $o) (i32.load offset=4 (local.get $e))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $cp)))
      (i32.store (i32.const 16) (local.get $out))
      (i32.store offset=4 (i32.const 16) (local.get $tot))
      (i32.const 16))

    ;; repeat(s: string, n: u32) -> list<string>: n times the same bytes.
    (func (export "repeat") (param $p i32) (param $l i32) (param $n i32) (result i32)
      (local $out i32) (local $i i32)
      (local.set $out (call $realloc (i32.const 0) (i32.const 0) (i32.const 4) (i32.shl (local.get $n) (i32.const 3))))
      (block $done
        (loop $fill
          (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
          (i32.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3))) (local.get $p))
          (i32.store offset=4 (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3))) (local.get $l))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $fill)))
      (i32.store (i32.const 16) (local.get $out))
      (i32.store offset=4 (i32.const 16) (local.get $n))
      (i32.const 16))

    ;; sum(xs: list<u32>) -> u64
    (func (export "sum") (param $p i32) (param $n i32) (result i64)
      (local $s i64) (local $i i32)
      (block $done
        (loop $add
          (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
          (local.set $s (i64.add (local.get $s)
            (i64.extend_i32_u (i32.load (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2)))))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $add)))
      (local.get $s)))
  (core instance $m (instantiate $M
    (with "mem" (instance $mem))
    (with "res" (instance
      (export "new" (func $new))
      (export "rep" (func $rep))
      (export "drop" (func $drop))))))

  (func $ctor (param "init" string) (result (own $blob))
    (canon lift (core func $m "ctor") (memory $mem "mem") (realloc (func $mem "realloc"))))
  (func $append (param "self" (borrow $blob)) (param "s" string)
    (canon lift (core func $m "append") (memory $mem "mem") (realloc (func $mem "realloc"))))
  (func $read (param "self" (borrow $blob)) (result string)
    (canon lift (core func $m "read") (memory $mem "mem")))
  (func $len (param "self" (borrow $blob)) (result u32)
    (canon lift (core func $m "len")))
  (func $consume (param "b" (own $blob)) (result string)
    (canon lift (core func $m "consume") (memory $mem "mem")))
  (func $concat (param "parts" (list string)) (param "sep" string) (result string)
    (canon lift (core func $m "concat") (memory $mem "mem") (realloc (func $mem "realloc"))))
  (func $repeat (param "s" string) (param "n" u32) (result (list string))
    (canon lift (core func $m "repeat") (memory $mem "mem") (realloc (func $mem "realloc"))))
  (func $sum (param "xs" (list u32)) (result u64)
    (canon lift (core func $m "sum") (memory $mem "mem") (realloc (func $mem "realloc"))))
  (func $drops (result u32) (canon lift (core func $mem "drops")))

  ;; An instance of exports must name the resource its functions use, so
  ;; the interface is a small component that imports the type and the
  ;; functions and exports them typed with its own export of the type, as
  ;; wit-component writes it.
  (component $Iface
    (import "blob" (type $b (sub resource)))
    (import "ctor" (func $ctor (param "init" string) (result (own $b))))
    (import "append" (func $append (param "self" (borrow $b)) (param "s" string)))
    (import "read" (func $read (param "self" (borrow $b)) (result string)))
    (import "len" (func $len (param "self" (borrow $b)) (result u32)))
    (import "consume" (func $consume (param "b" (own $b)) (result string)))
    (import "concat" (func $concat (param "parts" (list string)) (param "sep" string) (result string)))
    (import "repeat" (func $repeat (param "s" string) (param "n" u32) (result (list string))))
    (import "sum" (func $sum (param "xs" (list u32)) (result u64)))
    (import "drops" (func $drops (result u32)))
    (export $blob "blob" (type $b))
    (export "[constructor]blob" (func $ctor) (func (param "init" string) (result (own $blob))))
    (export "[method]blob.append" (func $append) (func (param "self" (borrow $blob)) (param "s" string)))
    (export "[method]blob.read" (func $read) (func (param "self" (borrow $blob)) (result string)))
    (export "[method]blob.len" (func $len) (func (param "self" (borrow $blob)) (result u32)))
    (export "consume" (func $consume) (func (param "b" (own $blob)) (result string)))
    (export "concat" (func $concat))
    (export "repeat" (func $repeat))
    (export "sum" (func $sum))
    (export "drops" (func $drops)))
  (instance $store (instantiate $Iface
    (with "blob" (type $blob))
    (with "ctor" (func $ctor))
    (with "append" (func $append))
    (with "read" (func $read))
    (with "len" (func $len))
    (with "consume" (func $consume))
    (with "concat" (func $concat))
    (with "repeat" (func $repeat))
    (with "sum" (func $sum))
    (with "drops" (func $drops))))
  (export "wasmcm:test/store" (instance $store)))
