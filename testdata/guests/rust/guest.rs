// A test guest for the WASI 0.2 host: one command program whose first
// argument picks what it does, so one component serves many tests.
// Built by ../build.sh with Debian's rustc (target wasm32-wasi, preview 1)
// and made a component with the reference preview-1 command adapter.


#![feature(wasi_ext)]
use std::env;
use std::fs;
use std::io::{self, Read, Write};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn main() {
    let args: Vec<String> = env::args().collect();
    let cmd = args.get(1).map(|s| s.as_str()).unwrap_or("hello");
    let rest = if args.len() > 2 { &args[2..] } else { &[][..] };
    match cmd {
        "hello" => println!("hello from rust"),
        "args" => {
            for a in &args {
                println!("{}", a);
            }
        }
        "env" => {
            let mut vars: Vec<(String, String)> = env::vars().collect();
            vars.sort();
            for (k, v) in vars {
                println!("{}={}", k, v);
            }
        }
        "cat" => {
            // A fixed buffer: read_to_end of this std asks the preview-1
            // adapter for reads it asserts against once past 64 KiB, under
            // jco run as well.
            let mut buf = [0u8; 4096];
            let (mut stdin, mut stdout) = (io::stdin(), io::stdout());
            loop {
                let n = stdin.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                stdout.write_all(&buf[..n]).unwrap();
            }
        }
        "stderr" => {
            eprintln!("to stderr");
            println!("to stdout");
        }
        "exit" => {
            print!("before exit");
            io::stdout().flush().unwrap();
            let code: i32 = rest.get(0).and_then(|s| s.parse().ok()).unwrap_or(3);
            std::process::exit(code);
        }
        "panic" => {
            print!("partial output");
            io::stdout().flush().unwrap();
            panic!("guest panics on purpose");
        }
        "write" => {
            // write MiB of stdout in 64 KiB chunks
            let mib: usize = rest.get(0).and_then(|s| s.parse().ok()).unwrap_or(1);
            let chunk = vec![b'x'; 64 << 10];
            let mut out = io::stdout();
            for _ in 0..mib * 16 {
                out.write_all(&chunk).unwrap();
            }
        }
        "clocks" => {
            let wall = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
            let t0 = Instant::now();
            std::thread::sleep(Duration::from_millis(20));
            let dt = t0.elapsed();
            println!("wall-after-2020 {}", wall.as_secs() > 1_577_836_800);
            println!("slept-enough {}", dt >= Duration::from_millis(20));
        }
        "files" => files(rest.get(0).map(|s| s.as_str()).unwrap_or("/data")),
        "read" => {
            for p in rest {
                match fs::read(p) {
                    Ok(b) => println!("{}: ok {} bytes", p, b.len()),
                    Err(e) => println!("{}: err {:?}", p, e.kind()),
                }
            }
        }
        "symlink" => {
            // symlink-at(target, link) then read through it
            let (target, link) = (&rest[0], &rest[1]);
            match std::os::wasi::fs::symlink_path(target, link) {
                Ok(()) => println!("symlink: ok"),
                Err(e) => println!("symlink: err {:?}", e.kind()),
            }
            match fs::read(link) {
                Ok(b) => println!("read: ok {} bytes", b.len()),
                Err(e) => println!("read: err {:?}", e.kind()),
            }
        }
        _ => {
            eprintln!("unknown command {}", cmd);
            std::process::exit(2);
        }
    }
}

fn files(dir: &str) {
    let p = |n: &str| format!("{}/{}", dir, n);
    fs::write(p("a.txt"), b"hello file").unwrap();
    println!("read {}", fs::read_to_string(p("a.txt")).unwrap());
    let mut f = fs::OpenOptions::new().append(true).open(p("a.txt")).unwrap();
    f.write_all(b" appended").unwrap();
    drop(f);
    println!("read {}", fs::read_to_string(p("a.txt")).unwrap());
    fs::create_dir(p("sub")).unwrap();
    fs::write(p("sub/b.txt"), b"bb").unwrap();
    fs::rename(p("a.txt"), p("sub/c.txt")).unwrap();
    let mut names: Vec<String> = fs::read_dir(p("sub"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    println!("list {}", names.join(","));
    let md = fs::metadata(p("sub/c.txt")).unwrap();
    println!("size {} file {} dir {}", md.len(), md.is_file(), md.is_dir());
    println!("mtime-set {}", md.modified().is_ok());
    fs::hard_link(p("sub/b.txt"), p("sub/d.txt")).unwrap();
    println!("linked {}", fs::read_to_string(p("sub/d.txt")).unwrap());
    fs::remove_file(p("sub/b.txt")).unwrap();
    fs::remove_file(p("sub/d.txt")).unwrap();
    fs::remove_file(p("sub/c.txt")).unwrap();
    fs::remove_dir(p("sub")).unwrap();
    println!("missing {:?}", fs::read(p("nope")).unwrap_err().kind());
    println!("done");
}
