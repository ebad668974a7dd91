// A Go runtime and standard-library workload for comparing x86vm with native execution.
//
// Built static (CGO_ENABLED=0 go build). Output is deterministic: no addresses, times, pids or
// goroutine interleavings reach stdout. It exercises the scheduler (1000 goroutines, channels,
// select, sync and atomics), timers (Sleep, Timer, Ticker, After), asynchronous preemption (loops
// without function calls must be preempted by the runtime's SIGURG, with GOMAXPROCS 1 and >1),
// runtime.GC, maps, sort, strings, strconv, fmt with floats, math, files in a temporary directory,
// os/exec, os/signal, context, hashing/compression/JSON/regexp/templates, panic/recover and runtime
// errors, and exits with status 3.
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"math/big"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"text/template"
	"time"
	"unicode"
)

func section(name string) { fmt.Println("==", name) }

func goroutines() {
	section("goroutines")
	const n = 1000
	var wg sync.WaitGroup
	results := make([]int, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			s := 0
			for k := 0; k <= i; k++ {
				s += k * k
			}
			results[i] = s
		}(i)
	}
	wg.Wait()
	total := 0
	for _, r := range results {
		total += r
	}
	fmt.Println("1000 goroutines total", total, "last", results[n-1])

	// fan-in through an unbuffered channel
	ch := make(chan int)
	for i := 0; i < n; i++ {
		go func(i int) { ch <- i % 97 }(i)
	}
	sum := 0
	for i := 0; i < n; i++ {
		sum += <-ch
	}
	fmt.Println("fan-in sum", sum)

	// a pipeline of stages
	src := make(chan int, 16)
	sq := make(chan int, 16)
	out := make(chan string)
	go func() {
		for i := 1; i <= 200; i++ {
			src <- i
		}
		close(src)
	}()
	var sqWg sync.WaitGroup
	for w := 0; w < 4; w++ {
		sqWg.Add(1)
		go func() {
			defer sqWg.Done()
			for v := range src {
				sq <- v * v
			}
		}()
	}
	go func() { sqWg.Wait(); close(sq) }()
	go func() {
		t := 0
		c := 0
		for v := range sq {
			t += v
			c++
		}
		out <- fmt.Sprintf("pipeline count %d sum %d", c, t)
	}()
	fmt.Println(<-out)

	// ping-pong on unbuffered channels
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v + 1
		}
		close(pong)
	}()
	v := 0
	for i := 0; i < 1000; i++ {
		ping <- v
		v = <-pong
	}
	close(ping)
	_, ok := <-pong
	fmt.Println("ping-pong", v, "closed", !ok)

	// buffered channel semantics
	b := make(chan string, 3)
	b <- "a"
	b <- "b"
	fmt.Println("buffered len", len(b), "cap", cap(b))
	select {
	case b <- "c":
		fmt.Println("sent c")
	default:
		fmt.Println("full")
	}
	select {
	case b <- "d":
		fmt.Println("sent d")
	default:
		fmt.Println("full at", len(b))
	}
	close(b)
	var got []string
	for s := range b {
		got = append(got, s)
	}
	fmt.Println("drained", got)

	// select over several channels until all are closed
	c1, c2, quit := make(chan int), make(chan int), make(chan struct{})
	go func() {
		for i := 0; i < 50; i++ {
			c1 <- i
		}
		close(c1)
	}()
	go func() {
		for i := 0; i < 30; i++ {
			c2 <- i * 10
		}
		close(c2)
	}()
	go func() { time.Sleep(time.Millisecond); close(quit) }()
	n1, n2, s1, s2 := 0, 0, 0, 0
	for c1 != nil || c2 != nil {
		select {
		case v, ok := <-c1:
			if !ok {
				c1 = nil
				continue
			}
			n1++
			s1 += v
		case v, ok := <-c2:
			if !ok {
				c2 = nil
				continue
			}
			n2++
			s2 += v
		}
	}
	<-quit
	fmt.Println("select", n1, s1, n2, s2)

	// Mutex, RWMutex, Once, Cond, atomics
	var mu sync.Mutex
	counter := 0
	var wg2 sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg2.Add(1)
		go func() {
			defer wg2.Done()
			for k := 0; k < 200; k++ {
				mu.Lock()
				counter++
				mu.Unlock()
			}
		}()
	}
	wg2.Wait()
	fmt.Println("mutex counter", counter)

	var rw sync.RWMutex
	m := map[int]int{}
	var wg3 sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg3.Add(2)
		go func(w int) {
			defer wg3.Done()
			for k := 0; k < 100; k++ {
				rw.Lock()
				m[w*1000+k] = k
				rw.Unlock()
			}
		}(w)
		go func() {
			defer wg3.Done()
			for k := 0; k < 100; k++ {
				rw.RLock()
				_ = len(m)
				rw.RUnlock()
			}
		}()
	}
	wg3.Wait()
	fmt.Println("rwmutex map size", len(m))

	var once sync.Once
	var inits int32
	var wg4 sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg4.Add(1)
		go func() { defer wg4.Done(); once.Do(func() { atomic.AddInt32(&inits, 1) }) }()
	}
	wg4.Wait()
	fmt.Println("once inits", inits)

	var ready bool
	cond := sync.NewCond(&sync.Mutex{})
	var woke int32
	var wg5 sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg5.Add(1)
		go func() {
			defer wg5.Done()
			cond.L.Lock()
			for !ready {
				cond.Wait()
			}
			cond.L.Unlock()
			atomic.AddInt32(&woke, 1)
		}()
	}
	time.Sleep(2 * time.Millisecond)
	cond.L.Lock()
	ready = true
	cond.Broadcast()
	cond.L.Unlock()
	wg5.Wait()
	fmt.Println("cond woke", woke)

	var a64 int64
	var cas int32
	var wg6 sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg6.Add(1)
		go func(i int) {
			defer wg6.Done()
			for k := 0; k < 1000; k++ {
				atomic.AddInt64(&a64, int64(i))
				for {
					old := atomic.LoadInt32(&cas)
					if atomic.CompareAndSwapInt32(&cas, old, old+1) {
						break
					}
				}
			}
		}(i)
	}
	wg6.Wait()
	var av atomic.Value
	av.Store("stored")
	fmt.Println("atomics", a64, cas, av.Load())

	var pool = sync.Pool{New: func() any { return new(bytes.Buffer) }}
	buf := pool.Get().(*bytes.Buffer)
	buf.WriteString("pooled")
	fmt.Println("pool", buf.String())
	buf.Reset()
	pool.Put(buf)
}

func timers() {
	section("timers")
	start := time.Now()
	time.Sleep(20 * time.Millisecond)
	fmt.Println("slept >= 20ms:", time.Since(start) >= 20*time.Millisecond)

	t := time.NewTimer(10 * time.Millisecond)
	<-t.C
	fmt.Println("timer fired; stop after fire:", t.Stop())

	t2 := time.NewTimer(time.Hour)
	fmt.Println("stop pending timer:", t2.Stop())
	t2.Reset(5 * time.Millisecond)
	<-t2.C
	fmt.Println("reset timer fired")

	fired := make(chan string, 1)
	time.AfterFunc(3*time.Millisecond, func() { fired <- "afterfunc ran" })
	fmt.Println(<-fired)

	tk := time.NewTicker(2 * time.Millisecond)
	ticks := 0
	for range tk.C {
		ticks++
		if ticks == 5 {
			break
		}
	}
	tk.Stop()
	fmt.Println("ticks", ticks)

	never := make(chan int)
	select {
	case <-never:
		fmt.Println("impossible")
	case <-time.After(15 * time.Millisecond):
		fmt.Println("time.After timeout")
	}

	// many concurrent sleepers and timers
	var wg sync.WaitGroup
	var done int32
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			time.Sleep(time.Duration(i%10) * time.Millisecond)
			select {
			case <-time.After(time.Duration(i%5) * time.Millisecond):
			}
			atomic.AddInt32(&done, 1)
		}(i)
	}
	wg.Wait()
	fmt.Println("sleepers done", done)

	d := 90*time.Minute + 30*time.Second + 250*time.Millisecond
	fmt.Println("duration", d, d.Round(time.Minute), d.Truncate(time.Hour), time.Duration(1500)*time.Microsecond)
	ts := time.Date(2024, time.February, 29, 13, 4, 5, 123456789, time.UTC)
	fmt.Println("date", ts.Format(time.RFC3339Nano), ts.Weekday(), ts.YearDay(), ts.Add(24*time.Hour).Format("2006-01-02 Mon"), ts.Unix())
	p, err := time.Parse("2006-01-02 15:04", "1999-12-31 23:59")
	fmt.Println("parse", p, err, p.Sub(ts).Hours())
}

//go:noinline
func spin(stop *int32, started *int32, counter *uint64) {
	// No function calls and no stack checks inside the loop: only asynchronous preemption
	// (SIGURG from sysmon) can take the CPU away from it.
	atomic.AddInt32(started, 1)
	x := uint64(0)
	for atomic.LoadInt32(stop) == 0 {
		x = x*6364136223846793005 + 1442695040888963407
		*counter = x
	}
}

func preemption() {
	section("preemption")
	prev := runtime.GOMAXPROCS(0)
	for _, procs := range []int{1, 2, 4} {
		runtime.GOMAXPROCS(procs)
		var stop, started int32
		counters := make([]uint64, procs)
		var wg sync.WaitGroup
		// As many spinners as Ps: once all have started, every P is busy in a loop without calls.
		for i := 0; i < procs; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				spin(&stop, &started, &counters[i])
			}(i)
		}
		// The main goroutine must still get to run, sleep, and collect garbage (stop the world).
		for atomic.LoadInt32(&started) < int32(procs) {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(5 * time.Millisecond)
		ran := make(chan int)
		go func() {
			s := 0
			for i := 0; i < 100; i++ {
				s += i
			}
			ran <- s
		}()
		got := <-ran
		runtime.GC()
		atomic.StoreInt32(&stop, 1)
		wg.Wait()
		nonzero := 0
		for _, c := range counters {
			if c != 0 {
				nonzero++
			}
		}
		fmt.Printf("GOMAXPROCS=%d: main ran past %d spinners, other goroutine sum %d, GC done, spinners ran %d\n", procs, procs, got, nonzero)
	}
	runtime.GOMAXPROCS(prev)

	// Gosched-based cooperation and LockOSThread
	var order []int
	var mu sync.Mutex
	runtime.GOMAXPROCS(1)
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for k := 0; k < 3; k++ {
				mu.Lock()
				order = append(order, i)
				mu.Unlock()
				runtime.Gosched()
			}
		}(i)
	}
	wg.Wait()
	runtime.GOMAXPROCS(prev)
	fmt.Println("gosched items", len(order))
	done := make(chan bool)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		done <- true
	}()
	fmt.Println("locked thread goroutine", <-done)
}

type node struct {
	left, right *node
	val         int
}

func build(d int) *node {
	if d == 0 {
		return &node{val: 1}
	}
	return &node{build(d - 1), build(d - 1), d}
}

func (n *node) count() int {
	if n == nil {
		return 0
	}
	return 1 + n.left.count() + n.right.count()
}

func memory() {
	section("gc")
	var kept []*node
	for i := 0; i < 40; i++ {
		t := build(12)
		if i%8 == 0 {
			kept = append(kept, t)
		}
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	total := 0
	for _, k := range kept {
		total += k.count()
	}
	fmt.Println("kept trees", len(kept), "nodes", total, "gc ran", ms.NumGC > 0)
	big := make([][]byte, 0)
	for i := 0; i < 64; i++ {
		big = append(big, make([]byte, 1<<20))
		big[i][i] = byte(i)
	}
	s := 0
	for i, b := range big {
		s += int(b[i])
	}
	big = nil
	runtime.GC()
	debug.FreeOSMemory()
	fmt.Println("64 MiB allocated and freed, checksum", s)
	var finalized int32
	func() {
		x := new([64]byte)
		runtime.SetFinalizer(x, func(*[64]byte) { atomic.StoreInt32(&finalized, 1) })
	}()
	for i := 0; i < 500 && atomic.LoadInt32(&finalized) == 0; i++ {
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	fmt.Println("finalizer ran", atomic.LoadInt32(&finalized) == 1)
}

func data() {
	section("maps sort strings")
	m := map[string]int{}
	words := strings.Fields("the quick brown fox jumps over the lazy dog and the quick cat naps while the dog barks")
	for _, w := range words {
		m[w]++
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var sb strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&sb, "%s=%d ", k, m[k])
	}
	fmt.Println(sb.String())
	big := make(map[int]int)
	for i := 0; i < 100000; i++ {
		big[i*7919%100003] = i
	}
	delete(big, 0)
	fmt.Println("big map", len(big), big[7919], big[1])

	type person struct {
		name string
		age  int
	}
	people := []person{{"alice", 30}, {"bob", 25}, {"carol", 35}, {"dave", 25}, {"eve", 30}}
	sort.SliceStable(people, func(i, j int) bool { return people[i].age < people[j].age })
	fmt.Println("stable by age", people)
	ints := make([]int, 1000)
	x := uint32(12345)
	for i := range ints {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		ints[i] = int(x % 10000)
	}
	sort.Ints(ints)
	fmt.Println("sorted ints", ints[:5], ints[995:], sort.SearchInts(ints, 5000))

	s := "Hello, Wörld! Go is fun; Go is fast."
	fmt.Println(strings.ToUpper(s), strings.Count(s, "Go"), strings.Index(s, "fun"), strings.Replace(s, "Go", "Rust", 1))
	fmt.Println(strings.Split("a,b,,c", ","), strings.TrimFunc("  xx  ", unicode.IsSpace), strings.Title("word"), strings.Repeat("ab", 3))
	fmt.Printf("%q %v %x %X %08b %o %c %U\n", "quote\n", []byte("hi"), "hex", 255, 5, 64, 'ж', 'ж')
	fmt.Printf("%5d|%-5d|%05d|%+d|%t|%p\n", 42, 42, 42, 42, true, nil)
	n, err := strconv.Atoi("12345")
	_, err2 := strconv.Atoi("12a")
	f, _ := strconv.ParseFloat("2.718281828459045", 64)
	fmt.Println("strconv", n, err, err2, f, strconv.Quote("tab\t"), strconv.FormatInt(-255, 16), strconv.FormatFloat(1.0/3, 'g', -1, 32))
	type point struct {
		X, Y int
		Name string
	}
	fmt.Printf("%v %+v %#v\n", point{1, 2, "p"}, point{1, 2, "p"}, point{1, 2, "p"})
	fmt.Printf("%v %v\n", map[string]int{"z": 1, "a": 2}, []interface{}{1, "two", 3.0, nil})
}

func floats() {
	section("floats")
	vals := []float64{0, math.Copysign(0, -1), 1, 0.1, 1.0 / 3, math.Sqrt2, math.Pi, 1e21, 1.5e-7, 123456789.125, math.MaxFloat64, math.SmallestNonzeroFloat64, math.NaN(), math.Inf(1), math.Inf(-1)}
	for _, v := range vals {
		fmt.Printf("%v|%g|%.3f|%e|%12.4E|%G|%x\n", v, v, v, v, v, v, v)
	}
	fmt.Println(float32(0.1), float32(1)/3, float32(16777217), math.MaxFloat32)
	acc := 0.0
	for i := 1; i <= 1000; i++ {
		fi := float64(i)
		acc += math.Sin(fi) * math.Log(fi) / math.Sqrt(fi)
	}
	fmt.Printf("trig sum %.12f\n", acc)
	fmt.Println("exp", math.Exp(1.5), "pow", math.Pow(2.5, 3.7), "atan2", math.Atan2(-1, -2), "cbrt", math.Cbrt(27), "hypot", math.Hypot(3, 4))
	fmt.Println("tanh", math.Tanh(0.5), "gamma", math.Gamma(5.5), "erf", math.Erf(0.5), "j0", math.J0(2.5), "log1p", math.Log1p(1e-10))
	fmt.Println("floor", math.Floor(-2.5), "ceil", math.Ceil(-2.5), "round", math.Round(2.5), "roundeven", math.RoundToEven(2.5), "trunc", math.Trunc(-2.7), "mod", math.Mod(7.5, 2))
	fr, ex := math.Frexp(1024.5)
	fmt.Println("frexp", fr, ex, "fma", math.FMA(0.1, 10, -1), "bits", math.Float64bits(1.0), math.Float64frombits(0x400921fb54442d18))
	fmt.Println("conversions", int64(math.Float64frombits(0x43e0000000000000)-1), int32(float32(1e9)), uint8(int(vals[9])&0xff))
	r := new(big.Rat).SetFrac64(1, 3)
	r.Add(r, big.NewRat(1, 6))
	fi := new(big.Int).Exp(big.NewInt(3), big.NewInt(100), nil)
	fl := new(big.Float).SetPrec(200).Quo(big.NewFloat(1), big.NewFloat(7))
	fmt.Println("big", r, fi, fl.Text('g', 50))
	c := complex(1.5, -2)
	fmt.Println("complex", c*c, real(c), imag(c))
}

func files() {
	section("files")
	dir, err := os.MkdirTemp("", "gowork")
	if err != nil {
		fmt.Println("mkdirtemp", err)
		return
	}
	defer os.RemoveAll(dir)
	for i := 9; i >= 0; i-- {
		name := filepath.Join(dir, fmt.Sprintf("f%02d.txt", i))
		var b strings.Builder
		for k := 0; k <= i; k++ {
			fmt.Fprintf(&b, "file %d line %d\n", i, k)
		}
		if err := os.WriteFile(name, []byte(b.String()), 0644); err != nil {
			fmt.Println("write", err)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "sub", "deeper"), 0755); err != nil {
		fmt.Println("mkdirall", err)
	}
	blob := bytes.Repeat([]byte{0, 1, 2, 3, 250, 251, 252, 253}, 20000)
	os.WriteFile(filepath.Join(dir, "sub", "deeper", "blob.bin"), blob, 0600)
	data, err := os.ReadFile(filepath.Join(dir, "f05.txt"))
	fmt.Printf("read f05: %d bytes, err %v, first %q\n", len(data), err, strings.SplitN(string(data), "\n", 2)[0])
	back, _ := os.ReadFile(filepath.Join(dir, "sub", "deeper", "blob.bin"))
	fmt.Println("blob equal", bytes.Equal(back, blob), len(back))

	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		suffix := ""
		if e.IsDir() {
			suffix = "/"
		}
		names = append(names, e.Name()+suffix)
	}
	fmt.Println("readdir", names)
	st, _ := os.Stat(filepath.Join(dir, "f03.txt"))
	fmt.Println("stat", st.Name(), st.Size(), st.Mode(), st.IsDir())
	f, _ := os.OpenFile(filepath.Join(dir, "f00.txt"), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("appended\n")
	f.Close()
	f, _ = os.Open(filepath.Join(dir, "f00.txt"))
	f.Seek(5, io.SeekStart)
	rest, _ := io.ReadAll(f)
	f.Close()
	fmt.Printf("after seek %q\n", rest)
	f, _ = os.Open(filepath.Join(dir, "f09.txt"))
	sc := bufio.NewScanner(f)
	lines := 0
	for sc.Scan() {
		lines++
	}
	f.Close()
	fmt.Println("scanned lines", lines)
	fmt.Println("rename", os.Rename(filepath.Join(dir, "f01.txt"), filepath.Join(dir, "sub", "moved.txt")))
	fmt.Println("symlink", os.Symlink("f02.txt", filepath.Join(dir, "link")))
	target, _ := os.Readlink(filepath.Join(dir, "link"))
	lst, _ := os.Lstat(filepath.Join(dir, "link"))
	fmt.Println("readlink", target, lst.Mode()&fs.ModeSymlink != 0)
	fmt.Println("chmod", os.Chmod(filepath.Join(dir, "f04.txt"), 0600))
	st, _ = os.Stat(filepath.Join(dir, "f04.txt"))
	fmt.Println("mode", st.Mode())
	_, err = os.Stat(filepath.Join(dir, "missing"))
	fmt.Println("missing is not exist", errors.Is(err, fs.ErrNotExist))
	fmt.Println("remove non-empty dir fails", os.Remove(filepath.Join(dir, "sub")) != nil)
	for i := 6; i < 10; i++ {
		os.Remove(filepath.Join(dir, fmt.Sprintf("f%02d.txt", i)))
	}
	var walked []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(dir, p)
		info, _ := d.Info()
		if d.IsDir() {
			walked = append(walked, rel+"/")
		} else {
			walked = append(walked, fmt.Sprintf("%s %d", rel, info.Size()))
		}
		return nil
	})
	fmt.Println("walk", walked)
	cwd, _ := os.Getwd()
	fmt.Println("getwd absolute", filepath.IsAbs(cwd))
	os.RemoveAll(dir)
	_, err = os.Stat(dir)
	fmt.Println("removed", os.IsNotExist(err))
}

func processes() {
	section("exec")
	out, err := exec.Command("/bin/echo", "hello", "from", "echo").Output()
	fmt.Printf("echo %q %v\n", out, err)
	cmd := exec.Command("/bin/sh", "-c", "n=0; while read l; do n=$((n+1)); echo \"$n $l\"; done; echo total $n >&2; exit 6")
	cmd.Stdin = strings.NewReader("one\ntwo\nthree\n")
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	err = cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		fmt.Printf("sh stdout %q stderr %q exit %d\n", stdout.String(), stderr.String(), ee.ExitCode())
	}
	cmd = exec.Command("/bin/sh", "-c", "echo $GREETING; pwd")
	cmd.Env = []string{"GREETING=hi from env"}
	cmd.Dir = "/"
	out, err = cmd.CombinedOutput()
	fmt.Printf("env+dir %q %v\n", out, err)
	p := exec.Command("/bin/sh", "-c", "read x; echo got $x")
	w, _ := p.StdinPipe()
	r, _ := p.StdoutPipe()
	p.Start()
	io.WriteString(w, "piped\n")
	w.Close()
	res, _ := io.ReadAll(r)
	fmt.Printf("pipes %q %v\n", res, p.Wait())
	err = exec.Command("/nonexistent/prog").Run()
	fmt.Println("missing program error:", err != nil)
	k := exec.Command("/bin/sh", "-c", "kill -TERM $$")
	err = k.Run()
	fmt.Println("killed:", err)
	var wg sync.WaitGroup
	outs := make([]string, 6)
	for i := range outs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			o, _ := exec.Command("/bin/echo", "child", strconv.Itoa(i)).Output()
			outs[i] = strings.TrimSpace(string(o))
		}(i)
	}
	wg.Wait()
	fmt.Println("concurrent children", outs)
	fmt.Println("args", os.Args[1:], "env LANG", os.Getenv("LANG"))
	os.Setenv("GOTEST_VAR", "x=1")
	v, ok := os.LookupEnv("GOTEST_VAR")
	fmt.Println("setenv", v, ok)
}

type myErr struct{ code int }

func (e *myErr) Error() string { return "myErr " + strconv.Itoa(e.code) }

func panics() {
	section("panic")
	try := func(name string, f func()) {
		defer func() {
			if r := recover(); r != nil {
				fmt.Printf("%s recovered: %v\n", name, r)
			}
		}()
		f()
	}
	try("explicit", func() { panic("boom") })
	try("error value", func() { panic(&myErr{7}) })
	try("index", func() {
		s := []int{1, 2, 3}
		i := 5
		_ = s[i]
	})
	try("nil map", func() {
		var m map[string]int
		m["x"] = 1
	})
	try("nil pointer", func() {
		var p *node
		fmt.Println(p.val)
	})
	try("divide", func() {
		a, b := 1, 0
		fmt.Println(a / b)
	})
	try("type assertion", func() {
		var i interface{} = "str"
		_ = i.(int)
	})
	try("closed channel", func() {
		c := make(chan int)
		close(c)
		close(c)
	})
	try("deferred order", func() {
		for i := 0; i < 3; i++ {
			defer fmt.Println("defer", i)
		}
		panic("after defers")
	})
	done := make(chan string)
	go func() {
		defer func() { done <- fmt.Sprint("goroutine recovered: ", recover()) }()
		var arr []int
		arr[3] = 1
	}()
	fmt.Println(<-done)
	var e error = &myErr{3}
	wrapped := fmt.Errorf("context: %w", e)
	var target *myErr
	fmt.Println("errors", wrapped, errors.As(wrapped, &target), target.code, errors.Unwrap(wrapped) == e)
}

func signals() {
	section("signals")
	c := make(chan os.Signal, 4)
	signal.Notify(c, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGHUP)
	syscall.Kill(os.Getpid(), syscall.SIGUSR1)
	fmt.Println("got", <-c)
	syscall.Kill(os.Getpid(), syscall.SIGUSR2)
	fmt.Println("got", <-c)
	signal.Ignore(syscall.SIGHUP)
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	select {
	case s := <-c:
		fmt.Println("ignored signal delivered:", s)
	case <-time.After(20 * time.Millisecond):
		fmt.Println("SIGHUP ignored")
	}
	signal.Reset(syscall.SIGUSR1, syscall.SIGUSR2)
	signal.Notify(c, syscall.SIGCHLD)
	exec.Command("/bin/true").Run()
	fmt.Println("got", <-c)
	signal.Stop(c)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	select {
	case <-ctx.Done():
		fmt.Println("context", ctx.Err())
	case <-time.After(10 * time.Second):
		fmt.Println("context never expired")
	}
	ctx2, cancel2 := context.WithCancel(context.WithValue(context.Background(), "k", "v"))
	go cancel2()
	<-ctx2.Done()
	fmt.Println("context", ctx2.Err(), ctx2.Value("k"))
	fmt.Println("monotonic clock advances:", time.Since(time.Now()) >= 0)
}

func libraries() {
	section("libraries")
	data := bytes.Repeat([]byte("The quick brown fox jumps over the lazy dog. "), 2000)
	fmt.Printf("sha256 %x\n", sha256.Sum256(data))
	fmt.Printf("md5 %x\n", md5.Sum(data))
	var zbuf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&zbuf, gzip.BestCompression)
	zw.Write(data)
	zw.Close()
	zr, err := gzip.NewReader(bytes.NewReader(zbuf.Bytes()))
	back, _ := io.ReadAll(zr)
	fmt.Println("gzip", len(data), "->", zbuf.Len(), "round trip", bytes.Equal(back, data), err)
	fmt.Println("base64", base64.StdEncoding.EncodeToString([]byte("x86vm runtime")), hex.EncodeToString([]byte{0xde, 0xad, 0xbe, 0xef}))
	type item struct {
		Name  string             `json:"name"`
		Tags  []string           `json:"tags,omitempty"`
		Score float64            `json:"score"`
		Extra map[string]float64 `json:"extra"`
	}
	js, _ := json.Marshal([]item{{"a", []string{"x", "y"}, 1.5, map[string]float64{"z": 1e-9, "b": 3}}, {"b", nil, -0.25, nil}})
	fmt.Println("json", string(js))
	var decoded []item
	fmt.Println("json decode", json.Unmarshal(js, &decoded), decoded[0].Extra["z"], len(decoded))
	var anyv interface{}
	json.Unmarshal([]byte(`{"n":12345678901234567890,"f":[1,2.5,"s",null,true]}`), &anyv)
	fmt.Printf("json any %v\n", anyv)
	re := regexp.MustCompile(`(\w+)@(\w+)\.com`)
	fmt.Println("regexp", re.FindAllStringSubmatch("mail bob@example.com and amy@test.com now", -1), re.ReplaceAllString("x@y.com", "$2 at $1"))
	tmpl := template.Must(template.New("t").Parse("{{range .}}[{{.Name}}:{{printf \"%.2f\" .Score}}]{{end}}\n"))
	tmpl.Execute(os.Stdout, decoded)
}

func main() {
	goroutines()
	timers()
	preemption()
	memory()
	data()
	floats()
	files()
	processes()
	signals()
	libraries()
	panics()
	os.Exit(3)
}
