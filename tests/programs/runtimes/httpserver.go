// net/http over loopback, for comparing x86vm with native execution.
//
// Built static (CGO_ENABLED=0 go build). A server from net/http/httptest listens on 127.0.0.1:0 (a
// kernel-chosen port, never printed); a client makes GET and POST requests over keep-alive
// connections, concurrently from several goroutines, reads JSON, a chunked streaming response and
// a 404, then the server shuts down. A plain TCP echo over net.Listen/net.Dial with deadlines runs
// too. Needs sockets, epoll and the Go netpoller in the VM. Exits with status 0.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type reply struct {
	Path   string            `json:"path"`
	Method string            `json:"method"`
	Query  map[string]string `json:"query"`
	Count  int64             `json:"count"`
}

func main() {
	var hits int64
	mux := http.NewServeMux()
	mux.HandleFunc("/hello", func(w http.ResponseWriter, r *http.Request) {
		atomic.AddInt64(&hits, 1)
		w.Header().Set("X-Test", "yes")
		fmt.Fprintf(w, "hello, %s\n", r.URL.Query().Get("name"))
	})
	mux.HandleFunc("/json", func(w http.ResponseWriter, r *http.Request) {
		n := atomic.AddInt64(&hits, 1)
		q := map[string]string{}
		for k, v := range r.URL.Query() {
			q[k] = strings.Join(v, ",")
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(reply{r.URL.Path, r.Method, q, n})
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		atomic.AddInt64(&hits, 1)
		body, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s %d bytes: %s", r.Method, len(body), strings.ToUpper(string(body)))
	})
	mux.HandleFunc("/stream", func(w http.ResponseWriter, r *http.Request) {
		atomic.AddInt64(&hits, 1)
		fl := w.(http.Flusher)
		for i := 0; i < 5; i++ {
			fmt.Fprintf(w, "chunk %d\n", i)
			fl.Flush()
			time.Sleep(time.Millisecond)
		}
	})
	srv := httptest.NewServer(mux)
	fmt.Println("server on loopback:", strings.HasPrefix(srv.URL, "http://127.0.0.1:"))

	client := srv.Client()
	get := func(path string) {
		resp, err := client.Get(srv.URL + path)
		if err != nil {
			fmt.Println("GET", path, "error:", err)
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Printf("GET %s -> %d %q x-test=%q len=%d\n", path, resp.StatusCode, body, resp.Header.Get("X-Test"), resp.ContentLength)
	}
	get("/hello?name=vm")
	get("/hello?name=again")
	get("/missing")

	resp, err := client.Get(srv.URL + "/json?a=1&b=two&b=three")
	if err == nil {
		var r reply
		err = json.NewDecoder(resp.Body).Decode(&r)
		resp.Body.Close()
		fmt.Printf("json %+v err %v type %s\n", r, err, resp.Header.Get("Content-Type"))
	} else {
		fmt.Println("json error:", err)
	}

	resp, err = client.Post(srv.URL+"/echo", "text/plain", strings.NewReader(strings.Repeat("payload ", 1000)))
	if err == nil {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Printf("POST -> %d, %d bytes, starts %q\n", resp.StatusCode, len(body), body[:30])
	} else {
		fmt.Println("post error:", err)
	}

	resp, err = client.Get(srv.URL + "/stream")
	if err == nil {
		sc := bufio.NewScanner(resp.Body)
		var lines []string
		for sc.Scan() {
			lines = append(lines, sc.Text())
		}
		resp.Body.Close()
		fmt.Println("stream", resp.TransferEncoding, lines)
	} else {
		fmt.Println("stream error:", err)
	}

	// concurrent clients
	var wg sync.WaitGroup
	results := make([]string, 16)
	for i := range results {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			resp, err := client.Get(fmt.Sprintf("%s/hello?name=c%d", srv.URL, i))
			if err != nil {
				results[i] = "error"
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			results[i] = strings.TrimSpace(string(b))
		}(i)
	}
	wg.Wait()
	sort.Strings(results)
	fmt.Println("concurrent", results)
	srv.Close()
	fmt.Println("handler hits", atomic.LoadInt64(&hits))
	_, err = client.Get(srv.URL + "/hello")
	fmt.Println("after close, request fails:", err != nil)

	// a TCP echo server with deadlines
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println("listen:", err)
		os.Exit(1)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					fmt.Fprintf(c, "echo: %s", line)
				}
			}(c)
		}
	}()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		fmt.Println("dial:", err)
		os.Exit(1)
	}
	r := bufio.NewReader(conn)
	for _, m := range []string{"first", "second", strings.Repeat("x", 5000)} {
		fmt.Fprintf(conn, "%s\n", m)
		line, err := r.ReadString('\n')
		fmt.Printf("tcp reply %d bytes %q... %v\n", len(line), line[:min(len(line), 14)], err)
	}
	conn.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	_, err = r.ReadByte()
	var ne net.Error
	fmt.Println("read deadline timeout:", err != nil && asNetErr(err, &ne) && ne.Timeout())
	conn.Close()
	ln.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	var d net.Dialer
	_, err = d.DialContext(ctx, "tcp", ln.Addr().String())
	fmt.Println("dial closed listener fails:", err != nil)
}

func asNetErr(err error, target *net.Error) bool {
	ne, ok := err.(net.Error)
	if ok {
		*target = ne
	}
	return ok
}

func min(a, b int) int {
	if a < b {
		return a
	}
	return b
}
