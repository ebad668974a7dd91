// A Rust standard-library workload for comparing x86vm with native execution.
//
// Output is deterministic: no addresses, times, pids or thread interleavings reach stdout. It uses
// std::thread (spawn/join, Mutex, Condvar, mpsc, Arc and atomics, sleep, scoped threads, thread
// names and Builder stack sizes, thread-locals), std::fs in a directory below the current one,
// std::process (echo and sh with piped stdin/stdout, exit statuses, a killed child), environment
// arguments and variables, a caught panic, HashMap/BTreeMap, float and integer formatting, and
// ends with exit status 3. With the argument `fork-path` it only starts children the way std does
// when posix_spawn cannot be used (fork, exec errors reported over a socketpair); with `overflow` or
// `overflow-thread` it overflows a stack and is killed by SIGABRT like natively.
//
// Build: rustc --edition 2021 [-O] [-C target-feature=+crt-static] workload.rs
// (Rust 1.63, Debian 12's rustc, or later.)

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::fmt::Write as _;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::panic;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Barrier, Condvar, Mutex, Once, RwLock};
use std::thread;
use std::time::{Duration, Instant};

/// Hides a value from the optimiser (std::hint::black_box needs Rust 1.66; Debian 12 has 1.63).
fn opaque<T: Copy>(v: T) -> T {
    unsafe { std::ptr::read_volatile(&v) }
}

fn section(name: &str) {
    println!("== {name}");
}

fn threads() {
    section("threads");

    // spawn/join with return values
    let handles: Vec<_> = (0..8u64)
        .map(|i| thread::spawn(move || (0..=10_000u64 * (i + 1)).sum::<u64>()))
        .collect();
    let sums: Vec<u64> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    println!("sums {:?}", sums);

    // Mutex shared by many threads
    let counter = Arc::new(Mutex::new(0u64));
    let mut hs = Vec::new();
    for _ in 0..16 {
        let c = Arc::clone(&counter);
        hs.push(thread::spawn(move || {
            for _ in 0..2000 {
                *c.lock().unwrap() += 1;
            }
        }));
    }
    for h in hs {
        h.join().unwrap();
    }
    println!("mutex counter {}", *counter.lock().unwrap());

    // atomics
    let hits = Arc::new(AtomicU64::new(0));
    let maxv = Arc::new(AtomicUsize::new(0));
    let hs: Vec<_> = (0..6)
        .map(|t| {
            let hits = Arc::clone(&hits);
            let maxv = Arc::clone(&maxv);
            thread::spawn(move || {
                for i in 0..5000usize {
                    hits.fetch_add(1, Ordering::Relaxed);
                    maxv.fetch_max(t * 10_000 + i, Ordering::SeqCst);
                }
            })
        })
        .collect();
    for h in hs {
        h.join().unwrap();
    }
    println!("atomic hits {} max {}", hits.load(Ordering::SeqCst), maxv.load(Ordering::SeqCst));

    // Condvar: a bounded queue with one producer and two consumers
    let state = Arc::new((Mutex::new((VecDeque::new(), false)), Condvar::new()));
    let consumers: Vec<_> = (0..2)
        .map(|_| {
            let state = Arc::clone(&state);
            thread::spawn(move || {
                let (lock, cv) = &*state;
                let mut got = 0u64;
                let mut count = 0;
                loop {
                    let mut g = lock.lock().unwrap();
                    while g.0.is_empty() && !g.1 {
                        g = cv.wait(g).unwrap();
                    }
                    match g.0.pop_front() {
                        Some(v) => {
                            got += v;
                            count += 1;
                            cv.notify_all();
                        }
                        None => return (got, count),
                    }
                }
            })
        })
        .collect();
    {
        let (lock, cv) = &*state;
        for v in 1..=500u64 {
            let mut g = lock.lock().unwrap();
            while g.0.len() >= 4 {
                g = cv.wait(g).unwrap();
            }
            g.0.push_back(v);
            cv.notify_all();
        }
        lock.lock().unwrap().1 = true;
        cv.notify_all();
    }
    let (mut total, mut count) = (0, 0);
    for c in consumers {
        let (t, n) = c.join().unwrap();
        total += t;
        count += n;
    }
    println!("condvar queue total {total} items {count}");

    // Condvar wait_timeout that times out
    let pair = (Mutex::new(false), Condvar::new());
    let g = pair.0.lock().unwrap();
    let (g, res) = pair.1.wait_timeout(g, Duration::from_millis(20)).unwrap();
    println!("wait_timeout timed out {} flag {}", res.timed_out(), *g);
    drop(g);

    // mpsc: several producers, unbounded and bounded (sync_channel, rendezvous)
    let (tx, rx) = mpsc::channel::<(usize, u32)>();
    for p in 0..4 {
        let tx = tx.clone();
        thread::spawn(move || {
            for i in 0..250u32 {
                tx.send((p, i)).unwrap();
            }
        });
    }
    drop(tx);
    let mut per = [0u32; 4];
    let mut sum = 0u64;
    for (p, i) in rx {
        per[p] += 1;
        sum += i as u64;
    }
    println!("mpsc per producer {:?} sum {}", per, sum);

    let (tx, rx) = mpsc::sync_channel::<String>(0);
    let producer = thread::spawn(move || {
        for w in ["alpha", "beta", "gamma", "delta"] {
            tx.send(w.to_uppercase()).unwrap();
        }
    });
    let words: Vec<String> = rx.iter().collect();
    producer.join().unwrap();
    println!("rendezvous {:?}", words);

    let (tx, rx) = mpsc::sync_channel::<u32>(2);
    let (go_tx, go_rx) = mpsc::channel::<()>();
    let h = thread::spawn(move || {
        go_rx.recv().unwrap();
        for i in 0..10 {
            tx.send(i * i).unwrap();
        }
    });
    println!("recv_timeout before send: {:?}", rx.recv_timeout(Duration::from_millis(1)).is_err());
    go_tx.send(()).unwrap();
    let mut squares = Vec::new();
    while let Ok(v) = rx.recv_timeout(Duration::from_secs(10)) {
        squares.push(v);
    }
    h.join().unwrap();
    println!("bounded {:?}", squares);
    println!("try_recv on closed: {:?}", rx.try_recv());

    // sleep
    let start = Instant::now();
    thread::sleep(Duration::from_millis(30));
    println!("slept at least 30ms: {}", start.elapsed() >= Duration::from_millis(30));

    // scoped threads borrowing the stack
    let data: Vec<u32> = (1..=1000).collect();
    let mut results = [0u64; 4];
    thread::scope(|s| {
        for (chunk, out) in data.chunks(250).zip(results.iter_mut()) {
            s.spawn(move || {
                *out = chunk.iter().map(|&x| x as u64 * x as u64).sum();
            });
        }
    });
    println!("scoped {:?} total {}", results, results.iter().sum::<u64>());

    // Barrier, RwLock, names, Builder with a stack size, thread-locals, park/unpark, OnceLock
    let barrier = Arc::new(Barrier::new(5));
    let leaders = Arc::new(AtomicUsize::new(0));
    let hs: Vec<_> = (0..5)
        .map(|_| {
            let b = Arc::clone(&barrier);
            let l = Arc::clone(&leaders);
            thread::spawn(move || {
                if b.wait().is_leader() {
                    l.fetch_add(1, Ordering::SeqCst);
                }
            })
        })
        .collect();
    for h in hs {
        h.join().unwrap();
    }
    println!("barrier leaders {}", leaders.load(Ordering::SeqCst));

    let table = Arc::new(RwLock::new(BTreeMap::new()));
    thread::scope(|s| {
        for w in 0..3 {
            let table = &table;
            s.spawn(move || {
                for k in 0..20 {
                    table.write().unwrap().insert(k * 3 + w, w);
                }
            });
        }
        for _ in 0..3 {
            let table = &table;
            s.spawn(move || {
                let n = table.read().unwrap().len();
                assert!(n <= 60);
            });
        }
    });
    println!("rwlock entries {}", table.read().unwrap().len());

    let named = thread::Builder::new()
        .name("worker-7".into())
        .stack_size(256 * 1024)
        .spawn(|| {
            fn depth(n: u32) -> u32 {
                let pad = [n as u8; 512];
                if n == 0 { pad[0] as u32 } else { depth(n - 1) + (pad[511] as u32 & 1) }
            }
            format!("{} {}", thread::current().name().unwrap(), depth(100))
        })
        .unwrap();
    println!("named thread {}", named.join().unwrap());
    println!("main thread name {:?}", thread::current().name());

    thread_local!(static LOCAL: std::cell::Cell<u32> = std::cell::Cell::new(1));
    LOCAL.with(|v| v.set(100));
    let other = thread::spawn(|| {
        LOCAL.with(|v| v.set(v.get() + 1));
        LOCAL.with(|v| v.get())
    })
    .join()
    .unwrap();
    println!("thread_local main {} other {}", LOCAL.with(|v| v.get()), other);

    let flag = Arc::new(AtomicBool::new(false));
    let f2 = Arc::clone(&flag);
    let parked = thread::spawn(move || {
        while !f2.load(Ordering::Acquire) {
            thread::park();
        }
        "unparked"
    });
    thread::sleep(Duration::from_millis(2));
    flag.store(true, Ordering::Release);
    parked.thread().unpark();
    println!("park: {}", parked.join().unwrap());

    static ONCE: Once = Once::new();
    static INITS: AtomicUsize = AtomicUsize::new(0);
    let hs: Vec<_> = (0..4).map(|_| thread::spawn(|| ONCE.call_once(|| { INITS.fetch_add(1, Ordering::SeqCst); }))).collect();
    for h in hs {
        h.join().unwrap();
    }
    println!("once {} completed {}", INITS.load(Ordering::SeqCst), ONCE.is_completed());

    let n = thread::available_parallelism().map(|n| n.get() >= 1).unwrap_or(true);
    println!("available_parallelism ok {n}");
}

fn filesystem(base: &Path) {
    section("fs");
    let _ = fs::remove_dir_all(base);
    fs::create_dir(base).unwrap();
    fs::create_dir_all(base.join("a/b/c")).unwrap();
    println!("create_dir on existing: {:?}", fs::create_dir(base.join("a")).map_err(|e| e.kind()));

    for i in (0..12).rev() {
        let name = base.join(format!("file{:02}.txt", i));
        let mut f = fs::File::create(&name).unwrap();
        for line in 0..=i {
            writeln!(f, "file {i} line {line}").unwrap();
        }
    }
    fs::write(base.join("a/b/c/deep.bin"), (0..=255u8).cycle().take(70_000).collect::<Vec<u8>>()).unwrap();

    let mut names: Vec<String> = fs::read_dir(base)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let ft = e.file_type().unwrap();
            format!("{}{}", e.file_name().to_string_lossy(), if ft.is_dir() { "/" } else { "" })
        })
        .collect();
    names.sort();
    println!("read_dir {:?}", names);

    let text = fs::read_to_string(base.join("file05.txt")).unwrap();
    println!("read file05: {} lines, last {:?}", text.lines().count(), text.lines().last().unwrap());

    let deep = fs::read(base.join("a/b/c/deep.bin")).unwrap();
    let sum: u64 = deep.iter().map(|&b| b as u64).sum();
    println!("deep.bin {} bytes sum {}", deep.len(), sum);

    let md = fs::metadata(base.join("a/b/c/deep.bin")).unwrap();
    println!("metadata len {} is_file {} is_dir {} readonly {}", md.len(), md.is_file(), md.is_dir(), md.permissions().readonly());
    println!("modified is set: {}", md.modified().is_ok());
    let dmd = fs::metadata(base.join("a/b")).unwrap();
    println!("dir metadata is_dir {}", dmd.is_dir());

    // append, seek, partial reads
    {
        let mut f = fs::OpenOptions::new().append(true).open(base.join("file00.txt")).unwrap();
        f.write_all(b"appended\n").unwrap();
    }
    {
        use std::io::{Seek, SeekFrom};
        let mut f = fs::File::open(base.join("file00.txt")).unwrap();
        f.seek(SeekFrom::Start(5)).unwrap();
        let mut buf = String::new();
        f.read_to_string(&mut buf).unwrap();
        println!("after seek {:?}", buf);
        let pos = f.seek(SeekFrom::End(-9)).unwrap();
        let mut tail = [0u8; 8];
        f.read_exact(&mut tail).unwrap();
        println!("tail at {} {:?}", pos, std::str::from_utf8(&tail).unwrap());
    }

    // buffered line reading
    let reader = BufReader::new(fs::File::open(base.join("file11.txt")).unwrap());
    let lines: Vec<String> = reader.lines().map(|l| l.unwrap()).filter(|l| l.ends_with('7') || l.ends_with("11")).collect();
    println!("bufread {:?}", lines);

    // rename, copy, hard link, symlink, remove
    fs::rename(base.join("file01.txt"), base.join("a/renamed.txt")).unwrap();
    println!("renamed exists {} old exists {}", base.join("a/renamed.txt").exists(), base.join("file01.txt").exists());
    let copied = fs::copy(base.join("a/b/c/deep.bin"), base.join("copy.bin")).unwrap();
    println!("copied {} bytes, equal {}", copied, fs::read(base.join("copy.bin")).unwrap() == deep);
    fs::hard_link(base.join("file02.txt"), base.join("hard.txt")).unwrap();
    std::os::unix::fs::symlink("file03.txt", base.join("sym.txt")).unwrap();
    println!("symlink target {:?} content {:?}", fs::read_link(base.join("sym.txt")).unwrap(), fs::read_to_string(base.join("sym.txt")).unwrap().lines().next());
    println!("symlink_metadata is_symlink {}", fs::symlink_metadata(base.join("sym.txt")).unwrap().file_type().is_symlink());
    {
        use std::os::unix::fs::MetadataExt;
        println!("hard link nlink {}", fs::metadata(base.join("hard.txt")).unwrap().nlink());
    }
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(base.join("file04.txt"), fs::Permissions::from_mode(0o640)).unwrap();
        println!("mode {:o}", fs::metadata(base.join("file04.txt")).unwrap().permissions().mode() & 0o777);
    }
    for i in 6..12 {
        fs::remove_file(base.join(format!("file{:02}.txt", i))).unwrap();
    }
    println!("remove missing: {:?}", fs::remove_file(base.join("nope")).map_err(|e| e.kind()));
    println!("open missing: {:?}", fs::File::open(base.join("nope")).map_err(|e| e.raw_os_error()));
    println!("remove_dir non-empty: {:?}", fs::remove_dir(base.join("a")).is_err());
    let canon = fs::canonicalize(base.join("a/b/../b/c")).unwrap();
    println!("canonicalize ends with a/b/c: {}", canon.ends_with("a/b/c"));

    fn walk(dir: &Path, prefix: &str, out: &mut Vec<String>) {
        let mut entries: Vec<_> = fs::read_dir(dir).unwrap().map(|e| e.unwrap()).collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let name = format!("{prefix}{}", e.file_name().to_string_lossy());
            let md = fs::symlink_metadata(e.path()).unwrap();
            if md.is_dir() {
                out.push(format!("{name}/"));
                walk(&e.path(), &format!("{name}/"), out);
            } else {
                out.push(format!("{name} {}", md.len()));
            }
        }
    }
    let mut tree = Vec::new();
    walk(base, "", &mut tree);
    println!("tree:");
    for t in &tree {
        println!("  {t}");
    }
    fs::remove_dir_all(base).unwrap();
    println!("removed all: {}", !base.exists());
}

fn processes() {
    section("process");
    let out = Command::new("/bin/echo").args(["hello", "from", "echo"]).output().unwrap();
    println!("echo status {:?} stdout {:?} stderr {:?}", out.status.code(), String::from_utf8_lossy(&out.stdout), out.stderr.len());

    let mut child = Command::new("/bin/sh")
        .arg("-c")
        .arg("n=0; while read line; do n=$((n+1)); echo \"$n: $line\"; done; echo total $n; exit 5")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut stdin = child.stdin.take().unwrap();
        for w in ["one", "two", "three", "four"] {
            writeln!(stdin, "{w}").unwrap();
        }
    }
    let mut text = String::new();
    child.stdout.take().unwrap().read_to_string(&mut text).unwrap();
    let status = child.wait().unwrap();
    print!("{text}");
    println!("sh exit code {:?} success {}", status.code(), status.success());

    let st = Command::new("/bin/sh").args(["-c", "exit 0"]).status().unwrap();
    println!("status success {}", st.success());
    let out = Command::new("/bin/sh")
        .args(["-c", "echo \"$GREETING $1\" ; echo err >&2; kill -TERM $$"])
        .arg("sh")
        .arg("arg1")
        .env("GREETING", "hi")
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    {
        use std::os::unix::process::ExitStatusExt;
        println!("killed: code {:?} signal {:?} stdout {:?} stderr {:?}", out.status.code(), out.status.signal(), String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    }
    let missing = Command::new("/nonexistent/program").status();
    println!("spawn missing: {:?}", missing.map_err(|e| e.kind()));

    // a pipeline: echo | sh (wc-like via read)
    let producer = Command::new("/bin/echo").arg("a b c d e").stdout(Stdio::piped()).spawn().unwrap();
    let consumer = Command::new("/bin/sh")
        .args(["-c", "read x; set -- $x; echo words $#"])
        .stdin(Stdio::from(producer.stdout.unwrap()))
        .output()
        .unwrap();
    println!("pipeline {:?}", String::from_utf8_lossy(&consumer.stdout));

    // many short children from several threads
    let hs: Vec<_> = (0..4)
        .map(|t| {
            thread::spawn(move || {
                (0..3)
                    .map(|i| {
                        let o = Command::new("/bin/echo").arg(format!("{t}-{i}")).output().unwrap();
                        String::from_utf8(o.stdout).unwrap().trim().to_string()
                    })
                    .collect::<Vec<_>>()
                    .join(",")
            })
        })
        .collect();
    for h in hs {
        println!("child batch {}", h.join().unwrap());
    }
}

/// Children that std cannot start with posix_spawn: a pre_exec hook (and, when statically linked, a
/// working directory) make it fork and report exec failures over an AF_UNIX socketpair.
fn fork_path() {
    section("fork path");
    let mut cwd_child = Command::new("/bin/sh").args(["-c", "pwd"]).current_dir("/").stdout(Stdio::piped()).spawn().unwrap();
    let mut s = String::new();
    cwd_child.stdout.take().unwrap().read_to_string(&mut s).unwrap();
    println!("child cwd {:?} {:?}", s.trim(), cwd_child.wait().unwrap().code());
    use std::os::unix::process::CommandExt;
    let out = unsafe {
        Command::new("/bin/sh")
            .args(["-c", "echo after the hook; exit 4"])
            .pre_exec(|| {
                // Runs in the forked child before exec: no allocation or locks, one raw write to stdout.
                use std::os::unix::io::FromRawFd;
                let mut out = std::mem::ManuallyDrop::new(fs::File::from_raw_fd(1));
                out.write_all(b"pre_exec hook ran\n")
            })
            .output()
            .unwrap()
    };
    println!("pre_exec child {:?} {:?}", String::from_utf8_lossy(&out.stdout), out.status.code());
    let missing = unsafe { Command::new("/nonexistent/program").pre_exec(|| Ok(())).status() };
    println!("fork-path spawn missing: {:?}", missing.map_err(|e| e.raw_os_error()));
}

fn environment() {
    section("env");
    let args: Vec<String> = std::env::args().skip(1).collect();
    println!("args {:?}", args);
    println!("LANG {:?}", std::env::var("LANG"));
    println!("MISSING {:?}", std::env::var("X86VM_SURELY_MISSING").is_err());
    std::env::set_var("RUNTIME_TEST", "value=1");
    println!("set_var {:?}", std::env::var("RUNTIME_TEST"));
    let out = Command::new("/bin/sh").args(["-c", "echo child sees $RUNTIME_TEST"]).output().unwrap();
    print!("{}", String::from_utf8_lossy(&out.stdout));
    std::env::remove_var("RUNTIME_TEST");
    println!("removed {:?}", std::env::var("RUNTIME_TEST").is_err());
    let mut keys: Vec<String> = std::env::vars().map(|(k, _)| k).collect();
    keys.sort();
    println!("env keys {:?}", keys);
    println!("current_exe has name: {}", std::env::current_exe().map(|p| p.file_name().is_some()).unwrap_or(false));
    println!("temp_dir {:?}", std::env::temp_dir());
}

fn panics() {
    section("panic");
    panic::set_hook(Box::new(|info| {
        let msg = info.payload().downcast_ref::<String>().cloned().or_else(|| info.payload().downcast_ref::<&str>().map(|s| s.to_string()));
        println!("hook: panic with {:?} at line {}", msg.unwrap_or_default(), info.location().map(|l| l.line()).unwrap_or(0));
    }));
    let r = panic::catch_unwind(|| {
        let v: Vec<u32> = Vec::new();
        let i = opaque(3);
        v[i]
    });
    println!("index panic caught: {}", r.is_err());
    let r = panic::catch_unwind(|| -> u32 { panic!("custom {}", 42) });
    match r {
        Err(e) => println!("payload {:?}", e.downcast_ref::<String>()),
        Ok(_) => println!("no panic?"),
    }
    struct Noisy(&'static str);
    impl Drop for Noisy {
        fn drop(&mut self) {
            println!("drop {} during unwind", self.0);
        }
    }
    let r = panic::catch_unwind(|| {
        let _a = Noisy("a");
        let _b = Noisy("b");
        let d = opaque(0u32);
        100 / d
    });
    println!("divide by zero caught: {}", r.is_err());
    let joined = thread::spawn(|| {
        let _n = Noisy("thread");
        panic!("in thread");
    })
    .join();
    println!("thread panic joined as error: {}", joined.is_err());
    let m = Arc::new(Mutex::new(1));
    let m2 = Arc::clone(&m);
    let _ = thread::spawn(move || {
        let _g = m2.lock().unwrap();
        panic!("poison");
    })
    .join();
    println!("mutex poisoned: {}", m.is_poisoned());
    let _ = panic::take_hook();
}

fn formatting() {
    section("format");
    let vals = [0.0f64, -0.0, 1.0, 0.1, 1.0 / 3.0, 2.0f64.sqrt(), std::f64::consts::PI, 1e21, 1.5e-7, 123456789.125, f64::MAX, f64::MIN_POSITIVE, 5e-324, f64::NAN, f64::INFINITY, -f64::INFINITY];
    for v in vals {
        println!("{v} | {v:?} | {v:.3} | {v:e} | {v:12.4e} | {v:+.0}");
    }
    let fs32 = [0.1f32, 1.0 / 3.0, 16777217.0, f32::MAX, f32::EPSILON];
    for v in fs32 {
        println!("f32 {v} {v:?} {:.10}", v);
    }
    let mut acc = 0.0f64;
    for i in 1..=1000 {
        acc += (i as f64).sin() * (i as f64).ln() / (i as f64).sqrt();
    }
    println!("trig sum {acc:.12} exp {:.15} powf {:.15} atan2 {:.15}", 1.5f64.exp(), 2.5f64.powf(3.7), (-1.0f64).atan2(-2.0));
    println!("cbrt {} hypot {} tanh {} fract {}", 27.0f64.cbrt(), 3.0f64.hypot(4.0), 0.5f64.tanh(), 7.25f64.fract());
    println!("parse {:?} {:?} {:?}", "3.14159".parse::<f64>(), "1e400".parse::<f64>(), "abc".parse::<f64>().is_err());
    println!("ints {:>8} {:<8}| {:^8} {:08.3} {:#x} {:#b} {:o} {:+}", 42, -42, "mid", 3.14159, 255, 5u8, 64, 7);
    println!("i128 {} u128 {}", i128::MIN, u128::MAX);
    println!("wrapping {} checked {:?} saturating {}", 250u8.wrapping_add(10), 250u8.checked_add(10), 250u8.saturating_add(10));
    let mut s = String::new();
    for i in 0..5 {
        write!(s, "[{i}:{:.2}]", i as f64 / 7.0).unwrap();
    }
    println!("{s}");
    println!("to_bits {:#018x} from_bits {}", 1.0f64.to_bits(), f64::from_bits(0x4009_21fb_5444_2d18));
    println!("rounding {} {} {} {}", 2.5f64.round(), (-2.5f64).round(), 2.7f64.floor(), (-2.7f64).trunc());
    println!("as casts {} {} {} {}", 1e20f64 as i32, -1.5f64 as u8, f64::NAN as i64, 300.7f32 as u8);
}

fn collections() {
    section("collections");
    let mut map: HashMap<String, usize> = HashMap::new();
    let text = "the quick brown fox jumps over the lazy dog the fox";
    for w in text.split_whitespace() {
        *map.entry(w.to_string()).or_default() += 1;
    }
    let mut counts: Vec<_> = map.into_iter().collect();
    counts.sort();
    println!("{:?}", counts);
    let set: HashSet<u32> = (0..1000).map(|i| (i * 7919) % 1009).collect();
    println!("hashset len {}", set.len());
    let mut bt = BTreeMap::new();
    for i in 0..100u32 {
        bt.insert(i.wrapping_mul(2654435761) % 1000, i);
    }
    println!("btree first {:?} last {:?} range {:?}", bt.iter().next(), bt.iter().next_back(), bt.range(100..200).count());
    let mut v: Vec<i64> = (0..10_000).map(|i| ((i * 48271) % 2147483647) - 1_000_000).collect();
    v.sort_unstable();
    v.dedup();
    println!("sorted {} {:?} {:?}", v.len(), &v[..3], &v[v.len() - 3..]);
    let s: String = "Grüße, 世界! ".repeat(3);
    println!("unicode {} chars {} bytes upper {}", s.chars().count(), s.len(), s.to_uppercase());
}

fn recurse(n: u64) -> u64 {
    let mut pad = [0u8; 256];
    pad[(n % 256) as usize] = n as u8;
    let pad = opaque(pad);
    if opaque(n) == u64::MAX { return 0; }
    recurse(n + 1) + pad[(n % 7) as usize] as u64
}

fn main() {
    match std::env::args().nth(1).as_deref() {
        Some("fork-path") => {
            fork_path();
            std::process::exit(0);
        }
        // Unbounded recursion on the main thread or a spawned one: std's SIGSEGV handler (on its
        // sigaltstack) recognises the guard page, prints "has overflowed its stack" and aborts (SIGABRT).
        Some("overflow") => {
            println!("recursing on main");
            std::io::stdout().flush().unwrap();
            println!("{}", recurse(0));
        }
        Some("overflow-thread") => {
            println!("recursing on a thread");
            std::io::stdout().flush().unwrap();
            let r = thread::Builder::new().stack_size(128 * 1024).spawn(|| recurse(0)).unwrap().join();
            println!("{:?}", r.is_ok());
        }
        _ => {}
    }
    threads();
    let base = std::env::current_dir().unwrap().join("rust-fs-test");
    filesystem(&base);
    processes();
    environment();
    panics();
    formatting();
    collections();
    std::io::stdout().flush().unwrap();
    std::process::exit(3);
}
