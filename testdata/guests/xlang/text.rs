// The Rust side of the cross-language composition: it implements the
// interface xlang:demo/text@0.1.0 (wit/demo.wit, world text-impl) with no
// bindings generator at all, only the canonical ABI written out by hand:
// the core exports are named as wit-component expects of a module
// implementing the world, results the callee allocates are freed by the
// cabi_post_* function of the call, and the resource tally lives in a Box
// whose address is the representation the component's handles stand for.
//
// Built by compose's tests with Debian's rustc for wasm32-unknown-unknown:
//
//	rustc --edition 2021 --target wasm32-unknown-unknown --crate-type cdylib -O text.rs
//
// then embedded (component.Embed) and made a component (component.New).

use std::alloc::{alloc, dealloc, realloc, Layout};
use std::collections::BTreeMap;

// The allocations of the last call's results, freed by its post-return.
static mut RESULTS: Vec<(usize, Layout)> = Vec::new();

fn trap() -> ! {
    std::process::abort()
}

/// cabi_realloc is how callers place arguments in this memory.
#[no_mangle]
pub unsafe extern "C" fn cabi_realloc(old: *mut u8, old_size: usize, align: usize, new_size: usize) -> *mut u8 {
    if new_size == 0 {
        return align as *mut u8;
    }
    let p = if old_size == 0 {
        alloc(Layout::from_size_align_unchecked(new_size, align))
    } else {
        realloc(old, Layout::from_size_align_unchecked(old_size, align), new_size)
    };
    if p.is_null() {
        trap()
    }
    p
}

/// result allocates size bytes for a result, to be freed by post-return.
unsafe fn result(size: usize, align: usize) -> *mut u8 {
    if size == 0 {
        return align as *mut u8;
    }
    let layout = Layout::from_size_align_unchecked(size, align);
    let p = alloc(layout);
    if p.is_null() {
        trap()
    }
    RESULTS.push((p as usize, layout));
    p
}

unsafe fn free_results() {
    for (p, layout) in RESULTS.drain(..) {
        dealloc(p as *mut u8, layout);
    }
}

/// result_string copies s into a result allocation.
unsafe fn result_string(s: &str) -> (u32, u32) {
    let p = result(s.len(), 1);
    std::ptr::copy_nonoverlapping(s.as_ptr(), p, s.len());
    (p as u32, s.len() as u32)
}

/// arg_string takes a string argument: the caller allocated it with
/// cabi_realloc, and the callee owns it from then on.
unsafe fn arg_string(ptr: *mut u8, len: usize) -> String {
    let b = std::slice::from_raw_parts(ptr, len).to_vec();
    if len > 0 {
        dealloc(ptr, Layout::from_size_align_unchecked(len, 1));
    }
    // The lifting side checked the encoding.
    String::from_utf8_unchecked(b)
}

enum Token {
    Word(String),
    Number(i64),
    Punct(char),
}

fn tokenize(s: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c.is_alphabetic() {
            let mut w = String::new();
            while let Some(&c) = chars.peek() {
                if !c.is_alphabetic() && c != '\'' {
                    break;
                }
                w.push(c);
                chars.next();
            }
            out.push(Token::Word(w));
        } else if c.is_ascii_digit() {
            let mut n: i64 = 0;
            while let Some(&c) = chars.peek() {
                match c.to_digit(10) {
                    Some(d) => n = n.saturating_mul(10).saturating_add(d as i64),
                    None => break,
                }
                chars.next();
            }
            out.push(Token::Number(n));
        } else {
            out.push(Token::Punct(c));
            chars.next();
        }
    }
    out
}

/// analyze: func(s: string) -> stats, where stats is
/// {words: u32 @0, bytes: u32 @4, longest: string @8} (16 bytes, align 4),
/// returned through a pointer as it flattens to more than one value.
#[export_name = "xlang:demo/text@0.1.0#analyze"]
pub unsafe extern "C" fn analyze(ptr: *mut u8, len: usize) -> *mut u8 {
    let s = arg_string(ptr, len);
    let (mut words, mut longest) = (0u32, String::new());
    for t in tokenize(&s) {
        if let Token::Word(w) = t {
            words += 1;
            if w.chars().count() > longest.chars().count() {
                longest = w;
            }
        }
    }
    let r = result(16, 4);
    let (lp, ll) = result_string(&longest);
    *(r as *mut u32) = words;
    *(r.add(4) as *mut u32) = s.len() as u32;
    *(r.add(8) as *mut u32) = lp;
    *(r.add(12) as *mut u32) = ll;
    r
}

#[export_name = "cabi_post_xlang:demo/text@0.1.0#analyze"]
pub unsafe extern "C" fn analyze_post(_ret: *mut u8) {
    free_results()
}

/// tokenize: func(s: string) -> list<token>. A token is a variant of
/// word(string), number(s64), punct(char): discriminant u8 @0, payload @8
/// (aligned for the s64), 16 bytes, align 8.
#[export_name = "xlang:demo/text@0.1.0#tokenize"]
pub unsafe extern "C" fn tokenize_export(ptr: *mut u8, len: usize) -> *mut u8 {
    let s = arg_string(ptr, len);
    let toks = tokenize(&s);
    let arr = result(16 * toks.len(), 8);
    for (i, t) in toks.iter().enumerate() {
        let e = arr.add(16 * i);
        match t {
            Token::Word(w) => {
                *e = 0;
                let (p, l) = result_string(w);
                *(e.add(8) as *mut u32) = p;
                *(e.add(12) as *mut u32) = l;
            }
            Token::Number(n) => {
                *e = 1;
                *(e.add(8) as *mut i64) = *n;
            }
            Token::Punct(c) => {
                *e = 2;
                *(e.add(8) as *mut u32) = *c as u32;
            }
        }
    }
    let r = result(8, 4);
    *(r as *mut u32) = arr as u32;
    *(r.add(4) as *mut u32) = toks.len() as u32;
    r
}

#[export_name = "cabi_post_xlang:demo/text@0.1.0#tokenize"]
pub unsafe extern "C" fn tokenize_post(_ret: *mut u8) {
    free_results()
}

// The resource tally: a handle's representation is the address of its Box.
struct Tally {
    counts: BTreeMap<String, u32>,
}

#[link(wasm_import_module = "[export]xlang:demo/text@0.1.0")]
extern "C" {
    #[link_name = "[resource-new]tally"]
    fn tally_new(rep: u32) -> u32;
}

#[export_name = "xlang:demo/text@0.1.0#[constructor]tally"]
pub unsafe extern "C" fn tally_constructor() -> u32 {
    let rep = Box::into_raw(Box::new(Tally { counts: BTreeMap::new() })) as u32;
    tally_new(rep)
}

/// [method]tally.add: the borrowed self arrives as the representation,
/// since this component implements the resource.
#[export_name = "xlang:demo/text@0.1.0#[method]tally.add"]
pub unsafe extern "C" fn tally_add(rep: u32, ptr: *mut u8, len: usize) -> u32 {
    let t = &mut *(rep as *mut Tally);
    for i in 0..len {
        let e = ptr.add(8 * i);
        let w = arg_string(*(e as *const u32) as *mut u8, *(e.add(4) as *const u32) as usize);
        *t.counts.entry(w).or_insert(0) += 1;
    }
    if len > 0 {
        dealloc(ptr, Layout::from_size_align_unchecked(8 * len, 4));
    }
    t.counts.len() as u32
}

/// [method]tally.top returns list<tuple<string, u32>>: elements of 12
/// bytes, align 4.
#[export_name = "xlang:demo/text@0.1.0#[method]tally.top"]
pub unsafe extern "C" fn tally_top(rep: u32, n: u32) -> *mut u8 {
    let t = &*(rep as *const Tally);
    let mut all: Vec<(&String, &u32)> = t.counts.iter().collect();
    all.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    all.truncate(n as usize);
    let arr = result(12 * all.len(), 4);
    for (i, (w, c)) in all.iter().enumerate() {
        let e = arr.add(12 * i);
        let (p, l) = result_string(w);
        *(e as *mut u32) = p;
        *(e.add(4) as *mut u32) = l;
        *(e.add(8) as *mut u32) = **c;
    }
    let r = result(8, 4);
    *(r as *mut u32) = arr as u32;
    *(r.add(4) as *mut u32) = all.len() as u32;
    r
}

#[export_name = "cabi_post_xlang:demo/text@0.1.0#[method]tally.top"]
pub unsafe extern "C" fn tally_top_post(_ret: *mut u8) {
    free_results()
}

/// The destructor runs when the last owned handle is dropped.
#[export_name = "xlang:demo/text@0.1.0#[dtor]tally"]
pub unsafe extern "C" fn tally_dtor(rep: u32) {
    drop(Box::from_raw(rep as *mut Tally));
}
